package dev.pgpulse.resilience;

import java.time.Duration;
import java.time.Instant;

/** What the resilience layer did, as immutable events for listeners and the bounded log. */
public sealed interface ResilienceEvent {
    Instant at();

    /** An endpoint's breaker changed state. */
    record BreakerTransition(Instant at, String endpoint, BreakerState from, BreakerState to) implements ResilienceEvent {
    }

    /** An operation failed and will run again after {@code backoff}. */
    record RetryScheduled(Instant at, String operation, int attempt, Duration backoff, String error)
            implements ResilienceEvent {
    }

    /** A connection was lost during COMMIT and the outcome was looked up with pg_xact_status. */
    record CommitResolved(Instant at, String operation, String endpoint, String xid, String outcome)
            implements ResilienceEvent {
    }

    /**
     * A replica left the read rotation (lagging past the bound, unreachable, not a standby) or returned to it.
     *
     * @param reason what was measured, e.g. {@code replay lag 12.4 s over reads.max_lag 10 s}
     */
    record ReplicaRotation(Instant at, String endpoint, boolean inRotation, String reason) implements ResilienceEvent {
    }

    /**
     * The primary endpoint's writes go to another host now: a standby listed beside the old primary was promoted (or
     * the old primary came back as the primary). Seen by the health round whose probe reached the new host.
     *
     * @param from the host that served the endpoint before ({@code db1:5432}), as {@code EndpointStatus.servingHost}
     * @param to   the host that serves it now
     */
    record PrimaryMoved(Instant at, String endpoint, String from, String to) implements ResilienceEvent {
    }

    /** A call took at least the slow-query threshold. */
    record SlowCall(Instant at, String operation, String endpoint, Duration duration, String sql)
            implements ResilienceEvent {
    }
}
