package dev.pgpulse.pool;

import dev.pgpulse.config.Durations;
import dev.pgpulse.config.EndpointConfig;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * How long any connection to a server may wait, in one place: pgjdbc's {@code connectTimeout} bounds only the
 * TCP connect, so a server (or proxy) that accepts and then never answers would hang the startup packet, TLS
 * negotiation or a query for ever. {@code loginTimeout} bounds the whole connection setup and
 * {@code socketTimeout} each read; which reads may be bounded depends on who is reading:
 * <ul>
 *   <li>the startup probe and health connections only run PgPulse's own short statements: every read is bounded;</li>
 *   <li>application pools run the application's queries, which the server itself stops at {@code statement_timeout}:
 *   a read waiting {@link #APPLICATION_READ_MARGIN} longer than that means the server is not answering. With
 *   {@code statement_timeout} 0 (unlimited queries asked for) no read limit is set.</li>
 * </ul>
 */
final class ConnectionBounds {
    /** What an unbounded {@code connect_timeout} (0, libpq's "wait for ever") becomes where a bound is required. */
    static final Duration REQUIRED_BOUND_FALLBACK = Duration.ofSeconds(10);
    /** Above the health monitor's 2 s {@code statement_timeout}: a probe's read waiting longer is a hung server. */
    static final Duration HEALTH_READ_TIMEOUT = Duration.ofSeconds(5);
    /** HikariCP validates a connection idle for over 500 ms before lending it; a dead one must not cost 5 s. */
    static final Duration HEALTH_VALIDATION_TIMEOUT = Duration.ofSeconds(1);
    /** Time for the server to report 57014 once {@code statement_timeout} has fired, and for the network. */
    static final Duration APPLICATION_READ_MARGIN = Duration.ofSeconds(5);
    /** HikariCP's own default and floor for {@code validationTimeout}. */
    private static final Duration VALIDATION_DEFAULT = Duration.ofSeconds(5);
    private static final Duration VALIDATION_FLOOR = Duration.ofMillis(250);
    /**
     * The login bound is a little above the socket-level bounds, so a plain timeout is reported by the socket
     * (naming the TCP connect or the read) and the login bound only catches a server that drips bytes slowly.
     */
    private static final Duration LOGIN_SLACK = Duration.ofSeconds(1);

    private ConnectionBounds() {
    }

    /**
     * What every connection to the endpoint carries: identity, TLS, application name, TCP connect and login bounds.
     * connect_timeout keeps libpq's meaning (the whole connection attempt); 0 leaves both unbounded.
     */
    static Properties common(EndpointConfig endpoint) {
        Properties p = new Properties();
        p.setProperty("user", endpoint.user());
        if (endpoint.hasPassword()) {
            p.setProperty("password", endpoint.password());
        }
        p.setProperty("sslmode", endpoint.sslMode());
        p.setProperty("ApplicationName", endpoint.applicationName());
        p.setProperty("tcpKeepAlive", "true");
        Duration connect = endpoint.connectTimeout();
        p.setProperty("connectTimeout", Long.toString(seconds(connect)));
        if (!connect.isZero()) {
            p.setProperty("loginTimeout", Long.toString(seconds(everyHost(endpoint, connect).plus(LOGIN_SLACK))));
        }
        return p;
    }

    /** The startup probe: one attempt, every step bounded by {@link #attempt}. */
    static Properties probe(EndpointConfig endpoint) {
        Properties p = common(endpoint);
        Duration attempt = attempt(endpoint);
        p.setProperty("connectTimeout", Long.toString(seconds(attempt)));
        p.setProperty("socketTimeout", Long.toString(seconds(attempt)));
        p.setProperty("loginTimeout", Long.toString(seconds(everyHost(endpoint, attempt).plus(LOGIN_SLACK))));
        return p;
    }

    /** The health pool: PgPulse's own short reads only, so each is bounded. */
    static Properties health(EndpointConfig endpoint) {
        Properties p = probe(endpoint);
        p.setProperty("socketTimeout", Long.toString(seconds(HEALTH_READ_TIMEOUT)));
        return p;
    }

    /** The application's pool: reads bounded only when statement_timeout bounds the queries (see the class). */
    static Properties application(EndpointConfig endpoint) {
        Properties p = common(endpoint);
        applicationReadTimeout(endpoint).ifPresent(t -> p.setProperty("socketTimeout", Long.toString(seconds(t))));
        return p;
    }

    /** statement_timeout plus {@link #APPLICATION_READ_MARGIN}; empty when statement_timeout is 0 (unlimited). */
    static Optional<Duration> applicationReadTimeout(EndpointConfig endpoint) {
        Duration statement = endpoint.pool().statementTimeout();
        return statement.isZero() ? Optional.empty() : Optional.of(statement.plus(APPLICATION_READ_MARGIN));
    }

    /** HikariCP's validation of an idle connection, never longer than a borrower may wait for one. */
    static Duration validation(Duration connectionTimeout) {
        Duration v = connectionTimeout.compareTo(VALIDATION_DEFAULT) < 0 ? connectionTimeout : VALIDATION_DEFAULT;
        return v.compareTo(VALIDATION_FLOOR) < 0 ? VALIDATION_FLOOR : v;
    }

    /** One connection attempt's bound: connect_timeout, or {@link #REQUIRED_BOUND_FALLBACK} when that is 0. */
    static Duration attempt(EndpointConfig endpoint) {
        return endpoint.connectTimeout().isZero() ? REQUIRED_BOUND_FALLBACK : endpoint.connectTimeout();
    }

    /**
     * A per-host bound for the whole attempt: libpq applies connect_timeout to each host it tries, and pgjdbc's
     * connectTimeout is per host too, but its loginTimeout covers them all; a first host that black-holes must leave
     * the next one its time.
     */
    static Duration everyHost(EndpointConfig endpoint, Duration perHost) {
        return perHost.multipliedBy(endpoint.hosts().size());
    }

    /** pgjdbc takes whole seconds; round up so a bound is never shorter than asked. */
    static long seconds(Duration d) {
        long ms = d.toMillis();
        return ms == 0 ? 0 : Math.max(1, (ms + 999) / 1000);
    }

    /**
     * What timed out, in words a DBA can act on, when the failure is a timeout; empty otherwise. pgjdbc reports
     * every one of them as 08001 with a generic message, the cause tells them apart.
     */
    static Optional<String> describeTimeout(SQLException e, Duration bound) {
        String within = " within connect_timeout (" + Durations.format(Duration.ofSeconds(seconds(bound))) + ")";
        return timedOut(e).map(what -> what.equals(CONNECT)
                ? "TCP connect timed out: no answer to the connection request" + within
                : "login/startup timed out: the server accepted the TCP connection but did not answer" + within
                  + "; a hung server, or a proxy or firewall holding connections");
    }

    static final String CONNECT = "TCP connect";
    static final String LOGIN = "login/startup";
    static final String QUERY = "query";
    static final String CONNECT_OR_LOGIN = "connect/login";

    /**
     * Which step of talking to a server timed out: {@value #CONNECT}, {@value #LOGIN}, {@value #QUERY} (a read
     * of an established connection), or {@value #CONNECT_OR_LOGIN} when a borrower gave up while the pool was still
     * trying its first connection; empty when the failure is no timeout.
     */
    static Optional<String> timedOut(Throwable failure) {
        boolean connecting = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage();
            // HikariCP's pool timeout carries the last connection failure as its cause
            connecting |= t instanceof SQLTransientConnectionException || m.contains("connection attempt failed");
            if (m.contains("Connection attempt timed out")) {
                return Optional.of(LOGIN); // pgjdbc's loginTimeout: TLS request, startup and authentication
            }
            if (t instanceof SocketTimeoutException) {
                return Optional.of(m.toLowerCase(Locale.ROOT).contains("connect") ? CONNECT : connecting ? LOGIN : QUERY);
            }
        }
        // HikariCP gave up waiting with no connection at all and no failure yet: the attempt is still hanging
        String m = failure == null || failure.getMessage() == null ? "" : failure.getMessage();
        return failure instanceof SQLTransientConnectionException && failure.getCause() == null && m.contains("total=0")
                ? Optional.of(CONNECT_OR_LOGIN) : Optional.empty();
    }
}
