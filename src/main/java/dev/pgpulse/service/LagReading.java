package dev.pgpulse.service;

/**
 * What one health round read of an endpoint, as the {@link ReadRotation} needs it.
 *
 * @param reachable        the health read succeeded
 * @param inRecovery       {@code pg_is_in_recovery()}
 * @param walLsn           the primary's {@code pg_current_wal_lsn()} or the standby's {@code pg_last_wal_replay_lsn()}
 *                         as a byte offset; null when unknown
 * @param replayAgeSeconds on a standby, {@code now() - pg_last_xact_replay_timestamp()}; null when unknown
 * @param pendingBytes     on a standby, WAL received but not replayed; null when unknown
 */
public record LagReading(String endpoint, boolean reachable, boolean inRecovery, Long walLsn, Double replayAgeSeconds,
                         Long pendingBytes) {
    public static LagReading unreachable(String endpoint) {
        return new LagReading(endpoint, false, false, null, null, null);
    }
}
