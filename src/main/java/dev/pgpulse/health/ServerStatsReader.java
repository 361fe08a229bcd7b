package dev.pgpulse.health;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads {@link ServerStats} from a live connection: one round trip per sample. Everything read is a catalog,
 * setting or statistics-view lookup plus {@code pg_database_size} (a directory listing), so a sample is cheap;
 * the caller bounds it with the connection's {@code statement_timeout} (a {@code SET LOCAL} would need a
 * transaction, and this reader does not open one).
 *
 * <p>Before reading, {@code pg_stat_clear_snapshot()} throws away any statistics snapshot the session holds, so a
 * connection kept inside a transaction still sees fresh values. PostgreSQL publishes a backend's counters only when
 * it flushes them (at most about once a second while it is busy, at exit), so counters lag activity by up to about
 * a second; rates therefore come from a {@link CounterHistory} spanning several seconds, never from one interval.
 *
 * <p>Other sessions' states and queries are visible only to superusers and members of {@code pg_read_all_stats}
 * (or {@code pg_monitor}); for anyone else the activity figures undercount.
 */
public final class ServerStatsReader {

    /** A sample and the counters read in it. */
    public record Sample(ServerStats stats, ServerCounters counters) {
    }

    private static final String CLEAR_SNAPSHOT = "select pg_stat_clear_snapshot()";

    // postgres_exporter's pg_stat_activity query: every database and state, 0 where there is no session.
    private static final String ACTIVITY = """
            select d.datname, s.state, coalesce(a.count, 0) as count, coalesce(a.max_tx, 0) as max_tx
            from pg_database d
            cross join (values ('active'), ('idle'), ('idle in transaction'), ('idle in transaction (aborted)'),
                               ('fastpath function call'), ('disabled')) as s(state)
            left join (select datname, state, count(*) as count,
                              greatest(0, max(extract(epoch from now() - xact_start)))::float8 as max_tx
                       from pg_stat_activity group by datname, state) a
                   on a.datname = d.datname and a.state = s.state
            order by d.datname, s.state""";

    // Durations are clamped at 0: now() is this statement's start, a session may have started a query after it.
    // pg_locks.waitstart (PostgreSQL 14+) is read through to_jsonb so the statement also runs on 13 (null there).
    private static final String STATS = """
            select d.datid, d.datname, d.xact_commit, d.xact_rollback, d.deadlocks, d.blks_hit, d.blks_read, d.stats_reset, pg_postmaster_start_time() as server_start,
                   a.used, a.longest_query, a.longest_xact, a.longest_idle_xact, a.waiting,
                   (select greatest(0, coalesce(extract(epoch from max(now() - coalesce(
                               (to_jsonb(l) ->> 'waitstart')::timestamptz, w.state_change))), 0))
                    from pg_locks l join pg_stat_activity w on w.pid = l.pid
                    where not l.granted) as longest_lock_wait,
                   current_setting('max_connections')::int
                       - current_setting('superuser_reserved_connections')::int
                       - coalesce(current_setting('reserved_connections', true)::int, 0) as available,
                   pg_database_size(current_database()) as database_size,
                   (select max(age(datfrozenxid)) from pg_database) as oldest_xid_age,
                   pg_is_in_recovery() as in_recovery,
                   split_part(current_setting('server_version'), ' ', 1) as server_version,
                   case when pg_is_in_recovery() then
                       case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                            else greatest(0, extract(epoch from now() - pg_last_xact_replay_timestamp())) end
                   end as replay_lag_seconds,
                   case when pg_is_in_recovery() then
                       greatest(0, pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()))
                   end as replay_lag_bytes,
                   pg_wal_lsn_diff(case when pg_is_in_recovery() then pg_last_wal_replay_lsn()
                                        else pg_current_wal_lsn() end, '0/0')::int8 as wal_lsn,
                   case when pg_is_in_recovery() then
                       greatest(0, extract(epoch from now() - pg_last_xact_replay_timestamp()))::float8
                   end as replay_age,
                   host(inet_server_addr()) as server_addr,
                   coalesce(inet_server_port(), current_setting('port')::int) as server_port
            from pg_stat_database d,
                 (select count(*) filter (where backend_type = 'client backend') as used,
                         greatest(0, coalesce(extract(epoch from max(now() - query_start) filter (
                             where backend_type = 'client backend' and state = 'active'
                               and pid <> pg_backend_pid())), 0)) as longest_query,
                         greatest(0, coalesce(extract(epoch from max(now() - xact_start) filter (
                             where backend_type = 'client backend' and pid <> pg_backend_pid())), 0)) as longest_xact,
                         greatest(0, coalesce(extract(epoch from max(now() - state_change) filter (
                             where state in ('idle in transaction', 'idle in transaction (aborted)'))), 0))
                             as longest_idle_xact,
                         count(*) filter (where wait_event_type = 'Lock') as waiting
                  from pg_stat_activity) a
            where d.datname = current_database()""";

