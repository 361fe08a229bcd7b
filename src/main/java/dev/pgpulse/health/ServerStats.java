package dev.pgpulse.health;

import java.time.Instant;
import java.util.Objects;

/**
 * What one PostgreSQL server looks like at one instant, as a DBA's health view needs it. Activity figures
 * (connections, long queries and transactions, lock waits) are server-wide; counters, rates and size belong to the
 * endpoint's current database.
 *
 * @param connectionsAvailable     {@code max_connections} minus the slots reserved for superusers (and, from
 *                                 PostgreSQL 16, for {@code pg_use_reserved_connections})
 * @param tps                      commits plus rollbacks per second since the previous sample
 * @param rollbackRatio            rollbacks / (commits + rollbacks) since the previous sample; 0 without transactions
 * @param cacheHitRatio            hits / (hits + reads) since the previous sample, or since the last reset when there is
 *                                 no usable previous sample; 1.0 when nothing was read
 * @param longestQuerySeconds      the longest running active query of another client backend; 0 if none
 * @param longestTransactionSeconds the oldest open transaction of another client backend; 0 if none
 * @param longestIdleInTransactionSeconds the longest time a session has sat idle inside a transaction; 0 if none
 * @param oldestXidAge             the largest {@code age(datfrozenxid)} over all databases (wraparound distance)
 * @param replayLagSeconds         null on a primary; on a standby the age of the last replayed transaction (0 when
 *                                 all received WAL is replayed), null when unknown
 * @param replayLagBytes           null on a primary; on a standby received but not yet replayed WAL, null when unknown
 * @param ratesKnown               false when the rates could not be computed (first sample, statistics reset); the
 *                                 rates are then 0
 * @param serverVersion            {@code server_version} without the packager's suffix, e.g. {@code 15.19}
 */
public record ServerStats(Instant at, String endpoint,
                          int connectionsUsed, int connectionsAvailable, double connectionsUsedRatio,
                          double tps, double rollbackRatio, double cacheHitRatio,
                          double longestQuerySeconds, double longestTransactionSeconds,
                          double longestIdleInTransactionSeconds, int waitingOnLocks,
                          double deadlocksPerMinute, long databaseSizeBytes, long oldestXidAge,
                          boolean inRecovery, Double replayLagSeconds, Long replayLagBytes,
                          boolean ratesKnown, String serverVersion) {

    public ServerStats {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * Rates between two counter reads. When {@code known} is false, tps, rollbackRatio and deadlocksPerMinute are 0;
     * cacheHitRatio is always set (cumulative when there is no interval to use).
     */
    public record Rates(boolean known, double elapsedSeconds, double tps, double rollbackRatio,
                        double deadlocksPerMinute, double cacheHitRatio) {
    }
}
