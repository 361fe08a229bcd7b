package dev.pgpulse.server;

import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static dev.pgpulse.server.Readout.Type.BYTES;
import static dev.pgpulse.server.Readout.Type.COUNT;
import static dev.pgpulse.server.Readout.Type.ID;
import static dev.pgpulse.server.Readout.Type.MILLISECONDS;
import static dev.pgpulse.server.Readout.Type.RATIO;
import static dev.pgpulse.server.Readout.Type.SECONDS;
import static dev.pgpulse.server.Readout.Type.TEXT;
import static dev.pgpulse.server.Readout.Type.TIME;

/**
 * The Server tab's readings besides activity, each one statement on the primary through the
 * {@link DatabaseService}, bounded by a {@code statement_timeout}, at most {@link #ROWS} rows. Each query's last
 * column, {@code flag}, says whether the row deserves attention.
 */
public final class ServerReadings {
    public static final int ROWS = 200;
    static final String STATEMENTS_HINT = "pg_stat_statements is not installed: add it to shared_preload_libraries "
            + "in postgresql.conf, restart the server, then run CREATE EXTENSION pg_stat_statements";
    static final String CREATE_HINT = "pg_stat_statements is loaded but not created in this database: run CREATE "
            + "EXTENSION pg_stat_statements";
    static final String PRELOAD_HINT = "pg_stat_statements is created but not loaded: add it to "
            + "shared_preload_libraries in postgresql.conf and restart the server";

    /** What can be read. */
    public enum Kind {
        LOCKS("Locks", """
                select l.pid, l.locktype, l.mode, case when l.granted then 'granted' else 'waiting' end as granted,
                       case when l.relation is not null then l.relation::regclass::text end as relation,
                       a.usename, a.application_name,
                       case when not l.granted then greatest(0, extract(epoch from now() - coalesce(
                           (to_jsonb(l) ->> 'waitstart')::timestamptz, a.state_change)))::float8 end as waiting,
                       left(a.query, 300) as query, not l.granted as flag
                from pg_locks l left join pg_stat_activity a on a.pid = l.pid
                where l.pid is distinct from pg_backend_pid() and l.locktype <> 'virtualxid'
                order by l.granted, l.pid, l.locktype""",
                col("PID", ID), col("Lock type", TEXT), col("Mode", TEXT), col("Granted", TEXT),
                col("Relation", TEXT), col("User", TEXT), col("Application", TEXT), col("Waiting", SECONDS),
                col("Query", TEXT)),
        STANDBYS("Standbys", """
                select application_name, host(client_addr), state, sync_state, sent_lsn::text, write_lsn::text,
                       flush_lsn::text, replay_lsn::text,
                       pg_wal_lsn_diff(case when pg_is_in_recovery() then pg_last_wal_receive_lsn()
                                            else pg_current_wal_lsn() end, replay_lsn)::bigint as lag_bytes,
                       extract(epoch from replay_lag)::float8 as lag_seconds, state <> 'streaming' as flag
                from pg_stat_replication order by application_name""",
                col("Standby", TEXT), col("Client", TEXT), col("State", TEXT), col("Sync", TEXT),
                col("Sent LSN", TEXT), col("Write LSN", TEXT), col("Flush LSN", TEXT), col("Replay LSN", TEXT),
                col("Lag", BYTES), col("Replay lag", SECONDS)),
        SLOTS("Replication slots", """
                select slot_name, slot_type, coalesce(database, ''), case when active then 'active' else 'INACTIVE' end,
                       restart_lsn::text,
                       case when restart_lsn is not null then pg_wal_lsn_diff(
                           case when pg_is_in_recovery() then pg_last_wal_receive_lsn() else pg_current_wal_lsn() end,
                           restart_lsn)::bigint end as retained,
                       not active as flag
                from pg_replication_slots order by slot_name""",
                col("Slot", TEXT), col("Type", TEXT), col("Database", TEXT), col("Active", TEXT),
                col("Restart LSN", TEXT), col("Retained WAL", BYTES)),
        STATEMENTS("Top statements", """
                select left(regexp_replace(query, '\\s+', ' ', 'g'), 300), calls, total_exec_time, mean_exec_time,
                       rows,
                       case when shared_blks_hit + shared_blks_read > 0
                            then shared_blks_hit::float8 / (shared_blks_hit + shared_blks_read) end,
                       false as flag
                from pg_stat_statements order by total_exec_time desc""",
                col("Query", TEXT), col("Calls", COUNT), col("Total time", MILLISECONDS),
                col("Mean time", MILLISECONDS), col("Rows", COUNT), col("Shared hit", RATIO)),
        TABLES("Tables", """
                select s.schemaname || '.' || s.relname, pg_total_relation_size(s.relid), pg_relation_size(s.relid),
                       s.n_live_tup, s.n_dead_tup,
                       case when s.n_live_tup + s.n_dead_tup > 0
                            then s.n_dead_tup::float8 / (s.n_live_tup + s.n_dead_tup) end as dead_ratio,
                       s.last_autovacuum, s.last_vacuum, s.last_autoanalyze, s.last_analyze,
                       s.n_dead_tup > 1000 and s.n_dead_tup > 0.2 * s.n_live_tup as flag
                from pg_stat_user_tables s order by pg_total_relation_size(s.relid) desc, 1""",
                col("Table", TEXT), col("Total size", BYTES), col("Heap size", BYTES), col("Live rows", COUNT),
                col("Dead rows", COUNT), col("Dead", RATIO), col("Last autovacuum", TIME),
                col("Last vacuum", TIME), col("Last autoanalyze", TIME), col("Last analyze", TIME)),
        UNUSED_INDEXES("Unused indexes", """
                select i.schemaname || '.' || i.indexrelname, i.schemaname || '.' || i.relname,
                       pg_relation_size(i.indexrelid), i.idx_scan, true as flag
                from pg_stat_user_indexes i join pg_index x on x.indexrelid = i.indexrelid
                where i.idx_scan = 0 and not x.indisunique and not x.indisprimary
                order by pg_relation_size(i.indexrelid) desc, 1""",
                col("Index", TEXT), col("Table", TEXT), col("Size", BYTES), col("Scans", COUNT));

