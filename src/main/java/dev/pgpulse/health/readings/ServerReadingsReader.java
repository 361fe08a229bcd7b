package dev.pgpulse.health.readings;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@link ServerReadings} on a connection the caller bounds (the health round's transaction with its
 * {@code statement_timeout}): one round trip for the statistics views, a second only where
 * {@code pg_stat_statements} exists. The queries are postgres_exporter's own where it has one (locks by
 * mode with a 0 for every database and mode, slots' retained WAL), so the two agree on a scrape of the same server.
 * Columns that only some versions have are read through {@code to_jsonb(row)}, so one statement fits them all;
 * only the checkpointer (its counters left {@code pg_stat_bgwriter} for {@code pg_stat_checkpointer} in PostgreSQL
 * 17) and the top statements (read from the function, whose columns cannot be read that way) need one per version.
 */
public final class ServerReadingsReader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServerReadingsReader.class);
    /** How many statements of pg_stat_statements are read, by total execution time. */
    public static final int TOP_STATEMENTS = 20;

    /** pg_stat_database's cumulative columns; the last seven are PostgreSQL 14+. */
    static final List<String> DATABASE_COUNTERS = List.of("xact_commit", "xact_rollback", "blks_read", "blks_hit",
            "tup_returned", "tup_fetched", "tup_inserted", "tup_updated", "tup_deleted", "conflicts", "temp_files",
            "temp_bytes", "deadlocks", "sessions", "sessions_abandoned", "sessions_fatal", "sessions_killed",
            "session_time", "active_time", "idle_in_transaction_time");

    /** pg_stat_database_conflicts' columns (recovery conflicts by cause, on a standby), same row. */
    static final List<String> CONFLICT_COUNTERS = List.of("confl_tablespace", "confl_lock", "confl_snapshot",
            "confl_bufferpin", "confl_deadlock");

    // the row of datid 0 (shared catalogs, no datname) too, as postgres_exporter has it: datname ""; it has no
    // conflicts row (nor has the exporter)
    private static final String DATABASES = "select d.datid, coalesce(d.datname, '') as datname"
            + DATABASE_COUNTERS.stream().map(c -> ", (to_jsonb(d) ->> '" + c + "')::float8 as " + c)
            .reduce("", String::concat)
            + CONFLICT_COUNTERS.stream().map(c -> ", (to_jsonb(c) ->> '" + c + "')::float8 as " + c)
            .reduce("", String::concat)
            + " from pg_stat_database d left join pg_stat_database_conflicts c on c.datid = d.datid order by d.datid";

    // postgres_exporter's pg_locks query (lower-case modes, every database and mode)
    private static final String LOCKS = """
            select d.datname, m.mode, coalesce(l.count, 0) as count
            from (values ('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'), ('shareupdateexclusivelock'),
                         ('sharelock'), ('sharerowexclusivelock'), ('exclusivelock'), ('accessexclusivelock'),
                         ('sireadlock')) as m(mode)
            cross join pg_database d
            left join (select database, lower(mode) as mode, count(*) as count from pg_locks
                       where database is not null group by database, lower(mode)) l
                   on l.mode = m.mode and l.database = d.oid
            order by d.datname, m.mode""";

    // postgres_exporter's labels (application_name, client_addr, slot_name, state) plus the walsender's pid, which
    // newer exporters add too: two standbys from one host under one name would otherwise be one series. The lag as
    // newer exporters have it: on a cascading standby (in recovery, with standbys of its own) from the WAL it has
    // received, where pg_current_wal_lsn() cannot be called (0.11.1 left it null there)
    private static final String STANDBYS = """
            select r.pid, coalesce(r.application_name, '') as application_name,
                   coalesce(host(r.client_addr), '') as client_addr, coalesce(r.state, '') as state,
                   coalesce(r.sync_state, '') as sync_state, coalesce(s.slot_name::text, '') as slot_name,
                   pg_wal_lsn_diff(case when pg_is_in_recovery() then pg_last_wal_receive_lsn() else pg_current_wal_lsn() end,
                                   r.replay_lsn)::float8 as lag_bytes,
                   extract(epoch from r.write_lag)::float8 as write_lag, extract(epoch from r.flush_lag)::float8 as flush_lag,
                   extract(epoch from r.replay_lag)::float8 as replay_lag
            from pg_stat_replication r left join pg_replication_slots s on s.active_pid = r.pid
            order by r.pid""";

    private static final String SLOTS = """
            select slot_name, slot_type, coalesce(database, '') as database, active,
                   pg_wal_lsn_diff(case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end,
                                   restart_lsn)::float8 as retained
            from pg_replication_slots order by slot_name""";

    private static final String BGWRITER_16 = """
            select checkpoints_timed, checkpoints_req, checkpoint_write_time, checkpoint_sync_time, buffers_checkpoint,
                   buffers_clean, maxwritten_clean, buffers_backend, buffers_backend_fsync, buffers_alloc
            from pg_stat_bgwriter""";

    // 17+: the checkpointer's counters moved out; buffers_backend(_fsync) are gone (pg_stat_io has them)
    private static final String BGWRITER_17 = """
            select c.num_timed as checkpoints_timed, c.num_requested as checkpoints_req,
                   c.write_time as checkpoint_write_time, c.sync_time as checkpoint_sync_time,
                   c.buffers_written as buffers_checkpoint, b.buffers_clean, b.maxwritten_clean, b.buffers_alloc
            from pg_stat_checkpointer c, pg_stat_bgwriter b""";

    // The view exists once the extension is created; it can be read only when the library is preloaded, which
    // shared_preload_libraries would tell only to superusers and pg_read_all_settings: so the query is tried. The
    // statements are read from the function (cheaper), but only where the role may read the view: a DBA who revoked
    // it meant the statements to be kept from this role.
    private static final String STATEMENTS_READABLE = """
            select case when to_regclass('pg_stat_statements') is null then false
                        else has_table_privilege(to_regclass('pg_stat_statements'), 'select') end""";

    /**
     * The top statements by total time. The function with showtext false, never the view: the view reads every
     * statement's text from the server's query file (hundreds of milliseconds a round with thousands of entries),
     * and nothing exported needs the text. blk_read_time/blk_write_time became shared_blk_read_time/
     * shared_blk_write_time in 17. Summed over toplevel (14+: a statement run at top level and inside a function has
     * two rows), so each series is one statement; the top N are chosen before the roles and databases are joined
     * (entries of a dropped role or database are left out first, as the inner join did).
     */
    static String statementsQuery(int serverVersionNum) {
        String prefix = serverVersionNum >= 170000 ? "shared_" : "";
        return """
                select r.rolname, d.datname, t.queryid::text as queryid, t.calls, t.total_time, t.rows, t.hit, t.read,
                       t.read_time, t.write_time
                from (select s.userid, s.dbid, s.queryid, sum(s.calls)::bigint as calls,
                             sum(s.total_exec_time) as total_time, sum(s.rows)::bigint as rows,
                             sum(s.shared_blks_hit)::bigint as hit, sum(s.shared_blks_read)::bigint as read,
                             sum(s.%1$sblk_read_time)::float8 as read_time, sum(s.%1$sblk_write_time)::float8 as write_time
                      from pg_stat_statements(false) s
                      where s.queryid is not null and s.userid in (select oid from pg_roles)
                        and s.dbid in (select oid from pg_database)
                      group by s.userid, s.dbid, s.queryid
                      order by total_time desc limit %2$d) t
                join pg_roles r on r.oid = t.userid join pg_database d on d.oid = t.dbid
                order by t.total_time desc""".formatted(prefix, TOP_STATEMENTS);
    }

    /**
     * One reading.
     *
     * @param serverVersionNum {@code server_version_num} (its major part decides the checkpointer query)
     */
    public ServerReadings read(Connection c, int serverVersionNum) throws SQLException {
        Instant at = Instant.now();
        String bgwriter = serverVersionNum >= 170000 ? BGWRITER_17 : BGWRITER_16;
        List<ServerReadings.Database> databases = new ArrayList<>();
        List<ServerReadings.Locks> locks = new ArrayList<>();
        List<ServerReadings.Standby> standbys = new ArrayList<>();
        List<ServerReadings.Slot> slots = new ArrayList<>();
        Map<String, Double> checkpointer = new LinkedHashMap<>();
        boolean statementsReadable;
        try (Statement st = c.createStatement()) {
            st.execute(String.join(";\n", DATABASES, LOCKS, STANDBYS, SLOTS, bgwriter, STATEMENTS_READABLE));
            try (ResultSet rs = st.getResultSet()) {
                while (rs.next()) {
                    Map<String, Double> counters = new LinkedHashMap<>();
                    for (String col : java.util.stream.Stream.concat(DATABASE_COUNTERS.stream(),
                            CONFLICT_COUNTERS.stream()).toList()) {
                        double v = rs.getDouble(col);
                        if (!rs.wasNull()) {
                            counters.put(col, v);
                        }
                    }
                    databases.add(new ServerReadings.Database(rs.getLong("datid"), rs.getString("datname"), counters));
                }
            }
            try (ResultSet rs = next(st, "pg_locks")) {
                while (rs.next()) {
                    locks.add(new ServerReadings.Locks(rs.getString(1), rs.getString(2), rs.getLong(3)));
                }
            }
            try (ResultSet rs = next(st, "pg_stat_replication")) {
                while (rs.next()) {
                    standbys.add(new ServerReadings.Standby(rs.getInt(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), nullable(rs, 7), nullable(rs, 8),
                            nullable(rs, 9), nullable(rs, 10)));
                }
            }
            try (ResultSet rs = next(st, "pg_replication_slots")) {
                while (rs.next()) {
                    slots.add(new ServerReadings.Slot(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getBoolean(4), nullable(rs, 5)));
                }
            }
            try (ResultSet rs = next(st, "pg_stat_bgwriter")) {
                if (rs.next()) {
                    var meta = rs.getMetaData();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        Double v = nullable(rs, i);
                        if (v != null) {
                            checkpointer.put(meta.getColumnLabel(i), v);
                        }
                    }
                }
            }
            try (ResultSet rs = next(st, "pg_stat_statements check")) {
                statementsReadable = rs.next() && rs.getBoolean(1);
            }
        }
        List<ServerReadings.Statement> statements = statementsReadable ? statements(c, serverVersionNum) : null;
        return new ServerReadings(at, serverVersionNum, databases, locks, standbys, slots, checkpointer, statements);
    }

    /**
     * The top statements, or null where the view cannot be read (the library not preloaded, or no right to it): the
     * rest of the readings stand. In a transaction the attempt is behind a savepoint, so its failure does not
     * abort the caller's transaction.
     */
    private static List<ServerReadings.Statement> statements(Connection c, int serverVersionNum) throws SQLException {
        java.sql.Savepoint before = c.getAutoCommit() ? null : c.setSavepoint();
        List<ServerReadings.Statement> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(statementsQuery(serverVersionNum))) {
            while (rs.next()) {
                out.add(new ServerReadings.Statement(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getDouble(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getDouble(9), rs.getDouble(10)));
            }
        } catch (SQLException unreadable) {
            if (before != null) {
                c.rollback(before);
            }
            LOG.debug("pg_stat_statements cannot be read: {}", unreadable.getMessage());
            return null;
        }
        if (before != null) {
            c.releaseSavepoint(before);
        }
        return out;
    }

    private static ResultSet next(Statement st, String what) throws SQLException {
        if (!st.getMoreResults()) {
            throw new SQLException("no result from the " + what + " query");
        }
        return st.getResultSet();
    }

    private static Double nullable(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    /** {@code server_version_num} from {@code server_version} ("15.19", "17beta1", "16.4 (Debian 16.4-1)"); 0 if not one. */
    public static int versionNum(String serverVersion) {
        if (serverVersion == null) {
            return 0;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?").matcher(serverVersion.trim());
        if (!m.find()) {
            return 0;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        int patch = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return major >= 10 ? major * 10000 + minor : major * 10000 + minor * 100 + patch;
    }
}
