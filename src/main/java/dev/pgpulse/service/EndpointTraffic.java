package dev.pgpulse.service;

import java.time.Duration;

/**
 * Calls that reached one endpoint (took a connection there), whatever its breaker's state: counts since start,
 * and latency percentiles of the successful ones in milliseconds (from a random sample of one call in four,
 * over the last 0 to 30 seconds; 0 before any). Throughput is the growth of {@link #calls()} between two snapshots.
 */
public record EndpointTraffic(String endpoint, long calls, long failures, double p50Ms, double p95Ms, double p99Ms) {
    /**
     * Throughput: calls per second from {@code earlier} (taken {@code between} before this) to this; never negative,
     * NaN when no time passed.
     */
    public double callsPerSecondSince(EndpointTraffic earlier, Duration between) {
        double seconds = between.toNanos() / 1e9;
        return seconds > 0 ? Math.max(0, calls - earlier.calls) / seconds : Double.NaN;
    }
}
