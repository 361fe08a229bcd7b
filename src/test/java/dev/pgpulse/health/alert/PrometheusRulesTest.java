package dev.pgpulse.health.alert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The export's text: expressions per key, names, durations, numbers, quoting, what is skipped. Promtool: {@link PrometheusRulesPromtoolTest}. */
class PrometheusRulesTest {
    private static AlertRule rule(String id, String name, String metric, Operator op, double threshold, Duration d,
                                  boolean enabled) {
        return new AlertRule(id, name, metric, op, threshold, d, Severity.WARNING, enabled);
    }

    @Test
    void everyDocumentedKeyHasAnExpression() {
        assertThat(PrometheusRules.unmapped()).isEmpty();
        for (String key : MetricKeys.DOCUMENTED) {
            String concrete = key.replace("<endpoint>", "replica-2").replace("<operation>", "demo.op");
            String any = key.replace("<endpoint>", "*").replace("<operation>", "*");
            assertThat(PrometheusRules.expression(concrete)).as(concrete).isPresent();
            assertThat(PrometheusRules.expression(any)).as(any).isPresent();
        }
        assertThat(PrometheusRules.expression("pool.primary.nope")).isEmpty();
        assertThat(PrometheusRules.expression("nope")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
            "pool.*.awaiting => label_replace(hikaricp_connections_pending{pool=~\"primary|replica-[0-9]+\"}, \"endpoint\", \"$1\", \"pool\", \"(.+)\")",
            "pool.replica-2.usage_ratio => label_replace(hikaricp_connections_active{pool=\"replica-2\"} / hikaricp_connections_max{pool=\"replica-2\"}, \"endpoint\", \"$1\", \"pool\", \"(.+)\")",
            "pool.primary.acquire_p95_ms => label_replace(1000 * max without (quantile) (hikaricp_connections_acquire_seconds{pool=\"primary\",quantile=\"0.95\"}), \"endpoint\", \"$1\", \"pool\", \"(.+)\")",
            "pool.*.connection_failures_per_minute => increase(pgpulse_connection_failures_total[1m])",
            "pool.primary.connection_failures_per_minute => increase(pgpulse_connection_failures_total{endpoint=\"primary\"}[1m])",
            "endpoint.*.health => pgpulse_endpoint_status",
            "endpoint.replica-1.health => pgpulse_endpoint_status{endpoint=\"replica-1\"}",
            "server.connections.used_ratio => pgpulse_server_connections_used_ratio{endpoint=\"primary\"}",
            "server.oldest_idle_in_transaction_seconds => pgpulse_server_idle_in_transaction_longest_seconds{endpoint=\"primary\"}",
            "server.deadlocks_per_minute => pgpulse_server_deadlocks_last_minute{endpoint=\"primary\"}",
            "replication.lag_bytes => max without (endpoint) (pgpulse_replication_replay_lag_bytes{endpoint=~\"replica-[0-9]+\"})",
            "query.*.p95_ms => 1000 * max without (quantile) (pgpulse_operation_seconds{quantile=\"0.95\"})",
            "query.demo.op.p95_ms => 1000 * max without (quantile) (pgpulse_operation_seconds{operation=\"demo.op\",quantile=\"0.95\"})",
            "traffic.*.calls_per_second => rate(pgpulse_endpoint_calls_total[1m]) + rate(pgpulse_endpoint_failures_total[1m])",
            "traffic.primary.p99_ms => 1000 * max without (quantile) (pgpulse_endpoint_call_latency_seconds{endpoint=\"primary\",quantile=\"0.99\"})",
            "service.slow_queries_per_minute => sum without (operation) (increase(pgpulse_operation_slow_total[1m]))",
            "service.oldest_call_in_flight_seconds => pgpulse_oldest_call_in_flight_seconds"})
    void keysReadTheAgentsFamilies(String key, String expected) {
        assertThat(PrometheusRules.expression(key)).contains(expected);
    }

    @Test
    void theBreakerStateIsResilience4jsOneSeriesPerStateWeightedByPgPulsesNumbers() {
        String e = PrometheusRules.expression("breaker.*.state").orElseThrow();

        assertThat(e).startsWith("label_replace(sum without (state) (")
                .contains("resilience4j_circuitbreaker_state{name=~\"primary|replica-[0-9]+\",state=\"open\"} * 2")
                .contains("state=\"half_open\"} * 1").contains("state=\"forced_open\"} * 3")
                .contains("state=\"disabled\"} * -1").contains("state=\"metrics_only\"} * -2")
                .contains("state=\"closed\"} * 0").endsWith(", \"endpoint\", \"$1\", \"name\", \"(.+)\")");
    }

