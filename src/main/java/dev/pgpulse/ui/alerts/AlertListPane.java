package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.alert.AlertKey;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ObservableList;
import javafx.css.PseudoClass;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

import java.util.List;
import java.util.function.Function;

/**
 * The alerts now and their history, as three tabs (Now, History, Silences) under a bar with the webhook's test and
 * the Prometheus export. A row of Now is coloured by its severity and greyed while silenced (console.css, through
 * pseudo-classes); its buttons acknowledge it, silence it (the inline form below the table) or end its silence.
 */
final class AlertListPane extends VBox {
    private static final PseudoClass SILENCED = PseudoClass.getPseudoClass("silenced");
    private static final PseudoClass ACKNOWLEDGED = PseudoClass.getPseudoClass("acknowledged");
    private static final PseudoClass FIRING = PseudoClass.getPseudoClass("firing");
    private static final List<PseudoClass> SEVERITIES = List.of(PseudoClass.getPseudoClass("critical"),
            PseudoClass.getPseudoClass("warning"), PseudoClass.getPseudoClass("info"));

    private final AlertListViewModel vm;
    private ExportFileChooser exportChooser = ExportFileChooser.dialog();

    AlertListPane(AlertListViewModel vm) {
        this.vm = vm;
        getStyleClass().add("alert-list-pane");
        setSpacing(4);
        setPadding(new Insets(6, 8, 4, 8));
        TabPane tabs = new TabPane(tab("alerts-now-tab", vm.nowTitleProperty(), nowBox()),
                tab("alerts-history-tab", vm.historyTitleProperty(), historyBox()),
                tab("alerts-silences-tab", vm.silencesTitleProperty(), silencesTable()));
        tabs.setId("alert-list-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        VBox.setVgrow(tabs, Priority.ALWAYS);
        getChildren().addAll(bar(), tabs);
    }

    /** Where the export button asks for the file: the save dialog unless a test answers itself. */
    void setExportChooser(ExportFileChooser chooser) {
        exportChooser = java.util.Objects.requireNonNull(chooser, "chooser");
    }

    private static Tab tab(String id, javafx.beans.value.ObservableValue<String> title, javafx.scene.Node content) {
        Tab t = new Tab();
        t.setId(id);
        t.textProperty().bind(title);
        t.setContent(content);
        return t;
    }

    /** The status of the last action, the webhook's test and the export. */
    private HBox bar() {
        Label status = label("alerts-status", vm.statusProperty());
        status.getStyleClass().add("note");
        status.setMinWidth(80);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Label hook = label("webhook", vm.webhookTextProperty());
        hook.getStyleClass().add("note");
        Button test = new Button("Send test alert");
        test.setId("send-test-alert");
        test.disableProperty().bind(vm.webhookAvailableProperty().not().or(vm.testingProperty()));
        Tooltip tip = new Tooltip();
        tip.textProperty().bind(vm.webhookTipProperty());
        tip.setWrapText(true);
        tip.setMaxWidth(420);
        test.setTooltip(tip);
        // a disabled button shows no tooltip: the reason also sits on the label beside it
        hook.setTooltip(tip);
        test.setOnAction(e -> vm.sendTestAlert());
        Label tested = label("webhook-test-result", vm.testResultProperty());
        Button export = new Button("Export to Prometheus…");
        export.setId("export-prometheus");
        export.setTooltip(new Tooltip("Writes the rules in force as a Prometheus alerting rules file over the agent's "
                + "/metrics names"));
        export.setOnAction(e -> exportChooser.choose(getScene() == null ? null : getScene().getWindow())
                .ifPresent(vm::exportPrometheus));
        Label exported = label("export-result", vm.exportResultProperty());
        for (Region r : List.of(hook, test, export)) {
            r.setMinWidth(Region.USE_PREF_SIZE);
        }
        // the answers may be long (a path, a refusal naming it, a webhook's reply): cut to the room left, whole on
        // hover, rather than pushing the bar, and the buttons' labels, past the window's edge
        for (Label l : List.of(tested, exported)) {
            Tooltip whole = new Tooltip();
            whole.textProperty().bind(l.textProperty());
            whole.setWrapText(true);
            whole.setMaxWidth(600);
            l.tooltipProperty().bind(javafx.beans.binding.Bindings.when(l.textProperty().isEmpty())
                    .then((Tooltip) null).otherwise(whole));
        }
        HBox bar = new HBox(8, status, spacer, hook, test, tested, export, exported);
        bar.setAlignment(Pos.CENTER_LEFT);
        return bar;
    }

    private VBox nowBox() {
        TableView<AlertListViewModel.NowRow> t = table(vm.now(), "alerts-now", "No alert is pending or firing");
        t.getColumns().addAll(List.of(severityColumn(AlertListViewModel.NowRow::severityText),
                column("Rule", 235, AlertListViewModel.NowRow::rule),
                column("Subject", 230, AlertListViewModel.NowRow::subject),
                column("State", 62, AlertListViewModel.NowRow::state),
                column("Value", 110, AlertListViewModel.NowRow::value),
                column("Since", 140, AlertListViewModel.NowRow::since),
                column("Ack / silence", 220, AlertListViewModel.NowRow::marks), actionsColumn()));
        tellPicks(t, AlertListViewModel.NowRow::key);
        t.setRowFactory(tv -> new TableRow<>() {
            {
                setOnMouseClicked(e -> pick(this, AlertListViewModel.NowRow::key));
            }

            @Override
            protected void updateItem(AlertListViewModel.NowRow r, boolean empty) {
                super.updateItem(r, empty);
                pseudoClassStateChanged(SILENCED, !empty && r != null && r.silenced());
                pseudoClassStateChanged(ACKNOWLEDGED, !empty && r != null && r.isAcknowledged());
                pseudoClassStateChanged(FIRING, !empty && r != null && r.firing());
            }
        });
        SilenceForm form = new SilenceForm(vm.silenceForm());
        VBox box = new VBox(4, t, form);
        VBox.setVgrow(t, Priority.ALWAYS);
        box.setPadding(new Insets(4, 0, 0, 0));
        return box;
    }

    private TableColumn<AlertListViewModel.NowRow, AlertListViewModel.NowRow> actionsColumn() {
        TableColumn<AlertListViewModel.NowRow, AlertListViewModel.NowRow> c = new TableColumn<>("");
        c.setPrefWidth(160);
        c.setSortable(false);
        c.setCellValueFactory(cd -> new javafx.beans.property.ReadOnlyObjectWrapper<>(cd.getValue()));
        c.setCellFactory(col -> new TableCell<>() {
            private final Button ack = small("Acknowledge", "alert-ack");
            private final Button silence = small("Silence…", "alert-silence");
            private final Button expire = small("Expire silence", "alert-expire");
            private final HBox buttons = new HBox(4, ack, silence, expire);

            {
                ack.setOnAction(e -> vm.acknowledge(getItem()));
                silence.setOnAction(e -> vm.silence(getItem()));
                expire.setOnAction(e -> vm.expireSilence(getItem() == null ? null : getItem().silenceId()));
                buttons.setAlignment(Pos.CENTER_LEFT);
            }

            @Override
            protected void updateItem(AlertListViewModel.NowRow r, boolean empty) {
                super.updateItem(r, empty);
                if (empty || r == null) {
                    setGraphic(null);
                    return;
                }
                show(ack, r.canAcknowledge());
                show(silence, !r.silenced());
                show(expire, r.silenced());
                for (Button b : List.of(ack, silence, expire)) {
                    b.setUserData(r.key());
                }
                setGraphic(buttons);
            }
        });
        return c;
    }

    private static void show(Button b, boolean on) {
        b.setVisible(on);
        b.setManaged(on);
    }

    private static Button small(String text, String styleClass) {
        Button b = new Button(text);
        b.getStyleClass().addAll("small", styleClass);
        b.setMinWidth(Region.USE_PREF_SIZE);
        return b;
    }

    private VBox historyBox() {
        ChoiceBox<String> severity = new ChoiceBox<>();
        severity.setId("history-severity");
        severity.getItems().setAll(vm.severityChoices());
        severity.setValue(vm.initialSeverity());
        severity.valueProperty().addListener((o, a, v) -> vm.filterSeverity(v));
        ChoiceBox<String> rule = new ChoiceBox<>(vm.ruleChoices());
        rule.setId("history-rule");
        rule.setValue(AlertListViewModel.ALL_RULES);
        String[] chosen = {AlertListViewModel.ALL_RULES};
        rule.valueProperty().addListener((o, a, v) -> {
            if (v != null) {
                chosen[0] = v;
                vm.filterRule(v);
            }
        });
        // the choices change as rules come and go, which clears a ChoiceBox: keep the choice, or all rules if it went
        rule.getItems().addListener((javafx.collections.ListChangeListener<String>) c -> rule.setValue(
                rule.getItems().contains(chosen[0]) ? chosen[0] : AlertListViewModel.ALL_RULES));
        ChoiceBox<AlertListViewModel.Window> window = new ChoiceBox<>();
        window.setId("history-window");
        window.getItems().setAll(AlertListViewModel.Window.values());
        window.setConverter(new StringConverter<>() {
            @Override
            public String toString(AlertListViewModel.Window w) {
                return w == null ? "" : w.label();
            }

            @Override
            public AlertListViewModel.Window fromString(String s) {
                throw new UnsupportedOperationException();
            }
        });
        window.setValue(vm.initialWindow());
        window.valueProperty().addListener((o, a, v) -> vm.filterWindow(v));
        HBox filters = new HBox(8, new Label("Show"), severity, rule, window);
        filters.setAlignment(Pos.CENTER_LEFT);
        filters.setId("history-filters");
        TableView<AlertListViewModel.HistoryRow> t = table(vm.history(), "alerts-history",
                "No alert fired in this time (try a longer one)");
        t.getColumns().addAll(List.of(column("Time", 80, AlertListViewModel.HistoryRow::time),
                severityColumn(AlertListViewModel.HistoryRow::severityText),
                column("Rule", 220, AlertListViewModel.HistoryRow::rule),
                column("Subject", 240, AlertListViewModel.HistoryRow::subject),
                column("What", 90, AlertListViewModel.HistoryRow::what),
                column("Value", 110, AlertListViewModel.HistoryRow::value),
                column("Message", 330, AlertListViewModel.HistoryRow::message)));
        tellPicks(t, AlertListViewModel.HistoryRow::key);
        t.setRowFactory(tv -> {
            TableRow<AlertListViewModel.HistoryRow> row = new TableRow<>();
            row.setOnMouseClicked(e -> pick(row, AlertListViewModel.HistoryRow::key));
            return row;
        });
        VBox box = new VBox(4, filters, t);
        VBox.setVgrow(t, Priority.ALWAYS);
        box.setPadding(new Insets(4, 0, 0, 0));
        return box;
    }

    private TableView<AlertListViewModel.SilenceRow> silencesTable() {
        TableView<AlertListViewModel.SilenceRow> t = table(vm.silences(), "alerts-silences",
                "No silence: every alert notifies");
        TableColumn<AlertListViewModel.SilenceRow, AlertListViewModel.SilenceRow> expire = new TableColumn<>("");
        expire.setPrefWidth(110);
        expire.setCellValueFactory(cd -> new javafx.beans.property.ReadOnlyObjectWrapper<>(cd.getValue()));
        expire.setCellFactory(col -> new TableCell<>() {
            private final Button b = small("Expire", "silence-expire");

            {
                b.setOnAction(e -> vm.expireSilence(getItem() == null ? null : getItem().id()));
            }

            @Override
            protected void updateItem(AlertListViewModel.SilenceRow r, boolean empty) {
                super.updateItem(r, empty);
                setGraphic(empty || r == null ? null : b);
            }
        });
        t.getColumns().addAll(List.of(column("Rule", 240, AlertListViewModel.SilenceRow::rule),
                column("Subject", 260, AlertListViewModel.SilenceRow::subject),
                column("Until", 190, AlertListViewModel.SilenceRow::until),
                column("Comment", 300, AlertListViewModel.SilenceRow::comment), expire));
        return t;
    }

    /**
     * A new alert selected in the table (a click, the arrow keys) is a pick the view model hears. The polls replace
     * the rows ("for 3 min 5 s"), which clears a table's selection: the alert selected is selected again (the same
     * row, else its alert's), and that is no pick, so the rule chosen below meanwhile stays.
     */
    private <R> void tellPicks(TableView<R> t, Function<R, AlertKey> key) {
        List<R> held = new java.util.ArrayList<>(1); // the row selected last, kept across polls
        boolean[] restoring = {false};
        t.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (restoring[0] || now == null) {
                return;
            }
            boolean newAlert = held.isEmpty() || !key.apply(held.getFirst()).equals(key.apply(now));
            held.clear();
            held.add(now);
            if (newAlert) {
                vm.select(key.apply(now));
            }
        });
        t.getItems().addListener((javafx.collections.ListChangeListener<R>) c -> {
            if (held.isEmpty() || t.getSelectionModel().getSelectedItem() != null) {
                return;
            }
            R last = held.getFirst();
            int i = t.getItems().indexOf(last);
            for (int j = 0; i < 0 && j < t.getItems().size(); j++) {
                if (key.apply(t.getItems().get(j)).equals(key.apply(last))) {
                    i = j;
                }
            }
            if (i >= 0) {
                restoring[0] = true;
                try {
                    t.getSelectionModel().select(i);
                    held.set(0, t.getItems().get(i));
                } finally {
                    restoring[0] = false;
                }
            }
        });
    }

    /** A click on a row picks its alert again, even the one selected already (its rule back after another below). */
    private <R> void pick(TableRow<R> row, Function<R, AlertKey> key) {
        if (!row.isEmpty() && row.getItem() != null) {
            vm.select(key.apply(row.getItem()));
        }
    }

    private static <R> TableView<R> table(ObservableList<R> items, String id, String empty) {
        TableView<R> t = new TableView<>(items);
        t.setId(id);
        t.setPlaceholder(new Label(empty));
        t.setFixedCellSize(28);
        t.setMinHeight(110);
        t.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        return t;
    }

    /** A text column whose cells show their whole text on hover (a message, a long rule name). */
    private static <R> TableColumn<R, String> column(String name, double width, Function<R, String> cell) {
        TableColumn<R, String> col = new TableColumn<>(name);
        col.setCellValueFactory(cd -> new ReadOnlyStringWrapper(cell.apply(cd.getValue())));
        col.setPrefWidth(width);
        col.setCellFactory(c -> new TableCell<>() {
            // the cell's own, its text set in place: the Now rows change every poll, and a new Tooltip per cell per
            // poll is a popup control made (and installed) for nothing
            private final Tooltip tip = new Tooltip();

            @Override
            protected void updateItem(String s, boolean empty) {
                super.updateItem(s, empty);
                setText(empty ? null : s);
                shownWhole(this, tip, empty ? null : s);
            }
        });
        return col;
    }

    /** The whole text on hover, in the cell's one tooltip; none for an empty cell. */
    static void shownWhole(javafx.scene.control.Control cell, Tooltip tip, String text) {
        if (text == null || text.isEmpty()) {
            cell.setTooltip(null);
            return;
        }
        tip.setText(text);
        cell.setTooltip(tip);
    }

    /** The severity's word, coloured by console.css through :critical, :warning or :info. */
    private static <R> TableColumn<R, String> severityColumn(Function<R, String> text) {
        TableColumn<R, String> col = column("Severity", 62, text);
        col.setCellFactory(c -> new TableCell<>() {
            {
                getStyleClass().add("severity-cell");
            }

            @Override
            protected void updateItem(String s, boolean empty) {
                super.updateItem(s, empty);
                setText(empty ? null : s);
                setTooltip(null);
                for (PseudoClass p : SEVERITIES) {
                    pseudoClassStateChanged(p, !empty && s != null && p.getPseudoClassName().equals(s));
                }
            }
        });
        return col;
    }

    private static Label label(String id, javafx.beans.value.ObservableValue<String> text) {
        Label l = new Label();
        l.setId(id);
        l.textProperty().bind(text);
        return l;
    }
}
