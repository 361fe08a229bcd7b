package dev.pgpulse.server;

import dev.pgpulse.service.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Reads the activity at an interval, on a thread of its own, only between {@link #start} and {@link #stop} (the
 * console's Server tab while it is shown): a hidden tab costs the server nothing. Each reading, or the failure,
 * goes to the listener on the sampler's thread; a listener that throws is logged and sampling goes on.
 */
public final class ActivitySampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActivitySampler.class);

    private final ActivityReader reader;
    private final Consumer<Result<Activity>> listener;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pgpulse-server-activity").daemon().factory());
    private final AtomicLong reads = new AtomicLong();
    private ScheduledFuture<?> running;
    private Duration interval;

    public ActivitySampler(ActivityReader reader, Duration interval, Consumer<Result<Activity>> listener) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.interval = positive(interval);
    }

    private static Duration positive(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, but was " + interval);
        }
        return interval;
    }

    /** Starts sampling (one reading at once); does nothing when already running. */
    public synchronized void start() {
        if (running == null && !thread.isShutdown()) {
            running = thread.scheduleWithFixedDelay(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops sampling; a reading under way finishes, no other starts. */
    public synchronized void stop() {
        if (running != null) {
            running.cancel(false);
            running = null;
        }
    }

    public synchronized Duration interval() {
        return interval;
    }

    public synchronized boolean running() {
        return running != null;
    }

    /** A new interval, from the next reading on. */
    public synchronized void interval(Duration interval) {
        this.interval = positive(interval);
        if (running != null) {
            stop();
            start();
        }
    }

    /** One reading now (after an action, not to wait for the next interval), when running. */
    public synchronized void sampleNow() {
        if (running != null) {
            thread.execute(this::sample);
        }
    }

    /** How many readings the sampler has sent to the server. */
    public long reads() {
        return reads.get();
    }

    private void sample() {
        try {
            reads.incrementAndGet();
            Result<Activity> r = reader.read();
            listener.accept(r);
        } catch (RuntimeException e) {
            LOG.warn("{} - an activity listener failed: {}", reader.endpoint(), e.toString());
        }
    }

    @Override
    public void close() {
        stop();
        thread.shutdownNow();
    }
}
