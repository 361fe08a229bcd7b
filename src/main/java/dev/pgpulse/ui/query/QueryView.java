package dev.pgpulse.ui.query;

import dev.pgpulse.query.QueryColumn;
import dev.pgpulse.query.QueryHistory;
import dev.pgpulse.query.QueryRequest;
import dev.pgpulse.query.QuerySink;
import dev.pgpulse.query.SqlStatement;
import javafx.beans.binding.Bindings;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Separator;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

import java.time.Duration;
import java.util.List;

/**
 * The Query tab's view: a toolbar (target, statement timeout, run, script, explain, cancel, the production
 * read-write switch), the red banner while writes are on, the editor above and the results below (a tab per result
 * set or plan, the messages, the history). It binds to {@link QueryViewModel} and builds the grids.
 */
public final class QueryView extends BorderPane implements QueryViewModel.Results {
    static final List<Duration> TIMEOUTS = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1));

    private static final java.time.format.DateTimeFormatter HISTORY_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm").withZone(java.time.ZoneId.systemDefault());

    private final QueryViewModel vm;
    private final SqlEditor editor = new SqlEditor();
    private final TabPane results = new TabPane();
    private final Tab messagesTab = new Tab("Messages");
    private final Tab historyTab = new Tab("History");
    private final ListView<QueryViewModel.Message> messages = new ListView<>();
    private final ListView<QueryHistory.Entry> history = new ListView<>();
    private FxResultSink sink;
    private final java.util.List<ResultGridViewModel> grids = new java.util.ArrayList<>();
    private CsvFileChooser exportChooser = CsvFileChooser.dialog();
    private int resultCount;

    public QueryView(QueryViewModel vm) {
        this.vm = vm;
        getStyleClass().add("query-view");
        vm.setResults(this);

        ChoiceBox<String> target = new ChoiceBox<>(vm.targets());
        target.setId("query-target");
        target.valueProperty().bindBidirectional(vm.targetProperty());
        target.setTooltip(new Tooltip("Where the statements run: the primary or a replica"));
        ChoiceBox<Duration> timeout = new ChoiceBox<>();
        timeout.getItems().setAll(TIMEOUTS);
        timeout.setId("query-timeout");
        timeout.setConverter(new StringConverter<>() {
            @Override
            public String toString(Duration d) {
                return d == null || d.isZero() ? "no timeout" : "timeout " + (d.toHours() > 0 ? d.toHours() + " h"
                        : d.toMinutes() > 0 ? d.toMinutes() + " min" : d.toSeconds() + " s");
            }

            @Override
            public Duration fromString(String s) {
                return Duration.ZERO;
            }
        });
        timeout.valueProperty().bindBidirectional(vm.timeoutProperty());
        timeout.setTooltip(new Tooltip("statement_timeout for the run"));

        Button run = button("query-run", "Run", "Run the statement at the caret, or the selection (Ctrl+Enter)",
                () -> vm.run(editor.runStatements(), QueryRequest.Mode.RUN));
        Button script = button("query-run-script", "Run script", "Run every statement (Ctrl+Shift+Enter)",
                () -> vm.run(editor.scriptStatements(), QueryRequest.Mode.RUN));
        Button explain = button("query-explain", "Explain", "The plan of the statement at the caret, not executed",
                () -> vm.run(editor.runStatements(), QueryRequest.Mode.EXPLAIN));
        Button analyze = button("query-explain-analyze", "Explain analyze",
                "EXPLAIN (ANALYZE, BUFFERS): executes the statement and shows the real rows and times",
                () -> vm.run(editor.runStatements(), QueryRequest.Mode.EXPLAIN_ANALYZE));
        Button export = button("query-export", "Export CSV…",
                "Run the statement at the caret again straight into a CSV file (the whole result, streamed)",
                () -> exportChooser.choose(getScene() == null ? null : getScene().getWindow())
                        .ifPresent(f -> vm.exportCsv(editor.runStatements(), f)));
        Button cancel = button("query-cancel", "Cancel", "Cancel the running statement on the server", vm::cancel);
        cancel.getStyleClass().add("query-cancel");
        for (Button b : List.of(run, script, explain, analyze, export)) {
            b.disableProperty().bind(vm.runningProperty());
        }
        cancel.disableProperty().bind(vm.runningProperty().not());

        ToggleButton readWrite = new ToggleButton("Read-write");
        readWrite.setId("query-read-write");
        readWrite.setTooltip(new Tooltip("Production runs read-only; switch to let statements change data"));
        readWrite.setVisible(vm.production());
        readWrite.setManaged(vm.production());
        readWrite.selectedProperty().addListener((o, was, now) -> {
            if (now != vm.readWriteProperty().get()) {
                vm.switchReadWrite(now);
                readWrite.setSelected(vm.readWriteProperty().get());
            }
        });
        vm.readWriteProperty().addListener((o, was, now) -> readWrite.setSelected(now));

        Label elapsed = new Label();
        elapsed.setId("query-elapsed");
        elapsed.textProperty().bind(vm.elapsedProperty());
        elapsed.getStyleClass().add("query-elapsed");
        elapsed.visibleProperty().bind(vm.runningProperty()); // once done, the status says how long it took
        elapsed.managedProperty().bind(vm.runningProperty());
        Label status = new Label();
        status.setId("query-status");
        status.textProperty().bind(vm.statusProperty());
        status.setMinWidth(0);
        status.tooltipProperty().bind(Bindings.createObjectBinding(
                () -> status.getText().isEmpty() ? null : new Tooltip(status.getText()), status.textProperty()));
        HBox.setHgrow(status, Priority.ALWAYS);
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.SOMETIMES);
        ToolBar bar = new ToolBar(target, timeout, new Separator(Orientation.VERTICAL), run, script, explain, analyze,
                export, cancel, readWrite, new Separator(Orientation.VERTICAL), elapsed, status);
        bar.getStyleClass().add("query-toolbar");

        Label banner = new Label();
        banner.setId("query-banner");
        banner.getStyleClass().add("query-banner");
        banner.setMaxWidth(Double.MAX_VALUE);
        banner.textProperty().bind(Bindings.createStringBinding(() -> "READ-WRITE on production "
                + vm.targetProperty().get() + ": statements change data. Switch off, or change the target, to end it.",
                vm.targetProperty()));
        banner.visibleProperty().bind(vm.readWriteProperty());
        banner.managedProperty().bind(vm.readWriteProperty());
        Label readOnly = new Label("production: statements run read-only");
        readOnly.setId("query-read-only");
        readOnly.getStyleClass().add("query-read-only");
        readOnly.visibleProperty().bind(vm.readWriteProperty().not().and(Bindings.createBooleanBinding(vm::production)));
        readOnly.managedProperty().bind(readOnly.visibleProperty());
        setTop(new VBox(bar, banner, readOnly));

        editor.setId("query-editor");
        editor.setOnRun(s -> vm.run(s, QueryRequest.Mode.RUN));
        editor.setOnRunScript(s -> vm.run(s, QueryRequest.Mode.RUN));
        vm.errorProperty().addListener((o, was, now) -> {
            if (now != null && now.position() >= 0) {
                editor.markError(now.position());
            }
        });

        messages.setId("query-messages");
        messages.setItems(vm.messages());
        messages.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(QueryViewModel.Message m, boolean empty) {
                super.updateItem(m, empty);
                getStyleClass().removeAll("message-error", "message-warning", "message-notice", "message-info");
                setText(empty || m == null ? null : m.text());
                if (!empty && m != null) {
                    getStyleClass().add("message-" + m.kind().name().toLowerCase(java.util.Locale.ROOT));
                }
            }
        });
        messages.setPlaceholder(new Label("No messages: counts, notices and errors of a run show here"));
        messagesTab.setContent(messages);
        messagesTab.setClosable(false);
        messagesTab.setId("query-messages-tab");

        history.setId("query-history");
        history.setItems(vm.history());
        history.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(QueryHistory.Entry e, boolean empty) {
                super.updateItem(e, empty);
                setText(empty || e == null ? null : HISTORY_TIME.format(e.ranAt()) + "  " + oneLine(e.statement())
                        + "   — " + e.endpoint() + ", "
                        + e.outcome() + (e.masked() ? " (a secret masked: edit before running again)" : ""));
            }
        });
        history.setPlaceholder(new Label("No statements run yet"));
        history.setOnMouseClicked(e -> {
            QueryHistory.Entry picked = history.getSelectionModel().getSelectedItem();
            if (e.getClickCount() == 2 && picked != null) {
                editor.setText(picked.statement());
            }
        });
        historyTab.setContent(history);
        historyTab.setClosable(false);
        historyTab.setId("query-history-tab");

        results.setId("query-results");
        results.getTabs().setAll(messagesTab, historyTab);
        SplitPane split = new SplitPane(editor, results);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.4);
        setCenter(split);

        vm.runningProperty().addListener((o, was, now) -> {
            if (!now && (resultCount == 0 || vm.errorProperty().get() != null)) {
                results.getSelectionModel().select(messagesTab);
            }
        });
    }

    private static Button button(String id, String text, String tip, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> action.run());
        return b;
    }

    private static String oneLine(String sql) {
        String s = sql.replaceAll("\\s+", " ").trim();
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }

    /** Where "Export CSV…" writes (a test answers instead of the save dialog, which cannot be driven headless). */
    public void setExportChooser(CsvFileChooser chooser) {
        this.exportChooser = chooser;
    }

    public SqlEditor editor() {
        return editor;
    }

    public TabPane results() {
        return results;
    }

    @Override
    public void clear() {
        grids.forEach(ResultGridViewModel::close); // the runner must not wait on a grid no longer shown
        grids.clear();
        results.getTabs().removeIf(t -> t != messagesTab && t != historyTab);
        resultCount = 0;
        sink = new FxResultSink(new FxResultSink.Listener() {
            @Override
            public void resultStarted(ResultGridViewModel result) {
                resultCount++;
                Tab tab = new Tab("Result " + resultCount + (vm.messages().isEmpty() ? "" : ""));
                tab.setText(resultCount == 1 && result.index() == 0 ? "Result" : "Result " + resultCount
                        + " (statement " + (result.index() + 1) + ")");
                tab.getStyleClass().add("query-result-tab");
                ResultGrid grid = new ResultGrid(result);
                tab.setContent(grid);
                tab.setOnClosed(e -> result.close());
                grids.add(result);
                results.getTabs().add(results.getTabs().size() - 2, tab);
                if (resultCount == 1) {
                    results.getSelectionModel().select(tab);
                }
            }
        });
    }

    @Override
    public QuerySink open(int index, SqlStatement statement, List<QueryColumn> columns) {
        return sink;
    }

    @Override
    public void plan(int index, SqlStatement statement, dev.pgpulse.query.ExplainPlan plan, String problem) {
        resultCount++;
        PlanView view = new PlanView();
        if (plan != null) {
            view.show(plan);
        } else {
            view.viewModel().showError(problem);
        }
        Tab tab = new Tab(plan != null && plan.analyzed() ? "Plan (analyzed)" : "Plan");
        tab.getStyleClass().add("query-plan-tab");
        tab.setContent(view);
        results.getTabs().add(results.getTabs().size() - 2, tab);
        results.getSelectionModel().select(tab);
    }

    /** The tab closes: the editor's highlighting thread ends. */
    void close() {
        grids.forEach(ResultGridViewModel::close);
        editor.close();
    }
}
