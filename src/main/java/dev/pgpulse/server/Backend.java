package dev.pgpulse.server;

import java.time.Instant;

/**
 * One backend as a signal names it: its pid and when it started. PostgreSQL reuses a pid once its backend has ended,
 * so a pid alone read seconds ago may name another user's session by now; {@code backend_start} tells them apart.
 *
 * @param start {@code pg_stat_activity.backend_start}, null for the few processes that have none
 */
public record Backend(int pid, Instant start) {
}
