package dev.pgpulse.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Durations for people: what alert messages and the console print (the configuration's own syntax is exact). */
class DurationsTest {
    @Test
    void durationsAreWrittenForPeopleAtEverySize() {
        assertThat(Durations.forPeople(Duration.ofMillis(551_762))).isEqualTo("9 min 12 s"); // was "551762ms"
        assertThat(Durations.format(Duration.ofMillis(551_762))).as("the config syntax stays exact").isEqualTo("551762ms");
        assertThat(Durations.forPeople(0)).isEqualTo("0 s");
        assertThat(Durations.forPeople(0.0042)).isEqualTo("4.20 ms");
        assertThat(Durations.forPeople(0.042)).isEqualTo("42 ms");
        assertThat(Durations.forPeople(0.4)).isEqualTo("0.4 s");
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