        final String title;
        final String sql;
        final List<Readout.Column> columns;

        Kind(String title, String sql, Readout.Column... columns) {
            this.title = title;
            this.sql = sql + "\nlimit " + ROWS;
            this.columns = List.of(columns);
        }

        public String title() {
            return title;
        }

        public List<Readout.Column> columns() {
            return columns;
        }
    }

    private static Readout.Column col(String name, Readout.Type type) {
        return new Readout.Column(name, type);
    }

    private final DatabaseService service;
    private final Duration timeout;

    public ServerReadings(DatabaseService service, Duration timeout) {
        this.service = Objects.requireNonNull(service, "service");
        this.timeout = timeout;
    }

    /** The readings of the orchestrator's primary. */
    public static ServerReadings of(dev.pgpulse.orchestration.Orchestrator o) {
        return new ServerReadings(o.service(), ActivityReader.DEFAULT_TIMEOUT);
    }

    /** One reading. Top statements without the extension: no rows and a note saying how to enable it. */
    public Result<Readout> read(Kind kind) {
        String endpoint = service.endpoints().primary().name();
        return service.on("server." + kind.name().toLowerCase(java.util.Locale.ROOT), endpoint, kind.sql, () -> true,
                c -> {
                    boolean auto = c.getAutoCommit();
                    c.setAutoCommit(false);
                    try (Statement st = c.createStatement()) {
                        st.execute("set local statement_timeout = " + timeout.toMillis());
                        String hint = kind == Kind.STATEMENTS ? statementsHint(st) : null;
                        Readout r = hint != null ? new Readout(kind, now(st), kind.columns, List.of(), hint)
                                : read(kind, st);
                        c.commit();
                        return r;
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        throw e;
                    } finally {
                        c.setAutoCommit(auto);
                    }
                });
    }

    /**
     * Why pg_stat_statements cannot be read here, and what to do; null when it can. The function is tried (behind a
     * savepoint, in the caller's transaction): {@code shared_preload_libraries} is hidden from roles without
     * pg_read_all_settings, so it cannot say whether the library is loaded. The error tells: 55000 ("must be loaded
     * via shared_preload_libraries") when created but not loaded, an undefined function or view when not created.
     * Whether an uncreated extension is loaded shows in its own setting {@code pg_stat_statements.max}, which the
     * library defines (an integer, visible to every role) only when it is preloaded.
     */
    private static String statementsHint(Statement st) throws SQLException {
        Connection c = st.getConnection();
        java.sql.Savepoint before = c.setSavepoint();
        try (ResultSet rs = st.executeQuery("select 1 from pg_stat_statements(false) limit 1")) {
            c.releaseSavepoint(before);
            return null;
        } catch (SQLException e) {
            c.rollback(before);
            String state = e.getSQLState();
            if ("55000".equals(state)) {
                return PRELOAD_HINT;
            }
            if (!"42883".equals(state) && !"42P01".equals(state)) {
                throw e;
            }
        }
        try (ResultSet rs = st.executeQuery("select count(*) from pg_settings "
                + "where name = 'pg_stat_statements.max' and vartype = 'integer'")) {
            rs.next();
            return rs.getLong(1) > 0 ? CREATE_HINT : STATEMENTS_HINT;
        }
    }

    private static java.time.Instant now(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("select now()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private static Readout read(Kind kind, Statement st) throws SQLException {
        java.time.Instant at = now(st);
        List<Readout.Row> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(kind.sql)) {
            int n = kind.columns.size();
            while (rs.next()) {
                List<Object> values = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Object v = value(rs, i + 1, kind.columns.get(i).type());
                    values.add(kind.columns.get(i).name().equals("Query") ? ActivityReader.masked((String) v) : v);
                }
                rows.add(new Readout.Row(values, rs.getBoolean(n + 1)));
            }
        }
        String note = switch (kind) {
            case STANDBYS -> rows.isEmpty() ? "No standby is connected to this server" : "";
            case SLOTS -> rows.isEmpty() ? "No replication slot" : "";
            case UNUSED_INDEXES -> "Indexes never scanned since the statistics were reset (unique and primary "
                    + "keys left out); check the replicas too before dropping one";
            case TABLES -> "Flagged: more than 1,000 dead rows and over 20% of the live ones";
            default -> "";
        };
        return new Readout(kind, at, kind.columns, rows, note);
    }

    private static Object value(ResultSet rs, int i, Readout.Type type) throws SQLException {
        Object v = switch (type) {
            case TEXT -> rs.getString(i);
            case ID, COUNT, BYTES -> rs.getLong(i);
            case SECONDS, MILLISECONDS, RATIO -> rs.getDouble(i);
            case TIME -> {
                Timestamp t = rs.getTimestamp(i);
                yield t == null ? null : t.toInstant();
            }
        };
        return rs.wasNull() ? null : v;
    }
}
