package dev.pgpulse.resilience;

import java.time.Instant;

/**
 * One endpoint's breaker, read from Resilience4j's state machine and metrics. Rates are percentages, or -1
 * while fewer than the minimum number of calls are buffered (Resilience4j's convention). The buffered figures
 * describe the sliding window; {@code successfulCalls} and {@code failedCallsTotal} count every call since start
 * (Resilience4j's {@code resilience4j.circuitbreaker.calls} timers), and the latency percentiles are of successful
 * calls on this endpoint over Micrometer's rolling window (0 before any).
 */
public record BreakerSnapshot(
        String endpoint,
        Instant at,
        String state,
        float failureRate,
        float slowCallRate,
        float failureRateThreshold,
        float slowCallRateThreshold,
        int bufferedCalls,
        int failedCalls,
        int slowCalls,
        long notPermittedCalls,
        long successfulCalls,
        long failedCallsTotal,
        double latencyP50Ms,
        double latencyP95Ms,
        double latencyP99Ms) {
    /** Calls that passed the breaker and finished, since start: what throughput is derived from. */
    public long completedCalls() {
        return successfulCalls + failedCallsTotal;
    }
}
