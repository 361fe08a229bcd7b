package dev.pgpulse.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Server tab's emphasis follows the default alert rules' thresholds. */
class ActivityThresholdsTest {

    private static Session s(String state, Duration xact, Duration query, Duration sinceState) {
        return new Session(1, "u", "d", "app", null, "client backend", null, state, null, null, null, null, null,
                xact, query, sinceState, "q", List.of(), null, null, null, null, false);
    }

    @Test
    void theThresholdsAreTheDefaultRules() {
        ActivityThresholds t = ActivityThresholds.defaults();
        assertThat(t.longRunning()).isEqualTo(Duration.ofMinutes(2));
        assertThat(t.idleInTransaction()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void activePastTwoMinutesAndIdleInATransactionPastThirtyAreMarked() {
        ActivityThresholds t = ActivityThresholds.defaults();
        assertThat(t.longRunning(s("active", Duration.ofSeconds(121), Duration.ofSeconds(121), Duration.ZERO))).isTrue();
        assertThat(t.longRunning(s("active", Duration.ofSeconds(119), Duration.ofSeconds(119), Duration.ZERO))).isFalse();
        assertThat(t.longRunning(s("active", Duration.ofMinutes(5), Duration.ofSeconds(3), Duration.ZERO)))
                .as("a short query in a long transaction").isTrue();
        assertThat(t.longRunning(s("idle", null, Duration.ofHours(1), Duration.ofHours(1)))).isFalse();
        assertThat(t.idleTooLong(s("idle in transaction", Duration.ofMinutes(31), Duration.ofMinutes(31),
                Duration.ofMinutes(31)))).isTrue();
        assertThat(t.idleTooLong(s("idle in transaction (aborted)", Duration.ofMinutes(29), Duration.ofMinutes(29),
                Duration.ofMinutes(29)))).isFalse();
        assertThat(t.idleTooLong(s("idle", null, Duration.ofHours(2), Duration.ofHours(2)))).isFalse();
    }
}
