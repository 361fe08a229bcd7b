package dev.pgpulse.health.alert;

import dev.pgpulse.config.MonitoringSettings;
import dev.pgpulse.config.PoolSizing;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.resilience.BreakerState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

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
                        tuple("endpoint-down", "endpoint.*.health", GE, 2.0, Duration.ofSeconds(15), CRITICAL, true),
                        tuple("call-stuck", "traffic.*.oldest_call_in_flight_seconds", GT, 60.0, Duration.ofSeconds(30), CRITICAL, true));
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

    /**
     * The samples a hung primary gives, one every default health interval: its oldest call ages with the clock while
     * the replica's calls finish. The rule goes PENDING once the call has run past the pools' statement_timeout
     * (PoolSizing's staging and production 60 s), fires 30 s later, on the primary alone, and resolves once the
     * call is over. A call that the server ended at statement_timeout plus the read margin never fires it.
     */
    @Test
    void callStuckFiresForTheHungEndpointOnlyAfterACallOutlivedTheStatementTimeoutForHalfAMinute() {
        AlertRule stuck = DefaultRules.all().stream().filter(r -> r.id().equals("call-stuck")).findFirst().orElseThrow();
        assertThat(MetricKeys.isValid(stuck.metric())).isTrue();
        assertThat(stuck.threshold()).isEqualTo((double) PoolSizing.production(2).statementTimeout().toSeconds())
                .isEqualTo((double) PoolSizing.staging().statementTimeout().toSeconds());
        String primary = "traffic.primary.oldest_call_in_flight_seconds";
        String replica = "traffic.replica-1.oldest_call_in_flight_seconds";
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        long step = MonitoringSettings.DEFAULT_HEALTH_INTERVAL.toSeconds();
        try (AlertEngine engine = new AlertEngine()) {
            engine.putRule(stuck);
            List<Alert> seen = new CopyOnWriteArrayList<>();
            engine.subscribe(seen::add);
            // a statement that ran into statement_timeout and the 5 s read margin, then short calls again
            for (long s = 0; s <= 65; s += step) {
                engine.evaluate(t0.plusSeconds(s), Map.of(primary, (double) s, replica, 0.0));
            }
            engine.evaluate(t0.plusSeconds(70), Map.of(primary, 0.0, replica, 0.0));
            assertThat(seen).as("a call the server ended: pending at most, never firing").extracting(Alert::state)
                    .containsOnly(AlertState.PENDING);
            assertThat(engine.stateOf("call-stuck", primary)).isEmpty();
            assertThat(engine.history()).isEmpty();
            seen.clear();

            Instant hung = t0.plusSeconds(100);
            for (long s = 0; s <= 120; s += step) {
                engine.evaluate(hung.plusSeconds(s), Map.of(primary, (double) s, replica, 0.2));
                // PENDING from the first sample past 60 s (65 s), FIRING 30 s after that
                if (s <= 60) {
                    assertThat(engine.stateOf("call-stuck", primary)).as("at %d s", s).isEmpty();
                } else if (s < 95) {
                    assertThat(engine.stateOf("call-stuck", primary)).as("at %d s", s).contains(AlertState.PENDING);
                } else {
                    assertThat(engine.stateOf("call-stuck", primary)).as("at %d s", s).contains(AlertState.FIRING);
                }
                assertThat(engine.stateOf("call-stuck", replica)).isEmpty();
            }
            Alert fired = engine.active().getFirst();
            assertThat(engine.active()).hasSize(1);
            assertThat(fired.subject()).isEqualTo(primary);
            assertThat(fired.severity()).isEqualTo(CRITICAL);
            assertThat(fired.at()).isEqualTo(hung.plusSeconds(95));
            assertThat(fired.since()).isEqualTo(hung.plusSeconds(65));
            // the server answers again: the call ends, the age is 0 from the next sample on
            for (long s = 125; s <= 200 && !engine.active().isEmpty(); s += step) {
                engine.evaluate(hung.plusSeconds(s), Map.of(primary, 0.0, replica, 0.0));
            }
            assertThat(engine.active()).isEmpty();
            assertThat(seen).extracting(Alert::state)
                    .containsExactly(AlertState.PENDING, AlertState.FIRING, AlertState.RESOLVED);
        }
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
