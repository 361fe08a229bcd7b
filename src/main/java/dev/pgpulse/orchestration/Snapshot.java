package dev.pgpulse.orchestration;

import dev.pgpulse.embedded.EmbeddedState;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.service.ServiceSnapshot;

import java.time.Instant;
import java.util.List;

/**
 * Everything PgPulse knows at one instant, as immutable values: what every face (console, agent, CLI)
 * reads, and the only thing it reads. Cheap to take: in-memory state, never a query on demand.
 *
 * @param health         the latest health sample, or null before the first one
 * @param embeddedServer whether the embedded server's postmaster still runs; null on a configured target
 */
public record Snapshot(Instant at, Status status, String target, boolean embedded, String environment,
                       ServiceSnapshot service, HealthSnapshot health, List<Alert> activeAlerts,
                       List<Alert> recentAlerts, EmbeddedState embeddedServer) {
    public Snapshot {
        activeAlerts = List.copyOf(activeAlerts);
        recentAlerts = List.copyOf(recentAlerts);
    }
}
