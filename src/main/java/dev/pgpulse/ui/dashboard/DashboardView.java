package dev.pgpulse.ui.dashboard;

import dev.pgpulse.resilience.Guard;
import dev.pgpulse.ui.shell.ConsoleActions;
import eu.hansolo.tilesfx.Tile;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.animation.AnimationTimer;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The Dashboard tab: a row of tiles per endpoint, the primary server's strip, and two tables (latest slow
 * queries; breaker and retry events). It binds to a {@link DashboardViewModel} and does nothing else.
 */
public final class DashboardView extends ScrollPane {
    private final VBox rows = new VBox(10);
    private final Map<String, EndpointRow> byName = new HashMap<>();
    private final DashboardViewModel vm;
    private final BiConsumer<String, Guard.Drill> drill;

    /** @param actions runs a breaker drill the DBA asked for (after any confirmation the caller wants) */
    public DashboardView(DashboardViewModel vm, ConsoleActions actions) {
        this.vm = vm;
        this.drill = actions::drill;
        setId("dashboard");
        vm.endpoints().addListener((ListChangeListener<EndpointViewModel>) c -> {
            while (c.next()) {
                c.getAddedSubList().forEach(this::addRow);
            }
        });
        vm.endpoints().forEach(this::addRow);

        Label strip = new Label("Server (primary)");
        strip.getStyleClass().add("row-heading");
        Label note = new Label();
        note.textProperty().bind(vm.serverNoteProperty());
        note.getStyleClass().add("note");
        double w = Tiles.WIDTH;
        double h = 110;
        FlowPane server = new FlowPane(6, 6,
                Tiles.value("Connections used", vm.connectionsProperty(), vm.connectionsCaptionProperty(), w, h),
                Tiles.value("Transactions / s", vm.tpsTextProperty(),
                        new ReadOnlyStringWrapper("commits + rollbacks, all clients"), w, h),
                Tiles.value("Rollback ratio", vm.rollbackRatioProperty(), new ReadOnlyStringWrapper("over the last 10 s or more"), w, h),
                Tiles.value("Cache hit ratio", vm.cacheHitRatioProperty(), new ReadOnlyStringWrapper("shared buffers, this database"), w, h),
                Tiles.value("Longest transaction", vm.longestTransactionProperty(),
                        new ReadOnlyStringWrapper("oldest open transaction, other sessions"), w, h));
        server.setId("server-strip");

        TableView<DashboardViewModel.SlowQueryRow> slow = table(vm.slowQueries(), "slow-queries", "No slow query yet",
                new DashboardViewModel.SlowQueryRow("", "", "", "", ""));
        slow.getColumns().addAll(List.of(column("Time", 70, DashboardViewModel.SlowQueryRow::time),
                column("Operation", 140, DashboardViewModel.SlowQueryRow::operation),
                column("Endpoint", 80, DashboardViewModel.SlowQueryRow::endpoint),
                column("Duration", 80, DashboardViewModel.SlowQueryRow::duration),
                column("SQL", 330, DashboardViewModel.SlowQueryRow::sql)));
        TableView<DashboardViewModel.EventRow> events = table(vm.events(), "events", "No breaker transition or retry yet",
                new DashboardViewModel.EventRow("", "", "", ""));
        events.getColumns().addAll(List.of(column("Time", 70, DashboardViewModel.EventRow::time),
                column("Kind", 70, DashboardViewModel.EventRow::kind),
                column("Endpoint / operation", 150, DashboardViewModel.EventRow::subject),
                column("What happened", 330, DashboardViewModel.EventRow::detail)));
        VBox slowBox = titled("Latest slow queries", slow);
        VBox eventBox = titled("Breaker and retry events", events);
        HBox tables = new HBox(10, slowBox, eventBox);
        HBox.setHgrow(slowBox, Priority.ALWAYS);
        HBox.setHgrow(eventBox, Priority.ALWAYS);
        // the space a tall window has below the tiles goes to the tables
        VBox.setVgrow(tables, Priority.ALWAYS);

        VBox content = new VBox(10, rows, new VBox(4, strip, server, note), tables);
        content.setPadding(new Insets(10));
        content.getStyleClass().add("dashboard");
        // at least as tall as the viewport, so the tables can grow into it; taller (scrolling) when the tiles wrap
        content.minHeightProperty().bind(Bindings.createDoubleBinding(() -> getViewportBounds().getHeight(),
                viewportBoundsProperty()));
        setContent(content);
        setFitToWidth(true);
        // ScrollPaneSkin caches its viewport as a bitmap; with tiles changing every poll that cache is rebuilt
        // each time, the dearest paint of the window in the software pipeline (seen with the pulse logger).
        skinProperty().addListener((o, a, skin) -> {
            javafx.scene.Node viewport = lookup(".viewport");
            if (viewport != null) {
                viewport.setCache(false);
            }
        });
    }

    private void addRow(EndpointViewModel e) {
        EndpointRow row = new EndpointRow(e, drill);
        byName.put(e.name(), row);
        rows.getChildren().add(row);
    }

    private static VBox titled(String title, TableView<?> table) {
        Label l = new Label(title);
        l.getStyleClass().add("row-heading");
        VBox box = new VBox(4, l, table);
        VBox.setVgrow(table, Priority.ALWAYS);
        return box;
    }

    /**
     * A table that shows {@code blank} rows until it has been shown once, then its items. A table's first rows
     * create all its cells at once (CSS and layout, 70–110 ms in the software pipeline); done while the window
     * opens, that never lands on a live pulse later, say in the first seconds of an outage.
     */
    private static <R> TableView<R> table(ObservableList<R> items, String id, String empty, R blank) {
        TableView<R> t = new TableView<>(FXCollections.observableArrayList(Collections.nCopies(12, blank)));
        t.setId(id);
        t.setPlaceholder(new Label(empty));
        t.setPrefHeight(220);
        t.setFixedCellSize(24); // rows of one height: the table lays out only what it shows
        t.setMinHeight(t.getPrefHeight());
        t.setColumnResizePolicy(new FitColumns());
        new AnimationTimer() {
            private int shownFrames;

            @Override
            public void handle(long now) {
                boolean shown = t.getScene() != null && t.getScene().getWindow() != null
                        && t.getScene().getWindow().isShowing();
                if (shown && ++shownFrames >= 2) {
                    t.setItems(items);
                    stop();
                }
            }
        }.start();
        return t;
    }

    private static <R> TableColumn<R, String> column(String name, double width, Function<R, String> cell) {
        TableColumn<R, String> col = new TableColumn<>(name);
        col.setCellValueFactory(cd -> new ReadOnlyStringWrapper(cell.apply(cd.getValue())));
        col.setPrefWidth(width);
        return col;
    }

    /** The row of an endpoint (tests read its tiles). */
    public Tile tile(String endpoint, String which) {
        EndpointRow r = byName.get(endpoint);
        if (r == null) {
            return null;
        }
        return switch (which) {
            case "pool" -> r.gauge;
            case "acquire" -> r.acquire;
            case "breaker" -> r.breaker;
            case "throughput" -> r.throughput;
            case "latency" -> r.latency;
            case "health" -> r.health;
            default -> throw new IllegalArgumentException(which);
        };
    }
}
