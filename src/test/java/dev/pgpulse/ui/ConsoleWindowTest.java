package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.demo.BillRepository;
import dev.pgpulse.demo.DemoWorkload;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.dashboard.DashboardViewModel;
import dev.pgpulse.ui.dashboard.EndpointViewModel;
import eu.hansolo.tilesfx.Tile;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console window, headless (Monocle), on a real orchestrator whose primary sits behind the project's fault
 * proxy to a real PostgreSQL: the tiles show the real figures, follow held connections and an outage, the FX
 * thread keeps its pulse through the outage, and the interval control changes the poll rate.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class ConsoleWindowTest extends WindowTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsoleWindowTest.class);

    private Orchestrator orchestrator(String url) throws Exception {
        return orchestrator(url, Map.of());
    }

    private Orchestrator orchestrator(String url, Map<String, String> settings) throws Exception {
        // the demo schema, as `pgpulse migrate` would apply it (the orchestrator does so only on the embedded server)
        new dev.pgpulse.orchestration.MigrationRunner(new ConfigLoader(Map.of("DATABASE_URL", url), home, "tester", 2)
                .load(Overrides.none()).primary().orElseThrow(), List.of("classpath:db/migration"), "pgpulse_schema_history",
                true).migrate();
        var config = new ConfigLoader(Map.of("DATABASE_URL", url), home, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, with(settings, Map.of("pool.connection_timeout",
                        "300ms", "breaker.wait_in_open", "500ms", "breaker.minimum_calls", "2", "breaker.window_size", "4",
                        "query.slow_threshold", "100ms"))));
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                home.resolve("alert-rules.json"), false));
        closeLast.add(o);
        return o;
    }

    private static Map<String, String> with(Map<String, String> extra, Map<String, String> base) {
        Map<String, String> all = new java.util.HashMap<>(base);
        all.putAll(extra);
        return all;
    }

    private ConsoleWindow show(Orchestrator o, DemoWorkload demo, Duration interval) throws Exception {
        return show(o, demo, ConsolePrefs.defaults().withPollInterval(interval), p -> { });
    }

    private ConsoleWindow show(Orchestrator o, DemoWorkload demo, ConsolePrefs prefs,
                               java.util.function.Consumer<ConsolePrefs> saved) throws Exception {
        ConsoleWindow w = TestWindows.show(stage, o, demo, prefs, saved);
        closeLast.add(0, w);
        return w;
    }

    /** A shorter FX wait than WindowTest's, as this test always had. */
    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    /**
     * The label's text, or "" while there is no such node yet (a row appears with the first snapshot that has its
     * endpoint): a wait keeps polling until its deadline instead of failing on an EmptyNodeQueryException.
     */
    private String text(String id) throws Exception {
        return fx(() -> robot.lookup(id).tryQuery().map(n -> ((Label) n).getText()).orElse(""));
    }

    @Test
    void tilesShowTheRealFiguresAndThePoolGaugeFollowsHeldConnections(TestDatabase db) throws Exception {
        Orchestrator o = orchestrator(db.url());
        DemoWorkload demo = new DemoWorkload(o.service(), new BillRepository(o.service()),
                o.config().resilience().slowQueryThreshold());
        closeLast.add(1, demo);
        demo.start();
        ConsoleWindow w = show(o, demo, Duration.ofMillis(500));

        await().atMost(Duration.ofSeconds(20)).until(() -> fx(() -> {
            EndpointViewModel vm = w.dashboard().endpoint("primary");
            return vm != null && vm.healthProperty().get().equals("UP") && vm.callsPerSecondProperty().get() > 0
                    && !w.dashboard().slowQueries().isEmpty();
        }));
        assertThat(text("#health-badge")).isEqualTo("UP");
        assertThat(text("#environment")).isEqualTo("DEVELOPMENT");
        assertThat(text("#mode")).isEqualTo("EXTERNAL");
        assertThat(text("#target")).contains(db.host()).doesNotContain("password");
        assertThat(text("#breaker-state-primary")).startsWith("CLOSED");
        Tile pool = fx(() -> w.dashboardView().tile("primary", "pool"));
        assertThat(pool).as("the primary's pool tile").isNotNull();
        assertThat(fx(pool::getMaxValue)).isEqualTo(5.0);
        assertThat(text("#pool-detail-primary")).matches("idle \\d+ · total \\d+ · waiting \\d+");
        // the server strip holds the primary's own figures
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> !w.dashboard().connectionsProperty().get().equals("–")));
        assertThat(fx(() -> w.dashboard().connectionsProperty().get())).matches("\\d+ / \\d+");
        // the demo's deliberately slow report is among them (on a loaded machine ordinary calls pass 100 ms too)
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> w.dashboard().slowQueries().stream()
                .anyMatch(q -> q.operation().equals(DemoWorkload.REPORT))));
        Screenshots.save(stage.getScene(), "dashboard-normal");

        // hold N connections of the primary's pool: the gauge shows N in use (the demo is paused so nothing else holds one)
        fx(() -> {
            w.demoToggle.setSelected(false);
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> !demo.isRunning());
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(o.service().endpoints().primary().connection());
            }
            // both at once, within the deadline: on a loaded machine the pool was seen showing a caller briefly
            // waiting ("idle 0 · total 3 · waiting 1") before it settled
            await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> pool.getValue() == 3.0)
                    && text("#pool-detail-primary").endsWith("waiting 0"));
            // and reads it as a DBA says it: in use of the pool's maximum
            assertThat(text("#pool-in-use-primary")).isEqualTo("3 of 5");
            Screenshots.save(stage.getScene(), "dashboard-three-held");
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fx(() -> pool.getValue() == 0.0));
    }

    /** A window on a demo workload through a fault proxy, showing UP, ready for a fault. */
    private record Faulty(FaultProxy proxy, Orchestrator orchestrator, ConsoleWindow window) {
    }

    private Faulty faultyPrimary(TestDatabase db, Map<String, String> settings) throws Exception {
        FaultProxy proxy = FaultProxy.start(db.host(), db.port());
        closeLast.add(proxy);
        Orchestrator o = orchestrator(proxy.through(db).url(), settings);
        DemoWorkload demo = new DemoWorkload(o.service(), new BillRepository(o.service()),
                o.config().resilience().slowQueryThreshold());
        closeLast.add(demo);
        demo.start();
        ConsoleWindow w = show(o, demo, Duration.ofMillis(500));
        await().atMost(Duration.ofSeconds(20)).until(() -> text("#health-badge").equals("UP"));
        return new Faulty(proxy, o, w);
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** Runs the step while measuring FX pulses (after a short settling time) and returns what was measured. */
    private static PulseWatch watchingPulses(Step step) throws Exception {
        PulseWatch pulse = new PulseWatch();
        fx(() -> {
            pulse.start();
            return null;
        });
        try {
            Thread.sleep(300);
            pulse.reset();
            step.run();
            return pulse;
        } finally {
            fx(() -> {
                pulse.stop();
                return null;
            });
        }
    }

    @Test
    void anOutageTurnsTheBreakerOpenAndHealthDownWithoutStallingTheFxThread(TestDatabase db) throws Exception {
        Faulty f = faultyPrimary(db, Map.of());
        ConsoleWindow w = f.window();
        PulseWatch pulse = watchingPulses(() -> {
            fx(() -> {
                w.poller().resetLongestApply();
                return null;
            });
            f.proxy().outage();
            await().atMost(Duration.ofSeconds(20)).until(() -> text("#breaker-state-primary").startsWith("OPEN")
                    && text("#health-badge").equals("DOWN"));
            assertThat(text("#health-state-primary")).isEqualTo("DOWN");
            assertThat(text("#health-reason-primary")).isNotBlank();
            // the status bar agrees with the badge (the lifecycle alone would say "Degraded")
            assertThat(fx(() -> ((org.controlsfx.control.StatusBar) robot.lookup("#status-bar").query()).getText()))
                    .startsWith("Down: ");
            Thread.sleep(1500); // keep polling a while into the outage
        });
        LOG.info("during the outage: " + pulse + "; longest snapshot apply " + fx(() -> w.poller().longestApplyMs())
                + " ms");
        pulse.assertNoStall("during the outage");
        Screenshots.save(stage.getScene(), "dashboard-breaker-open");
        assertThat(fx(() -> w.dashboard().events().stream().anyMatch(e -> e.kind().equals("breaker")
                && e.detail().endsWith("OPEN")))).isTrue();

        f.proxy().restore();
        await().atMost(Duration.ofSeconds(30)).until(() -> text("#breaker-state-primary").startsWith("CLOSED")
                && text("#health-badge").equals("UP"));
    }

    /**
     * The primary hangs (the fault proxy's black hole: connections stay up, nothing comes back) while the demo
     * workload runs: the health badge turns DOWN within the health probe's bounds, and the FX thread keeps its
     * pulse the whole time, since the window reads in-memory snapshots only.
     */
    @Test
    void aHungPrimaryTurnsHealthDownWithinItsBoundsWithoutStallingTheFxThread(TestDatabase db) throws Exception {
        // the workload's reads give up at statement_timeout + 5 s: short, so the test's teardown is too
        Faulty f = faultyPrimary(db, Map.of("pool.statement_timeout", "2s"));
        PulseWatch pulse = watchingPulses(() -> {
            f.proxy().blackhole(true);
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(15)).until(() -> text("#health-badge").equals("DOWN"));
            LOG.info("black-holed primary: console DOWN after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
                    + " ms");
            assertThat(text("#health-reason-primary")).contains("timed out");
            Thread.sleep(1500); // keep polling into the hang, while the workload's calls are stuck
        });
        LOG.info("while the primary hangs: " + pulse);
        pulse.assertNoStall("while the primary hangs");
        Screenshots.save(stage.getScene(), "dashboard-primary-hung");
        f.proxy().restore();
        await().atMost(Duration.ofSeconds(30)).until(() -> text("#health-badge").equals("UP"));
    }

    @Test
    void theIntervalControlChangesThePollRateAndDrillsMoveTheBreaker(TestDatabase db) throws Exception {
        Orchestrator o = orchestrator(db.url());
        List<ConsolePrefs> saved = new ArrayList<>();
        ConsoleWindow w = show(o, null, ConsolePrefs.defaults(), p -> {
            synchronized (saved) {
                saved.add(p);
            }
        });
        assertThat(fx(() -> w.demoToggle.isVisible())).as("no demo toggle on an external database").isFalse();

        robot.clickOn("#interval").clickOn("every 0.5 s");
        assertThat(fx(() -> w.poller().interval())).isEqualTo(Duration.ofMillis(500));
        long fast = polls(w, Duration.ofSeconds(3));
        fx(() -> {
            w.interval.setValue(Duration.ofSeconds(2));
            return null;
        });
        long slow = polls(w, Duration.ofSeconds(4));
        LOG.info("polls at 0.5 s over 3 s: " + fast + "; at 2 s over 4 s: " + slow);
        assertThat(fast).isBetween(4L, 8L);
        assertThat(slow).isBetween(1L, 3L);
        // a shorter interval applies at once, not after the longer delay already pending
        fx(() -> {
            w.interval.setValue(Duration.ofSeconds(10));
            return null;
        });
        Thread.sleep(300);
        long before = fx(() -> w.poller().pollsProperty().get());
        fx(() -> {
            w.interval.setValue(Duration.ofMillis(500));
            return null;
        });
        await().atMost(Duration.ofSeconds(2)).until(() -> fx(() -> w.poller().pollsProperty().get()) >= before + 2);
        fx(() -> {
            w.interval.setValue(Duration.ofSeconds(2));
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            synchronized (saved) {
                return !saved.isEmpty() && saved.getLast().pollInterval().equals(Duration.ofSeconds(2));
            }
        });

        fx(() -> {
            w.setNotifications(true);
            return null;
        });
        robot.clickOn("#drill-primary").clickOn("Force open (fail every call)");
        await().atMost(Duration.ofSeconds(20)).until(() -> text("#breaker-state-primary").startsWith("FORCED OPEN"));
        assertThat(o.service().guard().breaker("primary").getState().name()).isEqualTo("FORCED_OPEN");
        // a ControlsFX notification pops up for the transition
        await().atMost(Duration.ofSeconds(5)).until(() -> popupTexts().anyMatch(
                l -> l.contains("primary circuit breaker FORCED OPEN")));
        Screenshots.save(stage.getScene(), "dashboard-drill-forced-open");
        robot.clickOn("#drill-primary").clickOn("Back to normal (reset)");
        // the window polls every 2 s now; on a loaded machine a poll can take a while more
        await().atMost(Duration.ofSeconds(20)).until(() -> text("#breaker-state-primary").startsWith("CLOSED"));
        assertThat(Files.list(Screenshots.dir()).map(p -> p.getFileName().toString()))
                .contains("dashboard-drill-forced-open.png");
    }

    @Test
    void onProductionTheBadgeIsRedAndADrillAsksFirst(TestDatabase db) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url(), "PGPULSE_ENV", "production"), home, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of("pool.max_size", "3")));
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                home.resolve("alert-rules.json"), false));
        closeLast.add(o);
        show(o, null, Duration.ofMillis(500));
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#environment").equals("PRODUCTION"));
        // the colour comes from console.css, through the badge's :production pseudo-class
        assertThat(fx(() -> ((Label) robot.lookup("#environment").query()).getPseudoClassStates()
                .contains(javafx.css.PseudoClass.getPseudoClass("production")))).isTrue();
        assertThat(fx(() -> ((Label) robot.lookup("#environment").query()).getBackground().getFills().getFirst()
                .getFill())).isEqualTo(javafx.scene.paint.Color.web("#c62828"));

        robot.clickOn("#drill-primary").clickOn("Force open (fail every call)");
        await().atMost(Duration.ofSeconds(5)).until(() -> fx(() -> robot.lookup(".dialog-pane").tryQuery().isPresent()));
        assertThat(fx(() -> ((javafx.scene.control.DialogPane) robot.lookup(".dialog-pane").query()).getContentText()))
                .contains("PRODUCTION").contains("fail at once");
        robot.clickOn("Cancel");
        Thread.sleep(500);
        assertThat(o.service().guard().breaker("primary").getState().name()).as("cancelled").isEqualTo("CLOSED");

        robot.clickOn("#drill-primary").clickOn("Force open (fail every call)");
        await().atMost(Duration.ofSeconds(5)).until(() -> fx(() -> robot.lookup(".dialog-pane").tryQuery().isPresent()));
        robot.clickOn("Force open");
        await().atMost(Duration.ofSeconds(5)).until(() -> o.service().guard().breaker("primary").getState().name()
                .equals("FORCED_OPEN"));
        await().atMost(Duration.ofSeconds(5)).until(() -> text("#breaker-state-primary").equals("FORCED OPEN"));
        o.service().guard().drill("primary", dev.pgpulse.resilience.Guard.Drill.NORMAL);
    }

    @Test
    void everyEndpointGetsItsRowAReplicaToo(TestDatabase db) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url(), "DATABASE_READ_URLS", db.url()), home, "tester", 2)
                .load(Overrides.none());
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                home.resolve("alert-rules.json"), false));
        closeLast.add(o);
        show(o, null, Duration.ofMillis(500));
        await().atMost(Duration.ofSeconds(15)).until(() -> text("#health-state-replica-1").equals("UP")
                && text("#health-state-primary").equals("UP"));
        assertThat(fx(() -> robot.lookup("#endpoint-replica-1").tryQuery().map(javafx.scene.Node::isVisible)))
                .contains(true);
        assertThat(text("#breaker-state-replica-1")).isEqualTo("CLOSED");
        assertThat(text("#pool-detail-replica-1")).matches("idle \\d+ · total \\d+ · waiting 0");
        Screenshots.save(stage.getScene(), "dashboard-primary-and-replica");
    }

    /**
     * One vocabulary from the typed snapshot: after a FORCE_CLOSED drill the tile, the event table, the notification
     * and the text the window builds for it all say FORCED CLOSED (Resilience4j calls it DISABLED); after FORCE_OPEN
     * the health reasons name the drill, not an unreachable primary, and the badge and status bar agree.
     */
    @Test
    void drillsReadTheSameEverywhereAndAForcedOpenIsNotAnOutage(TestDatabase db) throws Exception {
        Orchestrator o = orchestrator(db.url());
        ConsoleWindow w = show(o, null, Duration.ofMillis(250));
        List<String> built = new java.util.concurrent.CopyOnWriteArrayList<>();
        fx(() -> {
            w.dashboard().onBreakerTransition(t -> built.add(ConsoleViewModel.notificationTitle(t) + " / "
                    + ConsoleViewModel.notificationText(t)));
            w.setNotifications(true);
            return null;
        });
        // the event log's baseline is taken (transitions after it are announced)
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#breaker-state-primary").equals("CLOSED")
                && fx(() -> !w.dashboard().events().isEmpty()));

        robot.clickOn("#drill-primary").clickOn("Force closed (ignore failures)");
        await().atMost(Duration.ofSeconds(5)).until(() -> text("#breaker-state-primary").equals("FORCED CLOSED"));
        await().atMost(Duration.ofSeconds(5)).until(() -> fx(() -> w.dashboard().events().stream()
                .anyMatch(e -> e.kind().equals("breaker") && e.detail().equals("CLOSED → FORCED CLOSED"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> popupTexts().anyMatch(
                l -> l.contains("primary circuit breaker FORCED CLOSED")));
        assertThat(built).singleElement().asString().startsWith("primary circuit breaker FORCED CLOSED / was CLOSED at ");
        assertThat(popupTexts()).noneMatch(l -> l.contains("DISABLED"));
        assertThat(fx(() -> w.dashboard().events().stream().map(DashboardViewModel.EventRow::detail).toList()))
                .noneMatch(d -> d.contains("DISABLED") || d.contains("_"));

        robot.clickOn("#drill-primary").clickOn("Force open (fail every call)");
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#breaker-state-primary").equals("FORCED OPEN")
                && text("#health-badge").equals("DOWN") && text("#health-reason-primary").contains("FORCED OPEN"));
        assertThat(text("#health-reason-primary")).contains("primary circuit breaker FORCED OPEN (drill)")
                .doesNotContain("unreachable");
        assertThat(fx(() -> ((org.controlsfx.control.StatusBar) robot.lookup("#status-bar").query()).getText()))
                .startsWith("Down: ").doesNotContain("unreachable");
        assertThat(o.snapshot().health().reasons()).noneMatch(r -> r.contains("unreachable"));
        assertThat(built).last().asString().startsWith("primary circuit breaker FORCED OPEN / was FORCED CLOSED at ");
        Screenshots.save(stage.getScene(), "dashboard-drill-vocabulary");
        o.drill("primary", dev.pgpulse.resilience.Guard.Drill.NORMAL);
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#health-badge").equals("UP"));
    }

    /** The texts of every label of the notification popups showing now. */
    private static java.util.stream.Stream<String> popupTexts() throws Exception {
        return fx(() -> javafx.stage.Window.getWindows().stream()
                .filter(win -> win instanceof javafx.stage.PopupWindow && win.isShowing() && win.getScene() != null)
                .flatMap(win -> win.getScene().getRoot().lookupAll(".label").stream())
                .filter(n -> n instanceof javafx.scene.control.Labeled l && l.getText() != null)
                .map(n -> ((javafx.scene.control.Labeled) n).getText()).toList()).stream();
    }

    private static long polls(ConsoleWindow w, Duration over) throws Exception {
        long before = fx(() -> w.poller().pollsProperty().get());
        Thread.sleep(over.toMillis());
        return fx(() -> w.poller().pollsProperty().get()) - before;
    }

    /**
     * kill -9 of the embedded server's postmaster (a scratch server of this test's own, under its home): within a
     * few polls the window says it exited and when, the status bar and the agent's /health say so too, and Restart
     * starts it again on the same folder; the breaker and the health come back by themselves.
     */
    @Test
    void aKilledEmbeddedServerIsToldWithItsExitTimeAndRestartBringsItBack() throws Exception {
        var config = new ConfigLoader(Map.of(), home, "tester", 2).load(new Overrides(null, null, null, List.of(), null,
                Map.of("pool.connection_timeout", "300ms", "breaker.wait_in_open", "500ms", "breaker.minimum_calls", "2",
                        "breaker.window_size", "4")));
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                home.resolve("alert-rules.json"), false));
        closeLast.add(o);
        ConsoleWindow w = show(o, null, Duration.ofMillis(500));
        await().atMost(Duration.ofSeconds(20)).until(() -> text("#health-badge").equals("UP"));
        assertThat(fx(() -> robot.lookup("#embedded-exited-banner").query().isVisible())).isFalse();

        Path dataDir = o.embedded().orElseThrow().dataDir();
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().strip());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> children = postmaster.children().toList();
        assertThat(postmaster.destroyForcibly()).as("SIGKILL sent to " + pid).isTrue();

        await().atMost(Duration.ofSeconds(10)).until(() -> text("#embedded-exited")
                .matches("The embedded PostgreSQL exited at \\d\\d:\\d\\d:\\d\\d"));
        assertThat(fx(() -> robot.lookup("#embedded-exited-banner").query().isVisible())).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> fx(w::statusBarText)
                .contains("the embedded PostgreSQL exited at"));
        Screenshots.save(stage.getScene(), "dashboard-embedded-exited");
        try (dev.pgpulse.agent.AgentServer agent = dev.pgpulse.agent.AgentServer.start(o, "127.0.0.1", 0)) {
            var http = java.net.http.HttpClient.newHttpClient();
            String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + agent.port() + "/health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("\"embeddedServer\":{\"phase\":\"EXITED\"");
        }

        // a new postmaster refuses shared memory its predecessor's backends still hold
        await().atMost(Duration.ofSeconds(30)).until(() -> !postmaster.isAlive()
                && children.stream().noneMatch(ProcessHandle::isAlive));
        fx(() -> {
            ((javafx.scene.control.Button) robot.lookup("#restart-embedded").query()).fire();
            return null;
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> text("#breaker-state-primary").startsWith("CLOSED")
                && text("#health-badge").equals("UP"));
        assertThat(o.snapshot().embeddedServer().phase()).isEqualTo(dev.pgpulse.embedded.EmbeddedState.Phase.RUNNING);
        assertThat(fx(() -> robot.lookup("#embedded-exited-banner").query().isVisible())).isFalse();
        assertThat(o.embedded().orElseThrow().dataDir()).isEqualTo(dataDir);
    }
}
