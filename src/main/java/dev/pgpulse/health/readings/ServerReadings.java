package dev.pgpulse.health.readings;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The server-wide statistics one health round read for Prometheus, beside the endpoint's own {@code ServerStats}:
 * what postgres_exporter would read (every database's {@code pg_stat_database} counters, locks by mode, standbys,
 * slots, checkpointer and background writer) and, when the extension is there, the top statements. Values are as
 * PostgreSQL reports them (milliseconds stay milliseconds); the exporter converts to base units.
 *
 * @param serverVersionNum {@code server_version_num}, e.g. 150019
 * @param checkpointer     column (exporter's name: {@code checkpoints_timed}, {@code buffers_clean}...) to value;
 *                         columns the server does not have (e.g. {@code buffers_backend} from 17) are absent
 * @param statements       the top statements by total execution time; null when {@code pg_stat_statements} is not
 *                         created in the endpoint's database, not preloaded, or not readable by the role
 */
public record ServerReadings(Instant at, int serverVersionNum, List<Database> databases, List<Locks> locks,
                             List<Standby> standbys, List<Slot> slots, Map<String, Double> checkpointer,
                             List<Statement> statements) {

    public ServerReadings {
        Objects.requireNonNull(at, "at");
        databases = List.copyOf(databases);
        locks = List.copyOf(locks);
        standbys = List.copyOf(standbys);
        slots = List.copyOf(slots);
        checkpointer = Map.copyOf(checkpointer);
        statements = statements == null ? null : List.copyOf(statements);
    }

    /**
     * One database's {@code pg_stat_database} row.
     *
     * @param counters column name to value; the session columns (PostgreSQL 14+) are absent before 14
     */
    public record Database(long datid, String datname, Map<String, Double> counters) {
        public Database {
            counters = Map.copyOf(counters);
        }
    }

    /** Locks held or awaited in one database in one mode (lower case, as postgres_exporter labels it), 0 when none. */
    public record Locks(String datname, String mode, long count) {
    }

    /**
     * One standby connected to this server ({@code pg_stat_replication}).
     *
     * @param pid         the walsender's process id
     * @param clientAddr  its address, "" over a Unix socket
     * @param slotName    the replication slot it streams from, "" without one
     * @param lagBytes    WAL written here (received here, on a cascading standby) but not yet replayed there; null
     *                    when not known
     * @param writeLagSeconds  PostgreSQL's {@code write_lag}; null when not measured (an idle standby)
     * @param flushLagSeconds  {@code flush_lag}; null when not measured
     * @param replayLagSeconds {@code replay_lag}; null when not measured
     */
    public record Standby(int pid, String applicationName, String clientAddr, String state, String syncState,
                          String slotName, Double lagBytes,
                          Double writeLagSeconds, Double flushLagSeconds, Double replayLagSeconds) {
    }

    /**
     * One replication slot.
     *
     * @param database      its database, "" for a physical slot
     * @param retainedBytes WAL kept for it (current WAL position minus its restart_lsn); null when it has none
     */
    public record Slot(String slotName, String slotType, String database, boolean active, Double retainedBytes) {
    }

    /** One statement of {@code pg_stat_statements}, times in milliseconds as the view has them. */
    public record Statement(String user, String datname, String queryId, long calls, double totalTimeMs, long rows,
                            long sharedBlksHit, long sharedBlksRead, double blkReadTimeMs, double blkWriteTimeMs) {
    }
}
