package dev.pgpulse.agent;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExporter;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static dev.pgpulse.agent.PostgresExporterComparisonTest.family;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A server of its own with pg_stat_statements preloaded: the agent serves the top statements as the view has them,
 * and the view itself counts PgPulse's queries: one round of readings per health sample, none per scrape.
 */
@Timeout(120)
class TopStatementsExportTest {
    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void topStatementsAreServedAndTheReadingsRunOncePerHealthSample() throws Exception {
        try (EmbeddedPostgres pg = preloaded(); Connection c = pg.getPostgresDatabase().getConnection();
             Statement st = c.createStatement()) {
            st.execute("create extension pg_stat_statements");
            for (int i = 0; i < 5; i++) {
                st.execute("select pg_sleep(0.02), " + i);
            }
            var config = new ConfigLoader(Map.of("DATABASE_URL", "postgresql://postgres@localhost:" + pg.getPort()
                    + "/postgres"), dir, "tester", 2).load(Overrides.none());
            // one sample at start; the interval is long enough that the test's own are the only others
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofHours(1), null, false));
                 AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> o.snapshot().health() != null);
                o.health().sample();
                o.health().sample();
                String scrape = get(agent.port());
                for (int i = 0; i < 3; i++) {
                    get(agent.port()); // scrapes read memory only
                }
                assertThat(calls(st, "%cross join pg_database d%")).as("the locks query: once per sample").isEqualTo(3);
                assertThat(calls(st, "%group by s.userid, s.dbid, s.queryid%")).as("the statements query").isEqualTo(3);

                long queryId;
                double totalMs;
                try (ResultSet rs = st.executeQuery("select queryid, total_exec_time from pg_stat_statements"
                        + " where query like 'select pg_sleep($1), $2'")) {
                    assertThat(rs.next()).isTrue();
                    queryId = rs.getLong(1);
                    totalMs = rs.getDouble(2);
                }
                var samples = PostgresExporter.parse(scrape);
                Map<String, String> labels = Map.of("datname", "postgres", "queryid", Long.toString(queryId), "user", "postgres");
                assertThat(family(samples, "pg_stat_statements_calls_total", "endpoint")).containsEntry(labels, 5.0);
                assertThat(family(samples, "pg_stat_statements_rows_total", "endpoint")).containsEntry(labels, 5.0);
                assertThat(family(samples, "pg_stat_statements_seconds_total", "endpoint").get(labels))
                        .isCloseTo(totalMs / 1000, within(1e-9)).isGreaterThan(0.1);
                assertThat(family(samples, "pg_stat_statements_block_read_seconds_total", "endpoint")).containsKey(labels);
                assertThat(family(samples, "pgpulse_statement_shared_blocks_hit_total", "endpoint")).containsKey(labels);
                assertThat(family(samples, "pg_stat_statements_calls_total", "endpoint")).hasSizeLessThanOrEqualTo(20);
                MetricsExportTest.promtoolAccepts(scrape);
            }
        }
    }

    /**
     * pg_stat_statements there but not readable by the agent's role (or not preloaded): no statements, the rest of
     * the readings stand. Readings that fail (here: pg_replication_slots not readable) leave the health round alone: the endpoint
     * is up, its own database's counters stand in, one warning is logged for the lasting failure, and once the view
     * can be read the readings are back.
     */
    @Test
    void readingsThatFailKeepTheHealthSampleAndComeBack() throws Exception {
        try (EmbeddedPostgres pg = preloaded(); Connection c = pg.getPostgresDatabase().getConnection();
             Statement st = c.createStatement();
             dev.pgpulse.testing.LogCapture log = new dev.pgpulse.testing.LogCapture(dev.pgpulse.health.HealthMonitor.class)) {
            st.execute("create extension pg_stat_statements");
            st.execute("create role watcher login");
            st.execute("revoke all on pg_stat_statements from public");
            st.execute("revoke all on pg_catalog.pg_replication_slots from public");
            var config = new ConfigLoader(Map.of("DATABASE_URL", "postgresql://watcher@localhost:" + pg.getPort()
                    + "/postgres"), dir, "tester", 2).load(Overrides.none());
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofHours(1), null, false));
                 AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> o.snapshot().health() != null);
                o.health().sample();
                var health = o.snapshot().health();
                assertThat(health.endpoints().getFirst().reachable()).isTrue();
                assertThat(health.endpoints().getFirst().server()).isNotNull();
                assertThat(o.health().readings()).isEmpty();
                assertThat(log.events(ch.qos.logback.classic.Level.WARN, "server readings for /metrics failed"))
                        .as("logged once for two failed rounds").hasSize(1)
                        .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("primary - ")
                                .contains("permission denied for view pg_replication_slots"));
                var samples = PostgresExporter.parse(get(agent.port()));
                assertThat(family(samples, "pg_up", "endpoint")).containsEntry(Map.of(), 1.0);
                assertThat(family(samples, "pg_stat_database_xact_commit_total", "endpoint").keySet())
                        .as("the endpoint's own database only").singleElement()
                        .satisfies(l -> assertThat(l).containsEntry("datname", "postgres"));
                assertThat(family(samples, "pg_locks_count", "endpoint")).isEmpty();

                st.execute("grant select on pg_catalog.pg_replication_slots to public");
                o.health().sample();
                assertThat(o.health().readings()).containsKey("primary");
                assertThat(o.health().readings().get("primary").statements()).as("still not readable").isNull();
                st.execute("grant select on pg_stat_statements to public");
                o.health().sample();
                assertThat(o.health().readings().get("primary").statements()).isNotEmpty();
                assertThat(log.events(ch.qos.logback.classic.Level.INFO, "server readings for /metrics are back")).hasSize(1);
                samples = PostgresExporter.parse(get(agent.port()));
                assertThat(family(samples, "pg_stat_database_xact_commit_total", "endpoint")).hasSizeGreaterThan(1);
                assertThat(family(samples, "pg_locks_count", "endpoint")).isNotEmpty();
            }
        }
    }

    /** A server of the test's own with the library preloaded (the shared test server does not preload it). */
    private static EmbeddedPostgres preloaded() throws java.io.IOException {
        return EmbeddedPostgres.builder().setServerConfig("shared_preload_libraries", "pg_stat_statements").start();
    }

    private static long calls(Statement st, String like) throws Exception {
        try (ResultSet rs = st.executeQuery("select coalesce(sum(calls), 0) from pg_stat_statements where query like '"
                + like + "' and query not like '%coalesce(sum(calls), 0)%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String get(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
