package dev.pgpulse.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * /metrics over real HTTP from a real agent: nothing where a rate is not known yet, postgres_exporter's families
 * (names, types, labels) for what PgPulse reads, base units, and {@code promtool check metrics} on the scrape.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(90)
class MetricsExportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private String get(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    @Test
    void ratesAreAbsentUntilKnownAndEveryFigureIsExportedAsPostgresExporterNamesIt(TestDatabase db) throws Exception {
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(Overrides.none());
        try (Connection idle = db.connect(); Connection holder = db.connect(); Connection waiter = db.connect();
             ExecutorService pool = Executors.newSingleThreadExecutor()) {
            // A session idle in a transaction holding a lock, and one waiting for it, seen by every sample.
            idle.setAutoCommit(false);
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("create table if not exists pgpulse_metrics_lock (id int)");
                holder.commit();
                st.execute("lock table pgpulse_metrics_lock in access exclusive mode");
            }
            try (Statement st = idle.createStatement()) {
                st.execute("select 1");
            }
            Future<Boolean> blocked = pool.submit(() -> {
                try (Statement st = waiter.createStatement(); ResultSet rs = st.executeQuery(
                        "select count(*) from pgpulse_metrics_lock")) {
                    return rs.next();
                }
            });
            // 10 s between samples: the first interval lasts long enough to be looked at
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofSeconds(10), null, false));
                 AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
                int port = agent.port();
                await().atMost(Duration.ofSeconds(10)).until(() -> o.snapshot().health() != null);

                // First interval: /health says the rates are not known, and /metrics has no value for them.
                String health = get(port, "/health");
                JsonNode server = JSON.readTree(health).at("/health/endpoints/0/server");
                assertThat(server.get("ratesKnown").asBoolean()).isFalse();
                // not known is null in JSON, never the string "NaN" nor 0
                assertThat(server.get("tps").isNull()).as(server.toString()).isTrue();
                assertThat(server.get("rollbackRatio").isNull()).isTrue();
                assertThat(health).doesNotContain("NaN");
                String first = get(port, "/metrics");
                Map<String, Double> s1 = AgentServerTest.parse(first);
                assertThat(s1.get("pg_up{endpoint=\"primary\"}")).isEqualTo(1.0);
                assertThat(s1.keySet()).noneMatch(k -> k.startsWith("pgpulse_server_transactions_per_second")
                        || k.startsWith("pgpulse_server_rollback_ratio") || k.startsWith("pgpulse_server_deadlocks"));
                assertThat(s1.values()).noneMatch(v -> v.isNaN());

                // Once 10 s of counter history exist, the rates appear.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                        get(port, "/metrics").contains("pgpulse_server_transactions_per_second{"));
                String text = get(port, "/metrics");
                Map<String, Double> s = AgentServerTest.parse(text);
                String dat = "datname=\"" + db.database() + "\"";
                assertThat(s.get("pgpulse_server_transactions_per_second{endpoint=\"primary\"}")).isPositive();
                assertThat(s.get("pgpulse_server_rollback_ratio{endpoint=\"primary\"}")).isBetween(0.0, 1.0);
                assertThat(s.get("pgpulse_server_deadlocks_last_minute{endpoint=\"primary\"}")).isGreaterThanOrEqualTo(0.0);

                Map<String, String> types = types(text);
                // postgres_exporter's families, with its labels (plus endpoint); counters with _total
                for (String c : List.of("xact_commit", "xact_rollback", "deadlocks", "blks_hit", "blks_read")) {
                    assertThat(types).containsEntry("pg_stat_database_" + c + "_total", "counter");
                    assertThat(one(s, "pg_stat_database_" + c + "_total\\{datid=\"\\d+\"," + dat + ",endpoint=\"primary\"}"))
                            .isNotNegative();
                }
                assertThat(one(s, "pg_stat_database_xact_commit_total\\{.*" + dat + ".*}")).isPositive();
                // every database's counters, the locks by mode, the checkpointer (issue 15)
                for (String c : List.of("tup_returned", "tup_fetched", "tup_inserted", "tup_updated", "tup_deleted",
                        "temp_files", "temp_bytes", "conflicts", "sessions")) {
                    assertThat(types).containsEntry("pg_stat_database_" + c + "_total", "counter");
                }
                assertThat(one(s, "pg_stat_database_xact_commit_total\\{datid=\"1\",datname=\"template1\",endpoint=\"primary\"}"))
                        .isNotNegative();
                assertThat(types).containsEntry("pg_stat_database_session_time_seconds_total", "counter")
                        .containsEntry("pg_stat_bgwriter_checkpoints_timed_total", "counter")
                        .containsEntry("pg_stat_bgwriter_checkpoint_write_time_seconds_total", "counter")
                        .containsEntry("pg_stat_bgwriter_buffers_alloc_total", "counter")
                        .containsEntry("pg_locks_count", "gauge");
                assertThat(one(s, "pg_locks_count\\{" + dat + ",endpoint=\"primary\",mode=\"accessexclusivelock\"}"))
                        .isGreaterThanOrEqualTo(1.0); // the holder's
                assertThat(types).containsEntry("pg_stat_activity_count", "gauge")
                        .containsEntry("pg_stat_activity_max_tx_duration", "gauge")
                        .containsEntry("pg_database_size_bytes", "gauge").containsEntry("pg_up", "gauge");
                assertThat(one(s, "pg_stat_activity_count\\{" + dat + ",endpoint=\"primary\",state=\"idle in transaction\"}"))
                        .isGreaterThanOrEqualTo(2.0); // the idle session and the lock holder
                assertThat(one(s, "pg_stat_activity_count\\{" + dat + ",endpoint=\"primary\",state=\"active\"}"))
                        .isGreaterThanOrEqualTo(1.0); // the waiter
                assertThat(one(s, "pg_stat_activity_max_tx_duration\\{" + dat
                        + ",endpoint=\"primary\",state=\"idle in transaction\"}")).isGreaterThan(5.0);
                assertThat(one(s, "pg_database_size_bytes\\{" + dat + ",endpoint=\"primary\"}")).isGreaterThan(1e6);
                // what postgres_exporter has no family for: pgpulse_*, base units
                assertThat(s.get("pgpulse_server_idle_in_transaction_longest_seconds{endpoint=\"primary\"}")).isGreaterThan(5.0);
                assertThat(s.get("pgpulse_server_longest_query_seconds{endpoint=\"primary\"}")).isGreaterThan(5.0);
                assertThat(s.get("pgpulse_server_longest_transaction_seconds{endpoint=\"primary\"}")).isGreaterThan(5.0);
                assertThat(s.get("pgpulse_server_lock_waiting_sessions{endpoint=\"primary\"}")).isGreaterThanOrEqualTo(1.0);
                assertThat(types).containsEntry("pgpulse_server_lock_wait_longest_seconds", "gauge");
                assertThat(s.get("pgpulse_server_lock_wait_longest_seconds{endpoint=\"primary\"}")).isGreaterThan(5.0);
                assertThat(s.get("pgpulse_server_oldest_xid_age{endpoint=\"primary\"}")).isPositive();
                assertThat(s.get("pgpulse_server_in_recovery{endpoint=\"primary\"}")).isZero();
                assertThat(s.keySet()).as("a primary has no replay lag").noneMatch(k -> k.startsWith("pgpulse_replication_"));
                // probe latency in seconds, not milliseconds
                assertThat(s.get("pgpulse_endpoint_probe_latency_seconds{endpoint=\"primary\"}")).isBetween(0.0, 2.0);
                // the service's calls in flight and the oldest one's age, in seconds (none between samples here)
                assertThat(types.get("pgpulse_calls_in_flight")).isEqualTo("gauge");
                assertThat(s.get("pgpulse_calls_in_flight")).isGreaterThanOrEqualTo(0.0);
                assertThat(types.get("pgpulse_oldest_call_in_flight_seconds")).isEqualTo("gauge");
                assertThat(s.get("pgpulse_oldest_call_in_flight_seconds")).isBetween(0.0, 2.0);
                assertThat(types.get("pgpulse_connection_failures_total")).isEqualTo("counter");
                assertThat(s.get("pgpulse_connection_failures_total{endpoint=\"primary\"}")).isZero();
                assertThat(types.get("pgpulse_pool_leak_detections_total")).isEqualTo("counter");
                assertThat(s.get("pgpulse_pool_leak_detections_total{endpoint=\"primary\"}")).isZero();
                assertThat(s.keySet()).noneMatch(k -> k.startsWith("pgpulse_endpoint_latency"));
                assertThat(blocked).isNotDone();

                promtoolAccepts(text);
            } finally {
                holder.rollback();
                idle.rollback();
                assertThat(blocked.get(10, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /**
     * A call held for real on the primary (blocked on the server by an advisory lock the test holds), with a replica
     * beside it: /metrics has its count and its age under {@code endpoint="primary"}, the replica's stay near 0, the
     * metric history has the keys, and the default call-stuck rule (its threshold and "for" shortened to a second,
     * to keep the test short) fires for the primary alone. Once the call ends all go back to 0 and the alert
     * resolves.
     */
    @Test
    void aCallHeldOnAnEndpointIsExportedUnderItsEndpointAndFiresTheCallStuckRule(TestDatabase db) throws Exception {
        AlertRule byDefault = DefaultRules.all().stream().filter(r -> r.id().equals("call-stuck")).findFirst().orElseThrow();
        Path rules = home.resolve("alert-rules.json");
        new AlertRuleStore(rules).save(List.of(new AlertRule(byDefault.id(), byDefault.name(), byDefault.metric(),
                byDefault.operator(), 1, Duration.ofSeconds(1), byDefault.severity(), true)));
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url(), "DATABASE_READ_URLS", db.url()), home, "tester", 2)
                .load(Overrides.none());
        String primary = "{endpoint=\"primary\"}";
        String replica = "{endpoint=\"replica-1\"}";
        try (Connection holder = db.connect(); ExecutorService pool = Executors.newSingleThreadExecutor();
             Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200), rules, false));
             AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
            int port = agent.port();
            await().atMost(Duration.ofSeconds(10)).until(() -> o.snapshot().health() != null);
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("select pg_advisory_xact_lock(731002)");
            }
            Future<dev.pgpulse.service.Result<Boolean>> held = pool.submit(() -> o.service().query("held",
                    dev.pgpulse.pool.Route.WRITE, c -> {
                        try (Statement st = c.createStatement()) {
                            return st.execute("select pg_advisory_xact_lock(731002)");
                        }
                    }));
            await().atMost(Duration.ofSeconds(15)).until(() -> o.snapshot().activeAlerts().stream()
                    .anyMatch(a -> a.ruleId().equals("call-stuck")));
            assertThat(o.snapshot().activeAlerts()).singleElement().satisfies(a -> {
                assertThat(a.subject()).isEqualTo("traffic.primary.oldest_call_in_flight_seconds");
                assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
                assertThat(a.value()).isGreaterThan(1.0);
            });
            String text = get(port, "/metrics");
            Map<String, Double> s = AgentServerTest.parse(text);
            Map<String, String> types = types(text);
            assertThat(types).containsEntry("pgpulse_endpoint_calls_in_flight", "gauge")
                    .containsEntry("pgpulse_endpoint_oldest_call_in_flight_seconds", "gauge");
            // a health probe may be running too, on either endpoint, for a few milliseconds
            assertThat(s.get("pgpulse_endpoint_calls_in_flight" + primary)).isGreaterThanOrEqualTo(1.0);
            assertThat(s.get("pgpulse_endpoint_oldest_call_in_flight_seconds" + primary)).isGreaterThan(1.0);
            assertThat(s.get("pgpulse_endpoint_calls_in_flight" + replica)).isLessThanOrEqualTo(1.0);
            assertThat(s.get("pgpulse_endpoint_oldest_call_in_flight_seconds" + replica)).isLessThan(0.5);
            // the service-wide families stay, unlabelled
            assertThat(s.get("pgpulse_calls_in_flight")).isGreaterThanOrEqualTo(1.0);
            assertThat(s.get("pgpulse_oldest_call_in_flight_seconds")).isGreaterThan(1.0);
            var history = o.snapshot().history();
            assertThat(history.series("traffic.primary.calls_in_flight").last()).isGreaterThanOrEqualTo(1.0);
            assertThat(history.series("traffic.primary.oldest_call_in_flight_seconds").last()).isGreaterThan(1.0);
            assertThat(history.series("traffic.replica-1.oldest_call_in_flight_seconds").last()).isLessThan(0.5);
            promtoolAccepts(text);

            holder.commit();
            assertThat(held.get(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            await().atMost(Duration.ofSeconds(15)).until(() -> o.snapshot().activeAlerts().isEmpty());
            assertThat(o.snapshot().recentAlerts()).anyMatch(a -> a.ruleId().equals("call-stuck")
                    && a.state() == AlertState.RESOLVED);
            assertThat(o.snapshot().history().series("traffic.primary.oldest_call_in_flight_seconds").last()).isLessThan(1.0);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Map<String, Double> after = AgentServerTest.parse(get(port, "/metrics"));
                return after.get("pgpulse_endpoint_oldest_call_in_flight_seconds" + primary) < 0.5;
            });
        }
    }

    /**
     * Database names are labels: a name with a double quote, backslashes, a newline or non-ASCII letters (all legal
     * in a quoted identifier) is escaped as the text format says, arrives in UTF-8, and promtool parses the scrape.
     */
    @Test
    void databaseNamesThatNeedEscapingAreValidLabelValues(TestDatabase db) throws Exception {
        String weird = "we\"ird\\\\db"; // CREATE DATABASE "we""ird\\db"
        String other = "new\nline \u00fcn\u00efc\u00f6de";
        db.exec("drop database if exists \"we\"\"ird\\\\db\" with (force)",
                "drop database if exists \"" + other + "\" with (force)",
                "create database \"we\"\"ird\\\\db\"", "create database \"" + other + "\"");
        try {
            String url = "postgresql://" + db.user() + (db.password() == null || db.password().isEmpty() ? "" : ":" + db.password())
                    + "@" + db.host() + ":" + db.port() + "/" + java.net.URLEncoder.encode(weird, StandardCharsets.UTF_8);
            var config = new ConfigLoader(Map.of("DATABASE_URL", url), home, "tester", 2).load(Overrides.none());
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(300), null, false));
                 AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
                await().atMost(Duration.ofSeconds(15)).until(() -> o.snapshot().health() != null
                        && get(agent.port(), "/metrics").contains("pg_database_size_bytes{"));
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port()
                        + "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
                String text = new String(r.body(), StandardCharsets.UTF_8);
                String escapedWeird = "datname=\"we\\\"ird\\\\\\\\db\"";
                assertThat(text).contains("pg_database_size_bytes{" + escapedWeird + ",endpoint=\"primary\"}")
                        .containsPattern("pg_stat_database_xact_commit_total\\{datid=\"\\d+\"," + java.util.regex.Pattern.quote(escapedWeird))
                        .contains("pg_stat_activity_count{datname=\"new\\nline \u00fcn\u00efc\u00f6de\",endpoint=\"primary\",state=\"active\"}");
                promtoolAccepts(text);
            }
        } finally {
            db.dropDatabase("\"we\"\"ird\\\\db\"");
            db.dropDatabase("\"" + other + "\"");
        }
    }

    /**
     * promtool's parser and linter on the scrape. Two lint lines are expected and allowed: postgres_exporter's own
     * family names {@code pg_stat_activity_count} and {@code pg_locks_count} end in "_count", which promtool reserves
     * for histograms and summaries (it says the same of postgres_exporter's output); the names are kept so that
     * dashboards built for postgres_exporter work. Everything else must pass clean: without those families, exit 0 and
     * no output.
     */
    static void promtoolAccepts(String scrape) throws Exception {
        Path promtool = Tools.require("promtool", "prometheus");
        List<String> known = List.of("pg_locks_count", "pg_stat_activity_count");
        Promtool all = promtool(promtool, scrape);
        assertThat(all.output().lines().toList()).as("promtool check metrics").containsExactlyElementsOf(known.stream()
                .map(f -> f + " non-histogram and non-summary metrics should not have \"_count\" suffix").toList());
        assertThat(all.exit()).as("3: lint problems only, the text parsed").isEqualTo(3);

        String without = scrape.lines().filter(l -> !l.matches("(# (HELP|TYPE) )?(pg_stat_activity_count|pg_locks_count)\\b.*"))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        Promtool rest = promtool(promtool, without);
        assertThat(rest.output()).as("promtool check metrics, the rest").isEmpty();
        assertThat(rest.exit()).isZero();
    }

    private record Promtool(int exit, String output) {
    }

    private static Promtool promtool(Path promtool, String scrape) throws Exception {
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Promtool(p.exitValue(), out);
    }

    /** "# TYPE name type" lines. */
    private static Map<String, String> types(String text) {
        Map<String, String> out = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /** The value of the one series matching a pattern. */
    private static double one(Map<String, Double> samples, String series) {
        List<Double> hits = samples.entrySet().stream().filter(e -> e.getKey().matches(series)).map(Map.Entry::getValue)
                .toList();
        assertThat(hits).as("one series %s among %s", series, samples.keySet()).hasSize(1);
        return hits.getFirst();
    }
}
