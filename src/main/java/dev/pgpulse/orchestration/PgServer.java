package dev.pgpulse.orchestration;

import dev.pgpulse.config.EndpointConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** What a backup or restore asks of the source's server over JDBC: its version, and creating or dropping a database. */
final class PgServer {
    private static final Logger LOG = LoggerFactory.getLogger(PgServer.class);

    /** The server's major version and its version text ("15.19 (Debian 15.19-1.pgdg120+1)"). */
    record Version(int major, String text) {
    }

    /** How long a terminated session gets to go before {@link #endSessions} gives up waiting. */
    static final java.time.Duration SESSION_END = java.time.Duration.ofSeconds(5);

    private final EndpointConfig source;

    PgServer(EndpointConfig source) {
        this.source = source;
    }

    Version version() throws BackupException {
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(
                     "select current_setting('server_version_num')::int, current_setting('server_version')")) {
            rs.next();
            return new Version(rs.getInt(1) / 10000, rs.getString(2));
        } catch (SQLException e) {
            throw new BackupException("cannot connect to " + source.displayTarget() + ": " + oneLine(e.getMessage()), e);
        }
    }

    /** A new, empty database from template0 with the source's encoding, collation and locale provider. */
    void createDatabase(String name) throws BackupException {
        try (Connection c = connect();
             PreparedStatement exists = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    throw new BackupException("database '" + name
                            + "' already exists; choose a new --target-db or drop it first");
                }
            }
            String locale = localeOf(c, source.database());
            try (Statement st = c.createStatement()) {
                // template0: template1 may carry objects of its own that the archive would collide with
                st.execute("create database " + quote(name) + " template template0" + locale);
            }
        } catch (SQLException e) {
            throw new BackupException("cannot create database '" + name + "' on " + source.hostList() + ": "
                    + oneLine(e.getMessage()), e);
        }
    }

    /**
     * Drops a database this restore made; a failure is logged, not thrown (it runs on failure paths).
     *
     * @return whether it is gone
     */
    boolean dropQuietly(String database, int serverMajor) {
        // A stopped pg_restore's backend may linger; FORCE (13+) ends it. Clear the interrupt so the driver connects.
        boolean interrupted = Thread.interrupted();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + quote(database) + (serverMajor >= 13 ? " with (force)" : ""));
            return true;
        } catch (SQLException e) {
            LOG.warn("{} - could not drop the half-restored database '{}': {}; drop it by hand", source.name(),
                    database, oneLine(e.getMessage()));
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Ends the sessions on {@code database} named {@code applicationName} (a stopped pg_restore's backend, which
     * waits on its lock without noticing its client left) and waits up to {@link #SESSION_END} for them to go, so
     * their transaction is rolled back when this returns true. A failure is logged, not thrown.
     */
    boolean endSessions(String database, String applicationName) {
        boolean interrupted = Thread.interrupted();
        String match = " from pg_stat_activity where datname = ? and application_name = ? and pid <> pg_backend_pid()";
        try (Connection c = connect();
             PreparedStatement end = c.prepareStatement("select count(pg_terminate_backend(pid))" + match);
             PreparedStatement left = c.prepareStatement("select count(*)" + match)) {
            for (PreparedStatement ps : new PreparedStatement[] {end, left}) {
                ps.setString(1, database);
                ps.setString(2, applicationName);
            }
            end.executeQuery().close();
            long deadline = System.nanoTime() + SESSION_END.toNanos();
            while (true) {
                try (ResultSet rs = left.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return true;
                    }
                }
                if (System.nanoTime() > deadline) {
                    LOG.warn("{} - the session '{}' on '{}' did not end within {} s", source.name(), applicationName,
                            database, SESSION_END.toSeconds());
                    return false;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            }
        } catch (SQLException e) {
            LOG.warn("{} - could not end the session '{}' on '{}': {}", source.name(), applicationName, database,
                    oneLine(e.getMessage()));
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The create-database options that give a copy of {@code database} its encoding, locales and provider. */
    private static String localeOf(Connection c, String database) throws SQLException {
        int major = c.getMetaData().getDatabaseMajorVersion();
        String sql = "select pg_encoding_to_char(encoding), datcollate, datctype, "
                + (major >= 15 ? "datlocprovider::text, " + (major >= 17 ? "datlocale" : "daticulocale") : "null, null")
                + ", " + (major >= 16 ? "daticurules" : "null") + " from pg_database where datname = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("database '" + database + "' not found in pg_database");
                }
                StringBuilder options = new StringBuilder(" encoding " + literal(rs.getString(1))
                        + " lc_collate " + literal(rs.getString(2)) + " lc_ctype " + literal(rs.getString(3)));
                String provider = rs.getString(4);
                String locale = rs.getString(5);
                String rules = rs.getString(6);
                if ("c".equals(provider)) {
                    options.append(" locale_provider libc");
                } else if ("i".equals(provider) && locale != null) {
                    options.append(" locale_provider icu icu_locale ").append(literal(locale));
                    if (rules != null) {
                        options.append(" icu_rules ").append(literal(rules));
                    }
                } else if ("b".equals(provider) && locale != null) {
                    options.append(" locale_provider builtin builtin_locale ").append(literal(locale));
                }
                return options.toString();
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", source.user());
        if (source.hasPassword()) {
            p.setProperty("password", source.password());
        }
        p.setProperty("sslmode", source.sslMode());
        p.setProperty("ApplicationName", BackupManager.APPLICATION_NAME);
        long connect = Math.max(1, source.connectTimeout().toSeconds());
        p.setProperty("connectTimeout", Long.toString(connect));
        p.setProperty("loginTimeout", Long.toString(connect));
        p.setProperty("socketTimeout", "60");
        return DriverManager.getConnection(source.jdbcUrl(), p);
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** A string literal whatever standard_conforming_strings says: E'' (backslashes doubled) when one occurs. */
    static String literal(String value) {
        String quoted = value.replace("'", "''");
        return value.indexOf('\\') < 0 ? "'" + quoted + "'" : "E'" + quoted.replace("\\", "\\\\") + "'";
    }

    static String oneLine(String message) {
        return message == null ? "(no message)" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
