package dev.pgpulse.service;

import dev.pgpulse.pool.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Resolves a COMMIT whose acknowledgement was lost: asks the server, over a new connection, what became of
 * the transaction id taken before COMMIT ({@code pg_xact_status}, PostgreSQL 13+). Polls while the server is
 * unreachable or the transaction is still in progress, up to a bound; then says UNKNOWN rather than guess.
 */
final class CommitResolver {
    private static final Logger LOG = LoggerFactory.getLogger(CommitResolver.class);
    /** invalid_parameter_value: what pg_xact_status raises for an id past the server's next transaction id. */
    private static final String FUTURE_XID = "22023";

    enum Outcome { COMMITTED, ABORTED, UNKNOWN }

    private final Duration bound;
    private final Duration pause;

    CommitResolver(Duration bound, Duration pause) {
        this.bound = bound;
        this.pause = pause;
    }

    private static String serverStart(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select pg_postmaster_start_time()::text");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * The server restarted (it crashed, or was stopped) since the id was handed out. After a crash an id whose
     * records never reached the WAL can be given to another transaction, so a status of that id no longer speaks
     * for ours: UNKNOWN. One answer is certain, though: an id the new server calls "in the future" (22023) is
     * past everything its WAL holds, so our COMMIT record did not survive and the transaction did not commit.
     */
    private static Outcome afterRestart(Endpoint endpoint, Connection c, String xid) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select pg_xact_status(?::xid8)")) {
            st.setString(1, xid);
            st.executeQuery().close();
        } catch (SQLException e) {
            if (FUTURE_XID.equals(e.getSQLState())) {
                LOG.warn("{} - server restarted since transaction {} began, and its WAL ends before that id: "
                        + "the transaction did not commit", endpoint.name(), xid);
                return Outcome.ABORTED;
            }
            throw e;
        }
        LOG.warn("{} - server restarted since transaction {} began; its outcome is unknown", endpoint.name(), xid);
        return Outcome.UNKNOWN;
    }

    Outcome resolve(Endpoint endpoint, DatabaseService.TxId tx) {
        long deadline = System.nanoTime() + bound.toNanos();
        String xid = tx.xid();
        SQLException last = null;
        while (true) {
            if (!endpoint.dataSource().isRunning()) {
                // Shut down under us: nobody left to ask.
                return Outcome.UNKNOWN;
            }
            try (Connection c = endpoint.dataSource().getConnection()) {
                // A server that stops answering must not pin this thread past the bound.
                int remaining = (int) Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis());
                c.setNetworkTimeout(Runnable::run, remaining);
                if (!tx.serverStart().equals(serverStart(c))) {
                    return afterRestart(endpoint, c, xid);
                }
                try (PreparedStatement st = c.prepareStatement("select pg_xact_status(?::xid8)")) {
                    st.setString(1, xid);
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        String status = rs.getString(1);
                        if ("committed".equals(status)) {
                            return Outcome.COMMITTED;
                        }
                        if ("aborted".equals(status)) {
                            return Outcome.ABORTED;
                        }
                        if (status == null) {
                            // Too old for the commit log (wraparound horizon): the server no longer knows.
                            return Outcome.UNKNOWN;
                        }
                        // "in progress": the backend is still finishing the COMMIT; ask again.
                    }
                }
            } catch (SQLException e) {
                last = e;
            }
            if (System.nanoTime() >= deadline) {
                LOG.warn("{} - outcome of transaction {} unknown after {} ms: {}", endpoint.name(), xid,
                        bound.toMillis(), last == null ? "still in progress" : last.getMessage());
                return Outcome.UNKNOWN;
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return Outcome.UNKNOWN;
            }
        }
    }
}
