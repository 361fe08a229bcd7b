package dev.pgpulse.service;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The calls the service is running, since when the oldest of them runs, and the drain at shutdown: once
 * {@link #drain} begins, {@link #draining()} tells callers to refuse new work, and the drain waits, bounded, for
 * what is running. Every call brackets itself with {@link #started()} before it checks {@link #draining()} and
 * {@link #finished(Call)} in a {@code finally}, so the drain sees every call that got past the check.
 *
 * <p>The oldest call's age is what shows a hung server: its calls neither fail nor finish, so the breaker stays
 * CLOSED and the latency of the calls that did finish looks fine, while the oldest call in flight keeps ageing.
 */
final class InFlight {
    /** One call in flight: a token with identity (two calls may start in the same nanosecond). */
    static final class Call {
        private final long startNanos;

        private Call(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    // Two monotonic striped counters, not one AtomicInteger all threads fight over. A single LongAdder that
    // goes up and down could read 0 while a call is in flight (its sum is not a snapshot); with monotonic
    // counters, reading finished before started can only over-count what is in flight, never under-count.
    private final LongAdder started = new LongAdder();
    private final LongAdder finished = new LongAdder();
    // The running calls, for the oldest one's start: a put and a remove per call on a hash set whose bins are
    // locked one at a time (measured with `pgpulse bench`, see the commit), read only by snapshots.
    private final Set<Call> running = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean draining = new AtomicBoolean();

    Call started() {
        started.increment();
        Call call = new Call(System.nanoTime());
        running.add(call);
        return call;
    }

    void finished(Call call) {
        running.remove(call);
        finished.increment();
    }

    boolean draining() {
        return draining.get();
    }

    int count() {
        long done = finished.sum();
        return (int) (started.sum() - done);
    }

    /** How long the oldest call still running has been running; zero when none is. */
    Duration oldest() {
        long now = System.nanoTime();
        long oldest = now;
        for (Call c : running) {
            if (c.startNanos - oldest < 0) {
                oldest = c.startNanos;
            }
        }
        return Duration.ofNanos(now - oldest);
    }

    /**
     * Refuses new calls from now on and waits up to {@code grace} for those in flight (an interrupt ends the
     * wait early and stays set).
     *
     * @return how many calls were still running when the wait ended
     */
    int drain(Duration grace) {
        draining.set(true);
        long deadline = System.nanoTime() + grace.toNanos();
        while (count() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // calls finish on their own threads and signal nothing; a short poll is enough
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return count();
    }
}
