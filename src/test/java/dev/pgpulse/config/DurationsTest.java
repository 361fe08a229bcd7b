package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one duration syntax (a whole number and a unit), its refusals, the keys whose unit PostgreSQL fixes, and
 * durations for people: what alert messages and the console print.
 */
class DurationsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({"250ms, 250", "30s, 30000", "5min, 300000", "5m, 300000", "2h, 7200000", "1d, 86400000",
            "30 s, 30000", "' 5MIN ', 300000", "2H, 7200000", "250Ms, 250", "0s, 0", "0, 0", "-5s, -5000",
            "999999999999ms, 999999999999"})
    void everyUnitInAnyCaseWithAnOptionalSpace(String raw, long millis) {
        assertThat(Durations.parse(raw)).hasValue(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "soon", "1.5s", "5 minutes", "2days", "30  s", "5 m s", "1w", "5sec", "+5s", "1e3ms",
            "1000000000000ms", "٣s", "90", "-90", "1", "5\ts", "5\ns", "5\u00a0s", "\u00a05s", "5\u2003s", "1e3s", "٥", "--5s"})
    void anythingElseIsRefused(String raw) {
        assertThat(Durations.parse(raw)).isEmpty();
    }

    /** Case never changes the unit (5M is minutes, there are no months); -0 is zero; the longest reads whole. */
    @Test
    void hostileButValidSpellings() {
        assertThat(Durations.parse("5M")).hasValue(Duration.ofMinutes(5));
        assertThat(Durations.parse("-0")).hasValue(Duration.ZERO);
        assertThat(Durations.parse("999999999999d")).hasValue(Duration.ofDays(999_999_999_999L));
        assertThat(Durations.problem("٥s", "x")).as("another script's digits").isEqualTo("is not a duration (digits 0-9); expected x");
    }

    @Test
    void aNumberWithoutAUnitIsRefusedWithTheFix() {
        assertThat(Durations.parse("90")).isEmpty();
        assertThat(Durations.problem("90", "x")).isEqualTo("has no unit; write \"90s\" (seconds) or \"90ms\"");
        assertThat(Durations.problem(" 90 ", "x")).isEqualTo("has no unit; write \"90s\" (seconds) or \"90ms\"");
        assertThat(Durations.problem("soon", Durations.EXPECTED)).isEqualTo("is not a duration; expected " + Durations.EXPECTED);
        assertThat(Durations.problem("1.5", "x")).isEqualTo("is not a duration; expected x");
    }

    @Test
    void onlyTheKeysWhoseUnitPostgresqlFixesReadANumberWithoutAUnit() {
        assertThat(Durations.parse("10", Durations.Bare.SECONDS)).hasValue(Duration.ofSeconds(10));
        assertThat(Durations.parse("10", Durations.Bare.MILLISECONDS)).hasValue(Duration.ofMillis(10));
        assertThat(Durations.parse("10", Durations.Bare.REFUSED)).isEmpty();
        assertThat(Durations.parse("10s", Durations.Bare.MILLISECONDS)).as("a unit always wins").hasValue(Duration.ofSeconds(10));
        assertThat(Keys.bareNumber("primary.connect_timeout")).isEqualTo(Durations.Bare.SECONDS);
        assertThat(Keys.bareNumber("replica-2.pool.statement_timeout")).isEqualTo(Durations.Bare.MILLISECONDS);
        assertThat(List.of("startup.wait", "pool.connection_timeout", "primary.pool.idle_timeout", "health.interval",
                "breaker.wait_in_open", "retry.initial_backoff", "alerts.webhook_timeout", "query.slow_threshold"))
                .allSatisfy(k -> assertThat(Keys.bareNumber(k)).as(k).isEqualTo(Durations.Bare.REFUSED));
    }

    /** What PgPulse writes reads back the same, so a file it saved never changes meaning. */
    @Test
    void formatWritesAUnitAndReadsBackTheSame() {
        for (Duration d : List.of(Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1500), Duration.ofSeconds(90),
                Duration.ofMinutes(5), Duration.ofMinutes(90), Duration.ofHours(2), Duration.ofDays(3), Duration.ofSeconds(-5))) {
            String written = Durations.format(d);
            assertThat(written).as(d.toString()).matches("-?\\d+(ms|s|m|h)");
            assertThat(Durations.parse(written)).as(written).hasValue(d);
        }
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.format(Duration.ofDays(1))).isEqualTo("24h");
        assertThat(Durations.format(Duration.ofSeconds(-5))).isEqualTo("-5s");
        assertThat(Durations.format(Duration.ofDays(999_999_999_999L))).as("no overflow in milliseconds")
                .isEqualTo("23999999999976h");
    }

    @Test
    void durationsAreWrittenForPeopleAtEverySize() {
        assertThat(Durations.forPeople(Duration.ofMillis(551_762))).isEqualTo("9 min 12 s"); // was "551762ms"
        assertThat(Durations.format(Duration.ofMillis(551_762))).as("the config syntax stays exact").isEqualTo("551762ms");
        assertThat(Durations.forPeople(0)).isEqualTo("0 s");
        assertThat(Durations.forPeople(0.0042)).isEqualTo("4.20 ms");
        assertThat(Durations.forPeople(0.042)).isEqualTo("42 ms");
        assertThat(Durations.forPeople(0.4)).isEqualTo("0.4 s");
        assertThat(Durations.forPeople(Duration.ofSeconds(7))).isEqualTo("7 s"); // was "7.0 s"
        assertThat(Durations.forPeople(1.04)).isEqualTo("1 s");
        assertThat(Durations.forPeople(42)).isEqualTo("42 s");
        assertThat(Durations.forPeople(2 * 3600 + 5 * 60 + 7)).isEqualTo("2 h 05 min");
        assertThat(Durations.forPeople(3 * 86_400 + 4 * 3600)).isEqualTo("3 d 04 h");
        assertThat(Durations.forPeople(120)).isEqualTo("2 min");
        assertThat(Durations.forPeople(7200)).isEqualTo("2 h");
        assertThat(Durations.forPeople(-30)).isEqualTo("-30 s");
        assertThat(Durations.forPeople(Double.NaN)).isEqualTo("–");
    }

    /** A value just under a unit's end rounds into the next unit's spelling, never its own with a wider figure. */
    @Test
    void roundingAtAUnitsEndGivesTheNextUnit() {
        assertThat(Durations.forPeople(0.0099996)).isEqualTo("10 ms"); // was "10.00 ms"
        assertThat(Durations.forPeople(0.0999)).isEqualTo("0.1 s"); // was "100 ms"
        assertThat(Durations.forPeople(9.96)).isEqualTo("10 s"); // was "10.0 s"
        assertThat(Durations.forPeople(9.94)).isEqualTo("9.9 s");
        assertThat(Durations.forPeople(59.96)).isEqualTo("1 min");
        assertThat(Durations.forPeople(3599.6)).isEqualTo("1 h");
        assertThat(Durations.forPeople(86_399.6)).isEqualTo("1 d");
        assertThat(Durations.forPeople(-9.96)).isEqualTo("-10 s");
        assertThat(Durations.forPeople(Double.POSITIVE_INFINITY)).isEqualTo("–");
    }

    @Test
    void aDurationBeyondWhatNanosecondsHoldIsStillWritten() {
        // Duration.toNanos() throws ArithmeticException past about 292 years
        assertThat(Durations.forPeople(Duration.ofDays(400 * 365))).isEqualTo("146000 d");
        assertThat(Durations.forPeople(Duration.ofMillis(9_960))).isEqualTo("10 s");
    }
}
