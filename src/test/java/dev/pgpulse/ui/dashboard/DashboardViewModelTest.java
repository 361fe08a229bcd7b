package dev.pgpulse.ui.dashboard;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.Environment;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.ServerCounters;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.orchestration.Status;
import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerSnapshot;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.service.EndpointTraffic;
import dev.pgpulse.service.ServiceSnapshot;
import dev.pgpulse.testing.TestSnapshots;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a replica's row says about replication, what the throughput tile says of the calls in flight, and the
 * charts' axes. A standby needs a second server replaying the first one's WAL; the figures themselves are read
 * from a real standby by ServerStatsReader, so here the view model is given the values such a sample holds.
 */
class DashboardViewModelTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");

    private static ServerStats stats(String endpoint, boolean inRecovery, Double lagSeconds, Long lagBytes) {
        return stats(endpoint, inRecovery, lagSeconds, lagBytes, true);
    }

    private static ServerStats stats(String endpoint, boolean inRecovery, Double lagSeconds, Long lagBytes, boolean known) {
        return TestSnapshots.server(endpoint, T, s -> {
            s.connectionsUsed = 5;
            s.connectionsAvailable = 97;
            s.tps = 12;
            s.cacheHitRatio = 0.99;
            s.serverVersion = "15.19";
            s.inRecovery = inRecovery;
            s.replayLagSeconds = lagSeconds;
            s.replayLagBytes = lagBytes;
            if (!known) {
                s.ratesUnknown();
            }
        });
    }

    private static PoolSnapshot pool(String endpoint) {
        return TestSnapshots.pool(endpoint, T, p -> {
            p.active = 1;
            p.idle = 1;
            p.total = 2;
            p.max = 5;
        });
    }

    private static Snapshot snapshot(ServerStats replica) {
        return snapshot(stats("primary", false, null, null), replica);
    }

    private static Snapshot snapshot(ServerStats primary, ServerStats replica) {
        return snapshot(primary, replica, 0, Duration.ZERO, MetricHistory.View.EMPTY);
    }

    private static Snapshot snapshot(ServerStats primary, ServerStats replica, int inFlight, Duration oldest,
                                     MetricHistory.View history) {
        List<String> names = List.of("primary", "replica-1");
        var service = new ServiceSnapshot(T, List.of(),
                names.stream().map(n -> new BreakerSnapshot(n, T, BreakerState.CLOSED, 0, 0, 50, 100, 10, 0, 0, 0)).toList(),
                names.stream().map(DashboardViewModelTest::pool).toList(),
                names.stream().map(n -> n.equals("primary") ? new EndpointTraffic(n, 100, 0, 1, 2, 3, inFlight, oldest)
                        : new EndpointTraffic(n, 100, 0, 1, 2, 3, 0, Duration.ZERO)).toList(), List.of(), List.of(), inFlight, oldest, false);
        var health = new HealthSnapshot(T, HealthStatus.DEGRADED, List.of("replica-1 lagging"), List.of(
                new EndpointStatus("primary", EndpointConfig.Role.PRIMARY, HealthStatus.UP, List.of(), true, 1.5,
                        BreakerState.CLOSED, pool("primary"), primary),
                new EndpointStatus("replica-1", EndpointConfig.Role.REPLICA, HealthStatus.DEGRADED, List.of("replay lag 42 s"),
                        true, 2.5, BreakerState.CLOSED, pool("replica-1"), replica)));
        return new Snapshot(T, new Status(Status.State.DEGRADED, List.of("replica-1 lagging"), T), "postgresql://x",
                false, Environment.DEVELOPMENT, service, health, List.of(), List.of(), history, null,
                dev.pgpulse.testing.TestSnapshots.quietAlerting());
    }

    @Test
    void aStandbysRowShowsItsReplayLagAndThePrimarysDoesNot() {
        DashboardViewModel vm = new DashboardViewModel(Duration.ofMinutes(15));
        vm.apply(snapshot(stats("replica-1", true, 42.0, 3L * 1024 * 1024)));
        assertThat(vm.endpoints()).extracting(EndpointViewModel::name).containsExactly("primary", "replica-1");
        assertThat(vm.endpoint("replica-1").role()).isEqualTo(EndpointConfig.Role.REPLICA);
        assertThat(vm.endpoint("replica-1").replayLagProperty().get()).isEqualTo("replay lag 42 s · 3.0 MB");
        assertThat(vm.endpoint("replica-1").healthProperty().get()).isEqualTo("DEGRADED");
        assertThat(vm.endpoint("replica-1").healthReasonProperty().get()).isEqualTo("replay lag 42 s");
        assertThat(vm.endpoint("primary").replayLagProperty().get()).isEmpty();

        vm.apply(snapshot(stats("replica-1", true, null, null)));
        assertThat(vm.endpoint("replica-1").replayLagProperty().get()).isEqualTo("replay lag unknown");
        // the server strip is the primary's
        assertThat(vm.connectionsProperty().get()).isEqualTo("5 / 97");
    }

    @Test
    void ratesNotKnownYetShowADashNotZero() {
        DashboardViewModel vm = new DashboardViewModel(Duration.ofMinutes(15));
        vm.apply(snapshot(stats("primary", false, null, null, false), stats("replica-1", true, 0.0, 0L)));
        assertThat(vm.tpsProperty().get()).as("the view prints NaN as a dash").isNaN();
        assertThat(vm.rollbackRatioProperty().get()).isEqualTo("–");
        assertThat(vm.serverNoteProperty().get()).endsWith("rates after 10 s of samples");

        vm.apply(snapshot(stats("replica-1", true, 0.0, 0L)));
        assertThat(vm.tpsProperty().get()).isEqualTo(12.0);
        assertThat(vm.rollbackRatioProperty().get()).isEqualTo("0%");
    }

    @Test
    void theThroughputTileSaysHowManyCallsAreInFlightAndHowOldTheOldestIs() {
        DashboardViewModel vm = new DashboardViewModel(Duration.ofMinutes(15));
        ServerStats primary = stats("primary", false, null, null);
        ServerStats replica = stats("replica-1", true, 0.0, 0L);
        vm.apply(snapshot(primary, replica, 0, Duration.ZERO, MetricHistory.View.EMPTY));
        EndpointViewModel row = vm.endpoint("primary");
        assertThat(row.inFlightProperty().get()).isEqualTo("none in flight");
        assertThat(row.inFlightLevelProperty().get()).isEqualTo(EndpointViewModel.InFlightLevel.NORMAL);
        vm.apply(snapshot(primary, replica, 3, Duration.ofMillis(400), MetricHistory.View.EMPTY));
        assertThat(row.inFlightProperty().get()).isEqualTo("3 in flight · oldest 0.4 s");
        assertThat(row.inFlightLevelProperty().get()).isEqualTo(EndpointViewModel.InFlightLevel.NORMAL);
        vm.apply(snapshot(primary, replica, 3, Duration.ofSeconds(3), MetricHistory.View.EMPTY));
        assertThat(row.inFlightLevelProperty().get()).isEqualTo(EndpointViewModel.InFlightLevel.SLOW);
        vm.apply(snapshot(primary, replica, 2, Duration.ofSeconds(12), MetricHistory.View.EMPTY));
        assertThat(row.inFlightProperty().get()).isEqualTo("2 in flight · oldest 12 s");
        assertThat(row.inFlightLevelProperty().get()).isEqualTo(EndpointViewModel.InFlightLevel.STUCK);
        // the calls are the primary's: the replica's row reads its own, none
        assertThat(vm.endpoint("replica-1").inFlightProperty().get()).isEqualTo("none in flight");
        assertThat(vm.endpoint("replica-1").inFlightLevelProperty().get()).isEqualTo(EndpointViewModel.InFlightLevel.NORMAL);
    }

    @Test
    void chartsShowTheCoresHistoryCutToTheConsolesWindow() {
        MetricHistory history = new MetricHistory();
        for (int i = 0; i <= 10; i++) {
            history.record(T.minusSeconds(60 * (10 - i)), Map.of("traffic.primary.calls_per_second", (double) i,
                    "traffic.primary.p95_ms", 2.0 * i));
        }
        DashboardViewModel vm = new DashboardViewModel(Duration.ofMinutes(5));
        vm.apply(snapshot(stats("primary", false, null, null), stats("replica-1", true, 0.0, 0L), 0, Duration.ZERO,
                history.view()));
        EndpointViewModel row = vm.endpoint("primary");
        MetricHistory.Series calls = row.throughputTrendProperty().get().getFirst();
        assertThat(calls.size()).as("the last 5 minutes: 6 points a minute apart").isEqualTo(6);
        assertThat(calls.at(0)).isEqualTo(T.minusSeconds(300));
        assertThat(row.latencyTrendProperty().get()).hasSize(3);
        assertThat(row.latencyTrendProperty().get().get(1).last()).isEqualTo(20.0);
        assertThat(vm.endpoint("replica-1").throughputTrendProperty().get().getFirst().size()).isZero();
    }

    @Test
    void newEventsAreThoseAfterTheLastOneSeenEvenWhenTheLogSlides() {
        var a = new ResilienceEvent.BreakerTransition(T, "primary", BreakerState.CLOSED, BreakerState.OPEN);
        var b = new ResilienceEvent.BreakerTransition(T.plusSeconds(1), "primary", BreakerState.OPEN, BreakerState.HALF_OPEN);
        var c = new ResilienceEvent.BreakerTransition(T.plusSeconds(2), "primary", BreakerState.HALF_OPEN, BreakerState.CLOSED);
        assertThat(DashboardViewModel.newSince(List.of(), List.of(a, b))).containsExactly(a, b);
        assertThat(DashboardViewModel.newSince(List.of(a, b), List.of(b, c))).containsExactly(c);
        assertThat(DashboardViewModel.newSince(List.of(a), List.of(b, c))).containsExactly(b, c);
        assertThat(DashboardViewModel.newSince(List.of(a, b), List.of(a, b))).isEmpty();
    }

    @Test
    void latencyAxisEndsOnARoundNumber() {
        assertThat(TrendChart.niceCeiling(0)).isEqualTo(1);
        assertThat(TrendChart.niceCeiling(3.2)).isEqualTo(5);
        assertThat(TrendChart.niceCeiling(209.7)).isEqualTo(500);
        assertThat(TrendChart.niceCeiling(1000)).isEqualTo(1000);
        assertThat(TrendChart.ms(250)).isEqualTo("250 ms");
        assertThat(TrendChart.ms(2.5)).isEqualTo("2.5 ms");
    }

    @Test
    void aChangeOfHealthGoesToTheEventLogWithItsReasonWhole() {
        DashboardViewModel vm = new DashboardViewModel(Duration.ofMinutes(15));
        Snapshot first = snapshot(stats("replica-1", true, 42.0, 1024L));
        vm.apply(first);
        vm.applyTables(first);
        assertThat(vm.events()).extracting(DashboardViewModel.EventRow::kind).doesNotContain("health");
        String reason = LongTextTest.LONG_REASON;
        var h = first.health();
        var down = new EndpointStatus("replica-1", EndpointConfig.Role.REPLICA, HealthStatus.DOWN, List.of(reason), false,
                0, BreakerState.OPEN, null, null);
        Snapshot second = new Snapshot(T, first.status(), first.target(), false, Environment.DEVELOPMENT, first.service(),
                new HealthSnapshot(T, HealthStatus.DEGRADED, h.reasons(), List.of(h.endpoints().getFirst(), down)),
                List.of(), List.of(), first.history(), null, first.alerting());
        vm.apply(second);
        vm.applyTables(second);
        assertThat(vm.events()).filteredOn(e -> e.kind().equals("health")).singleElement()
                .satisfies(e -> {
                    assertThat(e.subject()).isEqualTo("replica-1");
                    assertThat(e.detail()).isEqualTo("DEGRADED → DOWN: " + reason);
                });
    }

    /** The snapshot of {@link #snapshot(ServerStats)} with the primary's row served by {@code host} of several. */
    private static Snapshot servedBy(String host, List<ResilienceEvent> events) {
        Snapshot first = snapshot(stats("replica-1", true, 1.0, 0L));
        var h = first.health();
        EndpointStatus p = h.endpoints().getFirst();
        var primary = new EndpointStatus(p.endpoint(), p.role(), p.status(), p.reasons(), host != null, p.latencyMs(),
                p.breakerState(), p.pool(), host == null ? null : p.server(), host, true);
        var service = first.service();
        var withEvents = new ServiceSnapshot(service.at(), service.operations(), service.breakers(), service.pools(),
                service.traffic(), service.slowQueries(), events, service.inFlight(), service.oldestCallInFlight(),
                service.shuttingDown(), service.rotation());
        return new Snapshot(T, first.status(), first.target(), false, Environment.DEVELOPMENT, withEvents,
                new HealthSnapshot(T, h.status(), h.reasons(), List.of(primary, h.endpoints().get(1))),
                List.of(), List.of(), first.history(), null, first.alerting());
    }

    @Test
    void aPrimaryListingSeveralHostsSaysWhichServesItAndAMoveIsAnEvent() {
        DashboardViewModel vm = new DashboardViewModel(Duration.ofMinutes(15));
        vm.apply(snapshot(stats("replica-1", true, 1.0, 0L)));
        assertThat(vm.endpoint("primary").servingProperty().get()).as("one host: nothing to say").isEmpty();

        vm.apply(servedBy("db1:5432", List.of()));
        assertThat(vm.endpoint("primary").servingProperty().get()).isEqualTo("on db1:5432");
        // a failed probe (the failover itself) leaves the last host shown; the probe line says it failed
        vm.apply(servedBy(null, List.of()));
        assertThat(vm.endpoint("primary").servingProperty().get()).isEqualTo("on db1:5432");

        Snapshot moved = servedBy("db2:5433", List.of(new ResilienceEvent.PrimaryMoved(T, "primary", "db1:5432",
                "db2:5433")));
        vm.apply(moved);
        vm.applyTables(moved);
        assertThat(vm.endpoint("primary").servingProperty().get()).isEqualTo("on db2:5433");
        assertThat(vm.events()).filteredOn(e -> e.kind().equals("primary")).singleElement().satisfies(e -> {
            assertThat(e.subject()).isEqualTo("primary");
            assertThat(e.detail()).isEqualTo("writes go to db2:5433 now (was db1:5432)");
        });
    }
}
