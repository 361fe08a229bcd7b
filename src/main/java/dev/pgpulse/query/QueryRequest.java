package dev.pgpulse.query;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One run: statements on one target, on one connection, in order, stopping at the first error.
 *
 * @param target           the endpoint's name ({@code primary}, {@code replica-1})
 * @param statements       what to run, from {@link SqlScript#split}
 * @param mode             run them, or explain them
 * @param readWrite        on a production target, the user switched to read-write (confirmed); elsewhere ignored
 * @param confirmedWrite   the user confirmed that {@code EXPLAIN ANALYZE} may execute a write
 * @param statementTimeout the session's {@code statement_timeout} for the run, zero for the server's
 * @param fetchSize        rows per round trip of the cursor
 */
public record QueryRequest(String target, List<SqlStatement> statements, Mode mode, boolean readWrite,
                           boolean confirmedWrite, Duration statementTimeout, int fetchSize) {
    public static final int DEFAULT_FETCH_SIZE = 1000;
    public static final int MAX_FETCH_SIZE = 100_000;

    public enum Mode {
        RUN,
        /** {@code EXPLAIN (FORMAT JSON)}: the plan, nothing executed. */
        EXPLAIN,
        /** {@code EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)}: executes the statement. */
        EXPLAIN_ANALYZE
    }

    public QueryRequest {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(statementTimeout, "statementTimeout");
        statements = List.copyOf(statements);
        if (statementTimeout.isNegative()) {
            throw new IllegalArgumentException("statementTimeout must not be negative, but was " + statementTimeout);
        }
        if (fetchSize < 1 || fetchSize > MAX_FETCH_SIZE) {
            throw new IllegalArgumentException("fetchSize must be between 1 and " + MAX_FETCH_SIZE + ", but was "
                    + fetchSize);
        }
    }

    /** Runs {@code statements} on {@code target}, read-only on production, the server's timeout. */
    public static QueryRequest run(String target, List<SqlStatement> statements) {
        return new QueryRequest(target, statements, Mode.RUN, false, false, Duration.ZERO, DEFAULT_FETCH_SIZE);
    }

    public QueryRequest withMode(Mode value) {
        return new QueryRequest(target, statements, value, readWrite, confirmedWrite, statementTimeout, fetchSize);
    }

    public QueryRequest withReadWrite(boolean value) {
        return new QueryRequest(target, statements, mode, value, confirmedWrite, statementTimeout, fetchSize);
    }

    public QueryRequest withConfirmedWrite(boolean value) {
        return new QueryRequest(target, statements, mode, readWrite, value, statementTimeout, fetchSize);
    }

    public QueryRequest withStatementTimeout(Duration value) {
        return new QueryRequest(target, statements, mode, readWrite, confirmedWrite, value, fetchSize);
    }

    public QueryRequest withFetchSize(int value) {
        return new QueryRequest(target, statements, mode, readWrite, confirmedWrite, statementTimeout, value);
    }
}
