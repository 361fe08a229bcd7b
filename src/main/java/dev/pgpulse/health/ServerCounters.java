package dev.pgpulse.health;

import java.time.Instant;
import java.util.Objects;

/**
 * Cumulative counters of the endpoint's current database ({@code pg_stat_database}), read at one instant. Alone
 * they say little; two of them give rates (see {@link ServerStats.Rates}).
 *
 * @param at           wall-clock time of the read
 * @param nanoTime     {@link System#nanoTime()} at the read: elapsed time between two reads is taken from this,
 *                     so a wall-clock step cannot distort a rate
 * @param statsReset   when the database's statistics were last reset; null if never
 */
public record ServerCounters(Instant at, long nanoTime, long xactCommit, long xactRollback, long deadlocks,
                             long blksHit, long blksRead, Instant statsReset) {

    public ServerCounters {
        Objects.requireNonNull(at, "at");
    }

    /** True when other was read after this and no counter went backwards and the reset time is the same. */
    boolean continuedBy(ServerCounters other) {
        return other.nanoTime - nanoTime > 0
                && Objects.equals(statsReset, other.statsReset)
                && other.xactCommit >= xactCommit
                && other.xactRollback >= xactRollback
                && other.deadlocks >= deadlocks
                && other.blksHit >= blksHit
                && other.blksRead >= blksRead;
    }
}
