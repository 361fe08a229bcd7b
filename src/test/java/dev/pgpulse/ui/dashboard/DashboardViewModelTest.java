package dev.pgpulse.ui.dashboard;

import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.health.ServerCounters;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.orchestration.Status;
import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerSnapshot;
import dev.pgpulse.service.EndpointTraffic;
import dev.pgpulse.service.ServiceSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a replica's row says about replication. A standby needs a second server replaying the first one's WAL;
 * the figures themselves are read from a real standby by ServerStatsReader, so here the view model is given
 * the values such a sample holds.
 */
class DashboardViewModelTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");

    private static ServerStats stats(String endpoint, boolean inRecovery, Double lagSeconds, Long lagBytes) {
        return stats(endpoint, inRecovery, lagSeconds, lagBytes, true);
    }

    private static ServerStats stats(String endpoint, boolean inRecovery, Double lagSeconds, Long lagBytes, boolean known) {
        return new ServerStats(T, endpoint, 5, 97, 0.05, known ? 12 : Double.NaN, known ? 0 : Double.NaN, 0.99, 0, 0, 0,
                0, known ? 0 : Double.NaN, 8_000_000, 1_000, inRecovery, lagSeconds, lagBytes, known, "15.19", "app", 16384,
                new ServerCounters(T, 0, 100, 1, 0, 900, 100, null), List.of());
    }

    private static PoolSnapshot pool(String endpoint) {
        return new PoolSnapshot(endpoint, T, 1, 1, 2, 5, 1, 0, 0.1, 0.2, 0.3, 1, 2, 0, 2);
    }

    private static Snapshot snapshot(ServerStats replica) {
        return snapshot(stats("primary", false, null, null), replica);
    }

    private static Snapshot snapshot(ServerStats primary, ServerStats replica) {
        List<String> names = List.of("primary", "replica-1");
        var service = new ServiceSnapshot(T, List.of(),
                names.stream().map(n -> new BreakerSnapshot(n, T, "CLOSED", 0, 0, 50, 100, 10, 0, 0, 0)).toList(),
                names.stream().map(DashboardViewModelTest::pool).toList(),
                names.stream().map(n -> new EndpointTraffic(n, 100, 0, 1, 2, 3)).toList(), List.of(), List.of(), 0, false);
        var health = new HealthSnapshot(T, HealthStatus.DEGRADED, List.of("replica-1 lagging"), List.of(
                new EndpointStatus("primary", "primary", HealthStatus.UP, List.of(), true, 1.5, "CLOSED", pool("primary"),
                        primary),
                new EndpointStatus("replica-1", "replica", HealthStatus.DEGRADED, List.of("replay lag 42 s"), true, 2.5,
                        "CLOSED", pool("replica-1"), replica)));
        return new Snapshot(T, new Status(Status.State.DEGRADED, List.of("replica-1 lagging"), T), "postgresql://x",
                false, "development", service, health, List.of(), List.of(), null);
    }

    @Test
    void aStandbysRowShowsItsReplayLagAndThePrimarysDoesNot() {
        DashboardViewModel vm = new DashboardViewModel(Duration.ofMinutes(15));
        vm.apply(snapshot(stats("replica-1", true, 42.0, 3L * 1024 * 1024)));
        assertThat(vm.endpoints()).extracting(EndpointViewModel::name).containsExactly("primary", "replica-1");
        assertThat(vm.endpoint("replica-1").role()).isEqualTo("replica");
        assertThat(vm.endpoint("replica-1").replayLag.get()).isEqualTo("replay lag 42 s · 3.0 MB");
        assertThat(vm.endpoint("replica-1").health.get()).isEqualTo("DEGRADED");
        assertThat(vm.endpoint("replica-1").healthReason.get()).isEqualTo("replay lag 42 s");
        assertThat(vm.endpoint("primary").replayLag.get()).isEmpty();

        vm.apply(snapshot(stats("replica-1", true, null, null)));
        assertThat(vm.endpoint("replica-1").replayLag.get()).isEqualTo("replay lag unknown");
        // the server strip is the primary's
        assertThat(vm.connections.get()).isEqualTo("5 / 97");
    }

    @Test
    void ratesNotKnownYetShowADashNotZero() {
        DashboardViewModel vm = new DashboardViewModel(Duration.ofMinutes(15));
        vm.apply(snapshot(stats("primary", false, null, null, false), stats("replica-1", true, 0.0, 0L)));
        assertThat(vm.tps.get()).as("the view prints NaN as a dash").isNaN();
        assertThat(vm.rollbackRatio.get()).isEqualTo("–");
        assertThat(vm.serverNote.get()).endsWith("rates after 10 s of samples");

        vm.apply(snapshot(stats("replica-1", true, 0.0, 0L)));
        assertThat(vm.tps.get()).isEqualTo(12.0);
        assertThat(vm.rollbackRatio.get()).isEqualTo("0%");
    }
}
