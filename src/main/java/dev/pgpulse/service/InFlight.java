package dev.pgpulse.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The calls the service is running, since when the oldest of them runs, and the drain at shutdown: once
 * {@link #drain} begins, {@link #draining()} tells callers to refuse new work, and the drain waits, bounded, for
 * what is running. Every call brackets itself with {@link #started(long)} before it checks {@link #draining()} and
 * {@link #finished()} in a {@code finally}, on the same thread, so the drain sees every call that got past the check.
 *
 * <p>The oldest call's age is what shows a hung server: its calls neither fail nor finish, so the breaker stays
 * CLOSED and the latency of the calls that did finish looks fine, while the oldest call in flight keeps ageing.
 *
 * <p>The service has one for all its calls, and each endpoint's {@link TrafficMeters} one for the calls running on
 * that endpoint (which never drains: the service's drain covers every call).
 */
final class InFlight {
    private static final long NONE = Long.MIN_VALUE;

    /**
     * One thread's calls: when its outermost running call started ({@link #NONE} when it runs none) and how deeply
     * its calls nest (a call made from a call's work). Only the owner writes; {@link #oldest()} reads.
     */
    private static final class Slot {
        private static final VarHandle START;

        static {
            try {
                START = MethodHandles.lookup().findVarHandle(Slot.class, "start", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final WeakReference<Thread> owner;
        @SuppressWarnings("unused") // through START
        private long start = NONE;
        private int depth;

        private Slot(Thread owner) {
            this.owner = new WeakReference<>(owner);
        }

        private boolean ownerGone() {
            Thread t = owner.get();
            return t == null || !t.isAlive();
        }
    }

    // Two monotonic striped counters, not one AtomicInteger all threads fight over. A single LongAdder that
    // goes up and down could read 0 while a call is in flight (its sum is not a snapshot); with monotonic
    // counters, reading finished before started can only over-count what is in flight, never under-count.
    private final LongAdder started = new LongAdder();
    private final LongAdder finished = new LongAdder();
    // Start times in per-thread slots, written with release stores (plain stores on x86): about +10 ns a call,
    // where a set of per-call tokens cost +150..650 ns (measured, see docs/PERFORMANCE.md). A thread registers its
    // slot on its first call; slots of threads that ended are dropped when the oldest is read.
    private final Set<Slot> slots = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Slot> local = ThreadLocal.withInitial(() -> {
        Slot s = new Slot(Thread.currentThread());
        slots.add(s);
        return s;
    });
    private final AtomicBoolean draining = new AtomicBoolean();

    /** @param startNanos the call's start, from {@link System#nanoTime()} */
    void started(long startNanos) {
        started.increment();
        Slot s = local.get();
        if (s.depth++ == 0) {
            Slot.START.setRelease(s, startNanos == NONE ? startNanos + 1 : startNanos);
        }
    }

    void finished() {
        Slot s = local.get();
        if (--s.depth == 0) {
            Slot.START.setRelease(s, NONE);
        }
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
        for (Slot s : slots) {
            long start = (long) Slot.START.getAcquire(s);
            if (start != NONE && start - oldest < 0) {
                oldest = start;
            } else if (start == NONE && s.ownerGone()) {
                slots.remove(s);
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