    /** One sample; history may be null (rates unknown). */
    public ServerStats read(String endpoint, Connection c, CounterHistory history) throws SQLException {
        return sample(endpoint, c, history).stats();
    }

    /**
     * One sample and the counters behind it (one round trip). The counters are added to history (null: rates
     * unknown), and the rates come from it.
     */
    public Sample sample(String endpoint, Connection c, CounterHistory history) throws SQLException {
        Objects.requireNonNull(endpoint, "endpoint");
        try (Statement st = c.createStatement(); ResultSet rs = query(st, STATS + ";\n" + ACTIVITY)) {
            ServerCounters now = counters(rs);
            ServerStats.Rates r = history == null ? CounterHistory.unknown(now) : history.add(now);
            int used = rs.getInt("used");
            int available = rs.getInt("available");
            boolean inRecovery = rs.getBoolean("in_recovery");
            double lagSeconds = rs.getDouble("replay_lag_seconds");
            Double replayLagSeconds = rs.wasNull() ? null : lagSeconds;
            long lagBytes = rs.getLong("replay_lag_bytes");
            Long replayLagBytes = rs.wasNull() ? null : lagBytes;
            long lsn = rs.getLong("wal_lsn");
            Long walLsn = rs.wasNull() ? null : lsn;
            double age = rs.getDouble("replay_age");
            Double replayAge = rs.wasNull() ? null : age;
            // read before activity(st) moves the statement on to its next result, closing this one
            String serverAddress = rs.getString("server_addr");
            int serverPort = rs.getInt("server_port");
            ServerStats stats = new ServerStats(now.at(), endpoint,
                    used, available, available > 0 ? (double) used / available : 0.0,
                    r.tps(), r.rollbackRatio(), r.cacheHitRatio(),
                    rs.getDouble("longest_query"), rs.getDouble("longest_xact"), rs.getDouble("longest_idle_xact"),
                    rs.getInt("waiting"), rs.getDouble("longest_lock_wait"), r.deadlocksLastMinute(),
                    rs.getLong("database_size"), rs.getLong("oldest_xid_age"),
                    inRecovery, replayLagSeconds, replayLagBytes, r.known(), rs.getString("server_version"),
                    rs.getString("datname"), rs.getLong("datid"), now, activity(st), walLsn, replayAge,
                    serverAddress, serverPort);
            return new Sample(stats, now);
        }
    }

    /** The third result of the batch {@link #query} sent. */
    private static List<ServerStats.Activity> activity(Statement st) throws SQLException {
        if (!st.getMoreResults()) {
            throw new SQLException("no result from the activity query");
        }
        List<ServerStats.Activity> out = new ArrayList<>();
        try (ResultSet rs = st.getResultSet()) {
            while (rs.next()) {
                out.add(new ServerStats.Activity(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getDouble(4)));
            }
        }
        return out;
    }

    /**
     * Sends the snapshot reset and the statements together (pgjdbc sends them before one Sync: one round trip) and
     * returns the first statement's result, positioned on its single row.
     */
    private static ResultSet query(Statement st, String sql) throws SQLException {
        st.execute(CLEAR_SNAPSHOT + ";\n" + sql);
        if (!st.getMoreResults()) {
            throw new SQLException("no result from the statistics query");
        }
        ResultSet rs = st.getResultSet();
        if (!rs.next()) {
            rs.close();
            throw new SQLException("pg_stat_database has no row for the current database");
        }
        return rs;
    }

    private static ServerCounters counters(ResultSet rs) throws SQLException {
        long nanoTime = System.nanoTime();
        Instant at = Instant.now();
        OffsetDateTime reset = rs.getObject("stats_reset", OffsetDateTime.class);
        OffsetDateTime start = rs.getObject("server_start", OffsetDateTime.class);
        return new ServerCounters(at, nanoTime,
                rs.getLong("xact_commit"), rs.getLong("xact_rollback"), rs.getLong("deadlocks"),
                rs.getLong("blks_hit"), rs.getLong("blks_read"), reset == null ? null : reset.toInstant(),
                start == null ? null : start.toInstant());
    }
}
