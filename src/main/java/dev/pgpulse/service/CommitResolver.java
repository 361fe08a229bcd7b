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

    Outcome resolve(Endpoint endpoint, String xid) {
        long deadline = System.nanoTime() + bound.toNanos();
        SQLException last = null;
        while (true) {
            try (Connection c = endpoint.dataSource().getConnection();
                 PreparedStatement st = c.prepareStatement("select pg_xact_status(?::xid8)")) {
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
