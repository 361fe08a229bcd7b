package dev.pgpulse.service;

import dev.pgpulse.resilience.ErrorCategory;

import java.util.Map;

/**
 * One operation's figures from its Micrometer meters: calls, failures by category, retries, and latency
 * (milliseconds; percentiles over Micrometer's rolling window, max over its decaying window).
 */
public record OperationStats(String operation, long calls, Map<ErrorCategory, Long> failures, long retries,
                             double meanMs, double p50Ms, double p95Ms, double p99Ms, double maxMs) {
    public OperationStats {
        failures = Map.copyOf(failures);
    }

    public long failureCount() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }
}
