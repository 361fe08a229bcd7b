package dev.pgpulse.pool;

import dev.pgpulse.config.Durations;
import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.config.Redact;
import org.postgresql.Driver;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * "Test connection" for a profile: one plain pgjdbc connection to each endpoint, all at once, each bounded as the
 * startup probe is ({@link ConnectionBounds#health}: connect_timeout for the TCP connect and login, a read limit for
 * the query), so a hung endpoint costs its connect_timeout and never more. No pool, no retry: the answer is the
 * server's version, or the exact reason the first attempt failed.
 */
public final class ConnectionTest {
    /** Beyond each attempt's own bounds, for a driver thread that does not give up when it should. */
    private static final Duration OVERALL_SLACK = Duration.ofSeconds(3);
    /** pgjdbc's words when the server asks for a password (md5, password or SCRAM) and it was given none. */
    private static final String NO_PASSWORD_GIVEN = "no password was provided";

    /**
     * One endpoint's outcome.
     *
     * @param displayTarget  {@code user@host:port/database}, no password
     * @param serverVersion  {@code server_version} as the server reports it ({@code 15.19}), or null when it failed
     * @param reason         why it failed, one line (pgjdbc's message and the SQLSTATE in brackets, or what timed
     *                       out), or null when it worked
     * @param sqlState       the failure's SQLSTATE, or null
     * @param needsPassword  the server wants a password it was not given, or refused the one given (28P01): ask for one
     */
    public record EndpointResult(String name, String displayTarget, boolean ok, String serverVersion,
                                 boolean inRecovery, String reason, String sqlState, boolean needsPassword,
                                 Duration elapsed) {
        public EndpointResult {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(displayTarget, "displayTarget");
            Objects.requireNonNull(elapsed, "elapsed");
        }
    }

    /**
     * @param endpoints primary first, then the replicas; empty for the embedded PostgreSQL
     * @param embedded  the configuration is the embedded PostgreSQL, which starts when switched to
     */
    public record Result(List<EndpointResult> endpoints, boolean embedded, Instant at) {
        public Result {
            endpoints = List.copyOf(endpoints);
            Objects.requireNonNull(at, "at");
        }

        public boolean ok() {
            return endpoints.stream().allMatch(EndpointResult::ok);
        }

        /** Some endpoint wants a password: ask for one and test again with it. */
        public boolean needsPassword() {
            return endpoints.stream().anyMatch(EndpointResult::needsPassword);
        }

        public Optional<EndpointResult> firstFailure() {
            return endpoints.stream().filter(e -> !e.ok()).findFirst();
        }

        /**
         * One line: {@code PostgreSQL 15.19 on primary, replica-1}, the versions of each when they differ, or the
         * first failure ({@code replica-1 (app@db2:5432/app): FATAL: ... [3D000]}).
         */
        public String summary() {
            if (embedded) {
                return "the embedded PostgreSQL starts when you switch to this profile (nothing to connect to yet)";
            }
            Optional<EndpointResult> failed = firstFailure();
            if (failed.isPresent()) {
                EndpointResult f = failed.get();
                long others = endpoints.stream().filter(e -> !e.ok()).count() - 1;
                return f.name() + " (" + f.displayTarget() + "): " + f.reason()
                        + (others > 0 ? " (and " + others + " more endpoint" + (others > 1 ? "s" : "") + " failed)" : "");
            }
            Map<String, List<String>> byVersion = new LinkedHashMap<>();
            endpoints.forEach(e -> byVersion.computeIfAbsent(e.serverVersion(), v -> new ArrayList<>()).add(e.name()));
            List<String> parts = new ArrayList<>();
            byVersion.forEach((version, names) -> parts.add(version + " on " + String.join(", ", names)));
            return "PostgreSQL " + String.join("; ", parts);
        }
    }

    private ConnectionTest() {
    }

    /** Connects to every endpoint of {@code config} once, in parallel; never throws for a failed connection. */
    public static Result test(PgPulseConfig config) {
        Instant at = Instant.now();
        List<EndpointConfig> endpoints = config.endpoints();
        if (endpoints.isEmpty()) {
            return new Result(List.of(), true, at);
        }
        ExecutorService pool = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("pgpulse-connection-test-", 1).factory());
        try {
            List<Future<EndpointResult>> futures = endpoints.stream()
                    .map(e -> pool.submit(() -> attempt(e))).toList();
            List<EndpointResult> results = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < endpoints.size(); i++) {
                EndpointConfig e = endpoints.get(i);
                Duration bound = bound(e);
                try {
                    // The attempts run together: each is waited for up to its bound from the common start.
                    results.add(futures.get(i).get(Math.max(0, bound.toNanos() - (System.nanoTime() - started)),
                            TimeUnit.NANOSECONDS));
                } catch (TimeoutException ex) {
                    futures.get(i).cancel(true);
                    results.add(failure(e, "no answer within " + Durations.format(bound) + " (connect_timeout "
                            + Durations.format(ConnectionBounds.attempt(e)) + " and the read limit); a hung server, "
                            + "or a proxy or firewall holding connections", null, bound));
                } catch (ExecutionException ex) {
                    results.add(failure(e, oneLine(String.valueOf(ex.getCause())), null, Duration.ZERO));
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    results.add(failure(e, "interrupted before it finished", null, Duration.ZERO));
                }
            }
            return new Result(results, false, at);
        } finally {
            // A driver thread past its bounds is abandoned, not waited for.
            pool.shutdownNow();
        }
    }

    private static EndpointResult attempt(EndpointConfig e) {
        long t0 = System.nanoTime();
        try (Connection c = new Driver().connect(e.jdbcUrl(), ConnectionBounds.health(e));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select current_setting('server_version'), pg_is_in_recovery()")) {
            rs.next();
            return new EndpointResult(e.name(), e.displayTarget(), true, rs.getString(1), rs.getBoolean(2), null, null,
                    false, since(t0));
        } catch (SQLException ex) {
            String reason = ConnectionBounds.describeTimeout(ex, ConnectionBounds.attempt(e))
                    .map(t -> t + " [" + ex.getSQLState() + "]")
                    .orElseGet(() -> oneLine(ex.getMessage()) + (ex.getSQLState() == null ? "" : " [" + ex.getSQLState() + "]"));
            return failure(e, reason, ex, since(t0));
        }
    }

    private static EndpointResult failure(EndpointConfig e, String reason, SQLException ex, Duration elapsed) {
        String state = ex == null ? null : ex.getSQLState();
        return new EndpointResult(e.name(), e.displayTarget(), false, null, false, reason, state,
                needsPassword(ex), elapsed);
    }

    /** 28P01 (password authentication failed), or pgjdbc's 08004 for a password, md5 or SCRAM request it cannot answer. */
    static boolean needsPassword(SQLException ex) {
        if (ex == null) {
            return false;
        }
        String m = ex.getMessage() == null ? "" : ex.getMessage().toLowerCase(Locale.ROOT);
        return "28P01".equals(ex.getSQLState()) || ("08004".equals(ex.getSQLState()) && m.contains(NO_PASSWORD_GIVEN));
    }

    /** The whole attempt: the login bound (connect_timeout + 1 s), the query's read limit and some slack. */
    private static Duration bound(EndpointConfig e) {
        return ConnectionBounds.everyHost(e, ConnectionBounds.attempt(e)).plusSeconds(1)
                .plus(ConnectionBounds.HEALTH_READ_TIMEOUT).plus(OVERALL_SLACK);
    }

    /** The first line, with any URL in it shown as {@link Redact} shows URLs. */
    private static String oneLine(String message) {
        String m = message == null ? "(no message)" : message.strip();
        int nl = m.indexOf('\n');
        return Redact.urlsIn(nl < 0 ? m : m.substring(0, nl).strip());
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
