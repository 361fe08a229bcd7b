package dev.pgpulse.health.alert;

import dev.pgpulse.config.MonitoringSettings;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.resilience.BreakerState;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.pgpulse.health.alert.Operator.GE;
import static dev.pgpulse.health.alert.Operator.GT;
import static dev.pgpulse.health.alert.Operator.LT;
import static dev.pgpulse.health.alert.Severity.CRITICAL;
import static dev.pgpulse.health.alert.Severity.INFO;
import static dev.pgpulse.health.alert.Severity.WARNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class DefaultRulesTest {

    @Test
    void matchTheDocumentedList() {
        assertThat(DefaultRules.all())
                .extracting(AlertRule::id, AlertRule::metric, AlertRule::operator, AlertRule::threshold,
                        AlertRule::forDuration, AlertRule::severity, AlertRule::enabled)
                .containsExactly(
                        tuple("breaker-open", "breaker.*.state", GE, 2.0, Duration.ZERO, CRITICAL, true),
                        tuple("pool-waiting", "pool.*.awaiting", GT, 0.0, Duration.ofSeconds(30), WARNING, true),
                        tuple("connections-high", "server.connections.used_ratio", GT, 0.8, Duration.ofMinutes(5), WARNING, true),
                        tuple("rollback-ratio", "server.rollback_ratio", GT, 0.1, Duration.ofMinutes(1), WARNING, true),
                        tuple("cache-hit-low", "server.cache_hit_ratio", LT, 0.98, Duration.ofMinutes(10), INFO, true),
                        tuple("long-transaction", "server.longest_transaction_seconds", GT, 120.0, Duration.ZERO, WARNING, true),
                        tuple("very-long-transaction", "server.longest_transaction_seconds", GT, 1800.0, Duration.ZERO, CRITICAL, true),
                        tuple("idle-in-transaction", "server.oldest_idle_in_transaction_seconds", GT, 1800.0, Duration.ZERO, WARNING, true),
                        tuple("very-long-idle-in-transaction", "server.oldest_idle_in_transaction_seconds", GT, 3600.0, Duration.ZERO, CRITICAL, true),
                        tuple("lock-wait", "server.longest_lock_wait_seconds", GT, 300.0, Duration.ZERO, WARNING, true),
                        tuple("very-long-lock-wait", "server.longest_lock_wait_seconds", GT, 600.0, Duration.ZERO, CRITICAL, true),
                        tuple("deadlocks", "server.deadlocks_per_minute", GT, 5.0, Duration.ZERO, WARNING, true),
                        tuple("replica-lag", "replication.lag_seconds", GT, 30.0, Duration.ZERO, WARNING, true),
                        tuple("xid-wraparound", "server.oldest_xid_age", GT, 1.5e9, Duration.ZERO, CRITICAL, true),
                        tuple("endpoint-down", "endpoint.*.health", GE, 2.0, Duration.ofSeconds(15), CRITICAL, true));
    }

    /** DOWN for three samples at the default health interval, and never for UP or DEGRADED. */
    @Test
    void endpointDownRuleFiresForDownOnlyAfterAFewDefaultSamples() {
        AlertRule down = DefaultRules.all().stream().filter(r -> r.id().equals("endpoint-down")).findFirst().orElseThrow();
        assertThat(down.forDuration()).isEqualTo(MonitoringSettings.DEFAULT_HEALTH_INTERVAL.multipliedBy(3));
        assertThat(down.operator().test(HealthStatus.DOWN.metricValue(), down.threshold())).isTrue();
        assertThat(down.operator().test(HealthStatus.DEGRADED.metricValue(), down.threshold())).isFalse();
        assertThat(down.operator().test(HealthStatus.UP.metricValue(), down.threshold())).isFalse();
        assertThat(MetricKeys.isValid(down.metric())).isTrue();
    }

    @Test
    void breakerRuleFiresForOpenAndForcedOpenOnly() {
        AlertRule breaker = DefaultRules.all().getFirst();
        assertThat(breaker.operator().test(BreakerState.OPEN.metricValue(), breaker.threshold())).isTrue();
        assertThat(breaker.operator().test(BreakerState.FORCED_OPEN.metricValue(), breaker.threshold())).isTrue();
        for (BreakerState s : new BreakerState[] {BreakerState.CLOSED, BreakerState.HALF_OPEN, BreakerState.FORCED_CLOSED,
                BreakerState.METRICS_ONLY}) {
            assertThat(breaker.operator().test(s.metricValue(), breaker.threshold())).as(s.name()).isFalse();
        }
    }
}
