package dev.pgpulse.agent;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.MetricKeys;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.PrometheusRules;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.pool.Route;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.Promtool;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The exported rules fire in Prometheus where PgPulse's engine fired: a real agent on the real PostgreSQL, a
 * transaction held open and a pool connection held for real, the agent's /metrics scraped over HTTP right after
 * each health sample (what the engine has just evaluated), and the scrapes handed to {@code promtool test rules}
 * as its input series, each at its sample's time (to the millisecond), with the labels Prometheus adds to a target
 * ({@code job}, {@code instance}). At every sample the exported rule must be firing exactly when the engine's is,
 * with the expected labels and annotations: not before (the engine's {@code for} was still running), and from then on.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PrometheusRulesFireTest {
    private static final Duration FOR = Duration.ofMillis(2500);
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*})? (\\S+)$");

    /** One health sample: when, the agent's /metrics right after it, and whether each rule was firing then. */
    private record Sample(Instant at, Map<String, String> series, boolean txFiring, boolean poolFiring) {
    }

    @TempDir
    Path home;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void exportedRulesFireOnTheAgentsScrapesAtTheSampleTheEngineFiredOn(TestDatabase db) throws Exception {
        Promtool promtool = Promtool.require();
        AlertRule longTx = new AlertRule("long-tx", "Transaction open: \"too long\"", "server.longest_transaction_seconds",
                Operator.GT, 2, FOR, Severity.WARNING, true);
        AlertRule busy = new AlertRule("pool-busy", "Pool connections in use", "pool.*.usage_ratio", Operator.GT, 0, FOR,
                Severity.CRITICAL, true);
        Path rulesFile = home.resolve("alert-rules.json");
        new AlertRuleStore(rulesFile).save(List.of(longTx, busy));
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(Overrides.none());

        List<Sample> samples = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch acquired = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        int port;
        try (Connection tx = db.connect(); ExecutorService holder = Executors.newSingleThreadExecutor();
             Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofSeconds(1), rulesFile, false));
             AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
            port = agent.port();
            tx.setAutoCommit(false);
            try {
                // On the health monitor's thread, after the engine evaluated the sample: scrape what it evaluated.
                AutoCloseable subscription = o.health().subscribe(h -> {
                    try {
                        String text = get(agent.port(), "/metrics");
                        samples.add(new Sample(h.at(), parse(text),
                                firing(o, "long-tx", "server.longest_transaction_seconds"),
                                firing(o, "pool-busy", "pool.primary.usage_ratio")));
                        // Each condition starts right after a scrape, so that the next sample is the first to see it
                        // in the engine's figures and on /metrics alike.
                        if (samples.size() == 3) {
                            try (Statement st = tx.createStatement()) {
                                st.execute("select 1"); // the transaction starts here
                            }
                        } else if (samples.size() == 4) {
                            holder.submit(() -> o.service().query("hold", Route.WRITE, c -> {
                                acquired.countDown();
                                try {
                                    return release.await(60, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    return false;
                                }
                            }));
                            assertThat(acquired.await(10, TimeUnit.SECONDS)).as("a pool connection taken").isTrue();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                });
                await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null
                        || (samples.stream().filter(Sample::txFiring).count() >= 2
                        && samples.stream().filter(Sample::poolFiring).count() >= 2));
                subscription.close();
            } finally {
                release.countDown();
                tx.rollback();
            }
        }
        assertThat(failure.get()).as("scraping after each sample").isNull();
        List<Sample> seen = List.copyOf(samples);

        String tx = "pgpulse_server_longest_transaction_seconds{endpoint=\"primary\"}";
        // the engine held each rule pending for a while (a sample true but not yet firing): "not before" is tested
        assertThat(seen).anyMatch(s -> !s.txFiring() && value(s, tx) > 2);
        assertThat(seen).anyMatch(s -> !s.poolFiring() && value(s, "hikaricp_connections_active{pool=\"primary\"}") > 0);
        assertThat(seen.getFirst().series()).as("nothing held at the start")
                .containsEntry("hikaricp_connections_active{pool=\"primary\"}", "0.0");
        assertThat(seen.getFirst().txFiring() || seen.getFirst().poolFiring()).isFalse();
        Set<String> written = new TreeSet<>();
        seen.forEach(s -> written.addAll(s.series().keySet()));
        everyFamilyTheRulesReadIsOnMetrics(written);

        String instance = "127.0.0.1:" + port;
        String tests = tests(seen, instance, longTx, busy);
        Promtool.Run r = promtool.testRules(home, PrometheusRules.export(List.of(longTx, busy), false).yaml(), tests);

        assertThat(r.exit()).as(r.output() + "\n" + tests).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    /**
     * Each family an exported expression reads, for any key, is one the agent writes; but those it writes only once
     * known: replay lag (standbys) and the figures over 10 s of counter history (MetricsExportTest sees them appear).
     */
    private static void everyFamilyTheRulesReadIsOnMetrics(Set<String> series) {
        Set<String> families = new TreeSet<>();
        series.forEach(s -> families.add(s.replaceFirst("\\{.*", "")));
        Pattern name = Pattern.compile("\\b((?:pgpulse|hikaricp|resilience4j|pg)_[a-z0-9_]+)");
        Set<String> read = new TreeSet<>();
        for (String key : MetricKeys.DOCUMENTED) {
            Matcher m = name.matcher(PrometheusRules.expression(key.replace("<endpoint>", "*")
                    .replace("<operation>", "*")).orElseThrow());
            while (m.find()) {
                read.add(m.group(1));
            }
        }
        read.removeAll(Set.of("pgpulse_replication_replay_lag_seconds", "pgpulse_replication_replay_lag_bytes",
                "pgpulse_server_rollback_ratio", "pgpulse_server_deadlocks_last_minute"));
        assertThat(read).hasSizeGreaterThan(15);
        assertThat(families).containsAll(read);
    }

    /** The promtool unit test: every scrape as input series at its time, and at each sample what the engine did. */
    private static String tests(List<Sample> seen, String instance, AlertRule longTx, AlertRule busy) {
        Instant t0 = seen.getFirst().at();
        long[] at = seen.stream().mapToLong(s -> Duration.between(t0, s.at()).toMillis()).toArray();
        Set<String> all = new TreeSet<>();
        seen.forEach(s -> all.addAll(s.series().keySet()));
        StringBuilder y = new StringBuilder("""
                rule_files: [rules.yml]
                evaluation_interval: 1ms
                tests:
                  - interval: 1ms
                    input_series:
                """);
        for (String series : all) {
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < seen.size(); i++) {
                long gap = i == 0 ? at[0] : at[i] - at[i - 1] - 1;
                if (gap > 0) {
                    values.append("_x").append(gap).append(' ');
                }
                String v = seen.get(i).series().get(series);
                values.append(v == null ? "_" : promValue(v)).append(' ');
            }
            y.append("      - series: '").append(withTargetLabels(series, instance).replace("'", "''"))
                    .append("'\n        values: '").append(values.toString().trim()).append("'\n");
        }
        y.append("    alert_rule_test:\n");
        String tx = "pgpulse_server_longest_transaction_seconds{endpoint=\"primary\"}";
        for (int i = 0; i < seen.size(); i++) {
            Sample s = seen.get(i);
            y.append(expect(at[i], longTx, s.txFiring(), "{endpoint: primary, instance: '" + instance + "', job: pgpulse}",
                    value(s, tx)));
            double ratio = value(s, "hikaricp_connections_active{pool=\"primary\"}")
                    / value(s, "hikaricp_connections_max{pool=\"primary\"}");
            y.append(expect(at[i], busy, s.poolFiring(),
                    "{endpoint: primary, pool: primary, instance: '" + instance + "', job: pgpulse}", ratio));
        }
        return y.toString();
    }

    private static String expect(long at, AlertRule rule, boolean firing, String labels, double value) {
        StringBuilder y = new StringBuilder("      - eval_time: ").append(at).append("ms\n")
                .append("        alertname: ").append(PrometheusRules.alertName(rule.id())).append('\n')
                .append("        exp_alerts:");
        if (!firing) {
            return y.append(" []\n").toString();
        }
        String key = rule.metric().replace("*", "primary");
        return y.append('\n')
                .append("          - exp_labels: ").append(labels.replace("{", "{severity: " + rule.severity().json()
                        + ", rule_id: " + rule.id() + ", ")).append('\n')
                .append("            exp_annotations:\n")
                .append("              summary: '").append(rule.name().replace("'", "''")).append("'\n")
                // $value as Go prints a float64: shortest digits, no exponent at these magnitudes
                .append("              description: '").append(key).append(" = ").append(goFloat(value)).append(" > ")
                .append(goFloat(rule.threshold())).append(" for 2s500ms'\n").toString();
    }

    private static boolean firing(Orchestrator o, String rule, String subject) {
        return o.alerts().stateOf(rule, subject).orElse(AlertState.PENDING) == AlertState.FIRING;
    }

    private static double value(Sample s, String series) {
        String v = s.series().get(series);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    private static String goFloat(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** A text-format value as promtool's series notation spells it. */
    private static String promValue(String v) {
        return switch (v) {
            case "+Inf" -> "Inf";
            case "-Inf", "NaN" -> v;
            default -> Double.toString(Double.parseDouble(v));
        };
    }

    /** The series with the labels Prometheus gives a scraped target. */
    private static String withTargetLabels(String series, String instance) {
        String target = "instance=\"" + instance + "\",job=\"pgpulse\"";
        int brace = series.indexOf('{');
        return brace < 0 ? series + "{" + target + "}"
                : series.substring(0, series.length() - 1) + "," + target + "}";
    }

    /** Series (name and labels as written) to their value as written, comments skipped. */
    private static Map<String, String> parse(String text) {
        Map<String, String> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a sample line: %s", line).isTrue();
            out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), m.group(3));
        }
        return out;
    }

    private String get(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
