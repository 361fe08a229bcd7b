package dev.pgpulse.ui.query;

import dev.pgpulse.query.QueryColumn;
import dev.pgpulse.query.QueryError;
import dev.pgpulse.query.QueryHistory;
import dev.pgpulse.query.QueryNotice;
import dev.pgpulse.query.QueryOutcome;
import dev.pgpulse.query.QueryRequest;
import dev.pgpulse.query.QueryRun;
import dev.pgpulse.query.QuerySink;
import dev.pgpulse.query.SqlStatement;
import dev.pgpulse.query.StatementKind;
import dev.pgpulse.ui.shell.Dialogs;
import dev.pgpulse.ui.shell.QueryActions;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.util.Duration;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Query tab's state: the target, the statement timeout, the read-write switch (production only: asked
 * first, ended when the target changes), the run (elapsed ticking, cancel), the messages (notices, counts, errors)
 * and the history. Results go to a {@link Results} the view supplies (a grid per result set, a plan tree); this
 * class never touches a node.
 */
public final class QueryViewModel {
    /** Where a run's result sets and plans go; the view's implementation builds the grids. */
    public interface Results {
        /** A new run begins: the previous run's results go (FX thread). */
        void clear();

        /** A result set of statement {@code index} begins; its rows go to the sink returned (called on the run's thread). */
        QuerySink open(int index, SqlStatement statement, List<QueryColumn> columns);

        /**
         * The plan of statement {@code index}, parsed off the FX thread from what {@code EXPLAIN (FORMAT JSON)}
         * returned; or, when that was not a plan, why (FX thread).
         */
        void plan(int index, SqlStatement statement, dev.pgpulse.query.ExplainPlan plan, String problem);
    }

    /** A line of the messages pane. */
    public record Message(Kind kind, String text) {
        public enum Kind { INFO, NOTICE, WARNING, ERROR }
    }

    private final QueryActions actions;
    private final Dialogs dialogs;
    private final ObservableList<String> targets = FXCollections.observableArrayList();
    private final ObjectProperty<String> target = new SimpleObjectProperty<>(this, "target");
    private final ObjectProperty<java.time.Duration> timeout = new SimpleObjectProperty<>(this, "timeout",
            java.time.Duration.ZERO);
    private final BooleanProperty readWrite = new SimpleBooleanProperty(this, "readWrite");
    private final BooleanProperty running = new SimpleBooleanProperty(this, "running");
    private final StringProperty elapsed = new SimpleStringProperty(this, "elapsed", "");
    private final StringProperty status = new SimpleStringProperty(this, "status", "");
    private final ObjectProperty<QueryError> error = new SimpleObjectProperty<>(this, "error");
    private final ObservableList<Message> messages = FXCollections.observableArrayList();
    private final ObservableList<QueryHistory.Entry> history = FXCollections.observableArrayList();
    private final Timeline ticker;
    private Results results;
    private QueryRun run;
    private long startedNanos;
    /** Rows an export under way has written, or null. */
    private java.util.function.LongSupplier progress;

    public QueryViewModel(QueryActions actions, Dialogs dialogs) {
        this.actions = actions;
        this.dialogs = dialogs;
        targets.setAll(actions.targets());
        target.set(targets.isEmpty() ? null : targets.getFirst());
        target.addListener((o, was, now) -> {
            if (readWrite.get()) {
                readWrite.set(false);
                messages.add(new Message(Message.Kind.INFO, "Read-write ended: the target changed to " + now));
            }
        });
        ticker = new Timeline(new KeyFrame(Duration.millis(100), e -> {
            elapsed.set(seconds(System.nanoTime() - startedNanos));
            java.util.function.LongSupplier rows = progress;
            if (rows != null) {
                status.set(String.format(Locale.ROOT, "Exporting: %,d rows written", rows.getAsLong()));
            }
        }));
        ticker.setCycleCount(Timeline.INDEFINITE);
    }

    public void setResults(Results results) {
        this.results = results;
    }

    /** Reads the history (once, when the tab is first shown). */
    public void loadHistory() {
        actions.history(history::setAll);
    }

    public ObservableList<String> targets() {
        return targets;
    }

    public ObjectProperty<String> targetProperty() {
        return target;
    }

    public ObjectProperty<java.time.Duration> timeoutProperty() {
        return timeout;
    }

    /** Whether runs here are read-only unless switched (a production configuration). */
    public boolean production() {
        return actions.production();
    }

    public ReadOnlyBooleanProperty readWriteProperty() {
        return readWrite;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running;
    }

