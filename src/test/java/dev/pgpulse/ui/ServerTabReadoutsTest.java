package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.server.ServerReadings;
import dev.pgpulse.testing.ReplicationCluster;
import dev.pgpulse.ui.server.Cell;
import dev.pgpulse.ui.server.ReadoutRow;
import dev.pgpulse.ui.server.ServerTab;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.pgpulse.testing.ReplicationCluster.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Server tab's readouts on servers of their own: a real streaming standby ({@link ReplicationCluster}:
 * pg_basebackup through a slot) in the Replication pane with its lag while its replay is paused, and the embedded
 * default's top statements, preloaded and created by PgPulse, with the figures of a statement the test ran; without
 * the extension, the one line saying how to enable it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServerTabReadoutsTest extends WindowTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private ServerTab serverTab(Orchestrator o) throws Exception {
        ConsoleWindow w = TestWindows.show(stage, o, Duration.ofMillis(500));
        closeLast.add(w);
        fx(() -> {
            Tab t = w.tabs.getTabs().stream().filter(x -> "server-tab".equals(x.getId())).findFirst().orElseThrow();
            w.tabs.getSelectionModel().select(t);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        return fx(() -> (ServerTab) w.consoleTabs().stream().filter(ServerTab.class::isInstance).findFirst()
                .orElseThrow());
    }

    /** The rows the pane's table shows (as sorted there). */
    @SuppressWarnings("unchecked")
    private List<ReadoutRow> shown(String tableId) throws Exception {
        return fx(() -> List.copyOf(((TableView<ReadoutRow>) robot.lookup("#" + tableId).query()).getItems()));
    }

    /** Refreshes the pane (its readings are read on entry and on Refresh only) until a row matches. */
    private ReadoutRow refreshUntil(String section, String tableId, java.util.function.Predicate<ReadoutRow> match) {
        ReadoutRow[] found = new ReadoutRow[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            robot.clickOn("#server-refresh-" + section);
            WaitForAsyncUtils.waitForFxEvents();
            found[0] = shown(tableId).stream().filter(match).findFirst().orElse(null);
            return found[0] != null;
        });
        return found[0];
    }

    private static String text(ReadoutRow r, int column) {
        return r.cells().get(column).text();
    }

    @Test
    void theReplicationPaneShowsAStreamingStandbyWithItsLagWhileReplayIsPaused() throws Exception {
        ReplicationCluster cluster = ReplicationCluster.start(home.resolve("cluster"), 1);
        closeLast.add(cluster);
        EmbeddedServer primary = cluster.primary();
        var config = new ConfigLoader(Map.of("DATABASE_URL", primary.url()), home, "tester", 2).load(Overrides.none());
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(500),
                Orchestrator.Options.alertRulesFile(home), false));
        closeLast.add(o);
        ServerTab tab = serverTab(o);
        ServerTabTest.section(tab, "server-section-replication");

        ReadoutRow streaming = refreshUntil("replication", "server-standbys-table",
                r -> text(r, 2).equals("streaming"));
        assertThat(streaming.flagged()).isFalse();
        assertThat(text(streaming, 4)).as("sent LSN").matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(text(streaming, 7)).as("replay LSN").matches("[0-9A-F]+/[0-9A-F]+");
        ReadoutRow slot = refreshUntil("replication", "server-slots-table",
                r -> text(r, 0).equals("standby_0"));
        assertThat(text(slot, 3)).isEqualTo("active");
        assertThat(slot.flagged()).isFalse();

        // replay paused while the primary writes: the standby falls behind by the WAL it has not replayed
        cluster.pauseReplay(0);
        sql(primary.jdbcUrl(), "create table replication_ui_probe (id int, pad text)",
                "insert into replication_ui_probe select g, repeat('x', 200) from generate_series(1, 20000) g");
        ReadoutRow behind = refreshUntil("replication", "server-standbys-table",
                r -> text(r, 2).equals("streaming") && r.cells().get(8).numeric() && r.cells().get(8).number() > 0);
        Cell lag = behind.cells().get(8);
        assertThat(lag.number()).as("lag bytes").isGreaterThan(1_000_000);
        assertThat(lag.text()).isNotBlank().doesNotContain("-");
        assertThat(fx(() -> tab.viewModel().readout(ServerReadings.Kind.STANDBYS).columns().get(8))).isEqualTo("Lag");
        Screenshots.save(stage.getScene(), "server-replication-standby");

        cluster.resumeReplay(0);
        refreshUntil("replication", "server-standbys-table",
                r -> text(r, 2).equals("streaming") && r.cells().get(8).numeric() && r.cells().get(8).number() == 0);
    }

    @Test
    void theEmbeddedDefaultsTopStatementsShowAStatementWithItsCallsAndTotalTime() throws Exception {
        var config = new ConfigLoader(Map.of(), home, "tester", 2).load(new Overrides(null, null, null, List.of(),
                null, Map.of("embedded.data_dir", home.resolve("embedded").toString())));
        assertThat(config.isEmbedded()).isTrue();
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(500),
                Orchestrator.Options.alertRulesFile(home), false, true));
        closeLast.add(o);
        sql(o.embedded().orElseThrow().jdbcUrl(), "select pg_sleep(0.25) as server_tab_statement_probe",
                "select pg_sleep(0.25) as server_tab_statement_probe");
        ServerTab tab = serverTab(o);
        ServerTabTest.section(tab, "server-section-statements");

        ReadoutRow probe = refreshUntil("statements", "server-statements-table",
                r -> text(r, 0).contains("server_tab_statement_probe"));
        assertThat(text(probe, 1)).as("calls").isEqualTo("2");
        assertThat(probe.cells().get(2).number()).as("total time, ms").isGreaterThanOrEqualTo(500.0);
        assertThat(text(probe, 2)).isNotBlank();
        assertThat(fx(() -> tab.viewModel().readout(ServerReadings.Kind.STATEMENTS).noteProperty().get())).isEmpty();
        assertThat(fx(() -> ((Label) robot.lookup("#server-statements-note").query()).isVisible())).isFalse();
        Screenshots.save(stage.getScene(), "server-top-statements-loaded");
    }

    @Test
    void withoutTheExtensionTheTopStatementsPaneSaysHowToEnableIt() throws Exception {
        // a scratch server does not preload pg_stat_statements (a DBA's own server as it most often is)
        EmbeddedServer plain = EmbeddedServer.startScratch(home.resolve("plain"), 0);
        closeLast.add(plain);
        var config = new ConfigLoader(Map.of("DATABASE_URL", plain.url()), home, "tester", 2).load(Overrides.none());
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(500),
                Orchestrator.Options.alertRulesFile(home), false));
        closeLast.add(o);
        ServerTab tab = serverTab(o);
        ServerTabTest.section(tab, "server-section-statements");

        await().atMost(WAIT).until(() -> fx(() -> !tab.viewModel().readout(ServerReadings.Kind.STATEMENTS)
                .noteProperty().get().isEmpty()));
        Label note = fx(() -> (Label) robot.lookup("#server-statements-note").query());
        assertThat(fx(note::getText)).startsWith("pg_stat_statements is not installed: add it to "
                + "shared_preload_libraries").endsWith("CREATE EXTENSION pg_stat_statements");
        assertThat(fx(note::isVisible)).isTrue();
        assertThat(shown("server-statements-table")).isEmpty();
        Screenshots.save(stage.getScene(), "server-top-statements-hint");
    }
}
