package dev.pgpulse.resilience;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Classifies failures by SQLSTATE and exception type. Endpoint failures count against the endpoint's
 * breaker; the caller's own errors (syntax, constraints, data, serialization) do not: they prove the
 * server is alive and answering.
 */
public final class SqlErrors {
    private static final Set<String> ENDPOINT_STATES = Set.of("57P01", "57P02", "57P03", "53300");

    private SqlErrors() {
    }

    public static ErrorCategory classify(Throwable t) {
        if (t instanceof SQLTransientConnectionException && !hasServerState(t)) {
            // HikariCP's "Connection is not available, request timed out": the pool, not the caller.
            return ErrorCategory.POOL_TIMEOUT;
        }
        if (t instanceof SQLException sql) {
            String state = stateOf(sql);
            if (state == null) {
                return causedByIo(t) ? ErrorCategory.CONNECTION : ErrorCategory.OTHER;
            }
            if (state.startsWith("08") || ENDPOINT_STATES.contains(state)) {
                return ErrorCategory.CONNECTION;
            }
            if (state.equals("40001") || state.equals("40P01")) {
                return ErrorCategory.SERIALIZATION;
            }
            if (state.equals("57014")) {
                return ErrorCategory.QUERY_CANCELED;
            }
            if (state.equals("25006")) {
                return ErrorCategory.READ_ONLY;
            }
            return switch (state.substring(0, 2)) {
                case "42" -> ErrorCategory.SYNTAX;
                case "23" -> ErrorCategory.CONSTRAINT;
                case "22" -> ErrorCategory.DATA;
                default -> ErrorCategory.OTHER;
            };
        }
        if (t instanceof InterruptedException) {
            return ErrorCategory.INTERRUPTED;
        }
        return causedByIo(t) ? ErrorCategory.CONNECTION : ErrorCategory.APPLICATION;
    }

    /** The breaker's record predicate: only what says the endpoint is in trouble. */
    public static boolean countsAgainstEndpoint(Throwable t) {
        Throwable cause = t instanceof AttemptFailure af ? af.getCause() : t;
        return classify(cause).isEndpointFailure();
    }

    /** The first SQLSTATE in the chain (HikariCP wraps the driver's exception). */
    public static String stateOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    private static boolean hasServerState(Throwable t) {
        String state = stateOf(t);
        return state != null && !state.startsWith("08");
    }

    private static boolean causedByIo(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }
}
