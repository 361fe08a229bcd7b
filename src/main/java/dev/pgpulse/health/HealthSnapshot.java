package dev.pgpulse.health;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The health of everything at one instant: the whole, with reasons, and each endpoint. Immutable. */
public record HealthSnapshot(Instant at, HealthStatus status, List<String> reasons, List<EndpointStatus> endpoints) {
    public HealthSnapshot {
        reasons = List.copyOf(reasons);
        endpoints = List.copyOf(endpoints);
    }

    public Optional<EndpointStatus> endpoint(String name) {
        return endpoints.stream().filter(e -> e.endpoint().equals(name)).findFirst();
    }
}
