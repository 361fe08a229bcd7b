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
            throw new BackupException("cannot create database '" + name + "' on " + source.host() + ":"
                    + source.port() + ": " + oneLine(e.getMessage()), e);
        }
    }

    /** Drops a database this restore made; a failure is logged, not thrown (it runs on failure paths). */
    void dropQuietly(String database, int serverMajor) {
        // A stopped pg_restore's backend may linger; FORCE (13+) ends it. Clear the interrupt so the driver connects.
        boolean interrupted = Thread.interrupted();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + quote(database) + (serverMajor >= 13 ? " with (force)" : ""));
        } catch (SQLException e) {
            LOG.warn("{} - could not drop the half-restored database '{}': {}; drop it by hand", source.name(),
                    database, oneLine(e.getMessage()));
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
