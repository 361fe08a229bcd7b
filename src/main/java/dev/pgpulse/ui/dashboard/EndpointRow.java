package dev.pgpulse.ui.dashboard;

import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.ui.fx.StatePseudoClass;
import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/** One endpoint's row of tiles: pool, acquire time, breaker, throughput, latency and health. */
final class EndpointRow extends VBox {
    private static final double LATENCY_WIDTH = 264;

    final Tile pool;
    final Tile gauge;
    final Tile acquire;
    final Tile breaker;
    final Tile throughput;
    final Tile latency;
    final Tile health;
    final Label breakerState = new Label();
    final Label healthState = new Label();

    EndpointRow(EndpointViewModel vm, BiConsumer<String, Guard.Drill> drill) {
        setId("endpoint-" + vm.name());
        Label heading = new Label(vm.heading());
        heading.getStyleClass().add("row-heading");

        // the gauge draws the dial; the figure under it is ours, "2 of 5" in one readable size (TilesFX sets the
        // unit in a tiny font next to the value)
        gauge = TileBuilder.create().skinType(Tile.SkinType.GAUGE2).prefSize(Tiles.WIDTH - 20, Tiles.HEIGHT - 60)
                .title("").unit("").valueVisible(false).decimals(0).tickLabelDecimals(0)
                .maxValue(vm.poolMaxProperty().get()).thresholdVisible(false).backgroundColor(javafx.scene.paint.Color.TRANSPARENT)
                .animated(false).shadowsEnabled(false).textVisible(false).build();
        gauge.setId("pool-" + vm.name());
        vm.poolMaxProperty().addListener((o, a, max) -> gauge.setMaxValue(max.doubleValue()));
        vm.poolActiveProperty().addListener((o, a, n) -> gauge.setValue(n.doubleValue()));
        Label inUse = new Label();
        inUse.setId("pool-in-use-" + vm.name());
        inUse.getStyleClass().add("gauge-figure");
        inUse.textProperty().bind(vm.poolInUseProperty());
        StackPane dial = new StackPane(gauge, inUse);
        StackPane.setAlignment(inUse, Pos.BOTTOM_CENTER);
        Label poolDetail = new Label();
        poolDetail.setId("pool-detail-" + vm.name());
        poolDetail.getStyleClass().add("tile-line");
        poolDetail.textProperty().bind(vm.poolDetailProperty());
        VBox poolBody = new VBox(0, dial, poolDetail);
        poolBody.setAlignment(Pos.TOP_CENTER);
        pool = Tiles.custom("Pool in use", poolBody, Tiles.WIDTH, Tiles.HEIGHT);

        acquire = trendTile("Acquire p95", vm.acquireTrendProperty(), vm.acquireP95Property(), null, TrendChart::ms,
                List.of(TrendChart.BLUE));
        acquire.setId("acquire-" + vm.name());

        breaker = Tiles.custom("Circuit breaker", breakerBody(vm, drill), Tiles.WIDTH, Tiles.HEIGHT);
        breaker.setId("breaker-" + vm.name());

        throughput = trendTile("Throughput", vm.throughputTrendProperty(), vm.throughputProperty(), inFlightLine(vm),
                TrendChart::perSecond, List.of(TrendChart.BLUE));
        throughput.setId("throughput-" + vm.name());

        latency = Tiles.custom("Latency (ms)", latencyBody(vm), LATENCY_WIDTH, Tiles.HEIGHT);
        latency.setId("latency-" + vm.name());

        health = Tiles.custom("Health", healthBody(vm), Tiles.WIDTH, Tiles.HEIGHT);
        health.setId("health-" + vm.name());

        // a narrow window wraps the row rather than cutting tiles off at its right edge
        FlowPane tiles = new FlowPane(6, 6, pool, acquire, breaker, throughput, latency, health);
        getChildren().addAll(heading, tiles);
        setSpacing(4);
    }

    private VBox breakerBody(EndpointViewModel vm, BiConsumer<String, Guard.Drill> drill) {
        breakerState.setId("breaker-state-" + vm.name());
        breakerState.getStyleClass().add("state-words");
        breakerState.textProperty().bind(vm.breakerWordsProperty());
        StatePseudoClass.follow(breakerState, vm.breakerStateProperty(), state -> "breaker-" + state);
        Label meaning = new Label();
        meaning.textProperty().bind(vm.breakerMeaningProperty());
        Label failures = new Label();
        failures.textProperty().bind(vm.failuresProperty());
        Label slow = new Label();
        slow.textProperty().bind(vm.slowCallsProperty());
        Label rejected = new Label();
        rejected.textProperty().bind(vm.rejectedProperty());
        MenuButton drills = new MenuButton("Drill");
        drills.setId("drill-" + vm.name());
        drills.getStyleClass().add("drill");
        for (Guard.Drill d : Guard.Drill.values()) {
            MenuItem item = new MenuItem(switch (d) {
                case FORCE_OPEN -> "Force open (fail every call)";
                case FORCE_CLOSED -> "Force closed (ignore failures)";
                case NORMAL -> "Back to normal (reset)";
            });
            item.setId("drill-" + d.name().toLowerCase(Locale.ROOT) + "-" + vm.name());
            item.setOnAction(e -> drill.accept(vm.name(), d));
            drills.getItems().add(item);
        }
        // the breaker guards the endpoint, whichever of its hosts serves it: say which one that is now
        Label on = new Label();
        on.setId("breaker-serving-" + vm.name());
        on.textProperty().bind(vm.servingProperty());
        on.visibleProperty().bind(vm.servingProperty().isNotEmpty());
        on.managedProperty().bind(on.visibleProperty());
        for (Label l : List.of(meaning, failures, slow, rejected, on)) {
            l.getStyleClass().add("tile-line");
        }
        VBox box = new VBox(2, breakerState, on, meaning, failures, slow, rejected, drills);
        box.setAlignment(Pos.TOP_LEFT);
        return box;
    }

