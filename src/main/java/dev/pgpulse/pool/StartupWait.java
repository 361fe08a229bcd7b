package dev.pgpulse.pool;

import dev.pgpulse.config.Durations;
import dev.pgpulse.config.EndpointConfig;
import io.github.resilience4j.core.IntervalFunction;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * Waits for a server that is still starting: connection refused, a connection attempt that timed out and 57P03
 * ("the database system is starting up") are retried with exponential backoff and jitter up to a bound; anything
 * else (bad password, missing database, bad TLS) fails at once, since waiting would not change it. Every attempt
 * is bounded ({@link ConnectionBounds#probe}), so a server that accepts and never answers costs at most the
 * bound plus one attempt.
 */
final class StartupWait {
    private static final Logger LOG = LoggerFactory.getLogger(StartupWait.class);
    /** pgjdbc: 08001 refused / unable to connect / timed out, 08006 connection failure; server: 57P03 starting up. */
    static final Set<String> STILL_STARTING = Set.of("08001", "08006", "57P03");
    private static final IntervalFunction BACKOFF =
            IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(100), 2.0, 0.2, Duration.ofSeconds(2));

    private StartupWait() {
    }

    /** @return the number of attempts it took */
    static int await(EndpointConfig endpoint, Duration bound) throws EndpointStartupException {
        long deadline = System.nanoTime() + bound.toNanos();
        Driver driver = new Driver();
        Properties props = ConnectionBounds.probe(endpoint);
        Duration attemptBound = ConnectionBounds.attempt(endpoint);
        SQLException last = null;
        for (int attempt = 1; ; attempt++) {
            try (Connection _ = driver.connect(endpoint.jdbcUrl(), props)) {
                if (attempt > 1) {
                    LOG.info("{} - server accepts connections after {} attempts", endpoint.name(), attempt);
                }
                return attempt;
            } catch (SQLException e) {
                last = e;
                if (!STILL_STARTING.contains(e.getSQLState())) {
                    throw new EndpointStartupException(describe(endpoint, e), e);
                }
            }
            long remainingMs = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
            if (remainingMs <= 0) {
                throw new EndpointStartupException(endpoint.name() + " (" + endpoint.displayTarget()
                        + "): no connection within " + Durations.format(bound) + " after " + attempt + (attempt == 1 ? " attempt: " : " attempts: ")
                        + why(last, attemptBound) + " [" + last.getSQLState() + "]. " + (noPrimary(endpoint, last)
                        ? "None of the listed hosts takes writes (each is a standby or down): promote one, or list the "
                        + "primary; " : "") + "Check that PostgreSQL runs and accepts TCP "
                        + "connections there, or wait longer with startup.wait (PGPULSE_STARTUP_WAIT)", last);
            }
            long sleep = Math.min(BACKOFF.apply(attempt), remainingMs);
            if (attempt == 1) {
                LOG.info("{} - server not ready ({}: {}); waiting up to {} for it", endpoint.name(),
                        last.getSQLState(), why(last, attemptBound), Durations.format(bound));
            } else {
                LOG.debug("{} - still not ready; attempt {} in {} ms", endpoint.name(), attempt + 1, sleep);
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new EndpointStartupException(endpoint.name() + ": interrupted while waiting for the server", ie);
            }
        }
    }

    /** pgjdbc reached servers, but none that takes writes (targetServerType=primary). */
    static boolean noPrimary(EndpointConfig endpoint, SQLException e) {
        return endpoint.primaryOnly() && e.getMessage() != null && e.getMessage().contains("targetServerType");
    }

    /** The driver's message, or for a timeout what timed out (pgjdbc's own words do not say). */
    private static String why(SQLException e, Duration attemptBound) {
        return ConnectionBounds.describeTimeout(e, attemptBound).orElse(e.getMessage());
    }

    private static String describe(EndpointConfig e, SQLException ex) {
        String where = e.name() + " (" + e.displayTarget() + "): ";
        String state = ex.getSQLState() == null ? "" : ex.getSQLState();
        String hint = switch (state) {
            case "28P01", "28000" -> "check the user and password (URL, PGPASSWORD or ~/.pgpass) and pg_hba.conf";
            case "3D000" -> "create the database or name another one (URL path or PGDATABASE)";
            case "53300" -> "the server has no free connection slots; lower pool sizes or raise max_connections";
            default -> state.startsWith("08") ? "check the host, port and sslmode" : "see the server's log";
        };
        return where + ex.getMessage() + " [" + state + "]; " + hint;
    }
}
