package dev.pgpulse.server;

import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the primary's {@code pg_stat_activity} through the {@link DatabaseService} (its breaker, timers and
 * slow-query log apply) in one round trip, bounded by a {@code statement_timeout} of its own, and signals backends
 * ({@code pg_cancel_backend}, {@code pg_terminate_backend}).
 *
 * <p>PgPulse's own sessions are labelled: the configured {@code application_name} (default {@code pgpulse}), names
 * that start with it ({@code "pgpulse health"}, the health pool) or with {@code pgpulse-}, and the reading's own
 * backend. Other users' queries are visible only to superusers and members of {@code pg_read_all_stats}.
 */
public final class ActivityReader {
    /** Query texts are cut to this many characters (PostgreSQL's own default {@code track_activity_query_size} is 1024 bytes). */
    public static final int QUERY_CHARS = 4096;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    // The lock a session waits for: its ungranted lock; for a row lock that is a transactionid, so the relation
    // comes from the tuple lock it holds meanwhile. waitstart (PostgreSQL 14+) through to_jsonb so 13 still runs.
    private static final String ACTIVITY = """
            select a.pid, a.usename, a.datname, a.application_name, host(a.client_addr) as client, a.backend_type,
                   a.backend_start, a.state, a.wait_event_type, a.wait_event, a.xact_start, a.query_start, a.state_change,
                   greatest(0, extract(epoch from now() - a.xact_start))::float8 as xact_age,
                   greatest(0, extract(epoch from now() - a.query_start))::float8 as query_age,
                   greatest(0, extract(epoch from now() - a.state_change))::float8 as state_age,
                   left(a.query, ?) as query, pg_blocking_pids(a.pid) as blocked_by,
                   w.mode as lock_mode, w.locktype as lock_type,
                   coalesce(w.relation, (select t.relation::regclass::text from pg_locks t
                                         where t.pid = a.pid and t.locktype = 'tuple' limit 1)) as lock_relation,
                   greatest(0, extract(epoch from now() - coalesce(w.waitstart, a.state_change)))::float8 as lock_wait,
                   pg_backend_pid() as reader, now() as at
            from pg_stat_activity a
            left join lateral (select l.mode, l.locktype, l.relation::regclass::text as relation,
                                      (to_jsonb(l) ->> 'waitstart')::timestamptz as waitstart
                               from pg_locks l where l.pid = a.pid and not l.granted limit 1) w on true
            order by a.pid""";

    /** What a signal is. */
    public enum Signal {
        CANCEL("pg_cancel_backend", "cancel the query of"), TERMINATE("pg_terminate_backend", "terminate");

        final String function;
        final String words;

        Signal(String function, String words) {
            this.function = function;
            this.words = words;
        }
    }

    /**
     * What came of signalling one backend.
     *
     * @param sent    the server accepted the signal ({@code pg_*_backend} returned true)
     * @param message why not, or null when sent
     */
    public record Outcome(int pid, Signal signal, boolean sent, String message) {
    }

    private final DatabaseService service;
    private final String applicationName;
    private final Duration timeout;

