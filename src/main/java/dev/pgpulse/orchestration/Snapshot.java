package dev.pgpulse.orchestration;

import dev.pgpulse.config.Environment;
import dev.pgpulse.embedded.EmbeddedState;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.service.ServiceSnapshot;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything PgPulse knows at one instant, as immutable values: what every face (console, agent, CLI)
 * reads, and the only thing it reads. Cheap to take: in-memory state, never a query on demand.
 *
 * @param status         the lifecycle, graded from {@code health} itself (so the two never disagree)
 * @param health         the latest health sample, or null before the first one
 * @param history        the metric history as of the latest sample it recorded (the charts' data)
 * @param embeddedServer whether the embedded server's postmaster still runs; null on a configured target
 * @param alerting       the rules in force, the alerts pending and firing, acknowledgements and silences
 */
public record Snapshot(Instant at, Status status, String target, boolean embedded, Environment environment,
                       ServiceSnapshot service, HealthSnapshot health, List<Alert> activeAlerts,
                       List<Alert> recentAlerts, MetricHistory.View history, EmbeddedState embeddedServer,
                       AlertBoard alerting) {
    public Snapshot {
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(alerting, "alerting");
        activeAlerts = List.copyOf(activeAlerts);
        recentAlerts = List.copyOf(recentAlerts);
    }
}
