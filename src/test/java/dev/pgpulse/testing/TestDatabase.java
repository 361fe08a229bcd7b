package dev.pgpulse.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * A real PostgreSQL for a test: {@code PGPULSE_TEST_URL} when set, else the embedded server started once per run.
 */
public record TestDatabase(String host, int port, String user, String password, String database) {

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A libpq URI, with the password when there is one (tests only). */
    public String url() {
        String auth = password == null || password.isEmpty() ? user : user + ":" + password;
        return "postgresql://" + auth + "@" + host + ":" + port + "/" + database;
    }

    /** An environment that points PgPulse at this database, as a user would with DATABASE_URL. */
    public Map<String, String> env() {
        return Map.of("DATABASE_URL", url());
    }

    public Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(jdbcUrl(), p);
    }

    /** Applies PgPulse's shipped migrations (the demo schema) to this database, as `pgpulse migrate` would. */
    public TestDatabase migrated() throws Exception {
        var primary = new dev.pgpulse.config.ConfigLoader(env(), java.nio.file.Path.of("/nonexistent"), "tester", 2)
                .load(dev.pgpulse.config.Overrides.none()).primary().orElseThrow();
        new dev.pgpulse.orchestration.MigrationRunner(primary, java.util.List.of("classpath:db/migration"),
                "pgpulse_schema_history", true).migrate();
        return this;
    }

    /** Drops a database on this server that a test made, if it is there (sessions still in it are ended). */
    public void dropDatabase(String name) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + name + " with (force)");
        }
    }

    /** A fresh, empty database on the same server (dropped first if a previous run left it). */
    public TestDatabase freshDatabase(String name) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + name + " with (force)");
            st.execute("create database " + name);
        }
        return new TestDatabase(host, port, user, password, name);
    }

    /** Runs each statement in turn, autocommit, on a connection of its own. */
    public void exec(String... sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /** The first column of the first row of a query that returns one number. */
    public long queryLong(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