    /** @param applicationName the {@code application_name} PgPulse's pools connect with */
    public ActivityReader(DatabaseService service, String applicationName, Duration timeout) {
        this.service = Objects.requireNonNull(service, "service");
        this.applicationName = Objects.requireNonNull(applicationName, "applicationName");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
        }
        this.timeout = timeout;
    }

    /** The reader of the orchestrator's primary, as PgPulse's pools name themselves there. */
    public static ActivityReader of(dev.pgpulse.orchestration.Orchestrator o) {
        return new ActivityReader(o.service(), o.service().endpoints().primary().config().applicationName(),
                DEFAULT_TIMEOUT);
    }

    public String endpoint() {
        return service.endpoints().primary().name();
    }

    /** One reading of the primary's sessions. */
    public Result<Activity> read() {
        String endpoint = endpoint();
        return service.on("server.activity", endpoint, ACTIVITY, () -> true, c -> bounded(c, () -> {
            try (PreparedStatement st = c.prepareStatement(ACTIVITY)) {
                st.setInt(1, QUERY_CHARS);
                try (ResultSet rs = st.executeQuery()) {
                    return activity(endpoint, rs);
                }
            }
        }));
    }

    /**
     * Signals each backend on the primary; the outcome per backend, in the order given. A backend is signalled only
     * while {@code pg_stat_activity} shows its pid with the same {@code backend_start}: a pid whose session ended
     * since it was read (and may have been handed to another) is reported as ended, never signalled.
     */
    public Result<List<Outcome>> signal(List<Backend> backends, Signal signal) {
        String sql = "select " + signal.function + "(a.pid) from pg_stat_activity a"
                + " where a.pid = ? and a.backend_start is not distinct from ?::timestamptz";
        List<Backend> given = List.copyOf(backends);
        return service.on("server." + signal.name().toLowerCase(java.util.Locale.ROOT), endpoint(), sql, () -> false,
                c -> bounded(c, () -> {
                    Map<Integer, Outcome> out = new LinkedHashMap<>();
                    for (Backend b : given) {
                        // one statement per backend: a refused one (another superuser's) must not hide the rest
                        try (PreparedStatement st = c.prepareStatement(sql)) {
                            st.setInt(1, b.pid());
                            st.setObject(2, b.start() == null ? null
                                    : OffsetDateTime.ofInstant(b.start(), ZoneOffset.UTC));
                            try (ResultSet rs = st.executeQuery()) {
                                boolean there = rs.next();
                                boolean sent = there && rs.getBoolean(1);
                                out.put(b.pid(), new Outcome(b.pid(), signal, sent, sent ? null : there
                                        ? "no such backend (it may have ended already)"
                                        : "that session has ended already"));
                            }
                        } catch (SQLException e) {
                            if (!"42501".equals(e.getSQLState()) && !"22023".equals(e.getSQLState())) {
                                throw e;
                            }
                            out.put(b.pid(), new Outcome(b.pid(), signal, false, firstLine(e.getMessage())));
                            c.rollback();
                            setTimeout(c);
                        }
                        // a fresh pg_stat_activity snapshot for the next one (stats_fetch_consistency keeps it per
                        // transaction otherwise)
                        c.commit();
                        setTimeout(c);
                    }
                    return List.copyOf(out.values());
                }));
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    /** In a transaction of its own with a {@code SET LOCAL statement_timeout}, as the health monitor reads. */
    private <T> T bounded(Connection c, Work<T> work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            setTimeout(c);
            T value = work.run();
            c.commit();
            c.setAutoCommit(auto);
            return value;
        } catch (SQLException | RuntimeException failure) {
            try {
                c.rollback();
                c.setAutoCommit(auto);
            } catch (SQLException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    private void setTimeout(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("set local statement_timeout = " + timeout.toMillis());
        }
    }

    private Activity activity(String endpoint, ResultSet rs) throws SQLException {
        List<Session> sessions = new ArrayList<>();
        int reader = 0;
        Instant at = Instant.now();
        while (rs.next()) {
            reader = rs.getInt("reader");
            at = rs.getTimestamp("at").toInstant();
            int pid = rs.getInt("pid");
            String app = rs.getString("application_name");
            sessions.add(new Session(pid, rs.getString("usename"), rs.getString("datname"), app,
                    rs.getString("client"), rs.getString("backend_type"), instant(rs, "backend_start"), rs.getString("state"),
                    rs.getString("wait_event_type"), rs.getString("wait_event"), instant(rs, "xact_start"),
                    instant(rs, "query_start"), instant(rs, "state_change"), age(rs, "xact_age"),
                    age(rs, "query_age"), age(rs, "state_age"), masked(rs.getString("query")), pids(rs.getArray("blocked_by")),
                    rs.getString("lock_mode"), rs.getString("lock_type"), rs.getString("lock_relation"),
                    rs.getString("lock_mode") == null ? null : age(rs, "lock_wait"),
                    own(app) || pid == reader));
        }
        return new Activity(at, endpoint, reader, sessions);
    }

    /** Whether a session with this application_name is one of PgPulse's. */
    public boolean own(String app) {
        if (app == null || app.isEmpty()) {
            return false;
        }
        return app.equals(applicationName) || app.startsWith(applicationName + " ") || app.equals("pgpulse")
                || app.startsWith("pgpulse-") || app.startsWith("pgpulse ");
    }

    /** Passwords in a session's text (ALTER ROLE ... PASSWORD '...') are masked as the query history masks them. */
    static String masked(String query) {
        return query == null ? null : dev.pgpulse.query.SecretMasker.mask(query);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Duration age(ResultSet rs, String column) throws SQLException {
        double seconds = rs.getDouble(column);
        return rs.wasNull() ? null : Duration.ofNanos((long) (seconds * 1e9));
    }

    private static List<Integer> pids(Array a) throws SQLException {
        if (a == null) {
            return List.of();
        }
        Object[] values = (Object[]) a.getArray();
        List<Integer> out = new ArrayList<>(values.length);
        for (Object v : values) {
            out.add(((Number) v).intValue());
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "refused";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
