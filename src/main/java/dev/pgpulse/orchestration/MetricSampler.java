package dev.pgpulse.orchestration;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.health.alert.MetricKeys;
import dev.pgpulse.service.EndpointTraffic;
import dev.pgpulse.service.OperationStats;
import dev.pgpulse.service.ServiceSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns each health sample and the service's state into the concrete metric keys alert rules are written in: the
 * one sample the alert engine evaluates and the metric history records. Keeps the previous sample's call counts,
 * for throughput; called from the health monitor's thread, one sample at a time. Also keeps each endpoint's connection-failure counts of the last minute: a rule needs the
 * rate, as a count that only grows would keep a rule firing long after the endpoint is back.
 */
final class MetricSampler {
    private record Seen(Instant at, EndpointTraffic traffic) {
    }

    private record Count(Instant at, long failures) {
    }

    private final Map<String, Seen> previous = new HashMap<>();
    /** Per endpoint, its connection-failure counts over the last minute of samples, oldest first. */
    private final Map<String, ArrayDeque<Count>> failures = new HashMap<>();

    Map<String, Double> sample(HealthSnapshot health, ServiceSnapshot service) {
        Map<String, Double> m = new HashMap<>();
        double maxLag = Double.NaN;
        double maxLagBytes = Double.NaN;
        for (EndpointStatus e : health.endpoints()) {
            String ep = e.endpoint();
            m.put(MetricKeys.of("pool.<endpoint>.awaiting", ep), (double) e.pool().awaiting());
            m.put(MetricKeys.of("pool.<endpoint>.usage_ratio", ep), e.pool().usageRatio());
            m.put(MetricKeys.of("pool.<endpoint>.acquire_p95_ms", ep), e.pool().acquireP95Ms());
            m.put(MetricKeys.of("breaker.<endpoint>.state", ep), e.breakerState().metricValue());
            m.put(MetricKeys.of("endpoint.<endpoint>.health", ep), e.status().metricValue());
            m.put(MetricKeys.of("pool.<endpoint>.connection_failures_per_minute", ep),
                    failuresLastMinute(ep, health.at(), e.pool().connectionFailures()));
            ServerStats s = e.server();
            if (s == null) {
                continue;
            }
            if (e.role() == EndpointConfig.Role.PRIMARY) {
                m.put("server.connections.used_ratio", s.connectionsUsedRatio());
                m.put("server.cache_hit_ratio", s.cacheHitRatio());
                m.put("server.longest_transaction_seconds", s.longestTransactionSeconds());
                m.put("server.oldest_idle_in_transaction_seconds", s.longestIdleInTransactionSeconds());
                m.put("server.sessions_waiting_on_locks", (double) s.waitingOnLocks());
                m.put("server.longest_lock_wait_seconds", s.longestLockWaitSeconds());
                m.put("server.oldest_xid_age", (double) s.oldestXidAge());
                // NaN while not known: the engine leaves a rule's state alone on a missing value
                m.put("server.rollback_ratio", s.rollbackRatio());
                m.put("server.deadlocks_per_minute", s.deadlocksLastMinute());
            } else {
                maxLag = largest(maxLag, s.replayLagSeconds());
                maxLagBytes = largest(maxLagBytes, s.replayLagBytes());
            }
        }
        if (!Double.isNaN(maxLag)) {
            m.put("replication.lag_seconds", maxLag);
        }
        if (!Double.isNaN(maxLagBytes)) {
            m.put("replication.lag_bytes", maxLagBytes);
        }
        for (EndpointTraffic t : service.traffic()) {
            String ep = t.endpoint();
            Seen before = previous.put(ep, new Seen(service.at(), t));
            double rate = before == null ? Double.NaN
                    : t.callsPerSecondSince(before.traffic(), Duration.between(before.at(), service.at()));
            if (!Double.isNaN(rate)) {
                m.put(MetricKeys.of("traffic.<endpoint>.calls_per_second", ep), rate);
            }
            m.put(MetricKeys.of("traffic.<endpoint>.p50_ms", ep), t.p50Ms());
            m.put(MetricKeys.of("traffic.<endpoint>.p95_ms", ep), t.p95Ms());
            m.put(MetricKeys.of("traffic.<endpoint>.p99_ms", ep), t.p99Ms());
            // always present, 0 when idle: a rule on a hung server must see the age fall back, not a gap
            m.put(MetricKeys.of("traffic.<endpoint>.calls_in_flight", ep), (double) t.callsInFlight());
            m.put(MetricKeys.of("traffic.<endpoint>.oldest_call_in_flight_seconds", ep),
                    t.oldestCallInFlight().toNanos() / 1e9);
        }
        for (OperationStats op : service.operations()) {
            if (op.calls() > 0) {
                m.put("query." + op.operation() + ".p95_ms", op.p95Ms());
            }
        }
        long recentSlow = service.slowQueries().stream()
                .filter(q -> !q.at().isBefore(health.at().minus(Duration.ofMinutes(1)))).count();
        m.put("service.slow_queries_per_minute", (double) recentSlow);
        m.put("service.calls_in_flight", (double) service.inFlight());
        m.put("service.oldest_call_in_flight_seconds", service.oldestCallInFlight().toNanos() / 1e9);
        return m;
    }

    /** Growth of the count since the oldest sample of the last minute (never scaled up; 0 on the first sample). */
    private double failuresLastMinute(String endpoint, Instant at, long count) {
        ArrayDeque<Count> seen = failures.computeIfAbsent(endpoint, _ -> new ArrayDeque<>());
        seen.addLast(new Count(at, count));
        while (seen.peekFirst().at().isBefore(at.minus(Duration.ofMinutes(1)))) {
            seen.removeFirst();
        }
        return Math.max(0, count - seen.peekFirst().failures());
    }

    /** The larger of a running maximum (NaN: none yet) and a replica's figure (null: not known). */
    private static double largest(double max, Number value) {
        if (value == null) {
            return max;
        }
        return Double.isNaN(max) ? value.doubleValue() : Math.max(max, value.doubleValue());
    }
}
