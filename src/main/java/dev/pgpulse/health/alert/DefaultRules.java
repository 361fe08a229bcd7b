package dev.pgpulse.health.alert;

import java.time.Duration;
import java.util.List;

/**
 * The rules a new installation starts with, taken from what DBAs already watch: the usual PostgreSQL
 * monitoring thresholds (connections, rollbacks, cache hits, long transactions, sessions idle in a transaction and
 * lock waits at pganalyze's defaults, deadlocks, replication lag, xid wraparound) plus this console's own pool,
 * breaker and endpoint health, and calls stuck on an endpoint (older than the pools' {@code statement_timeout}). Ids are stable: a user's file refers to them.
 */
public final class DefaultRules {
    private static final List<AlertRule> ALL = List.of(
            rule("breaker-open", "Circuit breaker open", "breaker.*.state", Operator.GE, 2,
                    Duration.ZERO, Severity.CRITICAL),
            rule("pool-waiting", "Threads waiting for a connection", "pool.*.awaiting", Operator.GT, 0,
                    Duration.ofSeconds(30), Severity.WARNING),
            rule("connections-high", "Server connections above 80% of max_connections", "server.connections.used_ratio",
                    Operator.GT, 0.8, Duration.ofMinutes(5), Severity.WARNING),
            rule("rollback-ratio", "Rollback ratio above 10%", "server.rollback_ratio", Operator.GT, 0.1,
                    Duration.ofMinutes(1), Severity.WARNING),
            rule("cache-hit-low", "Cache hit ratio below 98%", "server.cache_hit_ratio", Operator.LT, 0.98,
                    Duration.ofMinutes(10), Severity.INFO),
            rule("long-transaction", "Transaction open for more than 2 minutes", "server.longest_transaction_seconds",
                    Operator.GT, 120, Duration.ZERO, Severity.WARNING),
            rule("very-long-transaction", "Transaction open for more than 30 minutes",
                    "server.longest_transaction_seconds", Operator.GT, 1800, Duration.ZERO, Severity.CRITICAL),
            // pganalyze's default idle-in-transaction alert: warning at 30 minutes, critical at 60
            rule("idle-in-transaction", "Session idle in a transaction for more than 30 minutes (pganalyze default)",
                    "server.oldest_idle_in_transaction_seconds", Operator.GT, 1800, Duration.ZERO, Severity.WARNING),
            rule("very-long-idle-in-transaction",
                    "Session idle in a transaction for more than 60 minutes (pganalyze default)",
                    "server.oldest_idle_in_transaction_seconds", Operator.GT, 3600, Duration.ZERO, Severity.CRITICAL),
            // pganalyze's "Blocking Queries" check: a blocked query waiting over 300 s warns, over 600 s is critical
            rule("lock-wait", "Session waiting for a lock for more than 5 minutes (pganalyze default)",
                    "server.longest_lock_wait_seconds", Operator.GT, 300, Duration.ZERO, Severity.WARNING),
            rule("very-long-lock-wait", "Session waiting for a lock for more than 10 minutes (pganalyze default)",
                    "server.longest_lock_wait_seconds", Operator.GT, 600, Duration.ZERO, Severity.CRITICAL),
            rule("deadlocks", "More than 5 deadlocks per minute", "server.deadlocks_per_minute", Operator.GT, 5,
                    Duration.ZERO, Severity.WARNING),
            rule("replica-lag", "Replica more than 30 s behind", "replication.lag_seconds", Operator.GT, 30,
                    Duration.ZERO, Severity.WARNING),
            rule("xid-wraparound", "Transaction id age above 1.5 billion (wraparound ahead)", "server.oldest_xid_age",
                    Operator.GT, 1.5e9, Duration.ZERO, Severity.CRITICAL),
            // three health intervals at the default 5 s: one failed sample is no outage, several are
            rule("endpoint-down", "Endpoint DOWN for more than a few health samples", "endpoint.*.health",
                    Operator.GE, 2, Duration.ofSeconds(15), Severity.CRITICAL),
            // A hung server answers nothing, so its calls neither fail nor finish and its breaker stays CLOSED; only
            // their age shows it. 60 s is the statement_timeout of the staging and production pool presets
            // (PoolSizing; 30-60 s is the usual OLTP setting): a call older than that has outlived any statement the
            // server lets run on these pools, so it waits on a server that does not answer. For 30 s: past the
            // 5 s read margin over statement_timeout (ConnectionBounds), so it fires once a caller has waited 90 s.
            rule("call-stuck", "Call running on an endpoint for more than 60 s (the pools' statement_timeout)",
                    "traffic.*.oldest_call_in_flight_seconds", Operator.GT, 60,
                    Duration.ofSeconds(30), Severity.CRITICAL));

    private DefaultRules() {
    }

    /** The default rules, all enabled, in a fixed order. */
    public static List<AlertRule> all() {
        return ALL;
    }

    private static AlertRule rule(String id, String name, String metric, Operator operator, double threshold,
                                  Duration forDuration, Severity severity) {
        return new AlertRule(id, name, metric, operator, threshold, forDuration, severity, true);
    }
}
