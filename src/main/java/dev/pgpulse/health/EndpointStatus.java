package dev.pgpulse.health;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerState;

import java.util.List;

/**
 * One endpoint at one sample: reachability and latency of a probe through the service (and so through its
 * breaker), the breaker's state, the pool, and the server's own figures (null when it could not be read).
 *
 * @param servingHost the host that answered this sample's probe: the endpoint's listed entry it is
 *                    ({@code db2:5433}), else the address the server reports; null when not reached. For a primary
 *                    listing several hosts, the one that takes its writes now
 * @param severalHosts whether the endpoint lists several hosts (so which one serves it is worth saying)
 */
public record EndpointStatus(String endpoint, EndpointConfig.Role role, HealthStatus status, List<String> reasons,
                             boolean reachable, double latencyMs, BreakerState breakerState, PoolSnapshot pool,
                             ServerStats server, String servingHost, boolean severalHosts) {
    public EndpointStatus {
        reasons = List.copyOf(reasons);
    }

    /** An endpoint of one host, which host served it left unsaid. */
    public EndpointStatus(String endpoint, EndpointConfig.Role role, HealthStatus status, List<String> reasons,
                          boolean reachable, double latencyMs, BreakerState breakerState, PoolSnapshot pool,
                          ServerStats server) {
        this(endpoint, role, status, reasons, reachable, latencyMs, breakerState, pool, server, null, false);
    }
}
