package dev.pgpulse.pool;

import java.time.Instant;

/**
 * One endpoint's pool at an instant, read from HikariCP ({@code HikariPoolMXBean} and its Micrometer meters),
 * never counted by hand. Times are milliseconds; acquire and usage figures are HikariCP's timers
 * (mean since start, p95 over Micrometer's rolling window, max over its decaying window). {@code connectionFailures}
 * is PgPulse's own count of failed attempts to take a connection since the endpoint opened, see {@link Endpoint}.
 */
public record PoolSnapshot(
        String endpoint,
        Instant at,
        int active,
        int idle,
        int total,
        int max,
        int minIdle,
        int awaiting,
        double acquireMeanMs,
        double acquireP95Ms,
        double acquireMaxMs,
        double usageMeanMs,
        double usageMaxMs,
        long timeouts,
        long created,
        long connectionFailures) {

    /** Active connections as a fraction of the maximum, 0..1. */
    public double usageRatio() {
        return max == 0 ? 0 : (double) active / max;
    }
}
