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
 * @param serverStart  when the server answering was started ({@code pg_postmaster_start_time()}); null if unknown.
 *                     Another value means another server (a failover behind the same address) or a restart: its
 *                     counters are another series, even when every one of them happens to be higher
 */
public record ServerCounters(Instant at, long nanoTime, long xactCommit, long xactRollback, long deadlocks,
                             long blksHit, long blksRead, Instant statsReset, Instant serverStart) {

    public ServerCounters {
        Objects.requireNonNull(at, "at");
    }

    /** Counters whose server is not known: only a reset or a counter going backwards ends their series. */
    public ServerCounters(Instant at, long nanoTime, long xactCommit, long xactRollback, long deadlocks,
                          long blksHit, long blksRead, Instant statsReset) {
        this(at, nanoTime, xactCommit, xactRollback, deadlocks, blksHit, blksRead, statsReset, null);
    }

    /**
     * True when other was read after this, on the same server run, with the same reset time and no counter gone
     * backwards.
     */
    boolean continuedBy(ServerCounters other) {
        return other.nanoTime - nanoTime > 0
                && Objects.equals(statsReset, other.statsReset)
                && Objects.equals(serverStart, other.serverStart)
                && other.xactCommit >= xactCommit
                && other.xactRollback >= xactRollback
                && other.deadlocks >= deadlocks
                && other.blksHit >= blksHit
                && other.blksRead >= blksRead;
    }
}
