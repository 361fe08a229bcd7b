package dev.pgpulse.health.alert;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Thresholds as the rule editor reads and shows them: ratios in %, durations for *_seconds and *_ms keys. */
class MetricUnitTest {

    @Test
    void theUnitFollowsTheKey() {
        assertThat(MetricUnit.of("pool.<endpoint>.usage_ratio")).isEqualTo(MetricUnit.RATIO);
        assertThat(MetricUnit.of("server.cache_hit_ratio")).isEqualTo(MetricUnit.RATIO);
        assertThat(MetricUnit.of("server.longest_transaction_seconds")).isEqualTo(MetricUnit.SECONDS);
        assertThat(MetricUnit.of("query.*.p95_ms")).isEqualTo(MetricUnit.MILLISECONDS);
        assertThat(MetricUnit.of("server.sessions_waiting_on_locks")).isEqualTo(MetricUnit.NUMBER);
        assertThat(MetricUnit.label("server.sessions_waiting_on_locks")).isEqualTo("sessions");
        assertThat(MetricUnit.label("endpoint.*.health")).isEqualTo("0 UP · 1 DEGRADED · 2 DOWN");
        assertThat(MetricUnit.label("server.rollback_ratio")).isEqualTo("%");
        assertThat(MetricUnit.label("server.longest_lock_wait_seconds")).startsWith("duration");
    }

    @Test
    void aRatioIsReadAsAPercentage() {
        assertThat(MetricUnit.RATIO.parse("80%")).contains(0.8);
        assertThat(MetricUnit.RATIO.parse(" 80 ")).contains(0.8);
        assertThat(MetricUnit.RATIO.parse("12.5 %")).contains(0.125);
        assertThat(MetricUnit.RATIO.format(0.8)).isEqualTo("80%");
        assertThat(MetricUnit.RATIO.format(0.98)).isEqualTo("98%");
        assertThat(MetricUnit.RATIO.format(0.125)).isEqualTo("12.5%");
        assertThat(MetricUnit.RATIO.problem("150%")).isEqualTo("is above 100%; a ratio is between 0% and 100%");
        assertThat(MetricUnit.RATIO.problem("lots")).startsWith("is not a number; expected a percentage");
        assertThat(MetricUnit.RATIO.problem("-5%")).startsWith("is negative");
        assertThat(MetricUnit.RATIO.problem("80%")).isNull();
    }

    @Test
    void secondsAreReadAsADurationOrBareSeconds() {
        assertThat(MetricUnit.SECONDS.parse("2m")).contains(120.0);
        assertThat(MetricUnit.SECONDS.parse("120s")).contains(120.0);
        assertThat(MetricUnit.SECONDS.parse("120")).contains(120.0);
        assertThat(MetricUnit.SECONDS.parse("1.5")).contains(1.5);
        assertThat(MetricUnit.SECONDS.parse("250ms")).contains(0.25);
        assertThat(MetricUnit.SECONDS.parse("1 min 30 s")).as("as the table writes it").contains(90.0);
        assertThat(MetricUnit.SECONDS.parse("1h30m")).contains(5400.0);
        assertThat(MetricUnit.SECONDS.parse("1.5 s")).contains(1.5);
        assertThat(MetricUnit.SECONDS.parse("1 min 30")).as("a unit on every part").isEmpty();
        assertThat(MetricUnit.SECONDS.format(12.345)).as("not exact for people: the exact form").isEqualTo("12345ms");
        assertThat(MetricUnit.SECONDS.format(12.5)).isEqualTo("12.5 s");
        assertThat(MetricUnit.SECONDS.format(120)).isEqualTo("2 min");
        assertThat(MetricUnit.SECONDS.format(1800)).isEqualTo("30 min");
        assertThat(MetricUnit.SECONDS.format(90)).isEqualTo("1 min 30 s");
        assertThat(MetricUnit.SECONDS.format(0.25)).isEqualTo("250 ms");
        assertThat(MetricUnit.SECONDS.forPeople(120)).isEqualTo("2 min");
        assertThat(MetricUnit.SECONDS.problem("soon")).startsWith("is not a duration; expected a duration such as 90s");
        assertThat(MetricUnit.SECONDS.problem("-5s")).startsWith("is negative");
        assertThat(MetricUnit.SECONDS.problem("")).startsWith("is missing");
    }

