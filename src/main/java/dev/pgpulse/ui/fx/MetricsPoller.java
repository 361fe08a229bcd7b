package dev.pgpulse.ui.fx;

import dev.pgpulse.orchestration.Snapshot;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.concurrent.ScheduledService;
import javafx.concurrent.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Takes a {@link Snapshot} off the FX thread at a fixed interval and hands it to the view models on the FX thread.
 * A snapshot is a read of in-memory state, never a query on demand, so a slow or hung database cannot hold a
 * poll up; and since the poll runs on its own named thread, even a slow one never stalls the window.
 */
public final class MetricsPoller extends ScheduledService<Snapshot> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsPoller.class);

    private final Supplier<Snapshot> source;
    private final ExecutorService executor;
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Snapshot>> deferred = new CopyOnWriteArrayList<>();
    private final NextFrame nextFrame = new NextFrame();
    private final ReadOnlyLongWrapper polls = new ReadOnlyLongWrapper(this, "polls");
    private long longestApplyNanos;

    public MetricsPoller(Supplier<Snapshot> source, Duration interval) {
        this.source = source;
        this.executor = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("pgpulse-poller").daemon().factory());
        setExecutor(executor);
        setDelay(javafx.util.Duration.ZERO);
        setInterval(interval);
        setRestartOnFailure(true);
        setOnSucceeded(e -> deliver(getValue()));
        setOnFailed(e -> LOG.warn("snapshot failed: {}", String.valueOf(getException())));
    }

    @Override
    protected Task<Snapshot> createTask() {
        return new Task<>() {
            @Override
            protected Snapshot call() {
                return source.get();
            }
        };
    }

    /** Takes one snapshot now, besides the schedule (after a user action, so the view shows its effect at once). */
    public void pollNow() {
        executor.execute(() -> {
            Snapshot s = source.get();
            Platform.runLater(() -> deliver(s));
        });
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

    /** Changes the interval; the next poll is scheduled with it. FX thread. */
    public void setInterval(Duration interval) {
        setPeriod(javafx.util.Duration.millis(interval.toMillis()));
    }

    public Duration interval() {
        return Duration.ofMillis((long) getPeriod().toMillis());
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

    private void deliver(Snapshot s) {
        if (s == null) {
            return;
        }
        long t0 = System.nanoTime();
        for (Consumer<Snapshot> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                LOG.warn("a view failed to apply a snapshot", e);
            }
        }
        longestApplyNanos = Math.max(longestApplyNanos, System.nanoTime() - t0);
        polls.set(polls.get() + 1);
        if (!deferred.isEmpty()) {
            nextFrame.apply(s);
        }
    }

    /** Runs the deferred listeners at the second pulse after a snapshot (the first lays out the primary views). */
    private final class NextFrame extends AnimationTimer {
        private Snapshot pending;
        private int frames;

        void apply(Snapshot s) {
            pending = s;
            frames = 0;
            start();
        }

        @Override
        public void handle(long now) {
            if (++frames < 2) {
                return;
            }
            stop();
            Snapshot s = pending;
            pending = null;
            long t0 = System.nanoTime();
            for (Consumer<Snapshot> l : deferred) {
                try {
                    l.accept(s);
                } catch (RuntimeException e) {
                    LOG.warn("a view failed to apply a snapshot", e);
                }
            }
            longestApplyNanos = Math.max(longestApplyNanos, System.nanoTime() - t0);
        }
    }

    /** Stops polling and its thread. Safe from any thread. */
    @Override
    public void close() {
        if (Platform.isFxApplicationThread()) {
            cancel();
            nextFrame.stop();
        } else {
            Platform.runLater(() -> {
                cancel();
                nextFrame.stop();
            });
        }
        executor.shutdownNow();
    }
}
