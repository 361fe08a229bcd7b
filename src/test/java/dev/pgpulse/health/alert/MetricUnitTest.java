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
        assertThat(MetricUnit.SECONDS.format(120)).isEqualTo("2m");
        assertThat(MetricUnit.SECONDS.format(1800)).isEqualTo("30m");
        assertThat(MetricUnit.SECONDS.format(90)).isEqualTo("90s");
        assertThat(MetricUnit.SECONDS.format(0.25)).isEqualTo("250ms");
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
        assertThat(MetricUnit.MILLISECONDS.format(250)).isEqualTo("250ms");
        assertThat(MetricUnit.MILLISECONDS.format(2000)).isEqualTo("2s");
        assertThat(MetricUnit.MILLISECONDS.forPeople(250)).isEqualTo("0.3 s");
    }

    @Test
    void bytesAreReadWithPostgresUnits() {
        assertThat(MetricUnit.of("replication.lag_bytes")).isEqualTo(MetricUnit.BYTES);
        assertThat(MetricUnit.BYTES.parse("16MB")).contains(16.0 * 1024 * 1024);
        assertThat(MetricUnit.BYTES.parse("1 GB")).contains(1024.0 * 1024 * 1024);
        assertThat(MetricUnit.BYTES.parse("1500")).contains(1500.0);
        assertThat(MetricUnit.BYTES.format(16.0 * 1024 * 1024)).isEqualTo("16MB");
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
        assertThat(MetricUnit.NUMBER.format(1.5e9)).isEqualTo("1500000000");
        for (double v : new double[]{1, 1023, 1024, 1536, 16 * 1024 * 1024, 3.3e9}) {
            assertThat(MetricUnit.BYTES.parse(MetricUnit.BYTES.format(v))).as("%s bytes", v).contains(v);
        }
    }
}
