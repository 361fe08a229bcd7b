package dev.pgpulse.ui.query;

import dev.pgpulse.query.QueryColumn;
import dev.pgpulse.query.QueryNotice;
import dev.pgpulse.query.QuerySink;
import dev.pgpulse.query.SqlStatement;
import javafx.application.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The Query tab's {@link QuerySink}: called on the runner's thread, it does no I/O and touches no node; it hands
 * immutable batches to the FX thread (one posted drain at a time, however fast the rows come) and holds the cursor
 * back while the grid has the rows it asked for ({@link ResultFeed}). Each result set gets a
 * {@link ResultGridViewModel} of its own, given to {@link Listener#resultStarted} on the FX thread: the tab puts a
 * {@link ResultGrid} on it in a result tab. Update counts and notices go to the listener too, in run order.
 * <p>
 * Cancel with {@code QueryRun.cancel()}: it interrupts the runner inside {@link #rows}, whose wait is interruptible.
 * One sink per run.
 */
public final class FxResultSink implements QuerySink {
    private static final Logger LOG = LoggerFactory.getLogger(FxResultSink.class);
    /** Rows a grid holds at most. */
    public static final int DEFAULT_WINDOW = 10_000;
    /** How long the cursor is held for a user who does not scroll (a held cursor is an open transaction). */
    public static final Duration DEFAULT_HOLD_LIMIT = Duration.ofMinutes(2);

    /** What the tab does with a run's output; every call on the FX thread. A listener that throws is logged. */
    public interface Listener {
        /** A result set begins: show a grid on {@code result}. */
        void resultStarted(ResultGridViewModel result);

        /** Statement {@code index} is sent to the server. */
        default void statementStarted(int index, SqlStatement statement) {
        }

        /** A statement without rows ended ({@code INSERT 0 3}); {@code count} -1 when it counts none. */
        default void updated(int index, String command, long count) {
        }

        default void notice(QueryNotice notice) {
        }
    }

    private final Listener listener;
    private final int window;
    private final Duration holdLimit;
    private final Executor fx;
    private ResultFeed feed;
    private ResultGridViewModel model;

    public FxResultSink(Listener listener) {
        this(listener, DEFAULT_WINDOW, DEFAULT_HOLD_LIMIT, Platform::runLater);
    }

    /**
     * @param window    rows a grid holds at most (the first window is read at once, then a half window a scroll)
     * @param holdLimit how long the runner waits for the user to scroll before it lets the cursor go
     * @param fx        runs a task on the FX thread ({@code Platform::runLater})
     */
    public FxResultSink(Listener listener, int window, Duration holdLimit, Executor fx) {
        this.listener = Objects.requireNonNull(listener, "listener");
        if (window < 2) {
            throw new IllegalArgumentException("window must be at least 2 rows, but was " + window);
        }
        if (holdLimit.isNegative() || holdLimit.isZero()) {
            throw new IllegalArgumentException("holdLimit must be positive, but was " + holdLimit);
        }
        this.window = window;
        this.holdLimit = holdLimit;
        this.fx = Objects.requireNonNull(fx, "fx");
    }

    @Override
    public void statementStarted(int index, SqlStatement statement) {
        fx.execute(() -> safely(() -> listener.statementStarted(index, statement)));
    }

    @Override
    public void columns(int index, List<QueryColumn> columns) {
        ResultGridViewModel vm = new ResultGridViewModel(index, columns, window);
        ResultFeed f = new ResultFeed(window, holdLimit, fx, () -> vm.accept(vm.feed().drain()));
        vm.attach(f);
        feed = f;
        model = vm;
        // posted before any drain of its rows: the grid exists when they arrive
        fx.execute(() -> safely(() -> listener.resultStarted(vm)));
    }

    @Override
    public boolean rows(List<String[]> rows) throws InterruptedException {
        if (feed == null) {
            throw new IllegalStateException("rows before columns");
        }
        return feed.offer(rows);
    }

    @Override
    public void resultEnded(long rows, boolean complete) {
        ResultGridViewModel vm = model;
        feed.end(() -> vm.ended(rows, complete));
        feed = null;
        model = null;
    }

    @Override
    public void updated(int index, String command, long count) {
        fx.execute(() -> safely(() -> listener.updated(index, command, count)));
    }

    @Override
    public void notice(QueryNotice notice) {
        fx.execute(() -> safely(() -> listener.notice(notice)));
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("query result listener failed: {}", e.toString(), e);
        }
    }
}
