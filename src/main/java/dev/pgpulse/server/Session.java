package dev.pgpulse.server;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One row of {@code pg_stat_activity} as read at {@code at}. Ages are measured against the reading's {@code now()}
 * and clamped at zero (a session may start a query after the statement did); null where PostgreSQL has no value
 * (no transaction open, a background worker). {@code blockedBy} is {@code pg_blocking_pids(pid)}; the lock fields
 * describe the lock the session waits for, null when it waits for none.
 *
 * @param backendStart when the backend started: with the pid, what names it (a pid is reused once its backend ends)
 * @param own          whether the session is one of PgPulse's own (its pools, its health pool, the reading's connection)
 */
public record Session(int pid, String user, String database, String application, String client, String backendType,
                      Instant backendStart, String state, String waitEventType, String waitEvent, Instant xactStart,
                      Instant queryStart, Instant stateChange, Duration xactAge, Duration queryAge, Duration stateAge, String query,
                      List<Integer> blockedBy, String lockMode, String lockType, String lockRelation,
                      Duration lockWait, boolean own) {

    public Session {
        blockedBy = List.copyOf(Objects.requireNonNull(blockedBy, "blockedBy"));
    }

    /** What a signal is sent to: this backend, not whichever backend has its pid by the time the signal arrives. */
    public Backend backend() {
        return new Backend(pid, backendStart);
    }

    public boolean active() {
        return "active".equals(state);
    }

    public boolean idle() {
        return "idle".equals(state);
    }

    public boolean idleInTransaction() {
        return state != null && state.startsWith("idle in transaction");
    }

    public boolean blocked() {
        return !blockedBy.isEmpty();
    }

    /**
     * How long the session has been in what it does now: its query while active, its open transaction while idle
     * in one, its state otherwise (how long idle). Null when unknown.
     */
    public Duration duration() {
        if (active()) {
            return queryAge;
        }
        if (idleInTransaction()) {
            return xactAge != null ? xactAge : stateAge;
        }
        return stateAge;
    }
}
