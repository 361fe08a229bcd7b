package dev.pgpulse.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How to reach one PostgreSQL server and how to pool connections to it. Immutable; {@link #toString()}
 * never shows the password.
 *
 * <p>The primary may list several hosts, as libpq and pgjdbc take them ({@code db1:5432,db2:5433}): connections go to
 * the first of them that takes writes, so after a standby is promoted the pool finds it by itself. A replica is one
 * server.
 *
 * @param hosts       the addresses, in the order they are tried; at least one, exactly one for a replica
 * @param primaryOnly connect only to a server that takes writes (pgjdbc's {@code targetServerType=primary}, libpq's
 *                    {@code target_session_attrs=read-write}): set for a primary listing several hosts, or asked for
 *                    in its URL
 */
public record EndpointConfig(
        String name,
        Role role,
        List<HostPort> hosts,
        String database,
        String user,
        String password,
        String sslMode,
        String applicationName,
        Duration connectTimeout,
        PoolSizing pool,
        boolean primaryOnly) {

    public enum Role { PRIMARY, REPLICA }

    /**
     * How often pgjdbc asks again whether a host it found to be a standby (or down) has become the primary: the
     * time a failover may take to be noticed by a new connection, on top of the promotion itself.
     */
    public static final int HOST_RECHECK_SECONDS = 2;

    public EndpointConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(hosts, "hosts");
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("hosts must name at least one server");
        }
        if (role == Role.REPLICA && hosts.size() > 1) {
            throw new IllegalArgumentException("a replica is one server, but " + hosts.size() + " hosts were given");
        }
        if (role == Role.REPLICA && primaryOnly) {
            throw new IllegalArgumentException("a replica cannot require a server that takes writes");
        }
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sslMode, "sslMode");
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(pool, "pool");
    }

    /** One server. */
    public EndpointConfig(String name, Role role, String host, int port, String database, String user, String password,
                          String sslMode, String applicationName, Duration connectTimeout, PoolSizing pool) {
        this(name, role, List.of(new HostPort(host, port)), database, user, password, sslMode, applicationName,
                connectTimeout, pool, false);
    }

    /** The first host listed: for code that needs one address (a .pgpass line, a message). */
    public String host() {
        return hosts.getFirst().host();
    }

    /** The first host's port. */
    public int port() {
        return hosts.getFirst().port();
    }

    public boolean multiHost() {
        return hosts.size() > 1;
    }

    /** {@code db1:5432,db2:5433}: the addresses as a URL lists them. */
    public String hostList() {
        return hosts.stream().map(HostPort::toString).collect(Collectors.joining(","));
    }

    /** The hosts as libpq's {@code -h} / {@code PGHOST} take them: {@code db1,db2} (IPv6 without brackets). */
    public String libpqHosts() {
        return hosts.stream().map(HostPort::host).collect(Collectors.joining(","));
    }

    /** The ports as libpq's {@code -p} / {@code PGPORT} take them, one per host: {@code 5432,5433}. */
    public String libpqPorts() {
        return hosts.stream().map(h -> Integer.toString(h.port())).collect(Collectors.joining(","));
    }

    /**
     * The JDBC URL without credentials: user and password travel as connection properties. With
     * {@link #primaryOnly} it asks pgjdbc for the host that takes writes ({@code targetServerType=primary}) and to look
     * again at the others every {@link #HOST_RECHECK_SECONDS}; other properties follow with {@code &}.
     */
    public String jdbcUrl() {
        // pgjdbc percent-decodes the database part and ends it at '?': "a+b" would be "a b", "50%" unparsable.
        String url = "jdbc:postgresql://" + hostList() + "/"
                + java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8);
        return primaryOnly ? url + "?targetServerType=primary&hostRecheckSeconds=" + HOST_RECHECK_SECONDS : url;
    }

    /** {@code user@host:port/database} ({@code user@db1:5432,db2:5433/database} with several hosts), safe for logs and the UI. */
    public String displayTarget() {
        return user + "@" + hostList() + "/" + database;
    }

    public boolean hasPassword() {
        return password != null && !password.isEmpty();
    }

    public EndpointConfig withPool(PoolSizing newPool) {
        return new EndpointConfig(name, role, hosts, database, user, password, sslMode, applicationName,
                connectTimeout, newPool, primaryOnly);
    }

    @Override
    public String toString() {
        return "EndpointConfig[" + name + " " + role.name().toLowerCase(java.util.Locale.ROOT) + " " + displayTarget()
                + (primaryOnly ? " target_session_attrs=read-write" : "")
                + " password=" + (hasPassword() ? Setting.MASK : "(none)") + " sslmode=" + sslMode
                + " application_name=" + applicationName + " connect_timeout=" + Durations.format(connectTimeout)
                + " " + pool + "]";
    }
}
