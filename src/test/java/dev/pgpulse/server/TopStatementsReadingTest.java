package dev.pgpulse.server;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.orchestration.Orchestrator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Top statements on a server of its own with {@code pg_stat_statements} preloaded (ALTER SYSTEM, restart, CREATE
 * EXTENSION): the hint goes and the statements come, the most expensive first, with their calls and hit ratio.
 */
@Timeout(120)
class TopStatementsReadingTest {
    @TempDir
    Path dir;

    private static void sql(String jdbcUrl, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    @Test
    void withTheExtensionLoadedTheStatementsShowByTotalTime() throws Exception {
        Path data = dir.resolve("data");
        try (EmbeddedServer first = EmbeddedServer.start(data, 0)) {
            sql(first.jdbcUrl(), "alter system set shared_preload_libraries = 'pg_stat_statements'");
        }
        try (EmbeddedServer server = EmbeddedServer.start(data, 0)) {
            var config = new ConfigLoader(Map.of("DATABASE_URL", server.url()), dir, "tester", 2).load(Overrides.none());
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofSeconds(5),
                    dir.resolve("alert-rules.json"), false))) {
                ServerReadings readings = ServerReadings.of(o);
                assertThat(readings.read(ServerReadings.Kind.STATEMENTS).orElseThrow().note())
                        .as("preloaded but not created yet").isEqualTo(ServerReadings.CREATE_HINT);
                sql(server.jdbcUrl(), "create extension pg_stat_statements", "select pg_stat_statements_reset()",
                        "select pg_sleep(0.3)", "select count(*) from generate_series(1, 100000)");
                Readout top = readings.read(ServerReadings.Kind.STATEMENTS).orElseThrow();
                assertThat(top.note()).isEmpty();
                assertThat(top.rows()).isNotEmpty();
                Readout.Row first = top.rows().getFirst();
                assertThat((String) first.values().get(0)).contains("pg_sleep");
                assertThat(first.values().get(1)).isEqualTo(1L);
                assertThat((Double) first.values().get(2)).isGreaterThanOrEqualTo(300.0);
                assertThat(top.rows()).anySatisfy(r -> assertThat((String) r.values().get(0))
                        .contains("generate_series"));
            }
        }
    }

    /**
     * A monitoring role (pg_read_all_stats, not superuser, so without pg_read_all_settings) cannot see
     * shared_preload_libraries: on a server that preloads the library (the embedded default does) its top statements
     * must show, not a hint that the library is not loaded.
     */
    @Test
    void aMonitoringRoleThatCannotSeeThePreloadSettingStillSeesTheStatements() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(dir.resolve("data"), 0)) {
            sql(server.jdbcUrl(), "create extension if not exists pg_stat_statements",
                    "create role pgpulse_monitor login nosuperuser in role pg_read_all_stats",
                    "select count(*) from generate_series(1, 4242) as monitor_role_probe");
            String url = "postgresql://pgpulse_monitor@localhost:" + server.port() + "/" + EmbeddedServer.DATABASE;
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "pgpulse_monitor", null);
                 Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("select count(*) from pg_settings where name = 'shared_preload_libraries'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("hidden from the role").isZero();
            }
            var config = new ConfigLoader(Map.of("DATABASE_URL", url), dir, "tester", 2).load(Overrides.none());
            var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            var service = new dev.pgpulse.service.DatabaseService(dev.pgpulse.pool.Endpoints.open(config, meters),
                    new dev.pgpulse.resilience.Guard(config.resilience(), meters, new dev.pgpulse.resilience.EventLog(100),
                            java.time.Clock.systemUTC()), meters, java.time.Clock.systemUTC());
            try {
                var r = new ServerReadings(service, Duration.ofSeconds(5)).read(ServerReadings.Kind.STATEMENTS);
                assertThat(r.isSuccess()).as(r.toString()).isTrue();
                Readout top = r.orElseThrow();
                assertThat(top.note()).isEmpty();
                assertThat(top.rows()).anySatisfy(row -> assertThat((String) row.values().get(0))
                        .contains("monitor_role_probe"));
            } finally {
                service.shutdown(Duration.ofSeconds(2));
            }
        }
    }

    /** Created but not preloaded: the hint says to preload it (the function's own error, 55000, tells). */
    @Test
    void createdButNotPreloadedSaysToPreload() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.startScratch(dir.resolve("scratch"), 0)) {
            sql(server.jdbcUrl(), "create extension if not exists pg_stat_statements");
            var config = new ConfigLoader(Map.of("DATABASE_URL", server.url()), dir, "tester", 2).load(Overrides.none());
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofSeconds(5),
                    dir.resolve("alert-rules.json"), false))) {
                Readout top = ServerReadings.of(o).read(ServerReadings.Kind.STATEMENTS).orElseThrow();
                assertThat(top.rows()).isEmpty();
                assertThat(top.note()).isEqualTo(ServerReadings.PRELOAD_HINT);
                sql(server.jdbcUrl(), "drop extension pg_stat_statements");
                top = ServerReadings.of(o).read(ServerReadings.Kind.STATEMENTS).orElseThrow();
                assertThat(top.note()).isEqualTo(ServerReadings.STATEMENTS_HINT);
            }
        }
    }

    @Test
    void theEmbeddedDefaultPreloadsAndCreatesTheExtensionSoTheDemoShowsFigures() throws Exception {
        var config = new ConfigLoader(Map.of(), dir, "tester", 2).load(new Overrides(null, null, null,
                java.util.List.of(), null, Map.of("embedded.data_dir", dir.resolve("embedded").toString())));
        assertThat(config.isEmbedded()).isTrue();
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofSeconds(5),
                dir.resolve("alert-rules.json"), false, true))) {
            assertThat(o.startupWarnings()).noneMatch(w -> w.contains("pg_stat_statements"));
            EmbeddedServer server = o.embedded().orElseThrow();
            assertThat(server.createStatementsExtension()).as("already created by the start").isFalse();
            sql(server.jdbcUrl(), "select pg_sleep(0.2) as embedded_probe");
            Readout top = ServerReadings.of(o).read(ServerReadings.Kind.STATEMENTS).orElseThrow();
            assertThat(top.note()).isEmpty();
            assertThat(top.rows()).anySatisfy(r -> {
                assertThat((String) r.values().get(0)).contains("embedded_probe");
                assertThat(r.values().get(1)).isEqualTo(1L);
                assertThat((Double) r.values().get(2)).isGreaterThanOrEqualTo(200.0);
            });
        }
    }

    @Test
    void aDbasOwnPreloadListOnTheEmbeddedServerWinsFromTheNextStartOn() throws Exception {
        var config = new ConfigLoader(Map.of(), dir, "tester", 2).load(new Overrides(null, null, null,
                java.util.List.of(), null, Map.of("embedded.data_dir", dir.resolve("embedded").toString())));
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofSeconds(5),
                dir.resolve("alert-rules.json"), false, true))) {
            EmbeddedServer server = o.embedded().orElseThrow();
            assertThat(show(server.jdbcUrl())).as("the demo's default").isEqualTo("pg_stat_statements");
            sql(server.jdbcUrl(), "alter system set shared_preload_libraries = 'auto_explain'");
        }
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofSeconds(5),
                dir.resolve("alert-rules.json"), false, true))) {
            EmbeddedServer server = o.embedded().orElseThrow();
            assertThat(show(server.jdbcUrl())).as("ALTER SYSTEM is not overridden by PgPulse")
                    .isEqualTo("auto_explain");
            assertThat(server.createStatementsExtension()).as("not preloaded: nothing to create").isFalse();
            assertThat(ServerReadings.of(o).read(ServerReadings.Kind.STATEMENTS).orElseThrow().note())
                    .as("the tab says how to enable it").isNotEmpty();
        }
    }

    private static String show(String jdbcUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("show shared_preload_libraries")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
