package dev.pgpulse.ui.query;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-over of one result set between the runner's thread (which holds the server's cursor) and the FX thread.
 * The runner {@link #offer}s each fetched batch; it waits, before taking a batch, while it has already handed on
 * as many rows as the view {@link #demand}ed, so a million-row result is read only as fast as the user scrolls.
 * Batches wait in {@link #pending} and one drain at a time is posted to the FX thread, however fast they come.
 * <p>
 * The wait ends on demand, on {@link #stop} (the grid closed), on an interrupt ({@code QueryRun.cancel()}), or
 * after {@code holdLimit} without demand: a held cursor keeps a transaction open on the server (its snapshot holds
 * back vacuum), so a result nobody scrolls is let go.
 */
final class ResultFeed {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition demanded = lock.newCondition();
    private final Executor fx;
    private final Runnable drain;
    private final long holdLimitNanos;
    private final List<List<String[]>> pending = new ArrayList<>();
    private long wanted;
    private long received;
    private boolean stopped;
    private boolean heldTooLong;
    private boolean drainPosted;
    private boolean waiting;

    /**
     * @param initial rows the runner may hand on before the first demand (the first window)
     * @param drain   run on {@code fx} to take {@link #drain()}'s batches
     */
    ResultFeed(long initial, Duration holdLimit, Executor fx, Runnable drain) {
        this.wanted = initial;
        this.holdLimitNanos = holdLimit.toNanos();
        this.fx = fx;
        this.drain = drain;
    }

    /**
     * On the runner's thread: waits for demand, then takes the batch.
     *
     * @return false when the grid wants no more rows (stopped, or held past the limit)
     * @throws InterruptedException when the run was cancelled during the wait
     */
    boolean offer(List<String[]> batch) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long left = holdLimitNanos;
            while (received >= wanted && !stopped) {
                if (left <= 0) {
                    stopped = true;
                    heldTooLong = true;
                    break;
                }
                waiting = true;
                try {
                    left = demanded.awaitNanos(left); // interruptible: cancel() interrupts this thread
                } finally {
                    waiting = false;
                }
            }
            if (stopped) {
                return false;
            }
            pending.add(List.copyOf(batch));
            received += batch.size();
            post();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** On the runner's thread: the result ended; {@code then} runs on the FX thread after the last drain. */
    void end(Runnable then) {
        fx.execute(() -> {
            drain.run();
            then.run();
        });
    }

    /** On the FX thread: the batches handed on since the last drain, oldest first. */
    List<List<String[]>> drain() {
        lock.lock();
        try {
            drainPosted = false;
            List<List<String[]>> out = List.copyOf(pending);
            pending.clear();
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** The runner may hand on rows until it has handed on {@code upTo} in all. */
    void demand(long upTo) {
        lock.lock();
        try {
            if (upTo > wanted) {
                wanted = upTo;
                demanded.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** No more rows wanted: the runner's next (or current) wait returns false, and the run goes on. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            demanded.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How many rows the view asked for so far. */
    long wanted() {
        lock.lock();
        try {
            return wanted;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the runner is waiting for demand now (it holds the cursor back). */
    boolean waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    boolean heldTooLong() {
        lock.lock();
        try {
            return heldTooLong;
        } finally {
            lock.unlock();
        }
    }

    private void post() {
        if (!drainPosted) {
            drainPosted = true;
            fx.execute(drain);
        }
    }
}
