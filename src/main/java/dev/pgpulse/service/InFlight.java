package dev.pgpulse.service;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The calls the service is running, and its drain at shutdown: once {@link #drain} begins, {@link #draining()}
 * tells callers to refuse new work, and the drain waits, bounded, for what is running.
 * Every call brackets itself with {@link #started()} before it checks {@link #draining()} and
 * {@link #finished()} in a {@code finally}, so the drain sees every call that got past the check.
 */
final class InFlight {
    // Two monotonic striped counters, not one AtomicInteger all threads fight over. A single LongAdder that
    // goes up and down could read 0 while a call is in flight (its sum is not a snapshot); with monotonic
    // counters, reading finished before started can only over-count what is in flight, never under-count.
    private final LongAdder started = new LongAdder();
    private final LongAdder finished = new LongAdder();
    private final AtomicBoolean draining = new AtomicBoolean();

    void started() {
        started.increment();
    }

    void finished() {
        finished.increment();
    }

    boolean draining() {
        return draining.get();
    }

    int count() {
        long done = finished.sum();
        return (int) (started.sum() - done);
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
