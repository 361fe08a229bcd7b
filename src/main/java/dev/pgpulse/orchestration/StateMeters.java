package dev.pgpulse.orchestration;

import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthMonitor;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.alert.AlertEngine;
import dev.pgpulse.service.DatabaseService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Gauges over the latest health sample, the service and the alert engine, for Prometheus: health (0 UP,
 * 1 DEGRADED, 2 DOWN), the probe's round trip per endpoint, the calls in flight and the oldest one's age (what
 * shows a hung server while its breaker stays CLOSED), and alerts firing. They read in-memory state only. The
 * servers' own figures are {@link ServerMetrics}.
 */
final class StateMeters {
    private StateMeters() {
    }

    static void register(MeterRegistry meters, HealthMonitor health, DatabaseService service, AlertEngine alerts,
                         List<String> endpoints) {
        Gauge.builder("pgpulse.health.status", health, h -> h.latest() == null ? Double.NaN : h.latest().status().ordinal())
                .description("Overall health: 0 UP, 1 DEGRADED, 2 DOWN").register(meters);
        Gauge.builder("pgpulse.alerts.firing", alerts, a -> a.active().size())
                .description("Alerts firing now").register(meters);
        Gauge.builder("pgpulse.calls.in.flight", service, DatabaseService::inFlight)
                .description("Database calls running now, on any endpoint").register(meters);
        Gauge.builder("pgpulse.oldest.call.in.flight", service, s -> s.oldestCallInFlight().toNanos() / 1e9)
                .description("How long the oldest database call still running has been running; 0 when none is")
                .baseUnit("seconds").register(meters);
        for (String ep : endpoints) {
            endpointGauge(meters, health, ep, "pgpulse.endpoint.status", "Endpoint health: 0 UP, 1 DEGRADED, 2 DOWN", null,
                    e -> e.status().ordinal());
            // Seconds, as Prometheus expects (Micrometer appends the unit: pgpulse_endpoint_probe_latency_seconds).
            endpointGauge(meters, health, ep, "pgpulse.endpoint.probe.latency", "Health probe round trip", "seconds",
                    e -> e.latencyMs() / 1000);
        }
    }

    private static void endpointGauge(MeterRegistry meters, HealthMonitor health, String endpoint, String name,
                                      String description, String baseUnit, ToDoubleFunction<EndpointStatus> f) {
        Gauge.builder(name, health, h -> {
            HealthSnapshot s = h.latest();
            return s == null ? Double.NaN : s.endpoint(endpoint).map(f::applyAsDouble).orElse(Double.NaN);
        }).description(description).baseUnit(baseUnit).tag("endpoint", endpoint).register(meters);
    }
}
