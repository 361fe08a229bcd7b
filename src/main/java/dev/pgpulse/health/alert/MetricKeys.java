package dev.pgpulse.health.alert;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The metric keys a rule may watch. {@code <endpoint>} is {@code primary}, {@code replica-<n>} (n from 1)
 * or {@code *} (every endpoint: the engine evaluates the rule once per endpoint); {@code <operation>} is a
 * query operation name ({@code [A-Za-z0-9._-]+}) or {@code *}.
 * <ul>
 *   <li>{@code pool.<endpoint>.awaiting}: threads waiting for a connection</li>
 *   <li>{@code pool.<endpoint>.usage_ratio}: active / maximum connections, 0..1</li>
 *   <li>{@code pool.<endpoint>.acquire_p95_ms}: 95th percentile time to take a connection from the pool</li>
 *   <li>{@code pool.<endpoint>.connection_failures_per_minute}: failed attempts to take a connection counted over the
 *   last minute of samples (never scaled up; {@code pgpulse_connection_failures_total} on /metrics is the count)</li>
 *   <li>{@code breaker.<endpoint>.state}: the circuit breaker's state as a number, see
 *   {@link dev.pgpulse.resilience.BreakerState#metricValue()}</li>
 *   <li>{@code endpoint.<endpoint>.health}: the endpoint's health in the health sample as a number, UP 0,
 *   DEGRADED 1, DOWN 2, see {@link dev.pgpulse.health.HealthStatus#metricValue()}</li>
 *   <li>{@code server.connections.used_ratio}: backends / max_connections, 0..1</li>
 *   <li>{@code server.rollback_ratio}: rollbacks / (commits + rollbacks) over at least 10 s of samples, 0..1</li>
 *   <li>{@code server.cache_hit_ratio}: blocks hit / (hit + read), 0..1</li>
 *   <li>{@code server.longest_transaction_seconds}: age of the oldest open transaction</li>
 *   <li>{@code server.oldest_idle_in_transaction_seconds}: the longest time a session has sat idle inside a
 *       transaction</li>
 *   <li>{@code server.sessions_waiting_on_locks}: sessions waiting for a lock</li>
 *   <li>{@code server.longest_lock_wait_seconds}: the longest current wait of a session blocked on a lock (0 when
 *       none waits)</li>
 *   <li>{@code server.deadlocks_per_minute}: deadlocks counted over the last minute of samples (never scaled up)</li>
 *   <li>{@code server.oldest_xid_age}: age(datfrozenxid) of the oldest database, in transactions</li>
 *   <li>{@code replication.lag_seconds}: replay lag of the replicas (the largest)</li>
 *   <li>{@code replication.lag_bytes}: WAL the replicas received but have not replayed yet (the largest)</li>
 *   <li>{@code query.<operation>.p95_ms}: 95th percentile latency of an operation</li>
 *   <li>{@code traffic.<endpoint>.calls_per_second}: calls that reached the endpoint per second since the
 *       previous sample (absent on the first)</li>
 *   <li>{@code traffic.<endpoint>.p50_ms}, {@code .p95_ms}, {@code .p99_ms}: latency percentiles of the calls that
 *       succeeded on the endpoint</li>
 *   <li>{@code traffic.<endpoint>.calls_in_flight}: calls running on the endpoint now (waiting for one of its
 *       connections included; 0 when none is)</li>
 *   <li>{@code traffic.<endpoint>.oldest_call_in_flight_seconds}: how long the oldest of them has been running, from
 *       the call's start (0 when none is): which server is hung, while its breaker stays CLOSED</li>
 *   <li>{@code service.slow_queries_per_minute}</li>
 *   <li>{@code service.calls_in_flight}: calls running now, on any endpoint</li>
 *   <li>{@code service.oldest_call_in_flight_seconds}: how long the oldest of them has been running (0 when none
 *       is); a hung server shows here while its breaker stays CLOSED</li>
 * </ul>
 */
public final class MetricKeys {
    /** The documented keys, with their placeholders, in the order messages list them. */
    public static final List<String> DOCUMENTED = List.of(
            "pool.<endpoint>.awaiting", "pool.<endpoint>.usage_ratio", "pool.<endpoint>.acquire_p95_ms",
            "pool.<endpoint>.connection_failures_per_minute",
            "breaker.<endpoint>.state", "endpoint.<endpoint>.health",
            "server.connections.used_ratio", "server.rollback_ratio", "server.cache_hit_ratio",
            "server.longest_transaction_seconds", "server.oldest_idle_in_transaction_seconds",
            "server.sessions_waiting_on_locks", "server.longest_lock_wait_seconds",
            "server.deadlocks_per_minute", "server.oldest_xid_age",
            "replication.lag_seconds", "replication.lag_bytes", "query.<operation>.p95_ms",
            "traffic.<endpoint>.calls_per_second", "traffic.<endpoint>.p50_ms", "traffic.<endpoint>.p95_ms",
            "traffic.<endpoint>.p99_ms", "traffic.<endpoint>.calls_in_flight",
            "traffic.<endpoint>.oldest_call_in_flight_seconds",
            "service.slow_queries_per_minute", "service.calls_in_flight", "service.oldest_call_in_flight_seconds");

    private static final String ENDPOINT = "(?:primary|replica-[1-9][0-9]{0,3}|\\*)";
    private static final String OPERATION = "(?:[A-Za-z0-9._-]+|\\*)";
    private static final List<Pattern> PATTERNS = DOCUMENTED.stream()
            .map(k -> Pattern.compile(Pattern.quote(k)
                    .replace("<endpoint>", "\\E" + ENDPOINT + "\\Q")
                    .replace("<operation>", "\\E" + OPERATION + "\\Q")))
            .toList();

    private MetricKeys() {
    }

    public static boolean isValid(String key) {
        return key != null && PATTERNS.stream().anyMatch(p -> p.matcher(key).matches());
    }

    /** The concrete key of a documented one for an endpoint: {@code of("pool.<endpoint>.awaiting", "primary")}. */
    public static String of(String documented, String endpoint) {
        if (!documented.contains("<endpoint>") || !DOCUMENTED.contains(documented)) {
            throw new IllegalArgumentException("'" + documented + "' is not a documented key with an <endpoint>");
        }
        return documented.replace("<endpoint>", endpoint);
    }

    /** For messages: every documented key, then what the placeholders may be. */
    public static String describe() {
        return String.join(", ", DOCUMENTED) + " (<endpoint> is primary, replica-<n> or *; "
                + "<operation> is an operation name of [A-Za-z0-9._-] or *)";
    }
}
