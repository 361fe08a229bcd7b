package dev.pgpulse.embedded;

import java.time.Instant;

/**
 * Whether the embedded server's postmaster still runs, as PgPulse last checked: a server killed (kill -9, the OOM
 * killer) or stopped by hand otherwise shows only as an unreachable endpoint whose breaker cycles OPEN and
 * HALF_OPEN. The exit code is not known: the postmaster is started through pg_ctl, so it is not PgPulse's child.
 *
 * @param since when it started (RUNNING) or when PgPulse saw it gone (EXITED)
 * @param pid   the postmaster's process id, 0 when it could not be identified
 */
public record EmbeddedState(Phase phase, Instant since, long pid) {
    public enum Phase { RUNNING, EXITED }
}
