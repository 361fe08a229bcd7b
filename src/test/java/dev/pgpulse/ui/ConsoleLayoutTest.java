package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.demo.BillRepository;
import dev.pgpulse.demo.DemoWorkload;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.dashboard.LongTextTest;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Labeled;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's layout at the sizes a DBA uses, on a real orchestrator with a primary and a replica on a
 * production target (the longest badge): at 1024×700 and 1280×800 the header's badges and time are whole and
 * every tile and table is reachable (on screen, or by scrolling the dashboard); at 2560×1600 the tables take the
 * height; table columns come back to their widths after a shrink. Each size leaves a screenshot.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class ConsoleLayoutTest {
    private static final List<String> TILES = List.of("pool", "acquire", "breaker", "throughput", "latency", "health");
    private static final List<String> HEADER = List.of("#environment", "#mode", "#health-badge", "#last-snapshot");
    @TempDir
    Path home;
    private static Stage stage;
    /** Closed last in, first out: the window, then the demo workload, then the orchestrator. */
    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    @BeforeAll
    static void registerStage() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!open.isEmpty()) {
            open.pop().close();
        }
    }

    private ConsoleWindow showProductionWithReplica(TestDatabase db, double width, double height) throws Exception {
        return showProductionWithReplica(db, width, height, true);
    }

    /**
     * @param onStage false for a window larger than the headless screen (Monocle's framebuffer is the screen's
     *                size; a larger stage overflows it): the window's content is then laid out at full size in a
     *                Group drawn at half scale on a 1280×800 stage, so it still gets pulses like a real window
     */
    private ConsoleWindow showProductionWithReplica(TestDatabase db, double width, double height, boolean onStage)
            throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url(), "DATABASE_READ_URLS", db.url(),
                "PGPULSE_ENV", "production"), home, "tester", 2).load(Overrides.none());
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                home.resolve("alert-rules.json"), false));
        open.push(o);
        // the demo workload's toggle, never started, makes the header as wide as on the embedded server
        DemoWorkload demo = new DemoWorkload(o.service(), new BillRepository(o.service()),
                o.config().resilience().slowQueryThreshold());
        open.push(demo);
        ConsoleWindow w = fx(() -> {
            ConsoleWindow cw = new ConsoleWindow(o, demo, ConsolePrefs.defaults().withPollInterval(Duration.ofMillis(500))
                    .withDemoWorkload(false), p -> { });
            cw.setNotifications(false);
            if (onStage) {
                stage.setScene(new Scene(cw.root(), width, height));
            } else {
                javafx.scene.layout.Region root = (javafx.scene.layout.Region) cw.root();
                root.setMinSize(width, height);
                root.setPrefSize(width, height);
                root.setMaxSize(width, height);
                javafx.scene.Group half = new javafx.scene.Group(root);
                half.getTransforms().add(new javafx.scene.transform.Scale(0.5, 0.5));
                stage.setScene(new Scene(half, width / 2, height / 2));
            }
            stage.show();
            cw.start();
            return cw;
        });
        open.push(w);
        resize(onStage ? width : width / 2, onStage ? height : height / 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> {
            Node root = w.root();
            layOut(root);
            return root.lookup("#health-state-replica-1") instanceof Labeled l && l.getText().equals("UP")
                    && ((Labeled) root.lookup("#health-badge")).getText().equals("UP");
        }));
        return w;
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS); // a loaded 2-core machine: the first window loads many classes
    }

    private static void resize(double width, double height) throws Exception {
        fx(() -> {
            stage.setWidth(width);
            stage.setHeight(height);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        await().atMost(Duration.ofSeconds(5)).until(() -> fx(() -> Math.abs(stage.getScene().getWidth() - width) < 1
                && Math.abs(stage.getScene().getHeight() - height) < 1));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static void assertHeaderWhole(ConsoleWindow w, String size) throws Exception {
        for (String id : HEADER) {
            // one FX pulse reads both: "updated hh:mm:ss" may tick between two separate reads
            String[] shownAndText = fx(() -> {
                Labeled l = (Labeled) w.root().lookup(id);
                return new String[] {Rendered.text(l), l.getText()};
            });
            assertThat(shownAndText[0]).as("%s at %s", id, size).isEqualTo(shownAndText[1]).isNotEmpty();
        }
    }

    /** Scrolls the dashboard to {@code node} and tells whether it then lies wholly inside the dashboard's viewport. */
    private static boolean reachable(ScrollPane dashboard, Node node) {
        Node content = dashboard.getContent();
        Bounds inContent = content.sceneToLocal(node.localToScene(node.getBoundsInLocal()));
        Bounds viewport = dashboard.getViewportBounds();
        double scrollable = content.getLayoutBounds().getHeight() - viewport.getHeight();
        if (scrollable > 0) {
            double v = Math.min(1, Math.max(0, inContent.getMinY() / scrollable));
            dashboard.setVvalue(dashboard.getVmin() + v * (dashboard.getVmax() - dashboard.getVmin()));
            layOut(dashboard);
        }
        Node view = dashboard.lookup(".viewport");
        Bounds seen = view.localToScene(view.getLayoutBounds());
        Bounds at = node.localToScene(node.getBoundsInLocal());
        return at.getMinX() >= seen.getMinX() - 0.5 && at.getMaxX() <= seen.getMaxX() + 0.5
                && at.getMinY() >= seen.getMinY() - 0.5 && at.getMaxY() <= seen.getMaxY() + 0.5
                && at.getWidth() > 0 && at.getHeight() > 0;
    }

    /**
     * Passes of CSS and layout now: a scene off screen gets no pulse, and a TilesFX tile lays its skin out once it
     * knows its size, a pass later.
     */
    private static void layOut(Node any) {
        for (int i = 0; i < 3; i++) {
            any.getScene().getRoot().applyCss();
            any.getScene().getRoot().layout();
        }
    }

    private static void assertEverythingReachable(ConsoleWindow w, String size) throws Exception {
        List<String> unreachable = fx(() -> {
            ScrollPane dashboard = w.dashboardView();
            layOut(dashboard);
            List<String> out = new ArrayList<>();
            for (String endpoint : List.of("primary", "replica-1")) {
                for (String which : TILES) {
                    if (!reachable(dashboard, w.dashboardView().tile(endpoint, which))) {
                        out.add(endpoint + " " + which);
                    }
                }
            }
            for (Node n : ((javafx.scene.layout.Pane) dashboard.lookup("#server-strip")).getChildren()) {
                if (!reachable(dashboard, n)) {
                    out.add("server strip tile " + ((javafx.scene.layout.Pane) dashboard.lookup("#server-strip"))
                            .getChildren().indexOf(n));
                }
            }
            for (String table : List.of("#slow-queries", "#events")) {
                if (!reachable(dashboard, dashboard.lookup(table))) {
                    out.add(table);
                }
            }
            dashboard.setVvalue(dashboard.getVmin());
            return out;
        });
        assertThat(unreachable).as("tiles out of reach at %s", size).isEmpty();
    }

    private static javafx.scene.paint.Paint background(ConsoleWindow w, String id) throws Exception {
        return fx(() -> {
            layOut(w.root());
            return ((javafx.scene.layout.Region) w.root().lookup(id)).getBackground().getFills().getFirst().getFill();
        });
    }

    @Test
    void at1024x700EveryBadgeIsWholeAndEveryTileReachable(TestDatabase db) throws Exception {
        ConsoleWindow w = showProductionWithReplica(db, 1024, 700);
        Screenshots.save(stage.getScene(), "layout-1024x700-production-replica");
        // and coloured by console.css: production red, external slate, UP green
        assertThat(background(w, "#environment")).isEqualTo(javafx.scene.paint.Color.web("#c62828"));
        assertThat(background(w, "#mode")).isEqualTo(javafx.scene.paint.Color.web("#455a64"));
        assertThat(background(w, "#health-badge")).isEqualTo(javafx.scene.paint.Color.web("#2e7d32"));
        assertHeaderWhole(w, "1024x700");
        assertEverythingReachable(w, "1024x700");
    }

    @Test
    void at1280x800WithAReplicaEveryBadgeIsWholeAndEveryTileReachable(TestDatabase db) throws Exception {
        ConsoleWindow w = showProductionWithReplica(db, 1280, 800);
        Screenshots.save(stage.getScene(), "layout-1280x800-production-replica");
        assertHeaderWhole(w, "1280x800");
        assertEverythingReachable(w, "1280x800");
    }

    @Test
    void at2560x1600TheTablesTakeTheHeight(TestDatabase db) throws Exception {
        ConsoleWindow w = showProductionWithReplica(db, 2560, 1600, false);
        fx(() -> {
            layOut(w.root());
            return null;
        });
        Screenshots.save(w.root(), "layout-2560x1600-production-replica");
        assertHeaderWhole(w, "2560x1600");
        assertEverythingReachable(w, "2560x1600");
        ScrollPane dashboard = w.dashboardView();
        double viewportBottom = fx(() -> {
            layOut(dashboard);
            Node view = dashboard.lookup(".viewport");
            return dashboard.sceneToLocal(view.localToScene(view.getLayoutBounds())).getMaxY();
        });
        for (String id : List.of("#slow-queries", "#events")) {
            TableView<?> t = fx(() -> (TableView<?>) dashboard.lookup(id));
            double bottom = fx(() -> dashboard.sceneToLocal(t.localToScene(t.getBoundsInLocal())).getMaxY());
            assertThat(viewportBottom - bottom).as("empty space under %s", id).isLessThan(40);
            assertThat(fx(t::getHeight)).as("height of %s", id).isGreaterThan(500);
        }
    }

    @Test
    void tableColumnsComeBackAfterTheWindowShrinksAndGrows(TestDatabase db) throws Exception {
        ConsoleWindow w = showProductionWithReplica(db, 1280, 800);
        List<TableView<?>> tables = fx(() -> List.of((TableView<?>) w.dashboardView().lookup("#slow-queries"),
                (TableView<?>) w.dashboardView().lookup("#events")));
        List<Double> before = fx(() -> widths(tables));
        resize(1024, 700);
        List<Double> shrunk = fx(() -> widths(tables));
        assertThat(shrunk).as("the columns shrink with the window").isNotEqualTo(before);
        resize(1280, 800);
        List<Double> after = fx(() -> widths(tables));
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i)).as("column %d after shrinking and growing (before %s, after %s)", i, before, after)
                    .isCloseTo(before.get(i), org.assertj.core.data.Offset.offset(1.5));
        }
    }

    private static List<Double> widths(List<TableView<?>> tables) {
        List<Double> out = new ArrayList<>();
        for (TableView<?> t : tables) {
            layOut(t);
            for (TableColumn<?, ?> c : t.getColumns()) {
                out.add(c.getWidth());
            }
        }
        return out;
    }

    @Test
    void aLongStatusGivesWayAtAWordAndTheCountsStayWhole(TestDatabase db) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url()), home, "tester", 2).load(Overrides.none());
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                home.resolve("alert-rules.json"), false));
        open.push(o);
        // not started: no snapshot overwrites the status set here
        ConsoleWindow w = fx(() -> {
            ConsoleWindow cw = new ConsoleWindow(o, null, ConsolePrefs.defaults(), p -> { });
            cw.setNotifications(false);
            stage.setScene(new Scene(cw.root(), 1024, 700));
            stage.show();
            return cw;
        });
        open.push(w);
        resize(1024, 700);
        String status = "Degraded: " + LongTextTest.LONG_REASON;
        fx(() -> {
            // the header as a snapshot of a degraded target with twelve alerts firing sets it
            var now = o.snapshot();
            var firing = java.util.stream.IntStream.range(0, 12).mapToObj(i -> new dev.pgpulse.health.alert.Alert(
                    "rule-" + i, "rule " + i, "primary", dev.pgpulse.health.alert.Severity.WARNING,
                    dev.pgpulse.health.alert.AlertState.FIRING, 1, 0, dev.pgpulse.health.alert.Operator.values()[0],
                    now.at(), now.at(), "firing")).toList();
            w.header().apply(new dev.pgpulse.orchestration.Snapshot(now.at(), new dev.pgpulse.orchestration.Status(
                    dev.pgpulse.orchestration.Status.State.DEGRADED, List.of(LongTextTest.LONG_REASON), now.at()),
                    now.target(), now.embedded(), now.environment(), now.service(), null, firing, List.of(),
                    now.history(), now.embeddedServer(), now.alerting()));
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        org.controlsfx.control.StatusBar bar = fx(() -> (org.controlsfx.control.StatusBar) w.root().lookup("#status-bar"));
        Labeled shownStatus = fx(() -> (Labeled) bar.lookup(".status-label"));
        Rendered.assertCutAtAWord(fx(() -> Rendered.text(shownStatus)), status);
        assertThat(fx(() -> bar.getTooltip().getText())).isEqualTo(status);
        Labeled alerts = fx(() -> (Labeled) bar.lookup("#alerts-firing"));
        assertThat(fx(() -> Rendered.text(alerts))).isEqualTo("12 alert(s) firing");
        Screenshots.save(stage.getScene(), "layout-1024x700-long-status");
    }
}