    public ReadOnlyStringProperty elapsedProperty() {
        return elapsed;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    /** The last run's error, for the editor to mark its position; null after a run without one. */
    public ReadOnlyObjectProperty<QueryError> errorProperty() {
        return error;
    }

    public ObservableList<Message> messages() {
        return messages;
    }

    public ObservableList<QueryHistory.Entry> history() {
        return history;
    }

    /**
     * Switches the tab to read-write (asked first, on production) or back. Off production runs write anyway, so
     * there is nothing to switch.
     */
    public void switchReadWrite(boolean on) {
        if (!on) {
            readWrite.set(false);
            return;
        }
        if (!production() || readWrite.get()) {
            return;
        }
        if (dialogs.confirm(new Dialogs.Confirmation("Allow writes on production " + target.get() + "?",
                "Statements in this tab then run read-write on " + target.get() + ": INSERT, UPDATE, DELETE and DDL "
                        + "take effect. The switch ends when you change the target or switch it off.",
                "Allow writes"))) {
            readWrite.set(true);
            messages.add(new Message(Message.Kind.WARNING, "Read-write on production " + target.get()));
        }
    }

    /** Runs the statements (the editor's Ctrl+Enter, Ctrl+Shift+Enter, or the buttons). */
    public void run(List<SqlStatement> statements, QueryRequest.Mode mode) {
        if (running.get()) {
            return;
        }
        if (statements.isEmpty()) {
            status.set("Nothing to run: no statement at the caret");
            return;
        }
        boolean confirmed = false;
        for (SqlStatement s : statements) {
            boolean analyzes = mode == QueryRequest.Mode.EXPLAIN_ANALYZE || StatementKind.explainAnalyze(s.text());
            if (analyzes && StatementKind.analyzeWrites(s.text())) {
                if (!dialogs.confirm(new Dialogs.Confirmation("EXPLAIN ANALYZE executes the statement",
                        "EXPLAIN ANALYZE runs it for real: this changes data on " + target.get() + ":\n\n"
                                + abbreviate(s.text(), 300), "Execute it"))) {
                    status.set("Not run: EXPLAIN ANALYZE of a write was not confirmed");
                    return;
                }
                confirmed = true;
                break;
            }
        }
        QueryRequest request = new QueryRequest(target.get(), statements, mode, readWrite.get(), confirmed,
                timeout.get(), QueryRequest.DEFAULT_FETCH_SIZE);
        messages.clear();
        error.set(null);
        if (results != null) {
            results.clear();
        }
        running.set(true);
        startedNanos = System.nanoTime();
        elapsed.set(seconds(0));
        ticker.play();
        status.set("Running on " + target.get() + (production() && !readWrite.get() ? " (read-only)" : ""));
        Tracker tracker = new Tracker(request);
        run = actions.run(request, tracker, outcome -> finished(request, tracker, outcome));
    }

    /**
     * Exports the whole result of the statement (at the caret) to a CSV file: run again straight into the file,
     * streamed with progress in the status line, cancelled with Cancel.
     */
    public void exportCsv(List<SqlStatement> statements, java.nio.file.Path file) {
        if (running.get()) {
            return;
        }
        if (statements.isEmpty()) {
            status.set("Nothing to export: no statement at the caret");
            return;
        }
        if (statements.stream().anyMatch(st -> StatementKind.of(st.text()) != StatementKind.READ)) {
            // the export runs the statement again: a DELETE ... RETURNING would delete twice
            status.set("Not exported: the export runs the statement again, so only a read is exported (SELECT, WITH,"
                    + " VALUES, TABLE, SHOW); run a write, then export a SELECT of what it changed");
            return;
        }
        QueryRequest request = new QueryRequest(target.get(), statements, QueryRequest.Mode.RUN, readWrite.get(),
                false, timeout.get(), QueryRequest.DEFAULT_FETCH_SIZE);
        error.set(null);
        running.set(true);
        startedNanos = System.nanoTime();
        status.set("Exporting to " + file.getFileName() + "…");
        QueryActions.Export export = actions.exportCsv(request, file, line -> {
            ticker.stop();
            progress = null;
            run = null;
            status.set(line);
            messages.add(new Message(line.startsWith("Exported") ? Message.Kind.INFO : Message.Kind.ERROR, line));
            running.set(false);
        });
        run = export.run();
        progress = export.rows();
        ticker.play();
    }

    /** Cancels the running statement on the server. */
    public void cancel() {
        QueryRun r = run;
        if (r != null && running.get()) {
            status.set("Cancelling on the server…");
            actions.cancel(r);
        }
    }

    /** The tab closes: a run still going is cancelled. */
    public void close() {
        QueryRun r = run;
        if (r != null) {
            actions.cancel(r);
        }
        ticker.stop();
    }

    private void finished(QueryRequest request, Tracker tracker, QueryOutcome outcome) {
        ticker.stop();
        run = null;
        String took = seconds(outcome.elapsed().toNanos());
        elapsed.set(took);
        int n = request.statements().size();
        switch (outcome) {
            case QueryOutcome.Completed c -> status.set((n == 1 ? "Done" : "Done: " + n + " statements") + " in "
                    + took + " on " + c.endpoint());
            case QueryOutcome.Failed f -> {
                QueryError e = f.error();
                error.set(e);
                status.set(e.line());
                messages.add(new Message(Message.Kind.ERROR, e.line()));
                if (e.detail() != null) {
                    messages.add(new Message(Message.Kind.ERROR, "DETAIL: " + e.detail()));
                }
                if (e.hint() != null) {
                    messages.add(new Message(Message.Kind.ERROR, "HINT: " + e.hint()));
                }
                if (e.where() != null) {
                    messages.add(new Message(Message.Kind.ERROR, "CONTEXT: " + e.where()));
                }
            }
            case QueryOutcome.Cancelled c -> {
                String what = c.statement() < 0 ? "the run" : "statement " + (c.statement() + 1);
                status.set("Cancelled on the server: " + what + " stopped after " + took);
                messages.add(new Message(Message.Kind.WARNING, "Cancelled: " + what + " was cancelled on "
                        + request.target() + (n > c.statement() + 1 ? "; the statements after it did not run" : "")));
            }
            case QueryOutcome.Refused r -> {
                status.set("Not run: " + r.reason());
                messages.add(new Message(Message.Kind.ERROR, "Not run: " + r.reason()));
            }
        }
        running.set(false); // last: whoever listens sees the outcome (the error, the status) already
        for (int i = 0; i < n; i++) {
            QueryHistory.Outcome o = tracker.outcomes.get(i);
            if (o == null && outcome instanceof QueryOutcome.Failed f && f.error().statement() == i) {
                o = QueryHistory.Outcome.failed(f.error().sqlState());
            }
            if (o != null) {
                actions.remember(request.statements().get(i).text(), request.target(), o, outcome.elapsed());
            }
        }
        actions.history(history::setAll);
    }

    /** The run's sink: result sets to {@link Results}, counts and notices to the messages, outcomes for the history. */
    private final class Tracker implements QuerySink {
        private final QueryRequest request;
        final Map<Integer, QueryHistory.Outcome> outcomes = new ConcurrentHashMap<>();
        private QuerySink current;
        private int index;
        private SqlStatement statement;
        private StringBuilder plan;

        Tracker(QueryRequest request) {
            this.request = request;
        }

        @Override
        public void statementStarted(int i, SqlStatement s) {
            index = i;
            statement = s;
            int n = request.statements().size();
            if (n > 1) {
                Platform.runLater(() -> status.set("Running statement " + (i + 1) + " of " + n + " on "
                        + request.target()));
            }
        }

        @Override
        public void columns(int i, List<QueryColumn> columns) {
            boolean explain = request.mode() != QueryRequest.Mode.RUN || isPlan(columns);
            if (explain) {
                plan = new StringBuilder();
                current = null;
            } else {
                plan = null;
                current = results == null ? null : results.open(i, statement, columns);
                if (current != null) {
                    current.columns(i, columns);
                }
            }
        }

        @Override
        public boolean rows(List<String[]> rows) throws InterruptedException {
            if (plan != null) {
                for (String[] r : rows) {
                    plan.append(r[0] == null ? "" : r[0]).append('\n');
                }
                return plan.length() < 64 * 1024 * 1024;
            }
            return current == null || current.rows(rows);
        }

        @Override
        public void resultEnded(long count, boolean complete) {
            outcomes.put(index, QueryHistory.Outcome.rows(count));
            if (plan != null) {
                String json = plan.toString();
                int i = index;
                SqlStatement s = statement;
                plan = null;
                dev.pgpulse.query.ExplainPlan parsed;
                String problem;
                try {
                    parsed = dev.pgpulse.query.ExplainPlan.parse(json);
                    problem = null;
                } catch (dev.pgpulse.query.ExplainPlan.NotAPlanException e) {
                    parsed = null;
                    problem = e.getMessage();
                }
                dev.pgpulse.query.ExplainPlan p = parsed;
                String why = problem;
                Platform.runLater(() -> {
                    if (results != null) {
                        results.plan(i, s, p, why);
                    }
                });
            } else if (current != null) {
                current.resultEnded(count, complete);
            }
        }

        @Override
        public void updated(int i, String command, long count) {
            outcomes.put(i, QueryHistory.Outcome.updated(Math.max(0, count)));
            String line = count < 0 ? command : command + " " + count;
            Platform.runLater(() -> messages.add(new Message(Message.Kind.INFO, line)));
        }

        @Override
        public void notice(QueryNotice n) {
            Message.Kind kind = n.severity().toUpperCase(Locale.ROOT).startsWith("WARN") ? Message.Kind.WARNING
                    : Message.Kind.NOTICE;
            Platform.runLater(() -> messages.add(new Message(kind, n.severity() + ":  " + n.message())));
        }

        /** A typed {@code EXPLAIN (FORMAT JSON) ...} comes back as one json column named QUERY PLAN. */
        private boolean isPlan(List<QueryColumn> columns) {
            return columns.size() == 1 && columns.getFirst().name().equals("QUERY PLAN")
                    && columns.getFirst().json();
        }
    }

    static String seconds(long nanos) {
        double s = nanos / 1e9;
        if (s < 1) {
            return (nanos / 1_000_000) + " ms";
        }
        return s < 10 ? String.format(Locale.ROOT, "%.1f s", s) : s < 3600 ? String.format(Locale.ROOT, "%d:%02d",
                (long) s / 60, (long) s % 60) : String.format(Locale.ROOT, "%d:%02d:%02d", (long) s / 3600,
                (long) s / 60 % 60, (long) s % 60);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
