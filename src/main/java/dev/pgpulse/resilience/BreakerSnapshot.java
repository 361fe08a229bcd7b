package dev.pgpulse.resilience;

import java.time.Instant;

/**
 * One endpoint's breaker, read from Resilience4j's state machine and metrics. Rates are percentages, or -1
 * while fewer than the minimum number of calls are buffered (Resilience4j's convention).
 */
public record BreakerSnapshot(
        String endpoint,
        Instant at,
        BreakerState state,
        float failureRate,
        float slowCallRate,
        float failureRateThreshold,
        float slowCallRateThreshold,
        int bufferedCalls,
        int failedCalls,
        int slowCalls,
        long notPermittedCalls) {
}
