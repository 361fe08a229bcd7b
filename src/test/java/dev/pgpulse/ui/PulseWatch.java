package dev.pgpulse.ui;

import javafx.animation.AnimationTimer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Measures the gaps between JavaFX pulses (an AnimationTimer runs once a pulse); start and stop on the FX thread. */
final class PulseWatch {
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
    }

    void stop() {
        timer.stop();
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
    }

    long maxGapMs() {
        return TimeUnit.NANOSECONDS.toMillis(maxGap.get());
    }

    @Override
    public String toString() {
        return "longest FX pulse gap " + maxGapMs() + " ms (ending " + TimeUnit.NANOSECONDS.toMillis(maxGapEndedAt.get()
                - resetAt.get()) + " ms after the measuring began); gaps over 50 ms: " + slowPulses.get() + " of "
                + pulses.get();
    }
}
