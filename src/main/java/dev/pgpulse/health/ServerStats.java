package dev.pgpulse.health;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one PostgreSQL server looks like at one instant, as a DBA's health view needs it. Activity figures
 * (connections, long queries and transactions, lock waits) are server-wide; counters, rates and size belong to the
 * endpoint's current database.
 *
 * @param connectionsAvailable     {@code max_connections} minus the slots reserved for superusers (and, from
 *                                 PostgreSQL 16, for {@code pg_use_reserved_connections})
 * @param tps                      commits plus rollbacks per second over at least {@link CounterHistory#RATE_WINDOW}
 *                                 of counter history; NaN while not known
 * @param rollbackRatio            rollbacks / (commits + rollbacks) over the same span; 0 without transactions, NaN
 *                                 while not known
 * @param cacheHitRatio            hits / (hits + reads) over the same span, or since the last reset while the rates are
 *                                 not known; 1.0 when nothing was read
 * @param longestQuerySeconds      the longest running active query of another client backend; 0 if none
 * @param longestTransactionSeconds the oldest open transaction of another client backend; 0 if none
 * @param longestIdleInTransactionSeconds the longest time a session has sat idle inside a transaction; 0 if none
 * @param waitingOnLocks           sessions waiting for a lock ({@code wait_event_type = 'Lock'})
 * @param longestLockWaitSeconds   the longest current wait of a session for a lock not yet granted (from
 *                                 {@code pg_locks.waitstart}, PostgreSQL 14+; before that, or while waitstart is not
 *                                 yet set, from the waiting session's {@code state_change}); 0 if none
 * @param deadlocksLastMinute      deadlocks counted over the counter reads of the last minute (over what history
 *                                 exists while it is shorter; the average a minute when the interval is longer); NaN
 *                                 before a second read
 * @param oldestXidAge             the largest {@code age(datfrozenxid)} over all databases (wraparound distance)
 * @param replayLagSeconds         null on a primary; on a standby the age of the last replayed transaction (0 when
 *                                 all received WAL is replayed), null when unknown
 * @param replayLagBytes           null on a primary; on a standby received but not yet replayed WAL, null when unknown
 * @param ratesKnown               false while tps and rollbackRatio could not be computed (less than
 *                                 {@link CounterHistory#RATE_WINDOW} of history since start or a statistics reset)
 * @param serverVersion            {@code server_version} without the packager's suffix, e.g. {@code 15.19}
 * @param database                 the endpoint's current database ({@code datname})
 * @param databaseOid              its oid ({@code datid})
 * @param counters                 the cumulative counters read in this sample
 * @param activity                 sessions by database and state, as postgres_exporter's {@code pg_stat_activity_*}
 * @param walLsn                   the WAL position as a byte offset: on a primary {@code pg_current_wal_lsn()}, on a
 *                                 standby {@code pg_last_wal_replay_lsn()}; null when unknown
 * @param replayAgeSeconds         null on a primary; on a standby how long ago the last replayed transaction committed
 *                                 on the primary ({@code now() - pg_last_xact_replay_timestamp()}, also while all
 *                                 received WAL is replayed), null before the first
 * @param serverAddress            the address the server was reached at, as it reports it ({@code inet_server_addr()},
 *                                 e.g. {@code 10.0.0.7} or {@code ::1}); null over a Unix socket or when unknown
 * @param serverPort               the port it was reached at ({@code inet_server_port()}, over a Unix socket the
 *                                 {@code port} setting); 0 when unknown
 */
public record ServerStats(Instant at, String endpoint,
                          int connectionsUsed, int connectionsAvailable, double connectionsUsedRatio,
                          double tps, double rollbackRatio, double cacheHitRatio,
                          double longestQuerySeconds, double longestTransactionSeconds,
                          double longestIdleInTransactionSeconds, int waitingOnLocks, double longestLockWaitSeconds,
                          double deadlocksLastMinute, long databaseSizeBytes, long oldestXidAge,
                          boolean inRecovery, Double replayLagSeconds, Long replayLagBytes,
                          boolean ratesKnown, String serverVersion,
                          String database, long databaseOid, ServerCounters counters, List<Activity> activity,
                          Long walLsn, Double replayAgeSeconds, String serverAddress, int serverPort) {

    public ServerStats {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(endpoint, "endpoint");
        activity = activity == null ? List.of() : List.copyOf(activity);
    }

    /** {@code 10.0.0.7:5433}, {@code [::1]:5433}, {@code port 5433 (Unix socket)}; null when neither is known. */
    public String reportedAddress() {
        if (serverPort <= 0) {
            return serverAddress;
        }
        if (serverAddress == null) {
            return "port " + serverPort + " (Unix socket)";
        }
        return (serverAddress.contains(":") ? "[" + serverAddress + "]" : serverAddress) + ":" + serverPort;
    }

    /**
     * Sessions of one database in one state (every state postgres_exporter lists, 0 when none).
     *
     * @param maxTransactionSeconds the oldest open transaction among them; 0 when none
     */
    public record Activity(String database, String state, int count, double maxTransactionSeconds) {
    }

    /**
     * Rates from a counter history. When {@code known} is false, tps and rollbackRatio are NaN; cacheHitRatio is
     * always set (cumulative when there is no span to use); deadlocksLastMinute is NaN before a second read.
     *
     * @param elapsedSeconds          the span tps, rollbackRatio and cacheHitRatio were measured over
     * @param deadlockWindowSeconds   the span deadlocks were counted over
     */
    public record Rates(boolean known, double elapsedSeconds, double tps, double rollbackRatio,
                        double cacheHitRatio, double deadlocksLastMinute, double deadlockWindowSeconds) {
    }
}
