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

    enum Outcome { COMMITTED, ABORTED, UNKNOWN }

    private final Duration bound;
    private final Duration pause;

    CommitResolver(Duration bound, Duration pause) {
        this.bound = bound;
        this.pause = pause;
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
                try (PreparedStatement st = c.prepareStatement(
                        "select pg_xact_status(?::xid8), pg_postmaster_start_time()::text")) {
                    st.setString(1, xid);
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        String status = rs.getString(1);
                        if (!tx.serverStart().equals(rs.getString(2))) {
                            // The server restarted since the id was handed out; after a crash an id whose
                            // records never reached the WAL can be given to another transaction, so its
                            // status no longer speaks for ours.
                            LOG.warn("{} - server restarted since transaction {} began; its outcome is unknown",
                                    endpoint.name(), xid);
                            return Outcome.UNKNOWN;
                        }
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
