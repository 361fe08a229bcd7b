package dev.pgpulse.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach one PostgreSQL server and how to pool connections to it. Immutable; {@link #toString()}
 * never shows the password.
 */
public record EndpointConfig(
        String name,
        Role role,
        String host,
        int port,
        String database,
        String user,
        String password,
        String sslMode,
        String applicationName,
        Duration connectTimeout,
        PoolSizing pool) {

    public enum Role { PRIMARY, REPLICA }

    public EndpointConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sslMode, "sslMode");
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(pool, "pool");
    }

    /** The JDBC URL without credentials: user and password travel as connection properties. */
    public String jdbcUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        // pgjdbc percent-decodes the database part and ends it at '?': "a+b" would be "a b", "50%" unparsable.
        return "jdbc:postgresql://" + h + ":" + port + "/"
                + java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code user@host:port/database}, safe for logs and the UI. */
    public String displayTarget() {
        return user + "@" + host + ":" + port + "/" + database;
    }

    public boolean hasPassword() {
        return password != null && !password.isEmpty();
    }

    public EndpointConfig withPool(PoolSizing newPool) {
        return new EndpointConfig(name, role, host, port, database, user, password, sslMode, applicationName,
                connectTimeout, newPool);
    }

    @Override
    public String toString() {
        return "EndpointConfig[" + name + " " + role.name().toLowerCase(java.util.Locale.ROOT) + " " + displayTarget()
                + " password=" + (hasPassword() ? Setting.MASK : "(none)") + " sslmode=" + sslMode
                + " application_name=" + applicationName + " connect_timeout=" + Durations.format(connectTimeout)
                + " " + pool + "]";
    }
}
