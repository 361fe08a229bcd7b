package dev.pgpulse.health.alert;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A metric key as PromQL over the agent's {@code /metrics} names: the same figure, in the key's unit (so a rule's
 * threshold carries over unchanged), one series per subject with an {@code endpoint} (or {@code operation}) label.
 * <p>
 * Where the agent exports the very figure the engine reads (the server's gauges, health, calls in flight) the
 * expression is that gauge. HikariCP's and Resilience4j's families label the pool or breaker {@code pool} and
 * {@code name}, so {@code label_replace} copies that into {@code endpoint}. Percentiles in ms are the published
 * quantile times 1000. The engine's per-minute counts and per-second rates are taken from counters over a minute
 * ({@code increase(...[1m])}, {@code rate(...[1m])}): Prometheus extrapolates to the window's edges where the engine
 * counts exactly what it saw, so a reading near the threshold can differ by a fraction.
 * <p>
 * An {@code <endpoint>} of {@code *} is no matcher on PgPulse's own families (only PgPulse writes them) and a regex
 * over endpoint names on the libraries' (other applications' HikariCP pools may share the Prometheus); one
 * Prometheus rule then covers every endpoint, as one PgPulse rule does. Aggregations keep every label but the one
 * they fold ({@code without (...)}), so {@code job} and {@code instance} keep several agents apart.
 */
final class PrometheusExpressions {
    /** What {@code *} in an endpoint position becomes on a library family's label: the names PgPulse gives. */
    static final String ENDPOINT_NAMES = "primary|replica-[0-9]+";

    /** The placeholder's value of a key: an endpoint or operation name, or {@code *}; null for keys without one. */
    private record Subject(String value) {
        boolean any() {
            return "*".equals(value);
        }

        /** {@code label="value"}, or nothing for {@code *}. */
        String own(String label) {
            return any() ? "" : label + "=\"" + value + "\"";
        }

        /** {@code label="value"}, or the regex over endpoint names for {@code *}. */
        String library(String label) {
            return any() ? label + "=~\"" + ENDPOINT_NAMES + "\"" : label + "=\"" + value + "\"";
        }
    }

    private static final Map<String, Function<Subject, String>> BY_KEY = byKey();

    private static Map<String, Function<Subject, String>> byKey() {
        Map<String, Function<Subject, String>> m = new LinkedHashMap<>();
        m.put("pool.<endpoint>.awaiting", s -> fromPool("hikaricp_connections_pending{" + s.library("pool") + "}"));
        m.put("pool.<endpoint>.usage_ratio", s -> fromPool("hikaricp_connections_active{" + s.library("pool")
                + "} / hikaricp_connections_max{" + s.library("pool") + "}"));
        m.put("pool.<endpoint>.acquire_p95_ms", s -> fromPool(
                ms("hikaricp_connections_acquire_seconds", s.library("pool"), "0.95")));
        m.put("pool.<endpoint>.connection_failures_per_minute",
                s -> "increase(pgpulse_connection_failures_total" + braces(s.own("endpoint")) + "[1m])");
        m.put("breaker.<endpoint>.state", PrometheusExpressions::breakerState);
        m.put("endpoint.<endpoint>.health", s -> "pgpulse_endpoint_status" + braces(s.own("endpoint")));
        // The engine reads the server keys of the primary only; every endpoint's server is on /metrics.
        m.put("server.connections.used_ratio", s -> primary("pgpulse_server_connections_used_ratio"));
        m.put("server.rollback_ratio", s -> primary("pgpulse_server_rollback_ratio"));
        m.put("server.cache_hit_ratio", s -> primary("pgpulse_server_cache_hit_ratio"));
        m.put("server.longest_transaction_seconds", s -> primary("pgpulse_server_longest_transaction_seconds"));
        m.put("server.oldest_idle_in_transaction_seconds",
                s -> primary("pgpulse_server_idle_in_transaction_longest_seconds"));
        m.put("server.sessions_waiting_on_locks", s -> primary("pgpulse_server_lock_waiting_sessions"));
        m.put("server.longest_lock_wait_seconds", s -> primary("pgpulse_server_lock_wait_longest_seconds"));
        // the agent's gauge is the engine's own count over the last minute of samples: no extrapolation
        m.put("server.deadlocks_per_minute", s -> primary("pgpulse_server_deadlocks_last_minute"));
        m.put("server.oldest_xid_age", s -> primary("pgpulse_server_oldest_xid_age"));
        // the worst replica, as the engine takes it
        m.put("replication.lag_seconds", s -> "max without (endpoint) (pgpulse_replication_replay_lag_seconds{endpoint=~\""
                + "replica-[0-9]+\"})");
        m.put("replication.lag_bytes", s -> "max without (endpoint) (pgpulse_replication_replay_lag_bytes{endpoint=~\""
                + "replica-[0-9]+\"})");
        m.put("query.<operation>.p95_ms", s -> ms("pgpulse_operation_seconds", s.own("operation"), "0.95"));
        m.put("traffic.<endpoint>.calls_per_second", s -> "rate(pgpulse_endpoint_calls_total" + braces(s.own("endpoint"))
                + "[1m]) + rate(pgpulse_endpoint_failures_total" + braces(s.own("endpoint")) + "[1m])");
        m.put("traffic.<endpoint>.p50_ms", s -> ms("pgpulse_endpoint_call_latency_seconds", s.own("endpoint"), "0.5"));
        m.put("traffic.<endpoint>.p95_ms", s -> ms("pgpulse_endpoint_call_latency_seconds", s.own("endpoint"), "0.95"));
        m.put("traffic.<endpoint>.p99_ms", s -> ms("pgpulse_endpoint_call_latency_seconds", s.own("endpoint"), "0.99"));
        m.put("traffic.<endpoint>.calls_in_flight", s -> "pgpulse_endpoint_calls_in_flight" + braces(s.own("endpoint")));
        m.put("traffic.<endpoint>.oldest_call_in_flight_seconds",
                s -> "pgpulse_endpoint_oldest_call_in_flight_seconds" + braces(s.own("endpoint")));
        m.put("service.slow_queries_per_minute",
                s -> "sum without (operation) (increase(pgpulse_operation_slow_total[1m]))");
        m.put("service.calls_in_flight", s -> "pgpulse_calls_in_flight");
        m.put("service.oldest_call_in_flight_seconds", s -> "pgpulse_oldest_call_in_flight_seconds");
        return m;
    }

