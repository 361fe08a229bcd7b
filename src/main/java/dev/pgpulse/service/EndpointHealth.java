package dev.pgpulse.service;

import java.time.Instant;

/** One endpoint as {@link DatabaseService#healthCheck()} found it: SELECT 1 through its own pool. */
public record EndpointHealth(String endpoint, boolean reachable, double latencyMs, String breakerState,
                             String error, Instant at) {
}
