package dev.pgpulse.health;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;

/**
 * The recent counter reads of one endpoint, oldest first, and the rates they give. One sampling interval is not a
 * usable base for a rate: PostgreSQL's backends publish their counters only when they flush them (at most about
 * once a second while busy, up to 10 s later when they go idle), so at a 500 ms interval consecutive reads see the
 * same value, then a second's worth at once. Rates are therefore taken between the newest read and the newest read
 * at least {@link #RATE_WINDOW} older (the flush lag then moves them by at most about a tenth), and deadlocks are
 * counted over the reads of the last {@link #DEADLOCK_WINDOW}, never extrapolated from a shorter span.
 *
 * <p>A statistics reset, a counter going backwards, or another server run answering (a restart, or a failover
 * behind the same address, whose counters may all be higher and would read as a burst) starts the history again.
 * Thread-safe.
 */
public final class CounterHistory {
    /** The shortest span a transaction rate is computed over. */
    public static final Duration RATE_WINDOW = Duration.ofSeconds(10);
    /** Deadlocks are counted over the reads of this last span. */
    public static final Duration DEADLOCK_WINDOW = Duration.ofMinutes(1);
    // 60 s at the smallest interval the configuration accepts (100 ms) is 600 reads; the cap only guards memory.
    private static final int MAX_READS = 2_000;

    private final long rateWindowNanos;
    private final long deadlockWindowNanos;
    private final ArrayDeque<ServerCounters> reads = new ArrayDeque<>();

    public CounterHistory() {
        this(RATE_WINDOW, DEADLOCK_WINDOW);
    }

    CounterHistory(Duration rateWindow, Duration deadlockWindow) {
        this.rateWindowNanos = rateWindow.toNanos();
        this.deadlockWindowNanos = deadlockWindow.toNanos();
    }

    /** Records a read and returns the rates it completes. A read older than the newest one is not recorded. */
    public synchronized ServerStats.Rates add(ServerCounters now) {
        Objects.requireNonNull(now, "now");
        ServerCounters last = reads.peekLast();
        if (last != null && now.nanoTime() - last.nanoTime() <= 0) {
            return unknown(now); // out of order (two samplers at once): no span to measure
        }
        if (last != null && !last.continuedBy(now)) {
            reads.clear(); // a reset or another server: the old counts belong to another series
        }
        reads.addLast(now);
        // Keep the newest read that is a whole deadlock window old (the base when the interval exceeds it).
        while (reads.size() > 2 && age(now, second()) >= deadlockWindowNanos || reads.size() > MAX_READS) {
            reads.removeFirst();
        }
        return rates(now);
    }

    /** The rates of a read without history: nothing but the cumulative cache hit ratio is known. */
    public static ServerStats.Rates unknown(ServerCounters now) {
        return new ServerStats.Rates(false, 0, Double.NaN, Double.NaN, hitRatio(now.blksHit(), now.blksRead()),
                Double.NaN, 0);
    }

    private ServerStats.Rates rates(ServerCounters now) {
        ServerCounters rateBase = null;
        ServerCounters deadlockBase = null;
        ServerCounters previous = null;
        for (Iterator<ServerCounters> it = reads.descendingIterator(); it.hasNext(); ) {
            ServerCounters r = it.next();
            if (r == now) {
                continue;
            }
            if (previous == null) {
                previous = r;
            }
            if (age(now, r) <= deadlockWindowNanos) {
                deadlockBase = r;
            }
            if (rateBase == null && age(now, r) >= rateWindowNanos) {
                rateBase = r;
            }
        }
        double deadlocks = Double.NaN;
        double deadlockSeconds = 0;
        if (deadlockBase != null) {
            // Count over the reads of the last minute (over less while less history exists).
            deadlocks = now.deadlocks() - deadlockBase.deadlocks();
            deadlockSeconds = age(now, deadlockBase) / 1e9;
        } else if (previous != null) {
            // Interval longer than the window: the average a minute over the interval, never scaled up.
            deadlockSeconds = age(now, previous) / 1e9;
            deadlocks = (now.deadlocks() - previous.deadlocks()) * DEADLOCK_WINDOW.toSeconds() / deadlockSeconds;
        }
        if (rateBase == null) {
            ServerStats.Rates u = unknown(now);
            return new ServerStats.Rates(false, 0, u.tps(), u.rollbackRatio(), u.cacheHitRatio(), deadlocks,
                    deadlockSeconds);
        }
        double seconds = age(now, rateBase) / 1e9;
        long rollbacks = now.xactRollback() - rateBase.xactRollback();
        long xacts = now.xactCommit() - rateBase.xactCommit() + rollbacks;
        return new ServerStats.Rates(true, seconds, xacts / seconds, xacts == 0 ? 0 : (double) rollbacks / xacts,
                hitRatio(now.blksHit() - rateBase.blksHit(), now.blksRead() - rateBase.blksRead()),
                deadlocks, deadlockSeconds);
    }

    /** How many reads are kept (for tests). */
    synchronized int size() {
        return reads.size();
    }

    private ServerCounters second() {
        Iterator<ServerCounters> it = reads.iterator();
        it.next();
        return it.next();
    }

    private static long age(ServerCounters now, ServerCounters then) {
        return now.nanoTime() - then.nanoTime();
    }

    static double hitRatio(long hits, long reads) {
        return hits + reads <= 0 ? 1.0 : (double) hits / (hits + reads);
    }
}
