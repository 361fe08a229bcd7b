package dev.pgpulse.orchestration;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.testing.TestSnapshots;
import dev.pgpulse.service.EndpointTraffic;
import dev.pgpulse.service.ServiceSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throughput is the growth of an endpoint's call count over the real time between two samples; the calls in
 * flight and the oldest one's age are the service's. (OrchestratorTest checks the same keys from real samples.)
 */
class MetricSamplerTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static HealthSnapshot health(Instant at) {
        return health(at, 0);
    }

    private static HealthSnapshot health(Instant at, long connectionFailures) {
        PoolSnapshot pool = TestSnapshots.pool("primary", at, p -> {
            p.connectionFailures = connectionFailures;
            p.active = 3;
            p.idle = 1;
            p.total = 4;
            p.max = 10;
            p.acquireP95Ms = 0.2;
        });
        return new HealthSnapshot(at, HealthStatus.UP, List.of(), List.of(new EndpointStatus("primary",
                EndpointConfig.Role.PRIMARY, HealthStatus.UP, List.of(), true, 1, BreakerState.CLOSED, pool, null)));
    }

    private static ServiceSnapshot service(Instant at, long calls, int inFlight, Duration oldest) {
        return new ServiceSnapshot(at, List.of(), List.of(), List.of(),
                List.of(new EndpointTraffic("primary", calls, 0, 1, 2, 3, inFlight, oldest),
                        new EndpointTraffic("replica-1", 0, 0, 0, 0, 0, 0, Duration.ZERO)),
                List.of(), List.of(), inFlight, oldest, false);
    }

    @Test
    void throughputIsCallsPerSecondBetweenTwoSamplesAndNeverNegative() {
        MetricSampler sampler = new MetricSampler();
        Map<String, Double> first = sampler.sample(health(T0), service(T0, 100, 0, Duration.ZERO));
        assertThat(first).doesNotContainKey("traffic.primary.calls_per_second")
                .containsEntry("traffic.primary.p95_ms", 2.0).containsEntry("pool.primary.acquire_p95_ms", 0.2)
                .containsEntry("pool.primary.awaiting", 0.0).containsEntry("endpoint.primary.health", 0.0)
                .containsEntry("traffic.primary.calls_in_flight", 0.0)
                .containsEntry("traffic.primary.oldest_call_in_flight_seconds", 0.0);
        Map<String, Double> second = sampler.sample(health(T0.plusMillis(500)),
                service(T0.plusMillis(500), 150, 3, Duration.ofMillis(2_500)));
        assertThat(second).containsEntry("traffic.primary.calls_per_second", 100.0) // 50 calls in half a second
                .containsEntry("service.calls_in_flight", 3.0)
                .containsEntry("service.oldest_call_in_flight_seconds", 2.5)
                .containsEntry("traffic.primary.calls_in_flight", 3.0)
                .containsEntry("traffic.primary.oldest_call_in_flight_seconds", 2.5)
                // every endpoint is sampled, 0 where nothing runs
                .containsEntry("traffic.replica-1.calls_in_flight", 0.0)
                .containsEntry("traffic.replica-1.oldest_call_in_flight_seconds", 0.0);
        // a count that went down (a restart of the service's meters) is no negative rate
        assertThat(sampler.sample(health(T0.plusSeconds(1)), service(T0.plusSeconds(1), 10, 0, Duration.ZERO)))
                .containsEntry("traffic.primary.calls_per_second", 0.0);
    }

    /** Failures counted over the last minute of samples: the growth since the oldest of them, never scaled up. */
    @Test
    void connectionFailuresPerMinuteIsTheGrowthOverTheLastMinuteOfSamples() {
        MetricSampler sampler = new MetricSampler();
        String key = "pool.primary.connection_failures_per_minute";
        assertThat(sampler.sample(health(T0, 2), service(T0, 0, 0, Duration.ZERO))).containsEntry(key, 0.0);
        assertThat(sampler.sample(health(T0.plusSeconds(30), 5), service(T0, 0, 0, Duration.ZERO)))
                .containsEntry(key, 3.0);
        // the sample at T0 is more than a minute old now: counted from the one at 30 s
        assertThat(sampler.sample(health(T0.plusSeconds(70), 6), service(T0, 0, 0, Duration.ZERO)))
                .containsEntry(key, 1.0);
        assertThat(sampler.sample(health(T0.plusSeconds(140), 6), service(T0, 0, 0, Duration.ZERO)))
                .containsEntry(key, 0.0);
    }

    /** Replication lag, in seconds and in bytes, is the worst replica's; a replica that does not know is skipped. */
    @Test
    void replicationLagIsTheWorstReplicasInSecondsAndBytes() {
        PoolSnapshot pool = TestSnapshots.pool("replica-1", T0, p -> p.max = 10);
        List<EndpointStatus> endpoints = List.of(
                replica("replica-1", pool, 4.0, 1_000L), replica("replica-2", pool, 2.0, 5_000L),
                replica("replica-3", pool, null, null));
        Map<String, Double> m = new MetricSampler().sample(new HealthSnapshot(T0, HealthStatus.UP, List.of(), endpoints),
                service(T0, 0, 0, Duration.ZERO));
        assertThat(m).containsEntry("replication.lag_seconds", 4.0).containsEntry("replication.lag_bytes", 5_000.0);
        Map<String, Double> none = new MetricSampler().sample(new HealthSnapshot(T0, HealthStatus.UP, List.of(),
                List.of(replica("replica-1", pool, null, null))), service(T0, 0, 0, Duration.ZERO));
        assertThat(none).doesNotContainKeys("replication.lag_seconds", "replication.lag_bytes");
    }

    private static EndpointStatus replica(String name, PoolSnapshot pool, Double lagSeconds, Long lagBytes) {
        return new EndpointStatus(name, EndpointConfig.Role.REPLICA, HealthStatus.UP, List.of(), true, 1,
                BreakerState.CLOSED, pool, TestSnapshots.server(name, T0, f -> {
                    f.inRecovery = true;
                    f.replayLagSeconds = lagSeconds;
                    f.replayLagBytes = lagBytes;
                }));
    }
}
