package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.ui.dashboard.EndpointViewModel;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What `pgpulse` does on a fresh machine, in-process and headless: with nothing configured the window opens at
 * once, the embedded PostgreSQL starts behind it, the dashboard goes live with the demo workload, and closing the
 * window stops everything (off the FX thread), saves the preferences and only then exits.
 */
@Timeout(180)
class ConsoleAppTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsoleAppTest.class);
    @TempDir
    Path home;
    private final FxRobot robot = new FxRobot();

    @AfterEach
    void restoreExit() {
        ConsoleApp.afterStop = Platform::exit;
        ConsoleWindow.noticeShownFor = Duration.ofSeconds(20);
    }

    @Test
    void aFreshStartOpensALiveDashboardOnTheEmbeddedDatabaseAndClosesCleanly() throws Exception {
        // nothing configured: the embedded default, its data under this test's home
        PgPulseConfig config = new ConfigLoader(Map.of(), home, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of("health.interval", "500ms")));
        assertThat(config.isEmbedded()).isTrue();
        Path prefsFile = ConsolePrefsStore.defaultFile(home);
        ConsoleApp.prepare(new Console.Launch(config, Orchestrator.Options.defaults(home, config), prefsFile,
                ConsolePrefs.defaults().withPollInterval(Duration.ofMillis(500)).withWindow(1280, 800)));
        CountDownLatch exited = new CountDownLatch(1);
        ConsoleApp.afterStop = exited::countDown;
        Stage stage = FxToolkit.registerPrimaryStage();
        ConsoleApp app = (ConsoleApp) FxToolkit.setupApplication(ConsoleApp::new);
        long opened = System.nanoTime();

        // the window is there before the database is
        assertThat(WaitForAsyncUtils.asyncFx(() -> stage.isShowing()).get(5, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(90)).until(() -> app.window() != null);
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(() -> {
            EndpointViewModel vm = app.window().dashboard().endpoint("primary");
            return vm != null && vm.healthProperty().get().equals("UP") && vm.callsPerSecondProperty().get() > 0
                    && !app.window().dashboard().slowQueries().isEmpty();
        }).get());
        LOG.info("first start to a live dashboard: "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened) + " ms");
        assertThat(label("#mode")).isEqualTo("EMBEDDED");
        assertThat(label("#target")).startsWith("postgresql://postgres@localhost:");
        assertThat(WaitForAsyncUtils.asyncFx(() -> app.window().demoToggle.isVisible()
                && app.window().demoToggle.isSelected()).get()).isTrue();
        Screenshots.save(stage.getScene(), "console-first-start-embedded");

        // a preference changed in the window is what gets saved
        WaitForAsyncUtils.asyncFx(() -> app.window().interval.setValue(Duration.ofSeconds(2))).get();
        int port = app.orchestrator().embedded().orElseThrow().port();
        WaitForAsyncUtils.asyncFx(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST))).get();
        assertThat(exited.await(60, TimeUnit.SECONDS)).as("stopped and exited").isTrue();
        assertThat(app.orchestrator().status().state().name()).isEqualTo("STOPPED");
        assertThatThrownBy(() -> new Socket("localhost", port).close()).as("embedded server stopped")
                .isInstanceOf(java.io.IOException.class);
        ConsolePrefs saved = new ConsolePrefsStore().load(prefsFile).prefs();
        assertThat(saved.pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(saved.windowWidth()).isEqualTo(1280);
        assertThat(Files.readString(prefsFile)).doesNotContainIgnoringCase("password");
        assertThat(ConsoleApp.failure()).isEmpty();
    }

    @Test
    void closingWhileTheEmbeddedServerStartsStopsItAndExitsWithoutAFailure() throws Exception {
        PgPulseConfig config = new ConfigLoader(Map.of(), home, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of()));
        Path dataDir = config.embedded().orElseThrow().dataDir();
        ConsoleApp.prepare(new Console.Launch(config, Orchestrator.Options.defaults(home, config),
                ConsolePrefsStore.defaultFile(home), ConsolePrefs.defaults()));
        CountDownLatch exited = new CountDownLatch(1);
        ConsoleApp.afterStop = exited::countDown;
        Stage stage = FxToolkit.registerPrimaryStage();
        ConsoleApp app = (ConsoleApp) FxToolkit.setupApplication(ConsoleApp::new);
        // close while the start is under way: once a process of this data folder (initdb, pg_ctl or the postmaster) runs
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> !processesOf(dataDir).isEmpty());
        assertThat(app.window()).as("still starting when closed").isNull();
        WaitForAsyncUtils.asyncFx(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST))).get();
        assertThat(exited.await(90, TimeUnit.SECONDS)).as("stopped and exited").isTrue();
        assertThat(app.window()).as("no window built after the close").isNull();
        if (app.orchestrator() != null) {
            assertThat(app.orchestrator().status().state().name()).isEqualTo("STOPPED");
        }
        // the postmaster is gone (by the time the app says it has stopped), not left running behind it
        assertThat(processesOf(dataDir)).as("processes still running on " + dataDir).isEmpty();
        assertThat(dataDir.resolve("postmaster.pid")).doesNotExist();
        assertThat(ConsoleApp.failure()).isEmpty();
        assertThat(ConsolePrefsStore.defaultFile(home)).exists();
    }

    @Test
    void aCorruptPreferencesFileIsToldInTheStatusBarOnceWithTheFullTextOnHover() throws Exception {
        Path prefsFile = ConsolePrefsStore.defaultFile(home);
        Files.createDirectories(prefsFile.getParent());
        Files.writeString(prefsFile, "{ \"windowWidth\": 1280,");
        // as `pgpulse console` reads it
        ConsolePrefsStore.Loaded loaded = new ConsolePrefsStore().load(prefsFile);
        PgPulseConfig config = new ConfigLoader(Map.of(), home, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of("health.interval", "500ms")));
        ConsoleApp.prepare(new Console.Launch(config, Orchestrator.Options.defaults(home, config), prefsFile, loaded));
        // long enough for a loaded machine's first layout of the dashboard, short enough to see it end
        ConsoleWindow.noticeShownFor = Duration.ofSeconds(30);
        CountDownLatch exited = new CountDownLatch(1);
        ConsoleApp.afterStop = exited::countDown;
        Stage stage = FxToolkit.registerPrimaryStage();
        ConsoleApp app = (ConsoleApp) FxToolkit.setupApplication(ConsoleApp::new);
        await().atMost(Duration.ofSeconds(90)).until(() -> app.window() != null);

        // set with the window: the first look finds it
        assertThat(WaitForAsyncUtils.asyncFx(() -> app.window().statusBarText()).get(30, TimeUnit.SECONDS))
                .startsWith("console.json was unreadable and moved aside to console.json.broken-");
        String hover = WaitForAsyncUtils.asyncFx(() -> ((org.controlsfx.control.StatusBar) robot.lookup("#status-bar")
                .query()).getTooltip().getText()).get(30, TimeUnit.SECONDS);
        assertThat(hover).contains(prefsFile.toString()).contains("is not valid JSON");
        Screenshots.save(stage.getScene(), "console-prefs-problem");
        // once: then the usual text is back, with its own tooltip (the status in full)
        await().atMost(Duration.ofSeconds(60)).until(() -> WaitForAsyncUtils.asyncFx(() -> app.window().statusBarText()
                .matches("(Running|Starting|Degraded|Down).*")).get());
        assertThat(WaitForAsyncUtils.asyncFx(() -> ((org.controlsfx.control.StatusBar) robot.lookup("#status-bar")
                .query()).getTooltip().getText()).get()).doesNotContain("is not valid JSON");

        WaitForAsyncUtils.asyncFx(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST))).get();
        assertThat(exited.await(60, TimeUnit.SECONDS)).as("stopped and exited").isTrue();
    }

    /**
     * A hung server: every process of the embedded PostgreSQL stopped (SIGSTOP) under a live dashboard with the demo
     * workload's calls in flight. Closing says at once that PgPulse is stopping, ends within the bound, and leaves
     * no process of that server behind (before, it took 19 s and left the server stopped-but-alive).
     */
    @Test
    void closingWhileEveryServerProcessIsStoppedSaysSoAtOnceEndsInTimeAndLeavesNoServerBehind() throws Exception {
        PgPulseConfig config = new ConfigLoader(Map.of(), home, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of("health.interval", "500ms")));
        Path dataDir = config.embedded().orElseThrow().dataDir();
        ConsoleApp.prepare(new Console.Launch(config, Orchestrator.Options.defaults(home, config),
                ConsolePrefsStore.defaultFile(home), ConsolePrefs.defaults().withPollInterval(Duration.ofMillis(500))));
        CountDownLatch exited = new CountDownLatch(1);
        ConsoleApp.afterStop = exited::countDown;
        Stage stage = FxToolkit.registerPrimaryStage();
        ConsoleApp app = (ConsoleApp) FxToolkit.setupApplication(ConsoleApp::new);
        await().atMost(Duration.ofSeconds(90)).until(() -> app.window() != null);
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(() -> {
            EndpointViewModel vm = app.window().dashboard().endpoint("primary");
            return vm != null && vm.healthProperty().get().equals("UP") && vm.callsPerSecondProperty().get() > 0;
        }).get());

        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().strip());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        List<Long> server = java.util.stream.Stream.concat(java.util.stream.Stream.of(postmaster),
                postmaster.descendants()).map(ProcessHandle::pid).toList();
        List<String> stop = new java.util.ArrayList<>(List.of("kill", "-s", "STOP"));
        server.forEach(p -> stop.add(Long.toString(p)));
        assertThat(new ProcessBuilder(stop).inheritIO().start().waitFor()).isZero();
        // the demo's calls and a health sample go in flight against the stopped server
        Thread.sleep(1500);

        long t0 = System.nanoTime();
        WaitForAsyncUtils.asyncFx(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST))).get();
        assertThat(label("#stopping")).isEqualTo("Stopping PgPulse… (waiting up to 10 s for calls in flight)");
        Screenshots.save(stage.getScene(), "console-stopping-hung-server");
        assertThat(exited.await(STOP_BOUND.toSeconds() + 30, TimeUnit.SECONDS)).as("stopped and exited").isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("closing over a stopped server took {} ms", took.toMillis());
        assertThat(took).isLessThan(STOP_BOUND);
        assertThat(server.stream().filter(ConsoleAppTest::running).toList()).as("processes of the server left").isEmpty();
        assertThat(processesOf(dataDir)).isEmpty();
        assertThat(app.orchestrator().status().state().name()).isEqualTo("STOPPED");
    }

    /**
     * Measured 15 s: the demo's stop (2 s), the shutdown grace for its calls in flight (10 s), HikariCP's close (2 s),
     * the server's stop once resumed (0.5 s); the rest is for a loaded machine.
     */
    private static final Duration STOP_BOUND = Duration.ofSeconds(25);

    private static boolean running(long pid) {
        try {
            return !isZombie(Path.of("/proc", Long.toString(pid)));
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    /** Live processes whose command line names the data folder (postgres -D it, pg_ctl, initdb), from /proc. */
    private static List<Long> processesOf(Path dataDir) throws java.io.IOException {
        String needle = dataDir.toString();
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        try {
                            String cmdline = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                            return cmdline.contains(needle) && !isZombie(p);
                        } catch (java.io.IOException | SecurityException gone) {
                            return false;
                        }
                    })
                    .map(p -> Long.parseLong(p.getFileName().toString())).toList();
        }
    }

    private static boolean isZombie(Path proc) throws java.io.IOException {
        String stat = Files.readString(proc.resolve("stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    }

    private String label(String id) throws Exception {
        // "" while the node is not there yet, so a wait on it polls until its deadline
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup(id).tryQuery().map(n -> ((Label) n).getText()).orElse(""))
                .get(10, TimeUnit.SECONDS);
    }
}
