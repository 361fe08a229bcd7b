package dev.pgpulse.agent;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExporter;
import dev.pgpulse.testing.ReplicationCluster;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.pgpulse.agent.PostgresExporterComparisonTest.family;
import static dev.pgpulse.testing.ReplicationCluster.queryLong;
import static dev.pgpulse.testing.ReplicationCluster.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real streaming standby ({@link ReplicationCluster}: pg_basebackup from an embedded primary, through a
 * replication slot) with its replay paused while the primary writes: the agent on the primary serves the standby's
 * lag in bytes and seconds and the slot, beside a real postgres_exporter, with the same labels and values within
 * the scrape's drift.
 */
@Timeout(180)
class ReplicationExportTest {
    /** The standby's slot, as {@link ReplicationCluster} names it. */
    private static final String SLOT = "standby_0";

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void aLaggingStandbyAndItsSlotAreExportedAsPostgresExporterHasThem() throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(dir.resolve("cluster"), 1)) {
            EmbeddedServer primary = cluster.primary();
            EmbeddedServer standby = cluster.standby(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> queryLong(primary.jdbcUrl(),
                    "select count(*) from pg_stat_replication where state = 'streaming'") == 1);
            cluster.pauseReplay(0);
            sql(primary.jdbcUrl(), "create table lagging as select g, repeat('x', 100) as pad from generate_series(1, 20000) g");
            // received and flushed there, not replayed: a lag in bytes that stays while nothing else is written
            await().atMost(Duration.ofSeconds(20)).until(() -> queryLong(primary.jdbcUrl(),
                    "select count(*) from pg_stat_replication where flush_lsn >= pg_current_wal_lsn()"
                            + " and replay_lsn < flush_lsn") == 1);

            TestDatabase db = new TestDatabase("localhost", primary.port(), "postgres", null, "postgres");
            // the standby as a replica endpoint too: the readings work there (in recovery) as well
            var config = new ConfigLoader(Map.of("DATABASE_URL", db.url(), "DATABASE_READ_URLS", standby.url()),
                    dir, "tester", 2).load(Overrides.none());
            try (PostgresExporter exporter = PostgresExporter.start(db, dir);
                 Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofHours(1), null, false));
                 AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> o.snapshot().health() != null);
                long lowest = queryLong(primary.jdbcUrl(), "select min(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))::bigint"
                        + " from pg_stat_replication");
                List<PostgresExporter.Sample> before = exporter.scrape();
                o.health().sample();
                String scrape = get(agent.port());
                List<PostgresExporter.Sample> both = PostgresExporter.parse(scrape);
                List<PostgresExporter.Sample> ours = both.stream()
                        .filter(x -> "primary".equals(x.labels().get("endpoint"))).toList();
                List<PostgresExporter.Sample> replica = both.stream()
                        .filter(x -> "replica-1".equals(x.labels().get("endpoint"))).toList();
                assertThat(o.health().readings()).containsOnlyKeys("primary", "replica-1");
                assertThat(family(replica, "pg_stat_database_xact_commit_total", "endpoint")).hasSizeGreaterThan(1);
                assertThat(family(replica, "pg_locks_count", "endpoint")).isNotEmpty();
                assertThat(family(replica, "pg_stat_replication_pg_wal_lsn_diff", "endpoint"))
                        .as("no standby streams from the standby").isEmpty();
                assertThat(family(replica, "pg_stat_bgwriter_buffers_alloc_total", "endpoint")).hasSize(1);
                List<PostgresExporter.Sample> after = exporter.scrape();
                long highest = queryLong(primary.jdbcUrl(), "select max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))::bigint"
                        + " from pg_stat_replication");

                var mine = family(ours, "pg_stat_replication_pg_wal_lsn_diff", "endpoint");
                var theirs = family(after, "pg_stat_replication_pg_wal_lsn_diff", "server");
                assertThat(mine).as("one standby").hasSize(1);
                assertThat(theirs).as("one standby").hasSize(1);
                Map<String, String> labels = mine.keySet().iterator().next();
                long pid = queryLong(primary.jdbcUrl(), "select pid from pg_stat_replication");
                assertThat(labels).containsEntry("state", "streaming").containsEntry("client_addr", "127.0.0.1")
                        .containsEntry("application_name", "walreceiver").containsEntry("slot_name", SLOT)
                        .containsEntry("pid", Long.toString(pid));
                // postgres_exporter 0.11.1's labels are the same but for pid, which newer ones add (two standbys
                // from one host under one name are otherwise one series); its slot_name holds the pid (its
                // column map is off by one there), PgPulse's the slot's name
                Map<String, String> exporters = theirs.keySet().iterator().next();
                Map<String, String> expected = new java.util.TreeMap<>(labels);
                expected.remove("pid");
                expected.put("slot_name", Long.toString(pid));
                assertThat(exporters).isEqualTo(expected);
                theirs = Map.of(labels, theirs.get(exporters));
                assertThat(mine.get(labels)).as("lag bytes, as psql read it before and after")
                        .isBetween((double) lowest, (double) highest).isGreaterThan(1e6);
                assertThat(family(before, "pg_stat_replication_pg_wal_lsn_diff", "server").get(exporters))
                        .isBetween((double) lowest, (double) highest);
                assertThat(theirs.get(labels)).isBetween((double) lowest, (double) highest);
                for (String lag : List.of("write", "flush", "replay")) {
                    var seconds = family(ours, "pgpulse_replication_standby_" + lag + "_lag_seconds", "endpoint");
                    assertThat(seconds.keySet()).as(lag).isEqualTo(mine.keySet());
                }
                // the standby's slot: active, retained WAL at least the standby's lag
                Map<String, String> slot = Map.of("database", "", "slot_name", SLOT);
                assertThat(family(ours, "pg_replication_slots_active", "endpoint")).containsEntry(slot, 1.0)
                        .isEqualTo(family(after, "pg_replication_slots_active", "server"));
                assertThat(family(ours, "pg_replication_slots_pg_wal_lsn_diff", "endpoint").get(slot))
                        .isBetween(family(before, "pg_replication_slots_pg_wal_lsn_diff", "server").get(slot),
                                family(after, "pg_replication_slots_pg_wal_lsn_diff", "server").get(slot));
                MetricsExportTest.promtoolAccepts(scrape);
            } finally {
                cluster.resumeReplay(0);
            }
        }
    }

    private String get(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
