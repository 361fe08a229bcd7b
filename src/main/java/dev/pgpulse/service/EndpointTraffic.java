package dev.pgpulse.service;

import java.time.Duration;
import java.util.Objects;

/**
 * Calls that reached one endpoint (took a connection there), whatever its breaker's state: counts since start,
 * and latency percentiles of the successful ones in milliseconds (from a random sample of one call in four,
 * over the last 0 to 30 seconds; 0 before any). Throughput is the growth of {@link #calls()} between two snapshots.
 *
 * @param callsInFlight      calls running on the endpoint now: from its breaker's permission, through waiting for
 *                           one of its connections, to the attempt's outcome (a call in a retry's backoff is on no
 *                           endpoint; a probe counts on the endpoint it asks)
 * @param oldestCallInFlight how long the oldest of them has been running, counted from the call's start (earlier
 *                           attempts and backoffs included: what its caller has waited); zero when none is. A hung
 *                           server shows here, on its own endpoint, while its breaker stays CLOSED.
 */
public record EndpointTraffic(String endpoint, long calls, long failures, double p50Ms, double p95Ms, double p99Ms,
                              int callsInFlight, Duration oldestCallInFlight) {
    public EndpointTraffic {
        Objects.requireNonNull(oldestCallInFlight, "oldestCallInFlight");
    }

    /**
     * Throughput: calls per second from {@code earlier} (taken {@code between} before this) to this; never negative,
     * NaN when no time passed.
     */
    public double callsPerSecondSince(EndpointTraffic earlier, Duration between) {
        double seconds = between.toNanos() / 1e9;
        return seconds > 0 ? Math.max(0, calls - earlier.calls) / seconds : Double.NaN;
    }
}
