package dev.pgpulse.ui.fx;

import dev.pgpulse.orchestration.Snapshot;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Takes a {@link Snapshot} off the FX thread at a fixed delay, on its own named thread, and hands it to the view
 * models on the FX thread. A snapshot is a read of in-memory state, never a query on demand, so a slow or hung
 * database cannot hold a poll up. Deliveries coalesce: if the FX thread has not applied the last snapshot when the
 * next is taken, only the newer one is applied, so a busy FX thread never builds a queue. A new interval takes
 * effect at once (a poll now, then the new delay).
 */
public final class MetricsPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsPoller.class);

    private final Supplier<Snapshot> source;
    private final ScheduledExecutorService executor;
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Snapshot>> deferred = new CopyOnWriteArrayList<>();
    private final AtomicReference<Snapshot> pending = new AtomicReference<>();
    private final ReadOnlyLongWrapper polls = new ReadOnlyLongWrapper(this, "polls");
    private final NextFrame nextFrame = new NextFrame();
    private volatile Duration interval;
    private ScheduledFuture<?> schedule;
    private boolean started;
    private boolean closed;
    private long longestApplyNanos;

    public MetricsPoller(Supplier<Snapshot> source, Duration interval) {
        this.source = source;
        this.interval = interval;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("pgpulse-poller").daemon().factory());
    }

    /** Starts polling: one snapshot now, then one per interval. */
    public synchronized void start() {
        started = true;
        reschedule();
    }

    /** Changes the interval: a snapshot now, then the new delay. Any thread. */
    public synchronized void setInterval(Duration next) {
        interval = next;
        if (started) {
            reschedule();
        }
    }

    public Duration interval() {
        return interval;
    }

    private void reschedule() {
        if (closed) {
            return;
        }
        if (schedule != null) {
            schedule.cancel(false);
        }
        schedule = executor.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes one snapshot now, besides the schedule (after a user action, so the view shows its effect at once). */
    public void pollNow() {
        try {
            executor.execute(this::poll);
        } catch (RejectedExecutionException closedAlready) {
            LOG.debug("poller closed; no snapshot taken");
        }
    }

    private void poll() {
        try {
            Snapshot s = source.get();
            if (pending.getAndSet(s) == null) {
                Platform.runLater(this::deliverPending);
            }
        } catch (RuntimeException e) {
            LOG.warn("snapshot failed: {}", e.toString());
        }
    }

    /** Every snapshot, on the FX thread, in the order they were taken. */
    public void subscribe(Consumer<Snapshot> listener) {
        listeners.add(listener);
    }

    /**
     * Like {@link #subscribe} but applied one frame later. Views whose update costs layout (tables) subscribe
     * here, so that a snapshot's work is spread over two pulses instead of stalling one: in the software
     * pipeline a table's update costs as much as all the tiles together.
     */
    public void subscribeDeferred(Consumer<Snapshot> listener) {
        deferred.add(listener);
    }

    /** How many snapshots have been delivered: what a test counts to see the poll rate. */
    public ReadOnlyLongProperty pollsProperty() {
        return polls.getReadOnlyProperty();
    }

    /** The longest time the views took to apply one snapshot on the FX thread, in ms. FX thread. */
    public double longestApplyMs() {
        return longestApplyNanos / 1e6;
    }

    /** Starts a new measurement of {@link #longestApplyMs()}. FX thread. */
    public void resetLongestApply() {
        longestApplyNanos = 0;
    }

    private void deliverPending() {
        Snapshot s = pending.getAndSet(null);
        if (s == null || closed) {
            return;
        }
        long t0 = System.nanoTime();
        apply(listeners, s);
        longestApplyNanos = Math.max(longestApplyNanos, System.nanoTime() - t0);
        polls.set(polls.get() + 1);
        if (!deferred.isEmpty()) {
            nextFrame.apply(s);
        }
    }

    private static void apply(List<Consumer<Snapshot>> to, Snapshot s) {
        for (Consumer<Snapshot> l : to) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                LOG.warn("a view failed to apply a snapshot", e);
            }
        }
    }

    /** Runs the deferred listeners at the second pulse after a snapshot (the first lays out the primary views). */
    private final class NextFrame extends AnimationTimer {
        private Snapshot next;
        private int frames;

        void apply(Snapshot s) {
            next = s;
            frames = 0;
            start();
        }

        @Override
        public void handle(long now) {
            if (++frames < 2) {
                return;
            }
            stop();
            Snapshot s = next;
            next = null;
            if (s == null || closed) {
                return;
            }
            long t0 = System.nanoTime();
            MetricsPoller.apply(deferred, s);
            longestApplyNanos = Math.max(longestApplyNanos, System.nanoTime() - t0);
        }
    }

    /** Stops polling and its thread; nothing is delivered afterwards. Any thread. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (schedule != null) {
                schedule.cancel(false);
            }
        }
        executor.shutdownNow();
        if (Platform.isFxApplicationThread()) {
            nextFrame.stop();
        } else {
            Platform.runLater(nextFrame::stop);
        }
    }
}
