package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.pool.Route;
import dev.pgpulse.ui.dashboard.EndpointViewModel;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hung server, for real: every process of a scratch embedded PostgreSQL of this test's own is stopped with SIGSTOP
 * while calls run. Nothing fails, so the breaker stays CLOSED; the throughput tile says how many calls are in flight
 * by the second poll and the oldest one's age grows from poll to poll, turning the line amber, while the throughput
 * figure drops to zero. Resumed with SIGCONT, the calls finish and the tile says so.
 */
@Timeout(120)
class HungServerDashboardTest {
    private static final Pattern OLDEST = Pattern.compile("(\\d+) in flight · oldest ([0-9.]+) s");

    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(20, TimeUnit.SECONDS);
    }

    /** The postmaster of a data folder and every process under it (backends, checkpointer, walwriter...). */
    private static List<Long> serverProcesses(Path dataDir) throws Exception {
        long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().trim());
        List<Long> pids = new ArrayList<>(List.of(postmaster));
        ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    private static void signal(String signal, List<Long> pids) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", "-s", signal));
        pids.forEach(p -> command.add(Long.toString(p)));
        Process kill = new ProcessBuilder(command).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -s %s %s", signal, pids).isZero();
    }

    @Test
    void aStoppedServerShowsTheCallsInFlightAndTheOldestOnesGrowingAgeWithinTwoPolls() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.startScratch(dir.resolve("data"), 0);
             ExecutorService callers = Executors.newFixedThreadPool(3)) {
            var config = new ConfigLoader(Map.of("DATABASE_URL", server.url()), dir, "tester", 2).load(Overrides.none());
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                    dir.resolve("alert-rules.json"), false))) {
                Stage stage = FxToolkit.registerPrimaryStage();
                ConsoleWindow w = TestWindows.show(stage, o, Duration.ofMillis(500));
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> {
                        EndpointViewModel vm = w.dashboard().endpoint("primary");
                        return vm != null && vm.healthProperty().get().equals("UP");
                    }));
                    // what the tile says at each poll from here on
                    List<String> seen = new CopyOnWriteArrayList<>();
                    List<EndpointViewModel.InFlightLevel> levels = new CopyOnWriteArrayList<>();
                    fx(() -> {
                        EndpointViewModel vm = w.dashboard().endpoint("primary");
                        w.poller().pollsProperty().addListener((obs, a, b) -> {
                            seen.add(vm.inFlightProperty().get());
                            levels.add(vm.inFlightLevelProperty().get());
                        });
                        return null;
                    });
                    List<Long> pids = serverProcesses(server.dataDir());
                    signal("STOP", pids);
                    List<CompletableFuture<?>> calls = new ArrayList<>();
                    try {
                        for (int i = 0; i < 3; i++) {
                            calls.add(CompletableFuture.supplyAsync(() -> o.service().query("stuck", Route.READ, c -> {
                                try (Statement st = c.createStatement()) {
                                    return st.execute("select 1");
                                }
                            }), callers));
                        }
                        await().atMost(Duration.ofSeconds(5)).until(() -> o.service().inFlight() >= 3);
                        int from = seen.size();
                        // two polls later: the calls in flight are on the tile
                        await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= from + 2);
                        assertThat(seen.get(from + 1)).as("the second poll after the calls started; all: %s", seen)
                                .matches(OLDEST);
                        // and the oldest one keeps ageing, poll after poll, until it is amber
                        await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= from + 8
                                && levels.getLast() != EndpointViewModel.InFlightLevel.NORMAL);
                        List<Double> ages = seen.subList(from + 1, seen.size()).stream().map(t -> {
                            Matcher m = OLDEST.matcher(t);
                            assertThat(m.matches()).as("%s in %s", t, seen).isTrue();
                            assertThat(Integer.parseInt(m.group(1))).isGreaterThanOrEqualTo(3);
                            return Double.parseDouble(m.group(2));
                        }).toList();
                        assertThat(ages).as("the oldest call's age at each poll").isSortedAccordingTo(Double::compare);
                        assertThat(ages.getLast()).isGreaterThan(ages.getFirst());
                        Label line = fx(() -> (Label) robot.lookup("#in-flight-primary").query());
                        assertThat(fx(() -> line.getText())).matches(OLDEST);
                        assertThat(fx(() -> line.getStyleClass())).containsAnyOf("in-flight-slow", "in-flight-stuck");
                        assertThat(fx(() -> w.dashboard().endpoint("primary").callsPerSecondProperty().get()))
                                .as("nothing finishes, and the figure says so before the next health sample").isZero();
                        // what a DBA saw before: the breaker is CLOSED, since nothing failed
                        assertThat(fx(() -> ((Label) robot.lookup("#breaker-state-primary").query()).getText()))
                                .startsWith("CLOSED");
                        Path shot = Screenshots.save(stage.getScene(), "dashboard-hung-server");
                        assertThat(shot).isNotEmptyFile();
                    } finally {
                        signal("CONT", pids);
                    }
                    for (CompletableFuture<?> c : calls) {
                        c.get(30, TimeUnit.SECONDS);
                    }
                    await().atMost(Duration.ofSeconds(20)).until(() -> fx(() ->
                            w.dashboard().endpoint("primary").inFlightProperty().get().equals("none in flight")
                                    || w.dashboard().endpoint("primary").inFlightLevelProperty().get()
                                    == EndpointViewModel.InFlightLevel.NORMAL));
                } finally {
                    w.close(); // off the FX thread: it may wait for background work
                }
            }
        }
    }
}