    @Test
    void millisecondsAreReadAsADurationOrBareMilliseconds() {
        assertThat(MetricUnit.MILLISECONDS.parse("250")).contains(250.0);
        assertThat(MetricUnit.MILLISECONDS.parse("2s")).contains(2000.0);
        assertThat(MetricUnit.MILLISECONDS.parse("250ms")).contains(250.0);
        assertThat(MetricUnit.MILLISECONDS.format(250)).isEqualTo("250 ms");
        assertThat(MetricUnit.MILLISECONDS.format(2000)).isEqualTo("2 s");
        assertThat(MetricUnit.MILLISECONDS.forPeople(250)).isEqualTo("250 ms");
    }

    @Test
    void bytesAreReadWithPostgresUnits() {
        assertThat(MetricUnit.of("replication.lag_bytes")).isEqualTo(MetricUnit.BYTES);
        assertThat(MetricUnit.BYTES.parse("16MB")).contains(16.0 * 1024 * 1024);
        assertThat(MetricUnit.BYTES.parse("1 GB")).contains(1024.0 * 1024 * 1024);
        assertThat(MetricUnit.BYTES.parse("1500")).contains(1500.0);
        assertThat(MetricUnit.BYTES.format(16.0 * 1024 * 1024)).isEqualTo("16 MB");
        assertThat(MetricUnit.BYTES.format(1500)).isEqualTo("1500");
        assertThat(MetricUnit.BYTES.forPeople(1536)).isEqualTo("1.5 kB");
        assertThat(MetricUnit.BYTES.problem("lots")).startsWith("is not a size; expected a size such as 16MB");
        assertThat(MetricUnit.NUMBER.forPeople(1.5e9)).isEqualTo("1.5 billion");
    }

    @Test
    void everyFormatReadsBackToTheSameValue() {
        for (AlertRule r : DefaultRules.all()) {
            MetricUnit u = MetricUnit.of(r.metric());
            assertThat(u.parse(u.format(r.threshold()))).as(r.id()).contains(r.threshold());
        }
        assertThat(MetricUnit.NUMBER.parse("1.5e9")).isEmpty();
        assertThat(MetricUnit.NUMBER.parse("-1")).contains(-1.0);
        assertThat(MetricUnit.NUMBER.format(1.5e9)).isEqualTo("1.5 billion");
        assertThat(MetricUnit.NUMBER.parse("1.5 billion")).contains(1.5e9);
        assertThat(MetricUnit.NUMBER.format(1_234_567_891)).as("not exact in words").isEqualTo("1234567891");
        for (double v : new double[]{0.25, 1, 1.25, 2, 42, 90, 120, 1860, 7500, 12.5, 0.0042}) {
            assertThat(MetricUnit.SECONDS.parse(MetricUnit.SECONDS.format(v))).as("%s s", v).contains(v);
        }
        for (double v : new double[]{1, 1023, 1024, 1536, 16 * 1024 * 1024, 3.3e9}) {
            assertThat(MetricUnit.BYTES.parse(MetricUnit.BYTES.format(v))).as("%s bytes", v).contains(v);
        }
    }

