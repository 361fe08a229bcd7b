package dev.pgpulse.service;

import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.BreakerSnapshot;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the dashboard reads of a breaker (calls and latency per endpoint) and the drills a DBA runs on it. */
@ExtendWith(PostgresExtension.class)
@Timeout(30)
class BreakerDrillTest {

    private static EndpointTraffic traffic(ServiceFixture f) {
        return f.service.snapshot().traffic().stream().filter(t -> t.endpoint().equals("primary")).findFirst()
                .orElseThrow();
    }

    private static BreakerSnapshot primary(ServiceFixture f) {
        return f.service.snapshot().breakers().stream().filter(b -> b.endpoint().equals("primary")).findFirst()
                .orElseThrow();
    }

    private static Result<Integer> sleepy(ServiceFixture f) {
        return f.service.query("drill.sleep", Route.WRITE, "select pg_sleep(0.005)", true,
                c -> {
                    try (var st = c.createStatement()) {
                        st.execute("select pg_sleep(0.005)");
                    }
                    return 1;
                });
    }

    @Test
    void callsAndLatencyPerEndpointAreCountedInEveryBreakerState(TestDatabase db) throws Exception {
        try (ServiceFixture f = new ServiceFixture(db, Map.of())) {
            long before = traffic(f).calls();
            // 60 calls: latency is sampled one call in four, so no sample at all has a chance of 0.75^60, ~3e-8
            for (int i = 0; i < 60; i++) {
                assertThat(sleepy(f)).isInstanceOf(Result.Success.class);
            }
            EndpointTraffic t = traffic(f);
            assertThat(t.calls() - before).isGreaterThanOrEqualTo(60);
            assertThat(t.failures()).isZero();
            // each call slept 5 ms on the server: the percentiles are of real calls, in milliseconds (Micrometer's
            // percentiles are estimates from a histogram, a few per cent off, hence 4.5)
            assertThat(t.p50Ms()).isBetween(4.5, 500.0);
            assertThat(t.p95Ms()).isGreaterThanOrEqualTo(t.p50Ms());
            assertThat(t.p99Ms()).isGreaterThanOrEqualTo(t.p95Ms());

            // Resilience4j publishes no call events while a breaker is disabled: the traffic still counts
            f.guard.drill("primary", Guard.Drill.FORCE_CLOSED);
            long during = traffic(f).calls();
            for (int i = 0; i < 5; i++) {
                assertThat(sleepy(f)).isInstanceOf(Result.Success.class);
            }
            assertThat(traffic(f).calls() - during).isEqualTo(5);
            // a failure that reached the endpoint counts as a failure there
            f.service.query("drill.bad", Route.WRITE, c -> {
                try (var st = c.createStatement()) {
                    st.execute("select * from no_such_table_here");
                }
                return null;
            });
            assertThat(traffic(f).failures()).isEqualTo(1);
        }
    }

    @Test
    void forceOpenFailsFastThenNormalRestoresAndForceClosedDisables(TestDatabase db) throws Exception {
        try (ServiceFixture f = new ServiceFixture(db, Map.of())) {
            assertThat(sleepy(f)).isInstanceOf(Result.Success.class);

            f.guard.drill("primary", Guard.Drill.FORCE_OPEN);
            assertThat(primary(f).state()).isEqualTo(BreakerState.FORCED_OPEN);
            long denied = primary(f).notPermittedCalls();
            Result<Integer> r = sleepy(f);
            assertThat(r).isInstanceOfSatisfying(Result.Failure.class,
                    fail -> assertThat(fail.category()).isEqualTo(ErrorCategory.CIRCUIT_OPEN));
            assertThat(primary(f).notPermittedCalls()).isGreaterThan(denied);

            f.guard.drill("primary", Guard.Drill.NORMAL);
            assertThat(primary(f).state()).isEqualTo(BreakerState.CLOSED);
            assertThat(sleepy(f)).isInstanceOf(Result.Success.class);

            f.guard.drill("primary", Guard.Drill.FORCE_CLOSED);
            assertThat(primary(f).state()).isEqualTo(BreakerState.FORCED_CLOSED);
            assertThat(sleepy(f)).isInstanceOf(Result.Success.class);

            assertThat(f.events.recent()).filteredOn(e -> e instanceof ResilienceEvent.BreakerTransition)
                    .extracting(e -> ((ResilienceEvent.BreakerTransition) e).to())
                    .containsSubsequence(BreakerState.FORCED_OPEN, BreakerState.CLOSED, BreakerState.FORCED_CLOSED);
            assertThatThrownBy(() -> f.guard.drill("nope", Guard.Drill.FORCE_OPEN))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
        }
    }
}
