package dev.pgpulse.ui.dashboard;

import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.service.EndpointTraffic;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.testing.TestSnapshots;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Throughput from the growth of the call count over real time between snapshots, kept for a bounded window. */
class HistoryTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static EndpointTraffic traffic(long calls) {
        return new EndpointTraffic("primary", calls, 0, 1, 2, 3);
    }

    private static PoolSnapshot pool(Instant at, int active) {
        return TestSnapshots.pool("primary", at, p -> {
            p.active = active;
            p.acquireP95Ms = 0.2;
        });
    }

    @Test
    void throughputIsCallsFinishedPerSecondBetweenTwoSnapshots() {
        History h = new History(Duration.ofMinutes(15));
        assertThat(h.add(T0, pool(T0, 1), traffic(100)).callsPerSecond()).isNaN();
        History.Point p = h.add(T0.plusMillis(500), pool(T0.plusMillis(500), 3), traffic(150));
        assertThat(p.callsPerSecond()).isEqualTo(100.0); // 50 calls in half a second
        assertThat(p.active()).isEqualTo(3);
        assertThat(p.p95Ms()).isEqualTo(2);
        assertThat(p.acquireP95Ms()).isEqualTo(0.2);
    }

    @Test
    void keepsOnlyTheWindowAndNeverReportsNegativeRates() {
        History h = new History(Duration.ofSeconds(10));
        for (int i = 0; i <= 30; i++) {
            h.add(T0.plusSeconds(i), pool(T0.plusSeconds(i), 0), traffic(1000 - i));
        }
        List<History.Point> points = h.points("primary");
        assertThat(points.getFirst().at()).isEqualTo(T0.plusSeconds(20));
        assertThat(points.getLast().at()).isEqualTo(T0.plusSeconds(30));
        assertThat(points).allSatisfy(p -> assertThat(p.callsPerSecond()).isZero());
        assertThat(h.points("replica-1")).isEmpty();
        assertThatThrownBy(() -> new History(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void newEventsAreThoseAfterTheLastOneSeenEvenWhenTheLogSlides() {
        var a = new ResilienceEvent.BreakerTransition(T0, "primary", BreakerState.CLOSED, BreakerState.OPEN);
        var b = new ResilienceEvent.BreakerTransition(T0.plusSeconds(1), "primary", BreakerState.OPEN, BreakerState.HALF_OPEN);
        var c = new ResilienceEvent.BreakerTransition(T0.plusSeconds(2), "primary", BreakerState.HALF_OPEN, BreakerState.CLOSED);
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
}
