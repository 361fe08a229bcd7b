package dev.pgpulse.health;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The arithmetic of the counter history on reads shaped like PostgreSQL's (the real server is in TpsReadingTest and
 * DeadlockReadingTest): counters that move in steps when backends flush, resets, and intervals on both sides of
 * the windows.
 */
class CounterHistoryTest {
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");
    private static final Instant RESET = Instant.parse("2026-11-01T00:00:00Z");

    private static ServerCounters read(double seconds, long commits, long rollbacks, long deadlocks, Instant reset) {
        long nanos = Math.round(seconds * 1e9);
        return new ServerCounters(T.plusNanos(nanos), nanos, commits, rollbacks, deadlocks, 1_000 + commits, 10, reset);
    }

    @Test
    void aCounterFlushedOnceASecondGivesTheTrueRateWhenSampledEveryHalfSecond() {
        CounterHistory h = new CounterHistory();
        // 50 tps, published in one step a second (one busy backend): half the reads see no change at all.
        for (int i = 0; i <= 60; i++) {
            double t = i * 0.5;
            long published = 50L * (long) Math.floor(t);
            ServerStats.Rates r = h.add(read(t, published, 0, 0, RESET));
            if (t < CounterHistory.RATE_WINDOW.toSeconds()) {
                assertThat(r.known()).as("at %s s", t).isFalse();
                assertThat(r.tps()).isNaN();
            } else {
                assertThat(r.known()).as("at %s s", t).isTrue();
                assertThat(r.elapsedSeconds()).isGreaterThanOrEqualTo(10.0);
                // one interval would read 0 and 100 in turn; over 10 s the step is at most a tenth of the rate
                assertThat(r.tps()).as("at %s s", t).isCloseTo(50.0, within(5.0));
                assertThat(r.rollbackRatio()).isZero();
            }
        }
    }

    @Test
    void deadlocksAreCountedOverTheLastMinuteNeverScaledUp() {
        CounterHistory h = new CounterHistory();
        assertThat(h.add(read(0, 0, 0, 0, RESET)).deadlocksLastMinute()).as("one read: not known").isNaN();
        // one deadlock published at 3 s, read every 5 s
        for (int i = 1; i <= 30; i++) {
            double t = i * 5;
            ServerStats.Rates r = h.add(read(t, 0, 0, 1, RESET));
            if (t <= 60) {
                assertThat(r.deadlocksLastMinute()).as("at %s s", t).isEqualTo(1.0);
                assertThat(r.deadlockWindowSeconds()).isEqualTo(t);
            } else {
                assertThat(r.deadlocksLastMinute()).as("at %s s: the read before it is over a minute old", t).isZero();
                assertThat(r.deadlockWindowSeconds()).isLessThanOrEqualTo(60.0);
            }
        }
        assertThat(h.size()).as("bounded to about a minute of reads").isLessThanOrEqualTo(14);
    }

    @Test
    void anIntervalLongerThanAMinuteGivesTheAverageAMinute() {
        CounterHistory h = new CounterHistory();
        h.add(read(0, 0, 0, 0, RESET));
        ServerStats.Rates r = h.add(read(120, 1_200, 300, 4, RESET));
        assertThat(r.deadlocksLastMinute()).isEqualTo(2.0);
        assertThat(r.tps()).isEqualTo(12.5);
        assertThat(r.rollbackRatio()).isEqualTo(0.2);
    }

    @Test
    void aResetOrACounterGoingBackStartsAgainAndAnOutOfOrderReadIsNotUsed() {
        CounterHistory h = new CounterHistory();
        h.add(read(0, 100, 0, 5, RESET));
        assertThat(h.add(read(10, 600, 0, 5, RESET)).tps()).isEqualTo(50.0);
        ServerStats.Rates afterReset = h.add(read(20, 10, 0, 0, RESET.plusSeconds(1)));
        assertThat(afterReset.known()).isFalse();
        assertThat(afterReset.deadlocksLastMinute()).isNaN();
        assertThat(h.size()).isEqualTo(1);
        assertThat(h.add(read(15, 10, 0, 0, RESET.plusSeconds(1))).known()).isFalse();
        assertThat(h.size()).isEqualTo(1);
        assertThat(h.add(read(30, 110, 0, 0, RESET.plusSeconds(1))).tps()).isEqualTo(10.0);
    }
}
