package dev.pgpulse.health;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Health graded from real probes: a primary and a "replica" (the same server behind a second proxy). */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class HealthMonitorTest {
    private FaultProxy primaryProxy;
    private FaultProxy replicaProxy;
    private DatabaseService service;
    private HealthMonitor monitor;

    @BeforeEach
    void setUp(TestDatabase db) throws Exception {
        primaryProxy = FaultProxy.start(db.host(), db.port());
        replicaProxy = FaultProxy.start(db.host(), db.port());
        var config = new ConfigLoader(Map.of("DATABASE_URL", primaryProxy.through(db).url(),
                "DATABASE_READ_URLS", replicaProxy.through(db).url()), Path.of("/nonexistent"), "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of("pool.connection_timeout", "300ms",
                        "breaker.wait_in_open", "300ms", "breaker.minimum_calls", "2", "breaker.window_size", "4",
                        "startup.wait", "2s")));
        var meters = new SimpleMeterRegistry();
        service = new DatabaseService(Endpoints.open(config, meters),
                new Guard(config.resilience(), meters, new EventLog(100), Clock.systemUTC()), meters, Clock.systemUTC());
        monitor = new HealthMonitor(service, HealthMonitor.DEFAULT_QUERY_TIMEOUT, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() throws Exception {
        monitor.close();
        service.shutdown(Duration.ofSeconds(2));
        primaryProxy.close();
        replicaProxy.close();
    }

    @Test
    void aHealthyTargetIsUpWithServerFigures() {
        monitor.sample();
        HealthSnapshot s = monitor.sample();
        assertThat(s.status()).as(s.reasons().toString()).isEqualTo(HealthStatus.UP);
        assertThat(s.reasons()).isEmpty();
        assertThat(s.endpoints()).extracting(EndpointStatus::endpoint).containsExactly("primary", "replica-1");
        EndpointStatus primary = s.endpoint("primary").orElseThrow();
        assertThat(primary.reachable()).isTrue();
        assertThat(primary.latencyMs()).isGreaterThan(0);
        assertThat(primary.breakerState()).isEqualTo(BreakerState.CLOSED);
        assertThat(primary.server()).isNotNull();
        // two reads a moment apart: a deadlock count over what exists, but no rate yet (that needs 10 s of reads)
        assertThat(primary.server().ratesKnown()).isFalse();
        assertThat(primary.server().tps()).isNaN();
        assertThat(primary.server().deadlocksLastMinute()).isNotNegative();
        assertThat(primary.server().connectionsUsed()).isGreaterThan(0);
        assertThat(primary.pool().max()).isEqualTo(5);
    }

    @Test
    void aReplicaOutageDegradesTheWholeAndAPrimaryOutageTakesItDown() {
        replicaProxy.outage();
        HealthSnapshot s = monitor.sample();
        assertThat(s.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(s.endpoint("replica-1").orElseThrow().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(s.endpoint("primary").orElseThrow().status()).isEqualTo(HealthStatus.UP);
        assertThat(s.reasons()).anyMatch(r -> r.startsWith("replica-1 unreachable"));

        primaryProxy.outage();
        s = monitor.sample();
        assertThat(s.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(s.reasons()).anyMatch(r -> r.startsWith("primary unreachable"));

        primaryProxy.restore();
        replicaProxy.restore();
        // The probes themselves are the breakers' HALF_OPEN calls: no application traffic is needed to recover.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> monitor.sample().status() == HealthStatus.UP);
        assertThat(service.guard().breaker("primary").getState().name()).isEqualTo("CLOSED");
        assertThat(service.guard().breaker("replica-1").getState().name()).isEqualTo("CLOSED");
    }

    @Test
    void anOpenBreakerOnAReplicaDegradesButDoesNotTakeTheWholeDown() {
        service.guard().breaker("replica-1").transitionToForcedOpenState();
        HealthSnapshot s = monitor.sample();
        assertThat(s.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(s.reasons()).contains("replica-1 circuit breaker FORCED OPEN (drill): every call fails fast");
    }

    @Test
    void aForcedOpenDrillOnThePrimaryIsReportedAsTheDrillNotAsAnOutage() {
        service.guard().drill("primary", Guard.Drill.FORCE_OPEN);
        HealthSnapshot s = monitor.sample();
        EndpointStatus primary = s.endpoint("primary").orElseThrow();
        assertThat(s.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(primary.breakerState()).isEqualTo(BreakerState.FORCED_OPEN);
        assertThat(primary.reasons()).containsExactly("primary circuit breaker FORCED OPEN (drill): every call fails fast");
        assertThat(s.reasons()).noneMatch(r -> r.contains("unreachable"));

        // forced closed lets every call through: healthy, and no reason to give
        service.guard().drill("primary", Guard.Drill.FORCE_CLOSED);
        s = monitor.sample();
        assertThat(s.endpoint("primary").orElseThrow().breakerState()).isEqualTo(BreakerState.FORCED_CLOSED);
        assertThat(s.status()).isEqualTo(HealthStatus.UP);
        assertThat(s.reasons()).isEmpty();
    }

    @Test
    void theScheduledSamplerPublishesInOrderAndStopsOnClose() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("pgpulse-health-test").daemon().factory());
        try {
            List<HealthSnapshot> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            monitor.subscribe(seen::add);
            monitor.start(scheduler, Duration.ofMillis(100));
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= 3);
            assertThat(monitor.latest()).isNotNull();
            List<HealthSnapshot> h = List.copyOf(seen);
            for (int i = 1; i < h.size(); i++) {
                assertThat(h.get(i).at()).isAfterOrEqualTo(h.get(i - 1).at());
            }
            monitor.close();
            int after = seen.size();
            Thread.sleep(400); // four intervals: a sampler that kept running would publish again
            assertThat(seen.size()).isLessThanOrEqualTo(after + 1);
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aSaturatedApplicationPoolIsStillSampledPromptlyOnTheHealthPool() throws Exception {
        var holders = Executors.newFixedThreadPool(6, Thread.ofPlatform().name("hold-", 0).factory());
        var release = new java.util.concurrent.CountDownLatch(1);
        try {
            for (int i = 0; i < 6; i++) {
                holders.submit(() -> {
                    while (release.getCount() > 0) {
                        try (var _ = service.endpoints().primary().connection()) {
                            release.await();
                        } catch (java.sql.SQLException timedOut) {
                            // ask again: keep a thread waiting
                        }
                    }
                    return null;
                });
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> service.endpoints().primary().snapshot().active() == 5
                    && service.endpoints().primary().snapshot().awaiting() > 0);
            long t0 = System.nanoTime();
            HealthSnapshot s = monitor.sample();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            EndpointStatus primary = s.endpoint("primary").orElseThrow();
            assertThat(primary.reachable()).isTrue();
            assertThat(primary.server()).isNotNull();
            assertThat(primary.pool().active()).isEqualTo(5);
            assertThat(primary.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(s.reasons()).anyMatch(r -> r.contains("waiting for a connection"));
        } finally {
            release.countDown();
            holders.shutdownNow();
        }
    }

    /**
     * The probe's latency is the health statements' round trip, not PgPulse's own readings for /metrics: with every
     * round trip to the primary slowed (the proxy holds each chunk each way), the readings' two round trips at least
     * (their savepoint, their statements) are left out of the latency but are in the sample's wall time.
     */
    @Test
    void theProbeLatencyLeavesOutTheReadingsForMetrics() {
        monitor.sample(); // connections made before the delay
        Duration hold = Duration.ofMillis(150);
        primaryProxy.latency(hold);
        long t0 = System.nanoTime();
        HealthSnapshot s = monitor.sample();
        double wallMs = (System.nanoTime() - t0) / 1e6;
        primaryProxy.latency(Duration.ZERO);
        EndpointStatus primary = s.endpoint("primary").orElseThrow();
        assertThat(primary.reachable()).isTrue();
        HealthMonitor.Round round = monitor.round();
        assertThat(round.health()).isSameAs(s).isSameAs(monitor.latest());
        assertThat(round.readings()).as("read in the same round").containsKey("primary");
        assertThat(round.readings().get("primary").at()).isBeforeOrEqualTo(s.at());
        double roundTripMs = 2 * hold.toMillis();
        assertThat(primary.latencyMs()).as("at least one health round trip").isGreaterThanOrEqualTo(roundTripMs);
        assertThat(primary.latencyMs()).as("the readings' two round trips left out of %.0f ms", wallMs)
                .isLessThan(wallMs - 2 * roundTripMs + 100);
    }

    /** A replica that stops answering costs one sample at most the health read limit, not the sampler for ever. */
    @Test
    void aBlackHoledReplicaIsDownWithinTheProbeBoundsAndTheWholeDegraded() {
        assertThat(monitor.sample().status()).isEqualTo(HealthStatus.UP);
        replicaProxy.blackhole(true);
        long t0 = System.nanoTime();
        HealthSnapshot s = monitor.sample();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(s.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(s.endpoint("replica-1").orElseThrow().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(s.reasons()).anyMatch(r -> r.startsWith("replica-1 unreachable: ") && r.contains("timed out"));
        // the health connection's 5 s read limit, the primary's own probe, and a loaded machine
        assertThat(took).isLessThan(Duration.ofSeconds(9));
    }

    @Test
    void aQueryTimeoutTheHealthConnectionsWouldCutIsRefused() {
        assertThatThrownBy(() -> new HealthMonitor(service, Endpoints.HEALTH_READ_TIMEOUT, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queryTimeout must be below the health connections' read limit 5s, but was 5s");
    }
}
