package dev.pgpulse.query;

import dev.pgpulse.resilience.SqlErrors;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One run of a {@link QueryRequest}: {@link #execute} once, on the caller's thread; {@link #cancel} from any
 * thread cancels the running statement on the server ({@link Statement#cancel()}) and ends a sink's wait.
 * <p>
 * All statements share one connection, so {@code SET}, temporary tables and a {@code BEGIN ... COMMIT} typed
 * in the script work as in psql. A statement that may return rows runs in a transaction of the runner's, with
 * a cursor ({@code fetchSize} rows a round trip) so no result is held whole, and is committed when it ends
 * (unless the script's own transaction is open); other statements ({@code VACUUM}, DDL, {@code BEGIN}) run as
 * they are. The first error stops the run. At the end an open transaction is rolled back (a run does not leave
 * one behind, said in a notice) and the session is reset ({@code DISCARD ALL}) before the connection goes back
 * to the pool.
 */
public final class QueryRun {
    private static final Logger LOG = LoggerFactory.getLogger(QueryRun.class);
    private static final String EXPLAIN = "EXPLAIN (FORMAT JSON) ";
    private static final String EXPLAIN_ANALYZE = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ";
    private static final Set<String> TWO_WORD_COMMANDS = Set.of("CREATE", "ALTER", "DROP", "COMMENT", "GRANT",
            "REVOKE", "SECURITY", "REFRESH", "IMPORT");
    private static final Set<String> SKIPPED_IN_COMMAND = Set.of("OR", "REPLACE", "UNIQUE", "TEMP", "TEMPORARY",
            "UNLOGGED", "GLOBAL", "LOCAL", "IF", "NOT", "EXISTS", "CONCURRENTLY", "RECURSIVE", "TRUSTED", "PROCEDURAL",
            "DEFAULT", "CONSTRAINT");

    private final DatabaseService service;
    private final String operation;
    private final QueryRequest request;
    private final boolean readOnly;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean cancelled;
    private volatile Statement current;
    private volatile Thread runner;
    private volatile boolean inSink;
    /** Anything handed to the sink: from then on a failed attempt is not repeated (it would show rows twice). */
    private volatile boolean handedOn;
    /** A statement reached the server: from then on a failure is not repeated (a read may have side effects). */
    private volatile boolean sent;
    private volatile BaseConnection connection;
    private volatile int running = -1;

    QueryRun(DatabaseService service, String operation, QueryRequest request, boolean readOnly) {
        this.service = service;
        this.operation = operation;
        this.request = request;
        this.readOnly = readOnly;
    }

    public QueryRequest request() {
        return request;
    }

    /** Whether the run is read-only (a production target and the user did not switch to read-write). */
    public boolean readOnly() {
        return readOnly;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** The index of the statement running now, or -1. */
    public int running() {
        return running;
    }

    /** Cancels the run: the statement on the server, a sink's wait, and the statements not yet sent. */
    public void cancel() {
        cancelled = true;
        BaseConnection pg = connection;
        if (pg != null && running >= 0) {
            // the connection's cancel, not the statement's: Statement.cancel() does nothing while pgjdbc fetches the
            // next batch of a cursor or has not yet sent the statement. A cancel reaching a later statement only hits
            // the run's cleanup, after which the connection is closed anyway.
            try {
                pg.cancelQuery();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("{} - cancel request failed: {}", request.target(), e.toString());
            }
        }
        Thread t = runner;
        if (inSink && t != null) {
            t.interrupt();
        }
    }

    /** Runs the request; returns how it ended and never throws for a database or sink failure. */
    public QueryOutcome execute(QuerySink sink) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a QueryRun executes once");
        }
        long t0 = System.nanoTime();
        if (request.statements().isEmpty()) {
            return new QueryOutcome.Refused("nothing to run: the script has no statement", elapsed(t0));
        }
        if (!service.endpoints().byName(request.target()).isPresent()) {
            return new QueryOutcome.Refused("no target named " + request.target() + "; the targets are "
                    + String.join(", ", service.endpoints().all().stream().map(e -> e.name()).toList()), elapsed(t0));
        }
        for (int i = 0; i < request.statements().size(); i++) {
            String text = request.statements().get(i).text();
            boolean analyzes = request.mode() == QueryRequest.Mode.EXPLAIN_ANALYZE || StatementKind.explainAnalyze(text);
            if (analyzes && !request.confirmedWrite() && StatementKind.analyzeWrites(text)) {
                return new QueryOutcome.Refused("statement " + (i + 1) + " is EXPLAIN ANALYZE of a write: it executes "
                        + "the write; confirm to run it", elapsed(t0));
            }
        }
        runner = Thread.currentThread();
        try {
            String logged = request.statements().size() == 1 ? request.statements().getFirst().text()
                    : request.statements().getFirst().text() + " ... (" + request.statements().size() + " statements)";
            Result<QueryOutcome> result = service.on(operation, request.target(), logged,
                    () -> !sent && !handedOn && !cancelled, c -> {
                        running = -1;
                        return onConnection(c, sink, t0);
                    });
            return switch (result) {
                case Result.Success<QueryOutcome> s -> s.value();
                case Result.Failure<QueryOutcome> f -> cancelled
                        ? new QueryOutcome.Cancelled(running, f.endpoint(), elapsed(t0))
                        : new QueryOutcome.Failed(new QueryError(running, f.sqlState(), f.message(), null, null, null,
                        -1), f.endpoint(), elapsed(t0));
            };
        } finally {
            runner = null;
            current = null;
            if (cancelled) {
                Thread.interrupted(); // an interrupt meant for a sink's wait must not leak to the caller
            }
        }
    }

    private QueryOutcome onConnection(Connection c, QuerySink sink, long t0) throws SQLException {
        BaseConnection pg = c.unwrap(BaseConnection.class);
        connection = pg;
        String endpoint = request.target();
        boolean clean = false;
        // A timeout chosen for the run replaces the pool's socket read limit (its statement_timeout + margin), which
        // would cut a longer statement and leave it running on the server; without one the pool's timeout and its
        // socket limit stay, so every read stays bounded.
        if (!request.statementTimeout().isZero()) {
            c.setNetworkTimeout(Runnable::run,
                    (int) Math.min(Integer.MAX_VALUE, request.statementTimeout().toMillis() + 10_000));
        }
        try {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                if (readOnly) {
                    s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
                }
                if (!request.statementTimeout().isZero()) {
                    s.execute("SET statement_timeout = " + Math.max(1, request.statementTimeout().toMillis()));
                }
            }
            QueryOutcome outcome = statements(c, pg, sink, t0, endpoint);
            clean = reset(c, pg, sink);
            return outcome;
        } catch (SQLException | RuntimeException | Error e) {
            if (!clean) {
                evict(c); // not given back as the script left it (a typed BEGIN, SET ROLE, a lock)
            }
            throw e;
        } finally {
            connection = null;
        }
    }

    private QueryOutcome statements(Connection c, BaseConnection pg, QuerySink sink, long t0, String endpoint)
            throws SQLException {
        List<SqlStatement> statements = request.statements();
        for (int i = 0; i < statements.size(); i++) {
            if (cancelled) {
                return new QueryOutcome.Cancelled(i, endpoint, elapsed(t0));
            }
            SqlStatement statement = statements.get(i);
            String prefix = switch (request.mode()) {
                case RUN -> "";
                case EXPLAIN -> EXPLAIN;
                case EXPLAIN_ANALYZE -> EXPLAIN_ANALYZE;
            };
            String sql = prefix + statement.text();
            StatementKind kind = StatementKind.of(sql);
            running = i;
            sink.statementStarted(i, statement);
            // Idle: a statement that may return rows gets a transaction of ours (a cursor needs one), committed
            // after it; anything else runs in autocommit (VACUUM cannot run in a transaction). Inside the script's
            // own transaction everything runs in it, and only the script ends it: autocommit is switched on only
            // while idle, since switching it on commits.
            boolean idle = pg.getTransactionState() == TransactionState.IDLE;
            // Read-only: a DO or CALL runs inside a read-only transaction of ours too, so a COMMIT in its body
            // cannot start a fresh transaction after switching the default off.
            boolean ours = idle && (kind.streams() || readOnly && StatementKind.procedural(sql));
            try {
                if (readOnly && idle) {
                    c.setAutoCommit(true);
                    try (Statement again = c.createStatement()) {
                        again.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
                    }
                }
                c.setAutoCommit(idle && !ours);
                boolean stop = one(c, sink, i, sql, kind);
                if (ours) {
                    if (stop) {
                        c.rollback(); // cancelled: a streamed DELETE ... RETURNING must not be committed
                    } else {
                        c.commit();
                    }
                }
                if (stop) {
                    return new QueryOutcome.Cancelled(i, endpoint, elapsed(t0));
                }
                if (readOnly && switchedToReadWrite(c)) {
                    if (pg.getTransactionState() != TransactionState.IDLE) {
                        try (Statement rb = c.createStatement()) {
                            rb.execute("ROLLBACK");
                        }
                    }
                    return new QueryOutcome.Failed(new QueryError(i, "25006", "statement " + (i + 1)
                            + " switched the session to read-write; on production the Query tab runs read-only",
                            null, "Switch the tab to Read-write (it asks first), or use --read-write --yes", null, -1),
                            endpoint, elapsed(t0));
                }
            } catch (SQLException e) {
                if (ours) {
                    rollbackQuietly(c);
                }
                if (cancelled && "57014".equals(e.getSQLState())) {
                    return new QueryOutcome.Cancelled(i, endpoint, elapsed(t0));
                }
                if (SqlErrors.classify(e).isEndpointFailure()) {
                    throw e; // the service counts it against the endpoint and retries what is safe to
                }
                return new QueryOutcome.Failed(error(i, statement, prefix.length(), e), endpoint, elapsed(t0));
            } catch (InterruptedException e) {
                if (ours) {
                    rollbackQuietly(c);
                }
                return new QueryOutcome.Cancelled(i, endpoint, elapsed(t0));
            }
        }
        running = -1;
        return new QueryOutcome.Completed(statements.size(), endpoint, elapsed(t0));
    }

    /** Whether the session's default or the open transaction is no longer read-only (a SET, BEGIN READ WRITE, RESET). */
    private static boolean switchedToReadWrite(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('default_transaction_read_only'),"
                     + " current_setting('transaction_read_only')")) {
            rs.next();
            return !"on".equals(rs.getString(1)) || !"on".equals(rs.getString(2));
        }
    }

    /** Runs one statement and hands its results on; true when the run was cancelled while a sink waited. */
    private boolean one(Connection c, QuerySink sink, int index, String sql, StatementKind kind)
            throws SQLException, InterruptedException {
        try (Statement s = c.createStatement()) {
            s.setFetchSize(request.fetchSize());
            current = s;
            if (cancelled) {
                throw new InterruptedException("cancelled");
            }
            try {
                sent = true;
                boolean rows = s.execute(sql);
                notices(s.getWarnings(), index, sink);
                s.clearWarnings();
                while (true) {
                    if (rows) {
                        try (ResultSet rs = s.getResultSet()) {
                            if (!stream(rs, s, index, sink)) {
                                return true;
                            }
                        }
                    } else {
                        long count = s.getLargeUpdateCount();
                        if (count == -1) {
                            break;
                        }
                        handedOn = true;
                        sink.updated(index, command(sql), kind == StatementKind.OTHER && !sql.regionMatches(true,
                                0, "COPY", 0, 4) ? -1 : count);
                    }
                    rows = s.getMoreResults();
                }
                notices(s.getWarnings(), index, sink);
                notices(c.getWarnings(), index, sink);
                c.clearWarnings();
                return false;
            } finally {
                current = null;
            }
        }
    }

    /** Streams one result set; false when cancelled while the sink waited. */
    private boolean stream(ResultSet rs, Statement s, int index, QuerySink sink) throws SQLException,
            InterruptedException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<QueryColumn> columns = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            columns.add(new QueryColumn(md.getColumnLabel(i), md.getColumnTypeName(i), md.getColumnType(i)));
        }
        handedOn = true;
        sink.columns(index, List.copyOf(columns));
        int batchSize = request.fetchSize();
        List<String[]> batch = new ArrayList<>(Math.min(batchSize, 1024));
        long count = 0;
        boolean complete = true;
        while (rs.next()) {
            String[] row = new String[n];
            for (int i = 0; i < n; i++) {
                row[i] = rs.getString(i + 1);
            }
            batch.add(row);
            count++;
            if (batch.size() >= batchSize) {
                notices(s.getWarnings(), index, sink);
                s.clearWarnings();
                if (!deliver(sink, batch)) {
                    complete = false;
                    break;
                }
                batch = new ArrayList<>(Math.min(batchSize, 1024));
            }
        }
        if (complete && !batch.isEmpty() && !deliver(sink, batch)) {
            complete = false;
        }
        if (cancelled) {
            sink.resultEnded(count, false);
            return false;
        }
        sink.resultEnded(count, complete);
        return true;
    }

    private boolean deliver(QuerySink sink, List<String[]> batch) throws InterruptedException {
        inSink = true; // before the check: a cancel() between the two would otherwise not interrupt the wait
        try {
            if (cancelled) {
                return false;
            }
            return sink.rows(java.util.Collections.unmodifiableList(batch)) && !cancelled;
        } catch (InterruptedException e) {
            if (cancelled) {
                return false; // the wait cancel() ended
            }
            throw e;
        } finally {
            inSink = false;
            if (cancelled) {
                Thread.interrupted();
            }
        }
    }

    private void notices(SQLWarning w, int index, QuerySink sink) {
        for (; w != null; w = w.getNextWarning()) {
            String severity = "WARNING";
            String message = String.valueOf(w.getMessage());
            if (w instanceof PSQLWarning pw && pw.getServerErrorMessage() != null) {
                ServerErrorMessage m = pw.getServerErrorMessage();
                severity = m.getSeverity() == null ? severity : m.getSeverity();
                message = m.getMessage() == null ? message : m.getMessage();
            }
            handedOn = true;
            sink.notice(new QueryNotice(index, severity, message, w.getSQLState()));
        }
    }

    /** The error as psql shows it, its position moved from the text sent to the script. */
    static QueryError error(int index, SqlStatement statement, int prefixLength, SQLException e) {
        String message = String.valueOf(e.getMessage());
        String detail = null;
        String hint = null;
        String where = null;
        int position = -1;
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
            ServerErrorMessage m = pe.getServerErrorMessage();
            message = m.getMessage() == null ? message : m.getMessage();
            detail = m.getDetail();
            hint = m.getHint();
            where = m.getWhere();
            if (m.getPosition() > 0) {
                // the server counts characters (code points) from 1 in the text sent, prefix included
                String sent = statement.text();
                int cp = m.getPosition() - 1 - prefixLength;
                int inText = cp <= 0 ? 0 : cp >= sent.codePointCount(0, sent.length()) ? sent.length()
                        : sent.offsetByCodePoints(0, cp);
                position = statement.start() + inText;
            }
        }
        return new QueryError(index, e.getSQLState(), message, detail, hint, where, position);
    }

    /** What psql would print for a statement without rows: {@code INSERT}, {@code CREATE TABLE}, {@code VACUUM}. */
    static String command(String sql) {
        List<String> words = StatementKind.words(sql, 12);
        if (words.isEmpty()) {
            return "";
        }
        String first = words.getFirst();
        if (!TWO_WORD_COMMANDS.contains(first)) {
            return first;
        }
        for (String w : words.subList(1, words.size())) {
            if (!SKIPPED_IN_COMMAND.contains(w)) {
                return first + " " + w;
            }
        }
        return first;
    }

    /** Ends what the script left open and resets the session; false when the connection is not fit to return. */
    private boolean reset(Connection c, BaseConnection pg, QuerySink sink) {
        try {
            if (pg.getTransactionState() != TransactionState.IDLE) {
                try (Statement s = c.createStatement()) {
                    s.execute("ROLLBACK"); // c.rollback() refuses in autocommit, where a typed BEGIN leaves it
                }
                handedOn = true;
                sink.notice(new QueryNotice(request.statements().size() - 1, "NOTICE",
                        "the script left a transaction open: rolled back (a run does not keep one between runs)",
                        null));
            }
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("DISCARD ALL");
                if (c.isReadOnly()) {
                    // a replica pool's READ ONLY session default: pgjdbc set it once and DISCARD ALL reset it
                    s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
                }
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.warn("{} - a query session could not be reset ({}); its connection is closed", request.target(),
                    e.toString());
            evict(c);
            return false;
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback after a failed statement failed: {}", e.toString());
        }
    }

    private void evict(Connection c) {
        service.endpoints().byName(request.target()).ifPresent(e -> {
            try {
                e.dataSource().evictConnection(c);
            } catch (RuntimeException ex) {
                LOG.debug("{} - evicting a query connection failed: {}", request.target(), ex.toString());
            }
        });
    }

    private static Duration elapsed(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
