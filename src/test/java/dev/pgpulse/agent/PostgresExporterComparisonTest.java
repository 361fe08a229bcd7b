package dev.pgpulse.agent;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExporter;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent scraped beside a real postgres_exporter on the same server: each family PgPulse claims to match is there
 * in both, with the same label sets (the exporter's {@code server} label and PgPulse's {@code endpoint} aside), and the
 * same values within the scrape's drift: the exporter is scraped before and after the agent samples, so a counter
 * of the agent lies between the exporter's two values (in the exporter's unit: it keeps PostgreSQL's milliseconds,
 * PgPulse exports seconds), and gauges of a database nobody but the test touches are equal.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PostgresExporterComparisonTest {
    /** PgPulse's family, postgres_exporter's, and the factor from PgPulse's value to the exporter's unit. */
    record Claim(String pgpulse, String exporter, double toExporterUnit) {
    }

    static final List<Claim> COUNTERS = counters();

    private static List<Claim> counters() {
        List<Claim> c = new ArrayList<>();
        for (String col : List.of("xact_commit", "xact_rollback", "blks_read", "blks_hit", "tup_returned",
                "tup_fetched", "tup_inserted", "tup_updated", "tup_deleted", "conflicts", "temp_files", "temp_bytes",
                "deadlocks", "sessions", "sessions_abandoned", "sessions_fatal", "sessions_killed")) {
            c.add(new Claim("pg_stat_database_" + col + "_total", "pg_stat_database_" + col, 1));
        }
        for (String col : List.of("session_time", "active_time", "idle_in_transaction_time")) {
            c.add(new Claim("pg_stat_database_" + col + "_seconds_total", "pg_stat_database_" + col, 1000));
        }
        for (String col : List.of("tablespace", "lock", "snapshot", "bufferpin", "deadlock")) {
            c.add(new Claim("pg_stat_database_conflicts_confl_" + col + "_total", "pg_stat_database_conflicts_confl_" + col, 1));
        }
        for (String col : List.of("checkpoints_timed", "checkpoints_req", "buffers_checkpoint", "buffers_clean",
                "maxwritten_clean", "buffers_backend", "buffers_backend_fsync", "buffers_alloc")) {
            c.add(new Claim("pg_stat_bgwriter_" + col + "_total", "pg_stat_bgwriter_" + col + "_total", 1));
        }
        for (String col : List.of("write", "sync")) {
            c.add(new Claim("pg_stat_bgwriter_checkpoint_" + col + "_time_seconds_total",
                    "pg_stat_bgwriter_checkpoint_" + col + "_time_total", 1000));
        }
        // the slot's retained WAL only grows while nothing consumes it
        c.add(new Claim("pg_replication_slots_pg_wal_lsn_diff", "pg_replication_slots_pg_wal_lsn_diff", 1));
        return List.copyOf(c);
    }

    /** Gauges compared by label sets everywhere and by value in the quiet database. */
    static final List<String> GAUGES = List.of("pg_locks_count", "pg_stat_activity_count", "pg_replication_slots_active");

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void everyClaimedFamilyHasTheExportersLabelsAndValueWithinTheScrapesDrift(TestDatabase db) throws Exception {
        TestDatabase quiet = db.freshDatabase("pgpulse_exporter_quiet");
        db.exec("select pg_create_physical_replication_slot('pgpulse_exporter_slot', true)");
        var config = new ConfigLoader(db.env(), dir, "tester", 2).load(Overrides.none());
        try (Connection holder = quiet.connect();
             PostgresExporter exporter = PostgresExporter.start(db, dir);
             // one sample at start, the next one the test's own
             Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofHours(1), null, false));
             AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("create table held (id int)");
                holder.commit();
                st.execute("lock table held in share mode");
                st.execute("select 1");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> o.snapshot().health() != null);

            List<PostgresExporter.Sample> before = exporter.scrape();
            o.health().sample();
            String scrape = get(agent.port(), "/metrics");
            List<PostgresExporter.Sample> ours = PostgresExporter.parse(scrape);
            List<PostgresExporter.Sample> after = exporter.scrape();

            for (Claim c : COUNTERS) {
                Map<Map<String, String>, Double> lo = family(before, c.exporter(), "server");
                Map<Map<String, String>, Double> hi = family(after, c.exporter(), "server");
                Map<Map<String, String>, Double> mine = family(ours, c.pgpulse(), "endpoint");
                assertThat(mine).as("%s: PgPulse serves it", c.pgpulse()).isNotEmpty();
                assertThat(mine.keySet()).as("%s: the label sets of %s", c.pgpulse(), c.exporter())
                        .isEqualTo(hi.keySet());
                for (var e : mine.entrySet()) {
                    double v = e.getValue() * c.toExporterUnit();
                    double slack = 1e-9 * Math.max(1, Math.abs(v));
                    assertThat(v).as("%s%s between postgres_exporter's %s before and after", c.pgpulse(), e.getKey(),
                            c.exporter()).isBetween(lo.get(e.getKey()) - slack, hi.get(e.getKey()) + slack);
                }
            }
            for (String g : GAUGES) {
                Map<Map<String, String>, Double> theirs = family(after, g, "server");
                Map<Map<String, String>, Double> mine = family(ours, g, "endpoint");
                assertThat(mine.keySet()).as("%s: label sets", g).isEqualTo(theirs.keySet());
                Map<Map<String, String>, Double> quietTheirs = inDatabase(theirs, quiet.database());
                Map<Map<String, String>, Double> quietMine = inDatabase(mine, quiet.database());
                assertThat(quietMine).as("%s in the quiet database", g).isEqualTo(quietTheirs);
            }
            // the quiet database's oldest transaction only ages; the endpoint's database size between the two reads
            Map<String, String> idleInTx = Map.of("datname", quiet.database(), "state", "idle in transaction");
            assertThat(family(ours, "pg_stat_activity_max_tx_duration", "endpoint").get(idleInTx))
                    .isBetween(family(before, "pg_stat_activity_max_tx_duration", "server").get(idleInTx),
                            family(after, "pg_stat_activity_max_tx_duration", "server").get(idleInTx))
                    .isPositive();
            assertThat(family(ours, "pg_stat_activity_max_tx_duration", "endpoint").keySet())
                    .isEqualTo(family(after, "pg_stat_activity_max_tx_duration", "server").keySet());
            Map<String, String> own = Map.of("datname", db.database());
            double sizeBefore = family(before, "pg_database_size_bytes", "server").get(own);
            double sizeAfter = family(after, "pg_database_size_bytes", "server").get(own);
            assertThat(family(ours, "pg_database_size_bytes", "endpoint")).containsOnlyKeys(own);
            assertThat(family(ours, "pg_database_size_bytes", "endpoint").get(own))
                    .isBetween(Math.min(sizeBefore, sizeAfter), Math.max(sizeBefore, sizeAfter));
            // what the test made is in what was compared
            assertThat(family(ours, "pg_locks_count", "endpoint"))
                    .containsEntry(Map.of("datname", quiet.database(), "mode", "sharelock"), 1.0);
            assertThat(family(ours, "pg_stat_activity_count", "endpoint"))
                    .containsEntry(Map.of("datname", quiet.database(), "state", "idle in transaction"), 1.0);
            assertThat(family(ours, "pg_replication_slots_active", "endpoint"))
                    .containsEntry(Map.of("database", "", "slot_name", "pgpulse_exporter_slot"), 0.0);
            // with a slot in it, the scrape still passes promtool
            MetricsExportTest.promtoolAccepts(scrape);
            holder.rollback();
        } finally {
            db.exec("select pg_drop_replication_slot('pgpulse_exporter_slot')");
            db.dropDatabase("pgpulse_exporter_quiet");
        }
    }

    /** One family's series, by their labels without the one naming the scraper's target. */
    static Map<Map<String, String>, Double> family(List<PostgresExporter.Sample> samples, String name, String drop) {
        Map<Map<String, String>, Double> out = new HashMap<>();
        for (PostgresExporter.Sample s : samples) {
            if (s.name().equals(name)) {
                Map<String, String> labels = new TreeMap<>(s.labels());
                labels.remove(drop);
                out.put(Map.copyOf(labels), s.value());
            }
        }
        return out;
    }

    private static Map<Map<String, String>, Double> inDatabase(Map<Map<String, String>, Double> family, String datname) {
        return family.entrySet().stream().filter(e -> datname.equals(e.getKey().get("datname")))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private String get(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
