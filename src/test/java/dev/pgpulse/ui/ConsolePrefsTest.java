package dev.pgpulse.ui;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The preferences value: defaults, withers and the limits every value is kept in. */
class ConsolePrefsTest {
    @Test
    void defaults() {
        ConsolePrefs d = ConsolePrefs.defaults();
        assertThat(d.windowWidth()).isEqualTo(1280);
        assertThat(d.windowHeight()).isEqualTo(800);
        assertThat(d.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.demoWorkload()).isTrue();
        assertThat(d.historyWindow()).isEqualTo(Duration.ofMinutes(15));
        assertThat(ConsolePrefs.POLL_INTERVALS).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    @Test
    void withersChangeOneThingAndKeepTheValuesInRange() {
        ConsolePrefs p = ConsolePrefs.defaults()
                .withWindow(1920, 1080)
                .withPollInterval(Duration.ofSeconds(5))
                .withDemoWorkload(false)
                .withHistoryWindow(Duration.ofMinutes(30));
        assertThat(p).isEqualTo(new ConsolePrefs(1920, 1080, Duration.ofSeconds(5), false, Duration.ofMinutes(30)));

        ConsolePrefs clamped = p.withWindow(10, 99_999).withPollInterval(Duration.ofSeconds(3))
                .withHistoryWindow(Duration.ofDays(1));
        assertThat(clamped.windowWidth()).isEqualTo(640);
        assertThat(clamped.windowHeight()).isEqualTo(4320);
        assertThat(clamped.pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(clamped.historyWindow()).isEqualTo(Duration.ofHours(2));
        assertThat(p.withWindow(Double.NaN, Double.NaN).windowWidth()).isEqualTo(1280);
        assertThat(p.withHistoryWindow(Duration.ofSeconds(1)).historyWindow()).isEqualTo(Duration.ofMinutes(1));
    }

    @ParameterizedTest
    @CsvSource({"0, 500", "1, 500", "700, 500", "750, 1000", "1000, 1000", "1400, 1000", "3000, 2000",
            "3500, 5000", "7000, 5000", "60000, 10000"})
    void nearestPollInterval(long millis, long expected) {
        assertThat(ConsolePrefs.nearestPollInterval(Duration.ofMillis(millis))).isEqualTo(Duration.ofMillis(expected));
    }
}