    @ParameterizedTest
    @CsvSource({"breaker-open, PgPulseBreakerOpen", "xid-wraparound, PgPulseXidWraparound", "a.b_c-d, PgPulseABCD",
            "9lives, PgPulse9lives", "x--y, PgPulseXY"})
    void alertNamesAreCamelCaseIds(String id, String name) {
        assertThat(PrometheusRules.alertName(id)).isEqualTo(name);
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "30000, 30s", "300000, 5m", "5400000, 1h30m", "2500, 2s500ms", "86400000, 1d",
            "90061001, 1d1h1m1s1ms"})
    void durationsArePrometheusDurations(long ms, String text) {
        assertThat(PrometheusRules.duration(Duration.ofMillis(ms))).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"1.5e9, 1500000000", "0.8, 0.8", "120, 120", "0, 0", "-1, -1", "1e-7, 0.0000001", "0.98, 0.98"})
    void thresholdsArePlainNumbers(double v, String text) {
        assertThat(PrometheusRules.number(v)).isEqualTo(text);
    }

    @Test
    void conditionsCompareInTheKeysUnitAndNotEqualDropsNaNFirst() {
        AlertRule gt = rule("a", "A", "server.oldest_xid_age", Operator.GT, 1.5e9, Duration.ZERO, true);
        AlertRule ne = rule("b", "B", "service.calls_in_flight", Operator.NE, 0, Duration.ZERO, true);

        assertThat(PrometheusRules.condition(gt, "x")).isEqualTo("x > 1500000000");
        assertThat(PrometheusRules.condition(ne, "x")).isEqualTo("(x == x) != 0");
    }

    @Test
    void descriptionsAreTheEnginesMessageWithTheSubjectsLabel() {
        assertThat(PrometheusRules.description(rule("a", "A", "pool.*.awaiting", Operator.GT, 0, Duration.ofSeconds(30), true)))
                .isEqualTo("pool.{{ $labels.endpoint }}.awaiting = {{ $value }} > 0 for 30s");
        assertThat(PrometheusRules.description(rule("a", "A", "query.*.p95_ms", Operator.GE, 500, Duration.ZERO, true)))
                .isEqualTo("query.{{ $labels.operation }}.p95_ms = {{ $value }} >= 500");
        assertThat(PrometheusRules.description(rule("a", "A", "pool.replica-1.awaiting", Operator.LT, 1, Duration.ZERO, true)))
                .isEqualTo("pool.replica-1.awaiting = {{ $value }} < 1");
    }

    @Test
    void quotingEscapesWhatYamlWouldReadOtherwise() {
        assertThat(PrometheusRules.quote("a \"b\" \\ c: #d")).isEqualTo("\"a \\\"b\\\" \\\\ c: #d\"");
        assertThat(PrometheusRules.quote("l1\nl2\tx\r")).isEqualTo("\"l1\\nl2\\tx\\r\"");
        assertThat(PrometheusRules.quote("\u0000\u007f\u0085\u2028\uFEFF")).isEqualTo("\"\\u0000\\u007f\\u0085\\u2028\\ufeff\"");
        assertThat(PrometheusRules.quote("é 😀")).isEqualTo("\"é 😀\"");
        assertThat(PrometheusRules.quote("lone \uD800 half")).isEqualTo("\"lone \uFFFD half\"");
        assertThat(PrometheusRules.literalInTemplate("{{ $x }}")).isEqualTo("{{ \"{{\" }} $x }}");
    }

    @Test
    void oneRuleIsWrittenInFull() {
        AlertRule r = new AlertRule("pool-waiting", "Threads waiting for a connection", "pool.*.awaiting", Operator.GT,
                0, Duration.ofSeconds(30), Severity.WARNING, true);

        PrometheusRules.Export e = PrometheusRules.export(List.of(r), false);

        assertThat(e.exported()).isEqualTo(1);
        assertThat(e.skipped()).isEmpty();
        assertThat(e.yaml()).endsWith("""
                groups:
                  - name: "pgpulse"
                    rules:
                      - alert: "PgPulsePoolWaiting"
                        expr: "label_replace(hikaricp_connections_pending{pool=~\\"primary|replica-[0-9]+\\"}, \\"endpoint\\", \\"$1\\", \\"pool\\", \\"(.+)\\") > 0"
                        for: "30s"
                        keep_firing_for: "15s"
                        labels:
                          severity: "warning"
                          rule_id: "pool-waiting"
                        annotations:
                          summary: "Threads waiting for a connection"
                          description: "pool.{{ $labels.endpoint }}.awaiting = {{ $value }} > 0 for 30s"
                """);
        assertThat(e.yaml()).startsWith("# PgPulse alert rules for Prometheus");
    }

    @Test
    void disabledRulesAreACommentUnlessAskedForAndTheOutputIsTheSameEachTime() {
        AlertRule off = rule("quiet-one", "Off", "service.calls_in_flight", Operator.GT, 10, Duration.ZERO, false);
        AlertRule on = rule("loud-one", "On", "service.calls_in_flight", Operator.GT, 20, Duration.ZERO, true);

        PrometheusRules.Export e = PrometheusRules.export(List.of(off, on), false);
        PrometheusRules.Export all = PrometheusRules.export(List.of(off, on), true);

        assertThat(e.exported()).isEqualTo(1);
        assertThat(e.skipped()).containsExactly(new PrometheusRules.Skipped("quiet-one",
                "is disabled (export it with --include-disabled)"));
        assertThat(e.yaml()).contains("      # skipped: rule 'quiet-one' is disabled (export it with --include-disabled)\n"
                + "      - alert: \"PgPulseLoudOne\"\n").doesNotContain("PgPulseQuietOne");
        assertThat(all.exported()).isEqualTo(2);
        assertThat(all.skipped()).isEmpty();
        assertThat(all.yaml()).contains("PgPulseQuietOne");
        assertThat(PrometheusRules.export(List.of(off, on), false).yaml()).isEqualTo(e.yaml());
        assertThat(PrometheusRules.export(List.of(off), false).yaml()).contains("    rules: []\n");
        assertThat(PrometheusRules.export(List.of(), false).yaml()).endsWith("    rules: []\n");
    }

    @Test
    void aRuleWithoutForHasNeitherForNorKeepFiringFor() {
        String y = PrometheusRules.export(List.of(rule("x", "X", "breaker.*.state", Operator.GE, 2, Duration.ZERO, true)),
                false).yaml();
        assertThat(y).doesNotContain("for:");
    }
}
