package dev.pgpulse.ui.server;

import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.collections.transformation.SortedList;
import javafx.css.PseudoClass;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableRow;
import javafx.scene.control.TreeTableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The Server tab's view: filters and the signal buttons on top, the activity table, the blocking tree below it,
 * the reading's status and the last outcome at the bottom. It binds to {@link ServerViewModel} and nothing else.
 */
public final class ServerView extends BorderPane {
    private static final PseudoClass LONG_RUNNING = PseudoClass.getPseudoClass("long-running");
    private static final PseudoClass IDLE_TOO_LONG = PseudoClass.getPseudoClass("idle-too-long");
    private static final PseudoClass OWN = PseudoClass.getPseudoClass("own");
    private static final PseudoClass BLOCKED = PseudoClass.getPseudoClass("blocked");
    private static final PseudoClass ROOT = PseudoClass.getPseudoClass("root-blocker");
    private static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");

    private final ServerViewModel vm;
    private final TableView<SessionRow> table = new TableView<>();
    private final TreeTableView<SessionRow> tree = new TreeTableView<>();
    /** Set while one pane clears the other's selection: the selection is the other pane's. */
    private boolean clearing;
    /** Whether the DBA's selection is in the tree (else in the table). */
    private boolean treeChosen;

    public ServerView(ServerViewModel vm) {
        this.vm = vm;
        getStyleClass().add("server-view");
        BorderPane activity = new BorderPane();
        activity.setTop(toolbar());
        activity.setCenter(panes());
        activity.setBottom(statusBar());
        javafx.scene.control.TabPane sections = new javafx.scene.control.TabPane();
        sections.setId("server-sections");
        sections.setTabClosingPolicy(javafx.scene.control.TabPane.TabClosingPolicy.UNAVAILABLE);
        for (ServerViewModel.Section s : ServerViewModel.Section.values()) {
            javafx.scene.control.Tab t = new javafx.scene.control.Tab(s.title());
            t.setId("server-section-" + s.name().toLowerCase(java.util.Locale.ROOT));
            t.setUserData(s);
            t.setContent(s == ServerViewModel.Section.ACTIVITY ? activity : readouts(s));
            sections.getTabs().add(t);
        }
        sections.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (now != null) {
                vm.show((ServerViewModel.Section) now.getUserData());
            }
        });
        setCenter(sections);
    }

    private javafx.scene.Node readouts(ServerViewModel.Section s) {
        Button refresh = new Button("Refresh");
        refresh.setId("server-refresh-" + s.name().toLowerCase(java.util.Locale.ROOT));
        refresh.setOnAction(e -> vm.refresh());
        HBox bar = new HBox(8, refresh);
        bar.getStyleClass().add("server-toolbar");
        List<javafx.scene.Node> views = new ArrayList<>();
        for (var k : s.kinds()) {
            views.add(new ReadoutView(vm.readout(k)));
        }
        javafx.scene.Node body;
        if (views.size() == 1) {
            body = views.getFirst();
        } else {
            SplitPane split = new SplitPane(views.toArray(javafx.scene.Node[]::new));
            split.setOrientation(Orientation.VERTICAL);
            body = split;
        }
        BorderPane pane = new BorderPane(body);
        pane.setTop(bar);
        return pane;
    }

    private HBox toolbar() {
        CheckBox hideIdle = new CheckBox("Hide idle");
        hideIdle.setId("server-hide-idle");
        hideIdle.selectedProperty().bindBidirectional(vm.hideIdleProperty());
        CheckBox background = new CheckBox("Background processes");
        background.setId("server-background");
        background.selectedProperty().bindBidirectional(vm.backgroundProperty());
        Label minLabel = new Label("Running at least");
        TextField min = new TextField();
        min.setId("server-min-duration");
        min.setPromptText("seconds");
        min.setPrefColumnCount(5);
        min.textProperty().bindBidirectional(vm.minDurationProperty());
        TextField text = new TextField();
        text.setId("server-filter");
        text.setPromptText("user, database, application, client");
        text.setPrefColumnCount(20);
        text.textProperty().bindBidirectional(vm.textProperty());
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        Button cancel = new Button("Cancel query");
        cancel.setId("server-cancel");
        cancel.setTooltip(new Tooltip("pg_cancel_backend on the selected sessions (asks first)"));
        cancel.disableProperty().bind(vm.nothingSelectedProperty().or(vm.signallingProperty()));
        cancel.setOnAction(e -> vm.cancelSelected());
        Button terminate = new Button("Terminate backend");
        terminate.setId("server-terminate");
        terminate.getStyleClass().add("danger");
        terminate.setTooltip(new Tooltip("pg_terminate_backend on the selected sessions (asks first)"));
        terminate.disableProperty().bind(vm.nothingSelectedProperty().or(vm.signallingProperty()));
        terminate.setOnAction(e -> vm.terminateSelected());
        CheckBox own = new CheckBox("Include PgPulse's own sessions");
        own.setId("server-include-own");
        own.selectedProperty().bindBidirectional(vm.includeOwnProperty());
        HBox bar = new HBox(8, hideIdle, background, minLabel, min, text, gap, own, cancel, terminate);
        bar.getStyleClass().add("server-toolbar");
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return bar;
    }

    private SplitPane panes() {
        table.setId("server-activity");
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setPlaceholder(new Label("No session matches the filters"));
        SortedList<SessionRow> sorted = new SortedList<>(vm.rows());
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        TableColumn<SessionRow, String> query = column("Query", SessionRow::query, 300);
        table.getColumns().setAll(List.<TableColumn<SessionRow, ?>>of(
                column("PID", SessionRow::pid, 60),
                column("User", SessionRow::user, 80),
                column("Database", SessionRow::database, 80),
                column("Application", SessionRow::application, 122),
                column("Client", SessionRow::client, 80),
                column("Backend", SessionRow::backendType, 95),
                column("State", SessionRow::state, 115),
                column("Wait event", SessionRow::waitEvent, 125),
                column("Xact start", SessionRow::xactStart, 75),
                column("Query start", SessionRow::queryStart, 82),
                column("Duration", SessionRow::duration, 68),
                column("Blocked by", SessionRow::blockedBy, 86),
                query));
        fill(table.widthProperty(), query, table.getColumns());
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(SessionRow row, boolean empty) {
                super.updateItem(row, empty);
                emphasis(this, empty ? null : row);
            }
        });
        table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<SessionRow>) c -> {
            if (!vm.refreshingProperty().get() && !clearing) {
                vm.select(table.getSelectionModel().getSelectedItems().stream().filter(Objects::nonNull)
                        .map(SessionRow::pid).toList());
                if (!table.getSelectionModel().isEmpty()) {
                    treeChosen = false;
                    clearing = true;
                    tree.getSelectionModel().clearSelection();
                    clearing = false;
                }
            }
        });

        tree.setId("server-blocking");
        tree.setShowRoot(false);
        tree.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        tree.setPlaceholder(new Label("No session waits for another"));
        tree.rootProperty().bind(vm.treeProperty());
        TreeTableColumn<SessionRow, String> treeQuery = treeColumn("Query", SessionRow::query, 300);
        tree.getColumns().setAll(List.<TreeTableColumn<SessionRow, ?>>of(
                treeColumn("PID", SessionRow::pidText, 175),
                treeColumn("State", SessionRow::state, 150),
                treeColumn("Waits for", SessionRow::lock, 280),
                treeColumn("Waiting", SessionRow::lockWait, 70),
                treeColumn("Duration", SessionRow::duration, 70),
                treeColumn("User", SessionRow::user, 80),
                treeColumn("Application", SessionRow::application, 120),
                treeQuery));
        fill(tree.widthProperty(), treeQuery, tree.getColumns());
        tree.setRowFactory(t -> new TreeTableRow<>() {
            @Override
            protected void updateItem(SessionRow row, boolean empty) {
                super.updateItem(row, empty);
                emphasis(this, empty ? null : row);
                pseudoClassStateChanged(ROOT, !empty && row != null && row.root());
            }
        });
        tree.getSelectionModel().getSelectedItems().addListener((ListChangeListener<TreeItem<SessionRow>>) c -> {
            if (!vm.refreshingProperty().get() && !clearing) {
                vm.select(tree.getSelectionModel().getSelectedItems().stream().filter(Objects::nonNull)
                        .map(TreeItem::getValue).filter(Objects::nonNull).map(SessionRow::pid).distinct().toList());
                if (!tree.getSelectionModel().isEmpty()) {
                    treeChosen = true;
                    clearing = true;
                    table.getSelectionModel().clearSelection();
                    clearing = false;
                }
            }
        });
        // a new reading replaces the rows: select again what the DBA had selected
        vm.refreshingProperty().addListener((o, was, now) -> {
            if (!now) {
                reselect();
            }
        });

        Label activity = new Label("Activity");
        activity.getStyleClass().add("section-title");
        Label blocking = new Label("Blocking tree");
        blocking.getStyleClass().add("section-title");
        Label treeStatus = new Label();
        treeStatus.setId("server-tree-status");
        treeStatus.textProperty().bind(vm.treeStatusProperty());
        Label legend = new Label(vm.legend());
        legend.getStyleClass().add("server-legend");
        HBox activityHead = new HBox(12, activity, legend);
        activityHead.setAlignment(javafx.geometry.Pos.BASELINE_LEFT);
        HBox blockingHead = new HBox(12, blocking, treeStatus);
        blockingHead.setAlignment(javafx.geometry.Pos.BASELINE_LEFT);
        VBox top = new VBox(4, activityHead, table);
        VBox.setVgrow(table, Priority.ALWAYS);
        VBox bottom = new VBox(4, blockingHead, tree);
        VBox.setVgrow(tree, Priority.ALWAYS);
        SplitPane split = new SplitPane(top, bottom);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.62);
        return split;
    }

    private void reselect() {
        Set<Integer> pids = vm.selected();
        if (pids.isEmpty()) {
            return;
        }
        clearing = true;
        try {
            reselect(pids);
        } finally {
            clearing = false;
        }
    }

    private void reselect(Set<Integer> pids) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < table.getItems().size(); i++) {
            if (pids.contains(table.getItems().get(i).pid())) {
                indices.add(i);
            }
        }
        if (!treeChosen) {
            selectIndices(indices);
            return;
        }
        for (int i = 0; i < tree.getExpandedItemCount(); i++) {
            TreeItem<SessionRow> item = tree.getTreeItem(i);
            if (item != null && item.getValue() != null && pids.contains(item.getValue().pid())) {
                tree.getSelectionModel().select(i);
            }
        }
    }

    private void selectIndices(List<Integer> indices) {
        if (!indices.isEmpty()) {
            int[] rest = indices.stream().skip(1).mapToInt(Integer::intValue).toArray();
            table.getSelectionModel().selectIndices(indices.getFirst(), rest);
        }
    }

    /** The last column (the query) takes what the others leave, at least its own width. */
    private static void fill(javafx.beans.value.ObservableDoubleValue width, javafx.scene.control.TableColumnBase<?, ?> last,
                             List<? extends javafx.scene.control.TableColumnBase<?, ?>> all) {
        double others = all.stream().filter(c -> c != last).mapToDouble(javafx.scene.control.TableColumnBase::getPrefWidth)
                .sum();
        double min = last.getPrefWidth();
        last.prefWidthProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(
                () -> Math.max(min, width.get() - others - 24), width));
    }

    private static void emphasis(javafx.scene.Node row, SessionRow r) {
        row.pseudoClassStateChanged(LONG_RUNNING, r != null && r.longRunning());
        row.pseudoClassStateChanged(IDLE_TOO_LONG, r != null && r.idleTooLong());
        row.pseudoClassStateChanged(OWN, r != null && r.own());
        row.pseudoClassStateChanged(BLOCKED, r != null && r.blocked());
    }

    private static <T> TableColumn<SessionRow, T> column(String title, Function<SessionRow, T> value, double width) {
        TableColumn<SessionRow, T> c = new TableColumn<>(title);
        c.setCellValueFactory(f -> new ReadOnlyObjectWrapper<>(value.apply(f.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    private static <T> TreeTableColumn<SessionRow, T> treeColumn(String title, Function<SessionRow, T> value,
                                                                 double width) {
        TreeTableColumn<SessionRow, T> c = new TreeTableColumn<>(title);
        c.setCellValueFactory(f -> new ReadOnlyObjectWrapper<>(f.getValue().getValue() == null ? null
                : value.apply(f.getValue().getValue())));
        c.setPrefWidth(width);
        c.setSortable(false);
        return c;
    }

    private VBox statusBar() {
        Label status = new Label();
        status.setId("server-status");
        status.textProperty().bind(vm.statusProperty());
        vm.failedProperty().addListener((o, was, now) -> status.pseudoClassStateChanged(ERROR, now));
        status.pseudoClassStateChanged(ERROR, vm.failedProperty().get());
        Label outcome = new Label();
        outcome.setId("server-outcome");
        outcome.setWrapText(true);
        outcome.textProperty().bind(vm.outcomeProperty());
        VBox box = new VBox(2, status, outcome);
        box.getStyleClass().add("server-status");
        return box;
    }

    public TableView<SessionRow> table() {
        return table;
    }

    public TreeTableView<SessionRow> tree() {
        return tree;
    }
}
