package dev.pgpulse.ui;

import javafx.animation.AnimationTimer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures the gaps between JavaFX pulses (an AnimationTimer runs once a pulse) and samples the FX thread's stack
 * every 2 ms for database or network frames; start and stop on the FX thread.
 *
 * <p>What would stall the window in an outage is database work on the FX thread (a connect waits out its timeout,
 * again and again): the sampler catches that directly. The gap itself is under 100 ms on a quiet machine (the
 * target, measured and recorded), but on a loaded one it is CPU scheduling, so it is bounded here only by a ceiling
 * well under any connect or read timeout.
 */
final class PulseWatch {
    /** A stall of the kind the sampler looks for lasts a connect or read timeout, a second or more. */
    static final long STALL_MS = 1000;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final List<String> onTheDatabase = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong samples = new AtomicLong();
    private ScheduledExecutorService sampler;
    private static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private final AtomicLong last = new AtomicLong();
    private final AtomicLong maxGap = new AtomicLong();
    private final AtomicLong pulses = new AtomicLong();
    private final AtomicLong slowPulses = new AtomicLong();
    private final AtomicLong resetAt = new AtomicLong();
    private final AtomicLong maxGapEndedAt = new AtomicLong();
    private final AnimationTimer timer = new AnimationTimer() {
        @Override
        public void handle(long now) {
            long before = last.getAndSet(now);
            if (before != 0) {
                if (now - before > maxGap.get()) {
                    maxGap.set(now - before);
                    maxGapEndedAt.set(now);
                }
                pulses.incrementAndGet();
                if (now - before > SLOW_NANOS) {
                    slowPulses.incrementAndGet();
                }
            }
        }
    };

    void start() {
        timer.start();
        long fxThread = Thread.currentThread().threadId();
        sampler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("fx-stack-sampler").daemon()
                .factory());
        sampler.scheduleWithFixedDelay(() -> sample(fxThread), 0, 2, TimeUnit.MILLISECONDS);
    }

    void stop() {
        timer.stop();
        sampler.shutdownNow();
    }

    private void sample(long fxThread) {
        ThreadInfo info = threads.getThreadInfo(fxThread, 64);
        if (info == null) {
            return;
        }
        samples.incrementAndGet();
        for (StackTraceElement frame : info.getStackTrace()) {
            String c = frame.getClassName();
            if (c.startsWith("org.postgresql.") || c.startsWith("com.zaxxer.hikari.") || c.startsWith("java.net.")
                    || c.startsWith("sun.nio.ch.")) {
                onTheDatabase.add(info.getThreadState() + " in " + frame);
                return;
            }
        }
    }

    /** The FX thread never ran database or network code, kept its pulse, and no gap reached a stall's length. */
    void assertNoStall(String when) {
        assertThat(samples.get()).as("the FX thread's stack was sampled " + when).isGreaterThan(100);
        assertThat(onTheDatabase).as("the FX thread in database or network code " + when).isEmpty();
        assertThat(pulses.get()).as("FX pulses " + when).isGreaterThan(10);
        assertThat(maxGapMs()).as("longest gap between FX pulses " + when).isLessThan(STALL_MS);
    }

    /**
     * Forgets what was measured so far (the first pulses after a window opens are slow for other reasons), the
     * pulse before the reset too: a gap counts only when both its pulses are inside the measuring.
     */
    void reset() {
        last.set(0);
        maxGap.set(0);
        resetAt.set(System.nanoTime());
        pulses.set(0);
        slowPulses.set(0);
        samples.set(0);
        onTheDatabase.clear();
    }

    long maxGapMs() {
        return TimeUnit.NANOSECONDS.toMillis(maxGap.get());
    }

    @Override
    public String toString() {
        return "longest FX pulse gap " + maxGapMs() + " ms (ending " + TimeUnit.NANOSECONDS.toMillis(maxGapEndedAt.get()
                - resetAt.get()) + " ms after the measuring began); gaps over 50 ms: " + slowPulses.get() + " of "
                + pulses.get() + "; FX stack samples " + samples.get();
    }
}
