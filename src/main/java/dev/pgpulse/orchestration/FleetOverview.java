package dev.pgpulse.orchestration;

import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerSnapshot;
import dev.pgpulse.resilience.BreakerState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One line per cluster of a {@link Fleet}, as a DBA scans a fleet: its health, how full its pools are, its
 * breakers, its worst replica lag and the alerts firing. Built from each cluster's {@link Snapshot} (no query);
 * what the console's overview and {@code pgpulse status} show.
 */
public final class FleetOverview {
    private FleetOverview() {
    }

    /**
     * @param health     the cluster's health (UP, DEGRADED, DOWN), or STARTING before its first sample
     * @param poolsInUse connections in use over all its pools, of {@code poolsMax}
     * @param breakers   endpoints whose breaker is not CLOSED, as {@code replica-1 OPEN}; empty when all are closed
     * @param worstLagSeconds the largest replay lag of its replicas; null when it has none or none is known
     * @param alertsFiring alerts firing now
     */
    public record Line(String cluster, String target, String health, int poolsInUse, int poolsMax,
                       List<String> breakers, Double worstLagSeconds, int alertsFiring) {
        public Line {
            Objects.requireNonNull(cluster, "cluster");
            breakers = List.copyOf(breakers);
        }
    }

    public static List<Line> of(Fleet fleet) {
        List<Line> lines = new ArrayList<>();
        for (Map.Entry<String, Orchestrator> c : fleet.clusters().entrySet()) {
            lines.add(line(c.getKey(), c.getValue().snapshot()));
        }
        return List.copyOf(lines);
    }

    static Line line(String cluster, Snapshot s) {
        HealthSnapshot h = s.health();
        int used = 0;
        int max = 0;
        for (PoolSnapshot p : s.service().pools()) {
            used += p.active();
            max += p.max();
        }
        List<String> open = new ArrayList<>();
        for (BreakerSnapshot b : s.service().breakers()) {
            if (b.state() != BreakerState.CLOSED) {
                open.add(b.endpoint() + " " + b.state().label());
            }
        }
        Double worst = null;
        if (h != null) {
            for (EndpointStatus e : h.endpoints()) {
                Double lag = e.server() == null || !e.server().inRecovery() ? null : e.server().replayLagSeconds();
                if (lag != null && (worst == null || lag > worst)) {
                    worst = lag;
                }
            }
        }
        return new Line(cluster, s.target(), h == null ? "STARTING" : h.status().name(), used, max, open, worst,
                s.activeAlerts().size());
    }
}
