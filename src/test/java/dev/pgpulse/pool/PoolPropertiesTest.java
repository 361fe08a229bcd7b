package dev.pgpulse.pool;

import com.zaxxer.hikari.HikariDataSource;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings must arrive where they act: in HikariCP, and in each server session the pool opens. */
@ExtendWith(PostgresExtension.class)
class PoolPropertiesTest {

    @TempDir
    Path home;

    /** pgjdbc percent-decodes the database part of its URL and stops it at '?': a name must travel encoded. */
    @Test
    void aDatabaseNameWithURLCharactersReachesThatDatabase(TestDatabase db) throws Exception {
        String name = "odd+name 5%?#/x";
        db.exec("drop database if exists \"" + name + "\"", "create database \"" + name + "\"");
        try {
            String url = "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/"
                    + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
            PgPulseConfig config = PoolTesting.config(url, home, List.of(), Map.of("pool.min_idle", "0"));
            assertThat(config.primary().orElseThrow().database()).isEqualTo(name);
            try (Endpoints endpoints = Endpoints.open(config, new SimpleMeterRegistry());
                 Connection c = endpoints.primary().connection()) {
                assertThat(PoolTesting.queryString(c, "select current_database()")).isEqualTo(name);
            }
        } finally {
            db.exec("drop database if exists \"" + name + "\" with (force)");
        }
    }

    @Test
    void statementTimeoutIsSetInEveryPooledSessionAndEnforced(TestDatabase db) throws Exception {
        PgPulseConfig config = PoolTesting.config(db.url(), home, List.of(),
                Map.of("pool.statement_timeout", "1500ms", "pool.max_size", "2", "pool.min_idle", "2"));
        try (Endpoints endpoints = Endpoints.open(config, new SimpleMeterRegistry());
             Connection a = endpoints.primary().connection();
             Connection b = endpoints.primary().connection()) {
            // Both sessions, not just the first: the setting travels in every startup packet.
            assertThat(PoolTesting.queryString(a, "show statement_timeout")).isEqualTo("1500ms");
            assertThat(PoolTesting.queryString(b, "show statement_timeout")).isEqualTo("1500ms");
            assertThat(PoolTesting.queryString(a, "select pg_backend_pid()"))
                    .isNotEqualTo(PoolTesting.queryString(b, "select pg_backend_pid()"));

            long t0 = System.nanoTime();
            assertThatThrownBy(() -> {
                try (Statement st = a.createStatement()) {
                    st.execute("select pg_sleep(10)");
                }
            }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .isBetween(Duration.ofMillis(1_400), Duration.ofSeconds(6));
        }
    }

    /**
     * A server that stops answering (the proxy's black hole: the TCP connection stays up, keepalives are answered)
     * fails an application read once statement_timeout plus the margin is over, instead of hanging it for ever; a
     * legitimate query is stopped by the server at statement_timeout before that. With statement_timeout 0 the
     * application asked for unlimited queries, and no read limit is set.
     */
    @Test
    void aServerThatStopsAnsweringFailsAReadAfterStatementTimeoutPlusTheMargin(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             Endpoints endpoints = Endpoints.open(PoolTesting.config(proxy.through(db).url(), home, List.of(),
                     Map.of("pool.statement_timeout", "1s", "pool.max_size", "1")), new SimpleMeterRegistry());
             Connection c = endpoints.primary().connection()) {
            assertThat(PoolTesting.queryString(c, "select 'answered'")).isEqualTo("answered");
            proxy.blackhole(true);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> PoolTesting.queryString(c, "select 1")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(Endpoints.timedOut(e)).contains("query"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .isBetween(Duration.ofMillis(5_900), Duration.ofSeconds(12));
        }
        try (Endpoints endpoints = Endpoints.open(PoolTesting.config(db.url(), home, List.of(),
                Map.of("pool.statement_timeout", "0")), new SimpleMeterRegistry())) {
            assertThat(endpoints.primary().dataSource().getDataSourceProperties()).doesNotContainKey("socketTimeout")
                    .containsEntry("loginTimeout", "11");
        }
    }

    @Test
    void statementTimeoutDefaultsToThePresetAndZeroLeavesTheServerDefault(TestDatabase db) throws Exception {
        try (Endpoints endpoints = Endpoints.open(PoolTesting.config(db.url(), home, List.of(), Map.of()),
                new SimpleMeterRegistry());
             Connection c = endpoints.primary().connection()) {
            assertThat(PoolTesting.queryString(c, "show statement_timeout")).isEqualTo("30s");
        }
        String serverDefault;
        try (Connection c = db.connect()) {
            serverDefault = PoolTesting.queryString(c, "show statement_timeout");
        }
        try (Endpoints endpoints = Endpoints.open(
                PoolTesting.config(db.url(), home, List.of(), Map.of("pool.statement_timeout", "0")),
                new SimpleMeterRegistry());
             Connection c = endpoints.primary().connection()) {
            assertThat(PoolTesting.queryString(c, "show statement_timeout")).isEqualTo(serverDefault);
        }
    }

    @Test
    void applicationNameShowsInTheSessionAndInPgStatActivity(TestDatabase db) throws Exception {
        try (Endpoints endpoints = Endpoints.open(PoolTesting.config(db.url(), home, List.of(),
                Map.of("primary.application_name", "pgpulse-it-props")), new SimpleMeterRegistry());
             Connection c = endpoints.primary().connection()) {
            assertThat(PoolTesting.queryString(c, "show application_name")).isEqualTo("pgpulse-it-props");
            assertThat(applicationNameOfOwnBackend(c)).isEqualTo("pgpulse-it-props");
        }
        try (Endpoints endpoints = Endpoints.open(PoolTesting.config(db.url(), home, List.of(), Map.of()),
                new SimpleMeterRegistry());
             Connection c = endpoints.primary().connection()) {
            assertThat(applicationNameOfOwnBackend(c)).isEqualTo("pgpulse");
        }
    }

    private static String applicationNameOfOwnBackend(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select application_name from pg_stat_activity where pid = pg_backend_pid()");
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    @Test
    void poolSettingsReachHikari(TestDatabase db) throws Exception {
        PgPulseConfig config = PoolTesting.config(db.url(), home, List.of(), Map.of(
                "pool.max_size", "7", "pool.min_idle", "3", "pool.connection_timeout", "750ms",
                "pool.idle_timeout", "45s", "pool.max_lifetime", "20m", "pool.keepalive", "60s",
                "pool.leak_detection", "4s"));
        try (Endpoints endpoints = Endpoints.open(config, new SimpleMeterRegistry())) {
            HikariDataSource ds = endpoints.primary().dataSource();
            assertThat(ds.getPoolName()).isEqualTo("primary");
            assertThat(ds.getMaximumPoolSize()).isEqualTo(7);
            assertThat(ds.getMinimumIdle()).isEqualTo(3);
            assertThat(ds.getConnectionTimeout()).isEqualTo(750);
            assertThat(ds.getIdleTimeout()).isEqualTo(45_000);
            assertThat(ds.getMaxLifetime()).isEqualTo(1_200_000);
            assertThat(ds.getKeepaliveTime()).isEqualTo(60_000);
            assertThat(ds.getLeakDetectionThreshold()).isEqualTo(4_000);
            assertThat(ds.isReadOnly()).isFalse();
            assertThat(ds.getJdbcUrl()).isEqualTo(db.jdbcUrl()).doesNotContain("password");
            PoolSnapshot s = endpoints.primary().snapshot();
            assertThat(s.max()).isEqualTo(7);
            assertThat(s.minIdle()).isEqualTo(3);
        }
    }
}
