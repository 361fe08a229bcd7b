package dev.pgpulse.health;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerState;

import java.util.List;

/**
 * One endpoint at one sample: reachability and latency of a probe through the service (and so through its
 * breaker), the breaker's state, the pool, and the server's own figures (null when it could not be read).
 */
public record EndpointStatus(String endpoint, EndpointConfig.Role role, HealthStatus status, List<String> reasons,
                             boolean reachable, double latencyMs, BreakerState breakerState, PoolSnapshot pool,
                             ServerStats server) {
    public EndpointStatus {
        reasons = List.copyOf(reasons);
    }
}