    private VBox healthBody(EndpointViewModel vm) {
        healthState.setId("health-state-" + vm.name());
        healthState.getStyleClass().add("state-words");
        healthState.textProperty().bind(vm.healthProperty());
        StatePseudoClass.follow(healthState, vm.healthProperty());
        Label reason = new Label();
        reason.setId("health-reason-" + vm.name());
        reason.textProperty().bind(vm.healthReasonProperty());
        reason.setWrapText(true);
        javafx.scene.control.Tooltip tip = new javafx.scene.control.Tooltip();
        tip.textProperty().bind(vm.healthReasonProperty());
        tip.setWrapText(true);
        tip.setMaxWidth(500);
        reason.setTooltip(tip);
        reason.getStyleClass().add("tile-line");
        Label probe = new Label();
        probe.textProperty().bind(vm.probeProperty());
        probe.getStyleClass().add("tile-line");
        Label serving = new Label();
        serving.setId("serving-" + vm.name());
        serving.textProperty().bind(vm.servingProperty());
        serving.getStyleClass().add("tile-line");
        serving.visibleProperty().bind(vm.servingProperty().isNotEmpty());
        serving.managedProperty().bind(serving.visibleProperty());
        Label lag = new Label();
        lag.textProperty().bind(vm.replayLagProperty());
        lag.getStyleClass().add("tile-line");
        lag.visibleProperty().bind(vm.replayLagProperty().isNotEmpty());
        lag.managedProperty().bind(lag.visibleProperty());
        Label reads = new Label();
        reads.setId("reads-" + vm.name());
        reads.textProperty().bind(vm.readsProperty());
        reads.getStyleClass().add("tile-line");
        reads.setWrapText(true);
        vm.outOfReadsProperty().addListener((o, was, out) -> {
            if (out) {
                reads.getStyleClass().add("out-of-reads");
            } else {
                reads.getStyleClass().remove("out-of-reads");
            }
        });
        reads.visibleProperty().bind(vm.readsProperty().isNotEmpty());
        reads.managedProperty().bind(reads.visibleProperty());
        VBox box = new VBox(4, healthState, serving, probe, lag, reads, reason);
        box.setAlignment(Pos.TOP_LEFT);
        return box;
    }

    private VBox latencyBody(EndpointViewModel vm) {
        Label p50 = legend("p50");
        p50.textProperty().bind(vm.p50Property());
        Label p95 = legend("p95");
        p95.textProperty().bind(vm.p95Property());
        Label p99 = legend("p99");
        p99.textProperty().bind(vm.p99Property());
        TrendChart chart = new TrendChart(LATENCY_WIDTH - 24, Tiles.HEIGHT - 76, TrendChart::ms,
                List.of(TrendChart.BLUE, TrendChart.AMBER, TrendChart.PINK));
        vm.latencyTrendProperty().addListener((o, a, series) -> chart.draw(series));
        HBox legend = new HBox(8, p50, p95, p99);
        return new VBox(6, legend, chart);
    }

    /** A tile with the current value in large type (and a line under it, when given) over a chart of its series. */
    private static Tile trendTile(String title, javafx.beans.value.ObservableValue<List<MetricHistory.Series>> trend,
                                  javafx.beans.value.ObservableValue<String> value, Label line,
                                  java.util.function.DoubleFunction<String> axis, List<javafx.scene.paint.Color> colours) {
        Label big = new Label();
        big.textProperty().bind(value);
        big.getStyleClass().add("tile-value");
        TrendChart chart = new TrendChart(Tiles.WIDTH - 24, Tiles.HEIGHT - (line == null ? 84 : 102), axis, colours);
        trend.addListener((o, a, series) -> chart.draw(series));
        VBox body = line == null ? new VBox(4, big, chart) : new VBox(2, big, line, chart);
        return Tiles.custom(title, body, Tiles.WIDTH, Tiles.HEIGHT);
    }

    /** "3 in flight · oldest 12 s", amber once the oldest is slow and red once it is stuck (style classes). */
    private static Label inFlightLine(EndpointViewModel vm) {
        Label l = new Label();
        l.setId("in-flight-" + vm.name());
        l.getStyleClass().addAll("tile-line", "in-flight");
        l.textProperty().bind(vm.inFlightProperty());
        javafx.scene.control.Tooltip tip = new javafx.scene.control.Tooltip("Calls the service is running now, on any "
                + "endpoint, and how long the oldest has been running: a hung server shows here while its breaker "
                + "stays CLOSED");
        tip.setWrapText(true);
        tip.setMaxWidth(400);
        l.setTooltip(tip);
        vm.inFlightLevelProperty().addListener((o, a, level) -> {
            l.getStyleClass().removeAll("in-flight-slow", "in-flight-stuck");
            switch (level) {
                case SLOW -> l.getStyleClass().add("in-flight-slow");
                case STUCK -> l.getStyleClass().add("in-flight-stuck");
                case NORMAL -> { }
            }
        });
        return l;
    }

    /** A legend label, coloured by console.css as the line it names is drawn. */
    private static Label legend(String line) {
        Label l = new Label();
        l.getStyleClass().addAll("legend", line);
        return l;
    }
}
