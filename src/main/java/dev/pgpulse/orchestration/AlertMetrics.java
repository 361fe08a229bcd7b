package dev.pgpulse.orchestration;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.service.OperationStats;
import dev.pgpulse.service.ServiceSnapshot;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Turns a health sample and the service's state into the concrete metric keys alert rules are written in. */
final class AlertMetrics {
    private AlertMetrics() {
    }

    static Map<String, Double> from(HealthSnapshot health, ServiceSnapshot service) {
        Map<String, Double> m = new HashMap<>();
        double maxLag = Double.NaN;
        for (EndpointStatus e : health.endpoints()) {
            String ep = e.endpoint();
            m.put("pool." + ep + ".awaiting", (double) e.pool().awaiting());
            m.put("pool." + ep + ".usage_ratio", e.pool().usageRatio());
            m.put("breaker." + ep + ".state", e.breakerState().metricValue());
            ServerStats s = e.server();
            if (s == null) {
                continue;
            }
            if (e.role() == EndpointConfig.Role.PRIMARY) {
                m.put("server.connections.used_ratio", s.connectionsUsedRatio());
                m.put("server.cache_hit_ratio", s.cacheHitRatio());
                m.put("server.longest_transaction_seconds", s.longestTransactionSeconds());
                m.put("server.oldest_xid_age", (double) s.oldestXidAge());
                // NaN while not known: the engine leaves a rule's state alone on a missing value
                m.put("server.rollback_ratio", s.rollbackRatio());
                m.put("server.deadlocks_per_minute", s.deadlocksLastMinute());
            } else if (s.replayLagSeconds() != null) {
                maxLag = Double.isNaN(maxLag) ? s.replayLagSeconds() : Math.max(maxLag, s.replayLagSeconds());
            }
        }
        if (!Double.isNaN(maxLag)) {
            m.put("replication.lag_seconds", maxLag);
        }
        for (OperationStats op : service.operations()) {
            if (op.calls() > 0) {
                m.put("query." + op.operation() + ".p95_ms", op.p95Ms());
            }
        }
        long recentSlow = service.slowQueries().stream()
                .filter(q -> !q.at().isBefore(health.at().minus(Duration.ofMinutes(1)))).count();
        m.put("service.slow_queries_per_minute", (double) recentSlow);
        return m;
    }
}