    /** Each documented key as a pattern whose one group is its placeholder's value. */
    private static final Map<String, Pattern> PATTERNS = patterns();

    private static Map<String, Pattern> patterns() {
        Map<String, Pattern> m = new LinkedHashMap<>();
        for (String key : MetricKeys.DOCUMENTED) {
            m.put(key, Pattern.compile(Pattern.quote(key)
                    .replace("<endpoint>", "\\E(primary|replica-[1-9][0-9]{0,3}|\\*)\\Q")
                    .replace("<operation>", "\\E([A-Za-z0-9._-]+|\\*)\\Q")));
        }
        return m;
    }

    private PrometheusExpressions() {
    }

    /** The documented key (with its placeholder) a concrete or {@code *} key is an instance of. */
    static Optional<String> documented(String key) {
        return PATTERNS.entrySet().stream().filter(e -> e.getValue().matcher(key).matches()).map(Map.Entry::getKey)
                .findFirst();
    }

    /**
     * The key's value as PromQL, or empty when the agent's /metrics has nothing that carries it (a key added to
     * {@link MetricKeys} without a mapping here: the export then skips its rules and says so).
     */
    static Optional<String> of(String key) {
        for (Map.Entry<String, Pattern> e : PATTERNS.entrySet()) {
            Matcher m = e.getValue().matcher(key);
            if (m.matches()) {
                Function<Subject, String> f = BY_KEY.get(e.getKey());
                return f == null ? Optional.empty()
                        : Optional.of(f.apply(new Subject(m.groupCount() == 0 ? null : m.group(1))));
            }
        }
        return Optional.empty();
    }

    /** Whether a documented key (with its placeholder) has an expression. */
    static boolean mapped(String documented) {
        return BY_KEY.containsKey(documented);
    }

    private static String braces(String matcher) {
        return matcher.isEmpty() ? "" : "{" + matcher + "}";
    }

    private static String primary(String family) {
        return family + "{endpoint=\"primary\"}";
    }

    /** A HikariCP series with an {@code endpoint} label copied from its {@code pool} label. */
    private static String fromPool(String expr) {
        return "label_replace(" + expr + ", \"endpoint\", \"$1\", \"pool\", \"(.+)\")";
    }

    /** A published quantile of a timer in seconds, in milliseconds, without the quantile label. */
    private static String ms(String family, String matcher, String quantile) {
        return "1000 * max without (quantile) (" + family + "{" + (matcher.isEmpty() ? "" : matcher + ",")
                + "quantile=\"" + quantile + "\"})";
    }

    /**
     * {@link dev.pgpulse.resilience.BreakerState#metricValue()} from Resilience4j's one series per state (1 for the
     * breaker's state, 0 for the others): each weighted by its state's number and summed.
     */
    private static String breakerState(Subject s) {
        String sel = s.library("name");
        StringBuilder sum = new StringBuilder();
        String[][] weights = {{"closed", "0"}, {"half_open", "1"}, {"open", "2"}, {"forced_open", "3"},
                {"disabled", "-1"}, {"metrics_only", "-2"}};
        for (String[] w : weights) {
            if (!sum.isEmpty()) {
                sum.append(" or ");
            }
            sum.append("resilience4j_circuitbreaker_state{").append(sel).append(",state=\"").append(w[0])
                    .append("\"} * ").append(w[1]);
        }
        return "label_replace(sum without (state) (" + sum + "), \"endpoint\", \"$1\", \"name\", \"(.+)\")";
    }
}
