package dev.pgpulse.orchestration;

import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthMonitor;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.health.alert.AlertEngine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Gauges over the latest health sample and the alert engine, for Prometheus: health (0 UP, 1 DEGRADED,
 * 2 DOWN), the server's figures per endpoint, and alerts firing. They read in-memory state only.
 */
final class StateMeters {
    private StateMeters() {
    }

    static void register(MeterRegistry meters, HealthMonitor health, AlertEngine alerts, List<String> endpoints) {
        Gauge.builder("pgpulse.health.status", health, h -> h.latest() == null ? Double.NaN : h.latest().status().ordinal())
                .description("Overall health: 0 UP, 1 DEGRADED, 2 DOWN").register(meters);
        Gauge.builder("pgpulse.alerts.firing", alerts, a -> a.active().size())
                .description("Alerts firing now").register(meters);
        for (String ep : endpoints) {
            endpointGauge(meters, health, ep, "pgpulse.endpoint.status", "Endpoint health: 0 UP, 1 DEGRADED, 2 DOWN",
                    e -> e.status().ordinal());
            endpointGauge(meters, health, ep, "pgpulse.endpoint.latency", "Probe latency, milliseconds",
                    EndpointStatus::latencyMs);
            serverGauge(meters, health, ep, "pgpulse.server.connections.used.ratio", "Client connections over the usable maximum",
                    ServerStats::connectionsUsedRatio);
            serverGauge(meters, health, ep, "pgpulse.server.tps", "Transactions per second", ServerStats::tps);
            serverGauge(meters, health, ep, "pgpulse.server.rollback.ratio", "Rollbacks over transactions",
                    ServerStats::rollbackRatio);
            serverGauge(meters, health, ep, "pgpulse.server.cache.hit.ratio", "Buffer cache hit ratio",
                    ServerStats::cacheHitRatio);
            serverGauge(meters, health, ep, "pgpulse.server.longest.transaction", "Oldest open transaction, seconds",
                    ServerStats::longestTransactionSeconds);
            serverGauge(meters, health, ep, "pgpulse.server.waiting.on.locks", "Sessions waiting on a lock",
                    ServerStats::waitingOnLocks);
            serverGauge(meters, health, ep, "pgpulse.server.deadlocks.per.minute", "Deadlocks a minute",
                    ServerStats::deadlocksPerMinute);
            serverGauge(meters, health, ep, "pgpulse.server.replication.lag", "Replay lag on a replica, seconds",
                    s -> s.replayLagSeconds() == null ? Double.NaN : s.replayLagSeconds());
        }
    }

    private static void endpointGauge(MeterRegistry meters, HealthMonitor health, String endpoint, String name,
                                      String description, ToDoubleFunction<EndpointStatus> f) {
        Gauge.builder(name, health, h -> {
            HealthSnapshot s = h.latest();
            return s == null ? Double.NaN : s.endpoint(endpoint).map(f::applyAsDouble).orElse(Double.NaN);
        }).description(description).tag("endpoint", endpoint).register(meters);
    }

    private static void serverGauge(MeterRegistry meters, HealthMonitor health, String endpoint, String name,
                                    String description, ToDoubleFunction<ServerStats> f) {
        endpointGauge(meters, health, endpoint, name, description,
                e -> e.server() == null ? Double.NaN : f.applyAsDouble(e.server()));
    }
}
