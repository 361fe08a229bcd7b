package dev.pgpulse.service;

import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.AttemptFailure;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.resilience.SqlErrors;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

/**
 * One attempt of a {@link DatabaseService#transaction transaction} on the primary, and its commit recovery: the
 * transaction id is taken before COMMIT, and a COMMIT whose answer is lost is resolved with the server
 * ({@link CommitResolver}) instead of being retried blindly. What it throws tells the retry whether the whole
 * transaction may run again.
 */
final class TransactionAttempt {
    /** The service's logger: these lines read as they always have. */
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseService.class);

    private final EndpointGate gate;
    private final CommitResolver resolver;
    private final EventLog events;
    private final Clock clock;

    TransactionAttempt(EndpointGate gate, CommitResolver resolver, EventLog events, Clock clock) {
        this.gate = gate;
        this.resolver = resolver;
        this.events = events;
        this.clock = clock;
    }

    /** SQLSTATEs that prove a COMMIT did not happen; after any other failure of COMMIT the server is asked. */
    private static boolean provesAbort(ErrorCategory category, String state) {
        return category == ErrorCategory.SERIALIZATION || category == ErrorCategory.CONSTRAINT
                || category == ErrorCategory.DATA || category == ErrorCategory.QUERY_CANCELED
                || "25P02".equals(state);
    }

    <T> T attempt(String operation, TxOptions options, SqlFunction<Connection, T> work, Attempts attempts)
            throws AttemptFailure {
        Endpoint endpoint = gate.enter(Route.WRITE, attempts);
        try {
            return attemptOn(endpoint, operation, options, work);
        } finally {
            gate.left(endpoint);
        }
    }

    /** The attempt once {@link EndpointGate#enter} let it in; a lost COMMIT's resolution still runs on the endpoint. */
    private <T> T attemptOn(Endpoint endpoint, String operation, TxOptions options, SqlFunction<Connection, T> work)
            throws AttemptFailure {
        CircuitBreaker breaker = gate.breaker(endpoint);
        long t0 = System.nanoTime();
        Connection c = gate.connect(endpoint, breaker, t0);
        DatabaseService.TxId xid = null;
        boolean committing = false;
        T value = null;
        try (c) {
            try {
                c.setAutoCommit(false);
                if (c.getTransactionIsolation() != options.isolation()) {
                    c.setTransactionIsolation(options.isolation());
                }
                if (options.readOnly()) {
                    c.setReadOnly(true);
                }
                if (!options.timeout().isZero()) {
                    try (Statement st = c.createStatement()) {
                        st.execute("set local statement_timeout = " + options.timeout().toMillis());
                    }
                }
                value = work.apply(c);
                if (!options.readOnly()) {
                    xid = currentXid(c);
                }
                committing = true;
                c.commit();
            } catch (SQLException e) {
                gate.failed(endpoint, breaker, t0, e);
                ErrorCategory category = SqlErrors.classify(e);
                if (committing && !provesAbort(category, SqlErrors.stateOf(e))) {
                    return afterLostCommit(operation, endpoint, xid, value, e);
                }
                rollbackQuietly(c);
                // Nothing committed before COMMIT succeeds: an endpoint failure or a serialization failure
                // (40001, 40P01) can run the whole transaction again.
                boolean retryable = category.isEndpointFailure() || category == ErrorCategory.SERIALIZATION;
                throw new AttemptFailure(category, retryable, false, endpoint.name(), e.getMessage(), e);
            } catch (RuntimeException | Error e) {
                gate.failed(endpoint, breaker, t0, e);
                if (committing) {
                    return afterLostCommit(operation, endpoint, xid, value, e);
                }
                rollbackQuietly(c);
                if (e instanceof Error err) {
                    throw err;
                }
                throw new AttemptFailure(ErrorCategory.APPLICATION, false, false, endpoint.name(), e.toString(), e);
            }
        } catch (SQLException closeFailure) {
            // Closing a pooled connection does not fail in practice; if it does, the work's outcome stands.
            LOG.debug("{} - closing a connection failed: {}", endpoint.name(), closeFailure.getMessage());
        }
        gate.succeeded(breaker, operation, null, Route.WRITE, endpoint, System.nanoTime() - t0);
        return value;
    }

    private <T> T afterLostCommit(String operation, Endpoint endpoint, DatabaseService.TxId xid, T value, Throwable e)
            throws AttemptFailure {
        if (xid == null) {
            // No transaction id was assigned: the transaction wrote nothing, so there is nothing to lose.
            return value;
        }
        CommitResolver.Outcome outcome = resolver.resolve(endpoint, xid);
        events.publish(new ResilienceEvent.CommitResolved(clock.instant(), operation, endpoint.name(),
                xid.xid(), outcome.name()));
        LOG.warn("{} - COMMIT of {} (xid {}) failed ({}); the server says {}", endpoint.name(), operation, xid.xid(),
                e.getMessage(), outcome);
        return switch (outcome) {
            case COMMITTED -> value;
            case ABORTED -> throw new AttemptFailure(ErrorCategory.CONNECTION, true, false, endpoint.name(),
                    "COMMIT failed; the server aborted transaction " + xid.xid(), e);
            case UNKNOWN -> throw new AttemptFailure(ErrorCategory.COMMIT_UNKNOWN, false, true, endpoint.name(),
                    "COMMIT failed; the outcome of transaction " + xid.xid() + " could not be resolved", e);
        };
    }

    private static DatabaseService.TxId currentXid(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select pg_current_xact_id_if_assigned()::text, "
                     + "pg_postmaster_start_time()::text")) {
            rs.next();
            String xid = rs.getString(1);
            return xid == null ? null : new DatabaseService.TxId(xid, rs.getString(2));
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is gone or the transaction already ended; the server rolls back either way.
        }
    }
}
