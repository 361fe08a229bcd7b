package dev.pgpulse.orchestration;

import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.resilience.EventLog;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the console remembers of one target across orchestrators: its metric history (the charts and the alert
 * preview), its event log (breaker transitions, retries, slow calls) and its alert history. A console that switches
 * from one target to another and back starts the second orchestrator on the target's own memory, so the charts
 * and the event log show that target's recent past and never another's (pgadmin4 #8294 mixes them).
 *
 * <p>One orchestrator at a time records into a memory: {@link Orchestrator#close} hands its alert history back
 * with {@link #keepAlerts} before the next one starts on it.
 */
public final class TargetMemory {
    private final MetricHistory history;
    private final EventLog events;
    private volatile List<Alert> alerts = List.of();

    private TargetMemory(MetricHistory history, EventLog events) {
        this.history = history;
        this.events = events;
    }

    /** An empty memory keeping at least {@code window} of metric history. */
    public static TargetMemory fresh(Duration window) {
        return new TargetMemory(new MetricHistory(window, MetricHistory.DEFAULT_MAX_POINTS),
                new EventLog(EventLog.DEFAULT_CAPACITY));
    }

    public MetricHistory history() {
        return history;
    }

    public EventLog events() {
        return events;
    }

    /** The alert history the last orchestrator on this memory left, oldest first. */
    public List<Alert> alerts() {
        return alerts;
    }

    void keepAlerts(List<Alert> history) {
        this.alerts = List.copyOf(Objects.requireNonNull(history, "history"));
    }
}
