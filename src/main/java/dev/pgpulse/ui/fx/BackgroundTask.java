package dev.pgpulse.ui.fx;

import javafx.application.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Work the console starts from the UI, in one shape (after JabRef's {@code BackgroundTask}): the work runs on a
 * background executor, never the FX thread; what it reports comes back on the FX thread: {@code onRunning},
 * then progress, then exactly one of {@code onSuccess}, {@code onFailure} or {@code onCancelled}, then
 * {@code onFinished}. {@link Handle#cancel} interrupts the work (a JDBC call blocked in a socket read is
 * interrupted by its own timeout or a server-side cancel, which the work sets up) and delivers
 * {@code onCancelled} at once; a result that arrives after a cancel is dropped, and the interrupt does not outlive
 * the work on the executor's thread. A callback that throws is logged with the task's name and does not keep
 * {@code onFinished} from running.
 *
 * <pre>{@code
 * BackgroundTask.of("drill primary", p -> { orchestrator.drill(...); return null; })
 *         .onFailure(e -> dialogs.notify(...))
 *         .start(background);
 * }</pre>
 *
 * @param <T> what the work returns
 */
public final class BackgroundTask<T> {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundTask.class);

    /** The work: runs off the FX thread; may report progress and should stop soon once cancelled. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Progress progress) throws Exception;
    }

    /** What the work may tell: progress (only the latest is delivered) and whether it was cancelled. */
    public interface Progress {
        /** @param done how much is done of {@code total}; a negative total means "unknown" */
        void update(double done, double total, String message);

        boolean cancelled();
    }

    /** One progress report, delivered on the FX thread. */
    public record Update(double done, double total, String message) {
        /** 0..1, or -1 when the total is unknown (a {@code ProgressIndicator}'s indeterminate value). */
        public double fraction() {
            return total <= 0 ? -1 : Math.min(1, Math.max(0, done / total));
        }
    }

    /** A started task. */
    public interface Handle {
        /** Cancels: the work is interrupted, {@code onCancelled} and {@code onFinished} follow on the FX thread. */
        void cancel();

        boolean isCancelled();

        /** Whether the outcome (success, failure or cancel) has been decided. */
        boolean isDone();
    }

    private final String name;
    private final Work<T> work;
    private Runnable onRunning = () -> { };
    private Consumer<? super T> onSuccess = t -> { };
    private Consumer<? super Exception> onFailure = e -> { };
    private Runnable onCancelled = () -> { };
    private Consumer<Update> onProgress = u -> { };
    private Runnable onFinished = () -> { };

    private BackgroundTask(String name, Work<T> work) {
        this.name = Objects.requireNonNull(name);
        this.work = Objects.requireNonNull(work);
    }

    /** @param name what the task does, for logs and thread names ("drill primary") */
    public static <T> BackgroundTask<T> of(String name, Work<T> work) {
        return new BackgroundTask<>(name, work);
    }

    /** Work with no result and no progress. */
    public static BackgroundTask<Void> run(String name, Runnable work) {
        return new BackgroundTask<>(name, p -> {
            work.run();
            return null;
        });
    }

    public String name() {
        return name;
    }

    public BackgroundTask<T> onRunning(Runnable r) {
        onRunning = Objects.requireNonNull(r);
        return this;
    }

    public BackgroundTask<T> onSuccess(Consumer<? super T> c) {
        onSuccess = Objects.requireNonNull(c);
        return this;
    }

    public BackgroundTask<T> onFailure(Consumer<? super Exception> c) {
        onFailure = Objects.requireNonNull(c);
        return this;
    }

    public BackgroundTask<T> onCancelled(Runnable r) {
        onCancelled = Objects.requireNonNull(r);
        return this;
    }

    public BackgroundTask<T> onProgress(Consumer<Update> c) {
        onProgress = Objects.requireNonNull(c);
        return this;
    }

    public BackgroundTask<T> onFinished(Runnable r) {
        onFinished = Objects.requireNonNull(r);
        return this;
    }

    /** Starts the work on {@code background}; callbacks run on the FX thread. */
    public Handle start(Executor background) {
        return start(background, Platform::runLater);
    }

    /**
     * Starts the work on {@code background} with callbacks on {@code ui} (the FX thread in the console; a test
     * may pass a plain executor to check the sequence without a stage).
     */
    public Handle start(Executor background, Executor ui) {
        return new Run(ui).start(background);
    }

    private final class Run implements Handle, Progress {
        private final Executor ui;
        private final AtomicBoolean decided = new AtomicBoolean();
        private final AtomicReference<Update> pendingProgress = new AtomicReference<>();
        private volatile boolean cancelled;
        /** Set on the UI thread when the outcome runs: progress queued before it is still shown, none after. */
        private volatile boolean delivered;
        private FutureTask<T> future;

        Run(Executor ui) {
            this.ui = ui;
        }

        Handle start(Executor background) {
            future = new FutureTask<>(() -> work.run(this)) {
                @Override
                protected void done() {
                    finish(this);
                }
            };
            ui.execute(() -> guarded("onRunning", onRunning));
            try {
                background.execute(() -> {
                    try {
                        future.run();
                    } finally {
                        if (cancelled) {
                            // cancel(true)'s interrupt lands before run() returns; a pooled thread must not carry
                            // it into the next task (ThreadPoolExecutor clears it, a plain Executor need not)
                            Thread.interrupted();
                        }
                    }
                });
            } catch (RejectedExecutionException rejected) {
                // a shut-down executor: the work never starts, and the caller hears why in words a person can read
                // (the executor's own message is two object dumps)
                Exception failure = new RejectedExecutionException(name + " was not started: the background "
                        + "executor refused it (it is shutting down)", rejected);
                decide(() -> onFailure.accept(failure), "onFailure");
            }
            return this;
        }

        private void finish(FutureTask<T> f) {
            if (f.isCancelled()) {
                return; // cancel() decided already
            }
            try {
                T result = f.get();
                decide(() -> onSuccess.accept(result), "onSuccess");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                Exception failure = cause instanceof Exception ex ? ex : new RuntimeException(cause);
                decide(() -> onFailure.accept(failure), "onFailure");
            } catch (InterruptedException | CancellationException e) {
                decide(onCancelled, "onCancelled");
            }
        }

        /** The one outcome, then onFinished: whoever decides first wins (the work finishing, or a cancel). */
        private void decide(Runnable outcome, String which) {
            if (decided.compareAndSet(false, true)) {
                ui.execute(() -> {
                    delivered = true;
                    guarded(which, outcome);
                    guarded("onFinished", onFinished);
                });
            }
        }

        /** Runs a callback; one that throws is logged (on the FX thread it would only reach stderr) and that is all. */
        private void guarded(String which, Runnable callback) {
            try {
                callback.run();
            } catch (RuntimeException e) {
                LOG.error("{} - its {} callback failed", name, which, e);
            }
        }

        @Override
        public void update(double done, double total, String message) {
            if (decided.get()) {
                return;
            }
            // only the latest report is delivered: a fast loop does not flood the FX thread
            if (pendingProgress.getAndSet(new Update(done, total, message)) == null) {
                ui.execute(() -> {
                    Update u = pendingProgress.getAndSet(null);
                    if (u != null && !delivered) {
                        guarded("onProgress", () -> onProgress.accept(u));
                    }
                });
            }
        }

        @Override
        public boolean cancelled() {
            return cancelled || Thread.currentThread().isInterrupted();
        }

        @Override
        public void cancel() {
            if (decided.get()) {
                return;
            }
            cancelled = true;
            future.cancel(true);
            decide(onCancelled, "onCancelled");
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return decided.get();
        }
    }
}