    /** The one style every table, chart and notice of the console uses for a value or a threshold. */
    @Test
    void valuesAndThresholdsForPeople() {
        assertThat(MetricUnit.forPeople("pool.primary.usage_ratio", 0.3)).isEqualTo("30%");
        assertThat(MetricUnit.forPeople("server.cache_hit_ratio", 0.987)).isEqualTo("98.7%");
        assertThat(MetricUnit.forPeople("server.rollback_ratio", 0.0004)).as("small, not 0%").isEqualTo("0.04%");
        assertThat(MetricUnit.forPeople("server.rollback_ratio", 0)).isEqualTo("0%");
        assertThat(MetricUnit.forPeople("server.longest_transaction_seconds", 2)).isEqualTo("2 s");
        assertThat(MetricUnit.forPeople("server.longest_transaction_seconds", 3.612)).isEqualTo("3.61 s");
        assertThat(MetricUnit.forPeople("server.longest_transaction_seconds", 1.0401)).as("just over 1 s, not '1 s'")
                .isEqualTo("1.04 s");
        assertThat(MetricUnit.forPeople("server.longest_transaction_seconds", 42.46)).isEqualTo("42.5 s");
        assertThat(MetricUnit.forPeople("server.longest_transaction_seconds", 59.99)).isEqualTo("1 min");
        assertThat(MetricUnit.forPeople("server.longest_transaction_seconds", 90)).isEqualTo("1 min 30 s");
        assertThat(MetricUnit.forPeople("server.oldest_idle_in_transaction_seconds", 1860)).isEqualTo("31 min");
        assertThat(MetricUnit.forPeople("replication.lag_seconds", 0.25)).isEqualTo("250 ms");
        assertThat(MetricUnit.forPeople("pool.primary.acquire_p95_ms", 250)).isEqualTo("250 ms");
        assertThat(MetricUnit.forPeople("pool.primary.acquire_p95_ms", 12.4)).isEqualTo("12.4 ms");
        assertThat(MetricUnit.forPeople("pool.primary.acquire_p95_ms", 999.7)).isEqualTo("1 s");
        assertThat(MetricUnit.forPeople("pool.primary.acquire_p95_ms", 0.42)).isEqualTo("0.42 ms");
        assertThat(MetricUnit.forPeople("query.bills.find.p95_ms", 1500)).isEqualTo("1.5 s");
        assertThat(MetricUnit.forPeople("query.bills.find.p95_ms", 1250)).as("a threshold keeps its digits")
                .isEqualTo("1.25 s");
        assertThat(MetricUnit.forPeople("replication.lag_bytes", 16 * 1024 * 1024)).isEqualTo("16 MB");
        assertThat(MetricUnit.forPeople("replication.lag_bytes", 3 * 1024 * 1024)).isEqualTo("3 MB");
        assertThat(MetricUnit.forPeople("replication.lag_bytes", 3_300_000)).isEqualTo("3.1 MB");
        assertThat(MetricUnit.forPeople("replication.lag_bytes", 512)).isEqualTo("512 B");
        assertThat(MetricUnit.forPeople("server.oldest_xid_age", 1.5e9)).isEqualTo("1.5 billion");
        assertThat(MetricUnit.forPeople("server.oldest_xid_age", 2_000_000)).isEqualTo("2 million");
        assertThat(MetricUnit.forPeople("server.deadlocks_per_minute", 6)).isEqualTo("6/min");
        assertThat(MetricUnit.forPeople("traffic.primary.calls_per_second", 12.5)).isEqualTo("12.5/s");
        assertThat(MetricUnit.forPeople("traffic.primary.calls_per_second", 3.33333)).isEqualTo("3.33/s");
        assertThat(MetricUnit.forPeople("breaker.primary.state", 1)).isEqualTo("HALF-OPEN");
        assertThat(MetricUnit.forPeople("breaker.*.state", 2)).isEqualTo("OPEN");
        assertThat(MetricUnit.forPeople("endpoint.replica-1.health", 2)).isEqualTo("DOWN");
        assertThat(MetricUnit.forPeople("endpoint.replica-1.health", 7)).as("no such state").isEqualTo("7");
        assertThat(MetricUnit.forPeople("server.sessions_waiting_on_locks", 3)).isEqualTo("3");
        assertThat(MetricUnit.forPeople("server.sessions_waiting_on_locks", Double.NaN)).isEqualTo("–");
        assertThat(MetricUnit.condition("pool.*.usage_ratio", Operator.GE, 0.9)).isEqualTo(">= 90%");
        assertThat(MetricUnit.condition("breaker.*.state", Operator.GE, 2)).isEqualTo(">= OPEN");
        assertThat(MetricUnit.states("breaker.primary.state")).contains(
                "0 CLOSED · 1 HALF-OPEN · 2 OPEN · 3 FORCED OPEN · -1 FORCED CLOSED · -2 METRICS ONLY");
        assertThat(MetricUnit.states("server.sessions_waiting_on_locks")).isEmpty();
    }

    @Test
    void theEditorShowsTheDefaultThresholdsAsTheTablesDo() {
        for (AlertRule r : DefaultRules.all()) {
            String key = r.metric();
            if (MetricUnit.states(key).isEmpty() && !key.endsWith("_per_minute") && !key.endsWith("_per_second")) {
                assertThat(MetricUnit.of(key).format(r.threshold())).as(r.id())
                        .isEqualTo(MetricUnit.forPeople(key, r.threshold()));
            }
        }
    }
}
