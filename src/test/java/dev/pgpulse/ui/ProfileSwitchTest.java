package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console switches targets without a restart, on real servers: from the embedded PostgreSQL it started on to
 * another server and back. The new target runs before the old one stops; an unreachable one leaves the running one
 * as it was and says why; each target's charts and event log are its own (switching back shows that target's
 * recent past, and nothing recorded while the other ran).
 */
@ExtendWith(PostgresExtension.class)
class ProfileSwitchTest {
    private static final String CHART_KEY = "endpoint.primary.health";
    @TempDir
    Path home;

    @AfterEach
    void restoreExit() {
        ConsoleApp.afterStop = Platform::exit;
    }

    private PgPulseConfig config(Map<String, String> env, Map<String, String> settings) throws Exception {
        Map<String, String> s = new HashMap<>(settings);
        s.put("health.interval", "500ms");
        return new ConfigLoader(env, home, "tester", 2).load(new Overrides(null, null, null, List.of(), null, s));
    }

    @Test
    void switchingToAnotherServerAndBackKeepsEachTargetsOwnChartsAndEvents(TestDatabase db) throws Exception {
        PgPulseConfig embedded = config(Map.of(), Map.of());
        PgPulseConfig other = config(db.env(), Map.of());
        RunningApp run = RunningApp.open(new Console.Launch(embedded, Orchestrator.Options.defaults(home, embedded),
                ConsolePrefsStore.defaultFile(home), ConsolePrefs.defaults().withPollInterval(Duration.ofMillis(500))
                .withWindow(1280, 800)));
        try (run) {
            ConsoleApp app = run.app();
            Stage stage = run.stage();
            Orchestrator first = app.orchestrator();
            int embeddedPort = first.embedded().orElseThrow().port();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.history().view().series(CHART_KEY).size() >= 3);
            Instant leftFirst = Instant.now();

            assertThat(switchTo(app, "other", other)).isEmpty();
            Orchestrator second = app.orchestrator();
            Instant onSecond = Instant.now();
            assertThat(second).isNotSameAs(first);
            assertThat(first.status().state().name()).as("the previous target stopped").isEqualTo("STOPPED");
            assertThat(app.targetKey()).isEqualTo("other");
            assertThat(text("#profile")).isEqualTo("Profile: other");
            await().atMost(Duration.ofSeconds(20)).until(() -> text("#target").contains(":" + db.port() + "/"));
            // a breaker drill on the second target: an event of its own
            second.drill("primary", Guard.Drill.FORCE_OPEN);
            second.drill("primary", Guard.Drill.NORMAL);
            await().atMost(Duration.ofSeconds(30)).until(() -> second.history().view().series(CHART_KEY).size() >= 3);

            // unreachable: refused at once, the running target untouched, the reason told
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            PgPulseConfig unreachable = config(Map.of("DATABASE_URL", "postgresql://tester@127.0.0.1:" + closed + "/x"),
                    Map.of("startup.wait", "0"));
            Optional<String> refused = switchTo(app, "nowhere", unreachable);
            assertThat(refused).isPresent();
            assertThat(refused.get()).contains("127.0.0.1:" + closed);
            assertThat(app.orchestrator()).isSameAs(second);
            assertThat(second.status().state().name()).isIn("RUNNING", "DEGRADED");
            assertThat(app.targetKey()).isEqualTo("other");
            Instant leftSecond = Instant.now();

            // back on the embedded server: its own charts, its own events
            assertThat(switchTo(app, ConsoleApp.LAUNCH_TARGET, embedded)).isEmpty();
            Orchestrator back = app.orchestrator();
            assertThat(back.embedded().orElseThrow().port()).isPositive();
            assertThat(text("#profile")).isEmpty();
            MetricHistory.Series chart = back.history().view().series(CHART_KEY);
            assertThat(chart.size()).as("the first target's earlier points are still charted").isGreaterThanOrEqualTo(3);
            for (int i = 0; i < chart.size(); i++) {
                Instant at = chart.at(i);
                assertThat(at.isAfter(onSecond) && at.isBefore(leftSecond))
                        .as("a point of the other target's time at " + at).isFalse();
            }
            assertThat(chart.at(0)).isBefore(leftFirst);
            assertThat(back.snapshot().service().events()).as("the other target's drill is not in this event log")
                    .noneMatch(e -> e instanceof ResilienceEvent.BreakerTransition t && t.to() == BreakerState.FORCED_OPEN);
            assertThat(second.status().state().name()).isEqualTo("STOPPED");
            Screenshots.save(stage.getScene(), "profile-switched-back");

            // and the second target again: its drill is still in its event log
            assertThat(switchTo(app, "other", other)).isEmpty();
            assertThat(app.orchestrator().snapshot().service().events())
                    .anyMatch(e -> e instanceof ResilienceEvent.BreakerTransition t && t.to() == BreakerState.FORCED_OPEN);
            assertThat(app.orchestrator().history().view().series(CHART_KEY).at(0)).isBefore(leftSecond);
            // the window shows it: its earlier drill below the line where this window started watching
            await().atMost(Duration.ofSeconds(20)).until(() -> WaitForAsyncUtils.asyncFx(() -> {
                var rows = app.window().dashboard().events();
                int watching = -1;
                int drill = -1;
                for (int i = 0; i < rows.size(); i++) {
                    if (rows.get(i).detail().startsWith("watching since here")) {
                        watching = i;
                    } else if (rows.get(i).detail().contains("FORCED OPEN") && drill < 0) {
                        drill = i;
                    }
                }
                return watching >= 0 && drill > watching;
            }).get());
            Screenshots.save(stage.getScene(), "profile-switched-back-events");
            assertThat(embeddedPort).isPositive();
        }
        assertThat(run.app().orchestrator().status().state().name()).isEqualTo("STOPPED");
    }

    @Test
    void aFailedSwitchFromTheEmbeddedServerToAnEmbeddedTargetBringsTheFirstBackAndOneSwitchRunsAtATime(TestDatabase db)
            throws Exception {
        PgPulseConfig embedded = config(Map.of(), Map.of());
        // an embedded target that cannot start: its data folder would be under a regular file
        Path notAFolder = java.nio.file.Files.writeString(home.resolve("not-a-folder"), "x");
        PgPulseConfig broken = config(Map.of(), Map.of("embedded.data_dir", notAFolder.resolve("data").toString()));
        PgPulseConfig other = config(db.env(), Map.of());
        try (RunningApp run = RunningApp.open(new Console.Launch(embedded, Orchestrator.Options.defaults(home, embedded),
                ConsolePrefsStore.defaultFile(home), ConsolePrefs.defaults().withPollInterval(Duration.ofMillis(500))))) {
            ConsoleApp app = run.app();
            Stage stage = run.stage();
            Path dataDir = app.orchestrator().embedded().orElseThrow().dataDir();
            ConsoleWindow firstWindow = app.window();

            Optional<String> failed = switchTo(app, "broken", broken);
            assertThat(failed).isPresent();
            assertThat(failed.get()).contains("back on the target PgPulse was started on");
            Orchestrator back = app.orchestrator();
            assertThat(back.embedded().orElseThrow().dataDir()).isEqualTo(dataDir);
            assertThat(back.status().state().name()).isIn("RUNNING", "STARTING", "DEGRADED");
            assertThat(app.targetKey()).isEqualTo(ConsoleApp.LAUNCH_TARGET);
            assertThat(app.window()).isNotSameAs(firstWindow);

            // the target it runs on is refused; a second switch asked for while one runs is refused
            assertThat(switchTo(app, ConsoleApp.LAUNCH_TARGET, embedded)).hasValueSatisfying(
                    why -> assertThat(why).contains("is what the console runs on now"));
            CompletableFuture<Optional<String>> firstSwitch = new CompletableFuture<>();
            CompletableFuture<Optional<String>> secondSwitch = new CompletableFuture<>();
            WaitForAsyncUtils.asyncFx(() -> {
                app.switchTo("other", other, firstSwitch::complete);
                app.switchTo("other-again", other, secondSwitch::complete);
            }).get(10, TimeUnit.SECONDS);
            assertThat(secondSwitch.get(10, TimeUnit.SECONDS)).hasValueSatisfying(
                    why -> assertThat(why).contains("another switch is under way"));
            assertThat(firstSwitch.get(120, TimeUnit.SECONDS)).isEmpty();
            assertThat(app.targetKey()).isEqualTo("other");
            assertThat(back.status().state().name()).isEqualTo("STOPPED");
        }
    }

    @Test
    void launchedWithProfileNameTheHeaderNamesItAndTheDialogMarksItActive(TestDatabase db) throws Exception {
        dev.pgpulse.config.ProfileStore store = dev.pgpulse.config.ProfileStore.forHome(home);
        store.save(new dev.pgpulse.config.ProfileSpec("warehouse", "postgresql://" + db.user() + "@" + db.host() + ":"
                + db.port() + "/" + db.database(), List.of(), null, Map.of(), null), null, store.load().stamp());
        // as `bin/pgpulse --profile warehouse` reads it
        Overrides flags = new Overrides(null, "warehouse", null, List.of(), null, Map.of("health.interval", "500ms"));
        ConfigLoader loader = new ConfigLoader(Map.of(), home, "tester", 2);
        PgPulseConfig config = loader.load(flags);
        assertThat(config.profile()).contains("warehouse");
        try (RunningApp run = RunningApp.open(new Console.Launch(config, Orchestrator.Options.defaults(home, config),
                ConsolePrefsStore.defaultFile(home), new ConsolePrefsStore.Loaded(ConsolePrefs.defaults()
                .withPollInterval(Duration.ofMillis(500))), new LoaderProfiles(loader, flags)))) {
            ConsoleApp app = run.app();
            Stage stage = run.stage();
            assertThat(app.targetKey()).isEqualTo("warehouse");
            assertThat(text("#profile")).isEqualTo("Profile: warehouse");
            var dialog = WaitForAsyncUtils.asyncFx(() -> app.window().openProfiles()).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> WaitForAsyncUtils.asyncFx(() ->
                    dialog.viewModel().items().size()).get() == 1);
            // no "Started with" line: the profile is what PgPulse started on
            assertThat(WaitForAsyncUtils.asyncFx(() -> dialog.viewModel().items().getFirst().text()).get())
                    .isEqualTo("warehouse  · active");
            assertThat(WaitForAsyncUtils.asyncFx(() -> dialog.viewModel().canSwitchProperty().get()).get()).isFalse();
        }
    }

    private static Optional<String> switchTo(ConsoleApp app, String key, PgPulseConfig config) throws Exception {
        CompletableFuture<Optional<String>> done = new CompletableFuture<>();
        WaitForAsyncUtils.asyncFx(() -> app.switchTo(key, config, done::complete)).get(10, TimeUnit.SECONDS);
        return done.get(120, TimeUnit.SECONDS);
    }

    private static String text(String id) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> ((Label) FxToolkit.toolkitContext().getRegisteredStage().getScene()
                .lookup(id)).getText()).get(10, TimeUnit.SECONDS);
    }
}
