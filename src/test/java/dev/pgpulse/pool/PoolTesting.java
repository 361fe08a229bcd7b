package dev.pgpulse.pool;

import dev.pgpulse.config.ConfigException;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/** Shared helpers for the pool tests: configurations as a user would give them, ports, server identity, logs. */
final class PoolTesting {
    private PoolTesting() {
    }

    /** The configuration a user gets with DATABASE_URL=primaryUrl, --replica for each replica and --set pairs. */
    static PgPulseConfig config(String primaryUrl, Path home, List<String> replicaUrls, Map<String, String> settings)
            throws ConfigException {
        return new ConfigLoader(Map.of("DATABASE_URL", primaryUrl), home, "tester", 2)
                .load(new Overrides(null, null, null, replicaUrls, null, settings));
    }

    /**
     * A port nothing listens on right now. Another process could take it before the test uses it, which on a
     * test machine is rare enough to accept.
     */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Which server a connection reached, told by the server itself: each initdb draws a new system identifier,
     * and the port tells apart two clusters that could share one.
     */
    static String serverIdentity(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(
                     "select system_identifier || ':' || current_setting('port') from pg_control_system()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
