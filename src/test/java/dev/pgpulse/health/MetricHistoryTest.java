package dev.pgpulse.health;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The metric history keeps a bounded window of each key's samples and hands out immutable series. */
class MetricHistoryTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00.123456789Z");

    @Test
    void keepsEachKeysPointsInOrderWithTheirTimeStampsExactly() {
        MetricHistory h = new MetricHistory();
        assertThat(h.record(T0, Map.of("pool.primary.awaiting", 1.0, "server.rollback_ratio", Double.NaN))).isTrue();
        assertThat(h.record(T0.plusSeconds(5), Map.of("pool.primary.awaiting", 3.0))).isTrue();
        MetricHistory.Series s = h.view().series("pool.primary.awaiting");
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.at(0)).isEqualTo(T0);
        assertThat(s.at(1)).isEqualTo(T0.plusSeconds(5));
        assertThat(s.value(0)).isEqualTo(1.0);
        assertThat(s.last()).isEqualTo(3.0);
        // NaN is kept (not measured then); a key never reported is an empty series
        assertThat(h.view().series("server.rollback_ratio").value(0)).isNaN();
        assertThat(h.view().series("pool.replica-1.awaiting").size()).isZero();
        assertThat(h.view().series("pool.replica-1.awaiting").last()).isNaN();
        assertThatThrownBy(() -> s.value(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void dropsPointsOlderThanTheWindowAndKeysThatAgedOut() {
        MetricHistory h = new MetricHistory(Duration.ofSeconds(10), 1_000);
        h.record(T0, Map.of("replication.lag_seconds", 7.0));
        for (int i = 0; i <= 30; i++) {
            h.record(T0.plusSeconds(i), Map.of("pool.primary.awaiting", (double) i));
        }
        MetricHistory.Series s = h.view().series("pool.primary.awaiting");
        assertThat(s.at(0)).isEqualTo(T0.plusSeconds(20));
        assertThat(s.at(s.size() - 1)).isEqualTo(T0.plusSeconds(30));
        assertThat(s.size()).isEqualTo(11);
        assertThat(h.view().keys()).as("a key no longer reported ages out with its points")
                .containsExactly("pool.primary.awaiting");
    }

    @Test
    void neverKeepsMoreThanTheCapOfTheNewestPoints() {
        MetricHistory h = new MetricHistory(Duration.ofHours(2), 100);
        for (int i = 0; i < 1_000; i++) {
            h.record(T0.plusMillis(100L * i), Map.of("service.calls_in_flight", (double) i));
        }
        MetricHistory.Series s = h.view().series("service.calls_in_flight");
        assertThat(s.size()).isEqualTo(100);
        assertThat(s.value(0)).isEqualTo(900);
        assertThat(s.last()).isEqualTo(999);
    }

    @Test
    void aViewIsImmutableAndASeriesCutToAShorterWindowSharesItsPoints() {
        MetricHistory h = new MetricHistory();
        for (int i = 0; i < 10; i++) {
            h.record(T0.plusSeconds(i), Map.of("server.cache_hit_ratio", i / 10.0));
        }
        MetricHistory.View before = h.view();
        h.record(T0.plusSeconds(10), Map.of("server.cache_hit_ratio", 1.0));
        assertThat(before.series("server.cache_hit_ratio").size()).as("taken before the record").isEqualTo(10);
        assertThat(h.view().series("server.cache_hit_ratio").size()).isEqualTo(11);
        MetricHistory.Series recent = h.view().series("server.cache_hit_ratio").since(T0.plusSeconds(8));
        assertThat(recent.size()).isEqualTo(3);
        assertThat(recent.at(0)).isEqualTo(T0.plusSeconds(8));
        assertThat(recent.value(0)).isEqualTo(0.8);
        assertThat(recent.since(T0.plusSeconds(11)).size()).isZero();
        assertThatThrownBy(() -> h.view().keys().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aSampleOlderThanTheNewestIsRefusedAndNullValuesAreSkipped() {
        MetricHistory h = new MetricHistory();
        h.record(T0.plusSeconds(5), Map.of("pool.primary.awaiting", 1.0));
        assertThat(h.record(T0, Map.of("pool.primary.awaiting", 2.0))).isFalse();
        Map<String, Double> withNull = new HashMap<>();
        withNull.put("pool.primary.awaiting", null);
        withNull.put("service.calls_in_flight", 4.0);
        assertThat(h.record(T0.plusSeconds(6), withNull)).isTrue();
        assertThat(h.view().series("pool.primary.awaiting").size()).isEqualTo(1);
        assertThat(h.view().series("service.calls_in_flight").last()).isEqualTo(4.0);
    }

    @Test
    void readersNeverSeeAHalfRecordedSample() throws Exception {
        MetricHistory h = new MetricHistory(Duration.ofSeconds(30), 50);
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 20_000; i++) {
                h.record(T0.plusMillis(i), Map.of("a.x", (double) i, "b.x", (double) i));
            }
            done.set(true);
        });
        while (!done.get()) {
            MetricHistory.View v = h.view();
            MetricHistory.Series a = v.series("a.x");
            MetricHistory.Series b = v.series("b.x");
            assertThat(a.size()).isEqualTo(b.size());
            assertThat(Double.valueOf(a.last())).isEqualTo(Double.valueOf(b.last()));
        }
        writer.get(30, TimeUnit.SECONDS);
    }

    @Test
    void badBoundsAreRefused() {
        assertThatThrownBy(() -> new MetricHistory(Duration.ZERO, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window must be positive");
        assertThatThrownBy(() -> new MetricHistory(Duration.ofMinutes(1), 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPoints must be at least 2, but was 1");
    }
}
