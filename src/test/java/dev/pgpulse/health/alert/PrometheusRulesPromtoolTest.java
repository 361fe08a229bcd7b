package dev.pgpulse.health.alert;

import dev.pgpulse.testing.Promtool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The export read by Prometheus' own tools: {@code promtool check rules} accepts the default rules and a rule on
 * every key, and {@code promtool test rules} evaluates each key's expression over series named and labelled as the
 * agent's /metrics writes them to the value the engine reads, fires each comparator as {@link Operator#test} does,
 * and prints odd rule names back unchanged. The firing of an exported rule on a real scrape: {@code
 * dev.pgpulse.agent.PrometheusRulesFireTest}.
 */
@Timeout(120)
class PrometheusRulesPromtoolTest {
    private static Promtool promtool;

    @TempDir
    Path dir;

    @BeforeAll
    static void promtool() {
        promtool = Promtool.require();
    }

    private Promtool.Run check(String yaml) throws Exception {
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, yaml);
        return promtool.checkRules(rules);
    }

    @Test
    void theDefaultRulesPassCheckRules() throws Exception {
        PrometheusRules.Export e = PrometheusRules.export(DefaultRules.all(), false);

        Promtool.Run r = check(e.yaml());

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: " + DefaultRules.all().size() + " rules found");
        assertThat(e.exported()).isEqualTo(DefaultRules.all().size());
        assertThat(e.skipped()).isEmpty();
    }

    @Test
    void aRuleOnEveryKeyWithEveryComparatorPassesCheckRules() throws Exception {
        List<AlertRule> rules = new ArrayList<>();
        Operator[] ops = Operator.values();
        for (String key : MetricKeys.DOCUMENTED) {
            for (String subject : List.of("*", "replica-3")) {
                String metric = key.replace("<endpoint>", subject).replace("<operation>", subject.equals("*") ? "*" : "demo.op");
                Operator op = ops[rules.size() % ops.length];
                rules.add(new AlertRule("r" + rules.size(), "Rule on " + metric, metric, op, -0.5 * rules.size(),
                        Duration.ofMillis(1500L * rules.size()), Severity.values()[rules.size() % 3], true));
            }
        }

        Promtool.Run r = check(PrometheusRules.export(rules, false).yaml());

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: " + rules.size() + " rules found");
    }

    @Test
    void nothingToExportIsStillARulesFile() throws Exception {
        AlertRule off = new AlertRule("off", "Off", "service.calls_in_flight", Operator.GT, 1, Duration.ZERO,
                Severity.INFO, false);

        Promtool.Run r = check(PrometheusRules.export(List.of(off), false).yaml());

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: 0 rules found");
    }

    /**
     * Names with what YAML and Go templates would read otherwise come back as written: the expected values are
     * written here in YAML's other (single-quoted) style, so a quoting mistake cannot cancel itself out.
     */
    @Test
    void oddNamesReachTheAnnotationUnchanged() throws Exception {
        List<String> names = List.of("Quote \" and 'apostrophe'", "key: value # not a comment", "back\\slash \\n",
                "{{ $value }} and {{ template \"x\" }} }}", "- [a, b] & *ref !tag %d", "tab-free, é, 😀, ❤",
                "@at `tick` |pipe >fold");
        List<AlertRule> rules = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            rules.add(new AlertRule("odd-" + i, names.get(i), "service.calls_in_flight", Operator.GT, i, Duration.ZERO,
                    Severity.INFO, true));
            expected.append("""
                          - eval_time: 0s
                            alertname: PgPulseOdd%d
                            exp_alerts:
                              - exp_labels: {severity: info, rule_id: odd-%d}
                                exp_annotations:
                                  summary: '%s'
                                  description: 'service.calls_in_flight = 100 > %d'
                    """.formatted(i, i, names.get(i).replace("'", "''"), i));
        }
        String tests = """
                rule_files: [rules.yml]
                evaluation_interval: 15s
                tests:
                  - interval: 15s
                    input_series:
                      - series: 'pgpulse_calls_in_flight'
                        values: '100'
                    alert_rule_test:
                """ + expected;

        Promtool.Run r = promtool.testRules(dir, PrometheusRules.export(rules, false).yaml(), tests);

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    /**
     * Characters YAML's reader refuses raw that a rule's name may hold (U+FFFE, U+FFFF, the BOM; C0 and C1 controls
     * are refused by the rule itself, and escaped here all the same).
     */
    @Test
    void namesWithCharactersYamlRefusesRawStillPassCheckRules() throws Exception {
        List<AlertRule> rules = new ArrayList<>();
        String[] names = {"non\uFFFFcharacter", "byte\uFFFEorder", "bom\uFEFF, zero\u200Bwidth"};
        for (int i = 0; i < names.length; i++) {
            rules.add(new AlertRule("odd-" + i, names[i], "service.calls_in_flight", Operator.GT, 1, Duration.ZERO,
                    Severity.INFO, true));
        }

        Promtool.Run r = check(PrometheusRules.export(rules, false).yaml());

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: 3 rules found");
    }

    /** Each comparator over 1, 2, 3 and NaN against 2, as the engine's: NaN satisfies none, not even {@code !=}. */
    @Test
    void everyComparatorFiresWhereTheEnginesDoes() throws Exception {
        double[] values = {1, 2, 3, Double.NaN};
        List<AlertRule> rules = new ArrayList<>();
        StringBuilder tests = new StringBuilder("""
                rule_files: [rules.yml]
                evaluation_interval: 15s
                tests:
                  - interval: 15s
                    input_series:
                      - series: 'pgpulse_calls_in_flight{instance="db1:9187", job="pgpulse"}'
                        values: '1 2 3 NaN'
                    alert_rule_test:
                """);
        int fires = 0;
        for (Operator op : Operator.values()) {
            String id = "op-" + op.name().toLowerCase(java.util.Locale.ROOT);
            rules.add(new AlertRule(id, "Calls " + op.symbol() + " 2", "service.calls_in_flight", op, 2, Duration.ZERO,
                    Severity.WARNING, true));
            for (int i = 0; i < values.length; i++) {
                boolean fire = op.test(values[i], 2);
                fires += fire ? 1 : 0;
                tests.append("      - eval_time: ").append(15 * i).append("s\n")
                        .append("        alertname: ").append(PrometheusRules.alertName(id)).append('\n')
                        .append("        exp_alerts:").append(fire ? "\n" : " []\n");
                if (fire) {
                    tests.append("          - exp_labels: {severity: warning, rule_id: ").append(id)
                            .append(", instance: 'db1:9187', job: pgpulse}\n")
                            .append("            exp_annotations: {summary: 'Calls ").append(op.symbol())
                            .append(" 2', description: 'service.calls_in_flight = ").append(PrometheusRules.number(values[i]))
                            .append(" ").append(op.symbol()).append(" 2'}\n");
                }
            }
        }

        Promtool.Run r = promtool.testRules(dir, PrometheusRules.export(rules, false).yaml(), tests.toString());

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(fires).as("the table fires some and not others").isBetween(6, 18);
    }

    /**
     * Each key's expression over series as the agent names and labels them (HikariCP's {@code pool}, Resilience4j's
     * {@code name} and one series per breaker state, summaries' {@code quantile}, counters' {@code _total}), evaluated
     * by promtool to the engine's value in the engine's unit, one series per subject with an {@code endpoint} label.
     */
    @Test
    void eachKeysExpressionEvaluatesToTheEnginesValue() throws Exception {
        String series = """
                      - series: 'hikaricp_connections_pending{pool="primary"}'
                        values: '3x8'
                      - series: 'hikaricp_connections_pending{pool="orders-app"}'
                        values: '9x8'
                      - series: 'hikaricp_connections_active{pool="replica-1"}'
                        values: '3x8'
                      - series: 'hikaricp_connections_max{pool="replica-1"}'
                        values: '10x8'
                      - series: 'hikaricp_connections_acquire_seconds{pool="primary", quantile="0.5"}'
                        values: '0.001x8'
                      - series: 'hikaricp_connections_acquire_seconds{pool="primary", quantile="0.95"}'
                        values: '0.012x8'
                      - series: 'pgpulse_connection_failures_total{endpoint="primary"}'
                        values: '0 0 0 0 0 3 3 3 3 3 3 3 3'
                      - series: 'pgpulse_endpoint_status{endpoint="replica-2"}'
                        values: '2x8'
                      - series: 'pgpulse_server_rollback_ratio{endpoint="primary"}'
                        values: '0.2x8'
                      - series: 'pgpulse_server_rollback_ratio{endpoint="replica-1"}'
                        values: '0.5x8'
                      - series: 'pgpulse_replication_replay_lag_seconds{endpoint="replica-1", job="pgpulse"}'
                        values: '3x8'
                      - series: 'pgpulse_replication_replay_lag_seconds{endpoint="replica-2", job="pgpulse"}'
                        values: '7x8'
                      - series: 'pgpulse_operation_seconds{operation="demo.op", quantile="0.95"}'
                        values: '0.25x8'
                      - series: 'pgpulse_operation_seconds{operation="demo.op", quantile="0.99"}'
                        values: '0.5x8'
                      - series: 'pgpulse_endpoint_calls_total{endpoint="primary"}'
                        values: '0+15x8'
                      - series: 'pgpulse_endpoint_failures_total{endpoint="primary"}'
                        values: '0+3x8'
                      - series: 'pgpulse_endpoint_call_latency_seconds{endpoint="primary", quantile="0.99"}'
                        values: '0.04x8'
                      - series: 'pgpulse_operation_slow_total{operation="a"}'
                        values: '0 0 0 0 0 2 2 2 2'
                      - series: 'pgpulse_operation_slow_total{operation="b"}'
                        values: '0 0 0 0 0 1 1 1 1'
                      - series: 'pgpulse_calls_in_flight'
                        values: '4x8'
                """ + breaker("primary", "open") + breaker("replica-1", "half_open") + breaker("replica-2", "disabled")
                + breaker("replica-3", "closed");
        // key, eval time, expected series (promtool's syntax), one per line
        String[][] cases = {
                {"pool.*.awaiting", "60s", "hikaricp_connections_pending{endpoint=\"primary\", pool=\"primary\"} 3"},
                {"pool.*.usage_ratio", "60s", "{endpoint=\"replica-1\", pool=\"replica-1\"} 0.3"},
                {"pool.primary.acquire_p95_ms", "60s", "{endpoint=\"primary\", pool=\"primary\"} 12"},
                // promtool 2.x's range is closed at both ends: the 4 minutes' samples span the whole minute, exactly
                {"pool.*.connection_failures_per_minute", "75s", "{endpoint=\"primary\"} 3"},
                {"pool.*.connection_failures_per_minute", "150s", "{endpoint=\"primary\"} 0"},
                {"breaker.*.state", "60s", "{endpoint=\"primary\", name=\"primary\"} 2",
                        "{endpoint=\"replica-1\", name=\"replica-1\"} 1", "{endpoint=\"replica-2\", name=\"replica-2\"} -1",
                        "{endpoint=\"replica-3\", name=\"replica-3\"} 0"},
                {"breaker.replica-1.state", "60s", "{endpoint=\"replica-1\", name=\"replica-1\"} 1"},
                {"endpoint.*.health", "60s", "pgpulse_endpoint_status{endpoint=\"replica-2\"} 2"},
                {"server.rollback_ratio", "60s", "pgpulse_server_rollback_ratio{endpoint=\"primary\"} 0.2"},
                {"replication.lag_seconds", "60s", "{job=\"pgpulse\"} 7"},
                {"query.*.p95_ms", "60s", "{operation=\"demo.op\"} 250"},
                {"traffic.primary.calls_per_second", "120s", "{endpoint=\"primary\"} 1.2"},
                {"traffic.*.p99_ms", "60s", "{endpoint=\"primary\"} 40"},
                {"service.slow_queries_per_minute", "75s", "{} 3"},
                {"service.calls_in_flight", "60s", "pgpulse_calls_in_flight 4"}};
        StringBuilder tests = new StringBuilder("""
                rule_files: [rules.yml]
                evaluation_interval: 15s
                tests:
                  - interval: 15s
                    input_series:
                """).append(series).append("    promql_expr_test:\n");
        for (String[] c : cases) {
            tests.append("      - expr: '").append(PrometheusRules.expression(c[0]).orElseThrow().replace("'", "''"))
                    .append("'\n        eval_time: ").append(c[1]).append("\n        exp_samples:\n");
            for (int i = 2; i < c.length; i++) {
                int space = c[i].lastIndexOf(' ');
                tests.append("          - labels: '").append(c[i], 0, space).append("'\n            value: ")
                        .append(c[i].substring(space + 1)).append('\n');
            }
        }

        Promtool.Run r = promtool.testRules(dir, PrometheusRules.export(List.of(), false).yaml(), tests.toString());

        assertThat(r.exit()).as(r.output() + "\n" + tests).isZero();
    }

    /** Resilience4j's gauge: a series per state, 1 for the breaker's and 0 for the others. */
    private static String breaker(String name, String state) {
        StringBuilder s = new StringBuilder();
        for (String st : List.of("closed", "disabled", "forced_open", "half_open", "metrics_only", "open")) {
            s.append("      - series: 'resilience4j_circuitbreaker_state{name=\"").append(name).append("\", state=\"")
                    .append(st).append("\"}'\n        values: '").append(st.equals(state) ? 1 : 0).append("x8'\n");
        }
        return s.toString();
    }
}
