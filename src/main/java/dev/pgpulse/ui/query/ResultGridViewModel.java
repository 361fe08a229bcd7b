package dev.pgpulse.ui.query;

import dev.pgpulse.query.QueryColumn;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.List;
import java.util.Locale;

/**
 * One result set as the grid shows it: a bounded window of its rows, fed by {@link FxResultSink} on the FX
 * thread. At most {@link #window()} rows are held; rows beyond them are read from the server only when the user
 * scrolls near the end ({@link #rowShown}), and then the oldest rows are let go. The row count grows live; the
 * status line says which rows are held and, at the end, the total. FX thread only.
 */
public final class ResultGridViewModel {
    private final int index;
    private final List<QueryColumn> columns;
    private final int window;
    private final int page;
    private final ObservableList<String[]> rows = FXCollections.observableArrayList();
    private final ObservableList<String[]> readOnlyRows = FXCollections.unmodifiableObservableList(rows);
    private final ReadOnlyLongWrapper read = new ReadOnlyLongWrapper(this, "read");
    private final ReadOnlyLongWrapper dropped = new ReadOnlyLongWrapper(this, "dropped");
    private final ReadOnlyBooleanWrapper ended = new ReadOnlyBooleanWrapper(this, "ended");
    private final ReadOnlyBooleanWrapper complete = new ReadOnlyBooleanWrapper(this, "complete");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "running…");
    private ResultFeed feed;

    ResultGridViewModel(int index, List<QueryColumn> columns, int window) {
        this.index = index;
        this.columns = List.copyOf(columns);
        this.window = window;
        // Half a window a demand: the rows the user is looking at stay held while the next ones arrive.
        this.page = Math.max(1, window / 2);
    }

    void attach(ResultFeed f) {
        this.feed = f;
    }

    ResultFeed feed() {
        return feed;
    }

    /** The statement of the run (0-based) this result belongs to. */
    public int index() {
        return index;
    }

    public List<QueryColumn> columns() {
        return columns;
    }

    /** The rows held now, oldest first; the first is row {@link #rowNumber rowNumber(0)} of the result. */
    public ObservableList<String[]> rows() {
        return readOnlyRows;
    }

    /** The most rows held at once. */
    public int window() {
        return window;
    }

    /** The 1-based number in the whole result of held row {@code i}. */
    public long rowNumber(int i) {
        return dropped.get() + i + 1;
    }

    /** Rows read from the server so far. */
    public ReadOnlyLongProperty readProperty() {
        return read.getReadOnlyProperty();
    }

    /** Rows let go from the top of the window. */
    public ReadOnlyLongProperty droppedProperty() {
        return dropped.getReadOnlyProperty();
    }

    /** The result ended (complete, cancelled, or stopped). */
    public ReadOnlyBooleanProperty endedProperty() {
        return ended.getReadOnlyProperty();
    }

    /** Every row of the result was read. */
    public ReadOnlyBooleanProperty completeProperty() {
        return complete.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The view shows held row {@code i}: near the end of the held rows, the next ones are asked for. */
    public void rowShown(int i) {
        if (!ended.get() && i >= rows.size() - Math.max(1, page / 4)) {
            requestMore();
        }
    }

    /** Lets the runner read the next page from the server. */
    public void requestMore() {
        if (feed != null && !ended.get()) {
            feed.demand(read.get() + page);
            updateStatus();
        }
    }

    /** The view is gone: the runner stops reading this result (the rest of the run goes on). */
    public void close() {
        if (feed != null) {
            feed.stop();
        }
    }

    /** Whether the runner waits for the user to scroll (it holds the server's cursor back). */
    public boolean holdingCursor() {
        return feed != null && feed.waiting();
    }

    void accept(List<List<String[]>> batches) {
        if (batches.isEmpty()) {
            return;
        }
        long n = 0;
        for (List<String[]> b : batches) {
            rows.addAll(b);
            n += b.size();
        }
        int excess = rows.size() - window;
        if (excess > 0) {
            rows.remove(0, excess);
            dropped.set(dropped.get() + excess);
        }
        read.set(read.get() + n);
        updateStatus();
    }

    void ended(long total, boolean allRead) {
        read.set(Math.max(read.get(), total));
        complete.set(allRead);
        ended.set(true);
        updateStatus();
    }

    private void updateStatus() {
        status.set(statusText());
    }

    private String statusText() {
        long r = read.get();
        long first = dropped.get() + 1;
        long last = dropped.get() + rows.size();
        String held = "rows " + count(first) + "–" + count(last);
        if (ended.get()) {
            String total = complete.get() ? count(r) + (r == 1 ? " row" : " rows")
                    : "stopped after " + count(r) + " rows: the rest was not fetched"
                    + (feed != null && feed.heldTooLong() ? " (cursor let go: nobody scrolled for a while)" : "");
            return dropped.get() == 0 ? total
                    : total + "; " + held + " held (earlier rows let go to bound memory; run again to see them)";
        }
        if (feed != null && r >= feed.wanted()) {
            return held + " of " + count(r) + "+ loaded; scroll on for more";
        }
        return count(r) + " rows so far…";
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
