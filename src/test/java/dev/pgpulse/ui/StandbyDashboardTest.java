package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.ReplicationCluster;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.pgpulse.testing.ReplicationCluster.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real streaming replica ({@link ReplicationCluster}: an embedded primary, a standby made from it with
 * pg_basebackup and started on its own port), replaying the primary's WAL. With replay paused and the primary
 * writing, the standby's health sample reports replay lag, and its dashboard row shows it; resumed, the lag goes
 * back to zero.
 */
@Timeout(180)
class StandbyDashboardTest {
    @TempDir
    Path dir;

    @Test
    void aPausedStandbyShowsItsReplayLagOnItsRowAndCatchesUp() throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(dir.resolve("cluster"), 1)) {
            EmbeddedServer primary = cluster.primary();
            EmbeddedServer standby = cluster.standby(0);
            assertThat(standby.dataDir().resolve("standby.signal")).exists();
            var config = new ConfigLoader(Map.of("DATABASE_URL", primary.url(), "DATABASE_READ_URLS", standby.url(),
                    "PGPULSE_READS_MAX_LAG", "1s"), dir, "tester", 2).load(Overrides.none());
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                    dir.resolve("alert-rules.json"), false))) {
                await().atMost(Duration.ofSeconds(20)).until(() -> replica(o).map(ServerStats::inRecovery).orElse(false));
                assertThat(replica(o).orElseThrow().replayLagBytes()).isNotNull();

                Stage stage = FxToolkit.registerPrimaryStage();
                ConsoleWindow w = TestWindows.show(stage, o, Duration.ofMillis(500));
                try {
                    // one replayed transaction first: until then the standby knows no replay time, and lag in
                    // seconds is rightly unknown
                    sql(primary.jdbcUrl(), "create table lag_warmup (id int)");
                    await().atMost(Duration.ofSeconds(20)).until(() -> replica(o)
                            .map(s -> s.replayLagSeconds() != null && s.replayLagBytes() == 0).orElse(false));
                    cluster.pauseReplay(0);
                    sql(primary.jdbcUrl(), "create table lag_probe (id int, pad text)",
                            "insert into lag_probe select g, repeat('x', 200) from generate_series(1, 20000) g");
                    await().atMost(Duration.ofSeconds(20)).until(() -> replica(o)
                            .map(s -> s.replayLagBytes() != null && s.replayLagBytes() > 0
                                    && s.replayLagSeconds() != null && s.replayLagSeconds() > 0).orElse(false));
                    await().atMost(Duration.ofSeconds(10)).until(() -> lagText(w).matches("replay lag .+ · .+B")
                            && !lagText(w).endsWith("· 0 B"));
                    // past reads.max_lag: the tile says reads avoid it, and why
                    await().atMost(Duration.ofSeconds(20)).until(() -> readsText(w)
                            .matches("out of reads: replay lag [0-9.]+ s over reads.max_lag 1.0 s"));
                    WaitForAsyncUtils.waitForFxEvents();
                    Screenshots.save(stage.getScene(), "dashboard-standby-lagging");
                    // the agent's /metrics says the same (replay is paused, so the lag stays)
                    String scrape = o.scrape();
                    assertThat(scrape).containsPattern(
                            "(?m)^pgpulse_replication_replay_lag_bytes\\{endpoint=\"replica-1\"} [1-9]")
                            .containsPattern("(?m)^pgpulse_replication_replay_lag_seconds\\{endpoint=\"replica-1\"} ")
                            .containsPattern("(?m)^pgpulse_server_in_recovery\\{endpoint=\"replica-1\"} 1")
                            .doesNotContainPattern("pgpulse_replication_replay_lag_bytes\\{endpoint=\"primary\"}");

                    cluster.resumeReplay(0);
                    await().atMost(Duration.ofSeconds(20)).until(() -> replica(o)
                            .map(s -> s.replayLagBytes() != null && s.replayLagBytes() == 0).orElse(false));
                    await().atMost(Duration.ofSeconds(10)).until(() -> lagText(w).endsWith("· 0 B"));
                    await().atMost(Duration.ofSeconds(20)).until(() -> readsText(w).equals("takes reads"));
                    assertThat(WaitForAsyncUtils.asyncFx(() -> w.dashboard().events().stream()
                            .anyMatch(e -> e.kind().equals("reads"))).get(5, TimeUnit.SECONDS))
                            .as("the rotation's changes are in the events").isTrue();
                } finally {
                    WaitForAsyncUtils.asyncFx(w::close).get(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Optional<ServerStats> replica(Orchestrator o) {
        var h = o.health().latest();
        return h == null ? Optional.empty() : h.endpoint("replica-1").map(EndpointStatus::server);
    }

    private static String readsText(ConsoleWindow w) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> w.dashboard().endpoint("replica-1") == null ? ""
                : w.dashboard().endpoint("replica-1").readsProperty().get()).get(5, TimeUnit.SECONDS);
    }

    private static String lagText(ConsoleWindow w) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> w.dashboard().endpoint("replica-1") == null ? ""
                : w.dashboard().endpoint("replica-1").replayLagProperty().get()).get(5, TimeUnit.SECONDS);
    }
}
