package dev.pgpulse.pool;

import dev.pgpulse.testing.LogCapture;
import ch.qos.logback.classic.Level;
import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Routing, proven by the server that answers: a second embedded PostgreSQL stands as the replica, and each
 * connection is asked which cluster it reached.
 */
@ExtendWith(PostgresExtension.class)
class RoutingTest {
    private static Path replicaDir;
    private static EmbeddedServer replica;
    private static String primaryId;
    private static String replicaId;

    @TempDir
    Path home;

    @BeforeAll
    static void startReplica(TestDatabase db) throws Exception {
        replicaDir = Files.createTempDirectory("pgpulse-routing-replica");
        replica = EmbeddedServer.start(replicaDir.resolve("data"), 0);
        try (Connection p = db.connect(); Connection r = directToReplica()) {
            primaryId = PoolTesting.serverIdentity(p);
            replicaId = PoolTesting.serverIdentity(r);
        }
        assertThat(replicaId).isNotEqualTo(primaryId);
    }

    @AfterAll
    static void stopReplica() throws Exception {
        if (replica != null) {
            replica.close();
        }
        PostgresExtension.deleteTree(replicaDir);
    }

    private static Connection directToReplica() throws SQLException {
        return DriverManager.getConnection(replica.jdbcUrl(), EmbeddedServer.SUPERUSER, null);
    }

    private Endpoints open(TestDatabase db, List<String> replicaUrls, Map<String, String> settings) throws Exception {
        PgPulseConfig config = PoolTesting.config(db.url(), home, replicaUrls, settings);
        return Endpoints.open(config, new SimpleMeterRegistry());
    }

    private static String identityVia(Endpoint endpoint) throws SQLException {
        try (Connection c = endpoint.connection()) {
            return PoolTesting.serverIdentity(c);
        }
    }

    @Test
    void readGoesToTheReplicaAndWriteToThePrimary(TestDatabase db) throws Exception {
        try (Endpoints endpoints = open(db, List.of(replica.url()), Map.of())) {
            assertThat(endpoints.replicas()).extracting(Endpoint::name).containsExactly("replica-1");
            assertThat(endpoints.all()).extracting(Endpoint::name).containsExactly("primary", "replica-1");
            assertThat(endpoints.snapshots()).extracting(PoolSnapshot::endpoint).containsExactly("primary", "replica-1");
            assertThat(endpoints.byName("replica-1")).containsSame(endpoints.replicas().getFirst());

            Endpoint read = endpoints.route(Route.READ);
            Endpoint write = endpoints.route(Route.WRITE);
            assertThat(read.role()).isEqualTo(EndpointConfig.Role.REPLICA);
            assertThat(write).isSameAs(endpoints.primary());
            assertThat(identityVia(read)).isEqualTo(replicaId);
            assertThat(identityVia(write)).isEqualTo(primaryId);
            assertThat(identityVia(endpoints.route(Route.ANY))).isEqualTo(primaryId);
        }
    }

    @Test
    void replicaConnectionsAreReadOnlyAndPrimaryConnectionsAreNot(TestDatabase db) throws Exception {
        String table = "routing_ro_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection r = directToReplica(); Statement st = r.createStatement()) {
            st.execute("create table " + table + " (id int)");
        }
        try (Endpoints endpoints = open(db, List.of(replica.url()), Map.of())) {
            try (Connection c = endpoints.route(Route.READ).connection()) {
                assertThat(c.isReadOnly()).isTrue();
                // HikariCP's default autocommit is where a driver-side read-only flag is easiest to lose: the
                // server must enforce it on plain statements, not only inside explicit transactions.
                assertThat(c.getAutoCommit()).isTrue();
                assertThatThrownBy(() -> {
                    try (Statement st = c.createStatement()) {
                        st.executeUpdate("insert into " + table + " values (1)");
                    }
                }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
                assertThat(PoolTesting.queryString(c, "show transaction_read_only")).isEqualTo("on");
            }
            try (Connection c = endpoints.route(Route.WRITE).connection(); Statement st = c.createStatement()) {
                assertThat(c.isReadOnly()).isFalse();
                st.execute("create table " + table + " (id int)");
                try {
                    assertThat(st.executeUpdate("insert into " + table + " values (1)")).isEqualTo(1);
                } finally {
                    st.execute("drop table " + table);
                }
            }
        } finally {
            try (Connection r = directToReplica(); Statement st = r.createStatement()) {
                assertThat(st.executeUpdate("drop table " + table)).isZero();
            }
        }
    }

    @Test
    void readFallsBackToThePrimaryWhenTheReplicaPoolIsClosed(TestDatabase db) throws Exception {
        try (Endpoints endpoints = open(db, List.of(replica.url()), Map.of())) {
            Endpoint r1 = endpoints.replicas().getFirst();
            assertThat(endpoints.route(Route.READ)).isSameAs(r1);

            r1.close();

            assertThat(r1.isUsable()).isFalse();
            Endpoint read = endpoints.route(Route.READ);
            assertThat(read).isSameAs(endpoints.primary());
            assertThat(identityVia(read)).isEqualTo(primaryId);
            assertThat(endpoints.route(Route.ANY)).isSameAs(endpoints.primary());
        }
    }

    @Test
    void readGoesToThePrimaryWithoutReplicas(TestDatabase db) throws Exception {
        try (Endpoints endpoints = open(db, List.of(), Map.of())) {
            assertThat(endpoints.replicas()).isEmpty();
            Endpoint read = endpoints.route(Route.READ);
            assertThat(read).isSameAs(endpoints.primary());
            try (Connection c = read.connection()) {
                assertThat(PoolTesting.serverIdentity(c)).isEqualTo(primaryId);
                assertThat(c.isReadOnly()).isFalse();
            }
        }
    }

    @Test
    void twoReplicasTakeReadsInTurn(TestDatabase db) throws Exception {
        try (Endpoints endpoints = open(db, List.of(replica.url(), replica.url()), Map.of())) {
            assertThat(endpoints.replicas()).extracting(Endpoint::name).containsExactly("replica-1", "replica-2");
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Endpoint read = endpoints.route(Route.READ);
                order.add(read.name());
                assertThat(identityVia(read)).isEqualTo(replicaId);
            }
            assertThat(order).containsExactly("replica-1", "replica-2", "replica-1", "replica-2", "replica-1",
                    "replica-2");

            // The caller's health verdict (the resilience layer's breakers) skips a replica without closing it.
            for (int i = 0; i < 3; i++) {
                assertThat(endpoints.route(Route.READ, e -> !e.name().equals("replica-1")).name())
                        .isEqualTo("replica-2");
            }
            assertThat(endpoints.route(Route.ANY, e -> e.role() == EndpointConfig.Role.REPLICA).role())
                    .isEqualTo(EndpointConfig.Role.REPLICA);
            assertThat(endpoints.route(Route.READ, e -> false)).isSameAs(endpoints.primary());
            assertThat(endpoints.route(Route.WRITE, e -> false)).isSameAs(endpoints.primary());

            endpoints.byName("replica-2").orElseThrow().close();
            for (int i = 0; i < 3; i++) {
                assertThat(endpoints.route(Route.READ).name()).isEqualTo("replica-1");
            }
        }
    }

    /**
     * A replica that is down at startup must not stop PgPulse; its pool must connect by itself once the server
     * is back. The shared replica is stopped and restarted on the same port and data folder for this.
     */
    @Test
    void replicaDownAtStartupIsLoggedAndConnectsOnceItIsBack(TestDatabase db) throws Exception {
        int port = replica.port();
        String url = replica.url();
        replica.close();
        try (LogCapture log = new LogCapture(Endpoints.class)) {
            long t0 = System.nanoTime();
            try (Endpoints endpoints = open(db, List.of(url),
                    Map.of("startup.wait", "1s", "pool.connection_timeout", "1s"))) {
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
                assertThat(log.events(Level.WARN, "replica-1 - not reachable at startup")).hasSize(1);
                assertThat(identityVia(endpoints.primary())).isEqualTo(primaryId);
                Endpoint r1 = endpoints.replicas().getFirst();
                assertThatThrownBy(r1::connection).isInstanceOf(SQLException.class);
                assertThat(r1.isUsable()).as("a replica that never answered is not usable").isFalse();
                assertThat(endpoints.route(Route.READ)).as("reads fall back while it is down")
                        .isSameAs(endpoints.primary());

                replica = EmbeddedServer.start(replicaDir.resolve("data"), port);

                await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .untilAsserted(() -> assertThat(identityVia(r1)).isEqualTo(replicaId));
                await().atMost(Duration.ofSeconds(20)).until(r1::isUsable);
                assertThat(endpoints.route(Route.READ)).as("reads return once it is back").isSameAs(r1);
            }
        } finally {
            if (!isRunning(port)) {
                replica = EmbeddedServer.start(replicaDir.resolve("data"), port);
            }
        }
    }

    private static boolean isRunning(int port) {
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://localhost:" + port + "/" + EmbeddedServer.DATABASE, EmbeddedServer.SUPERUSER, null)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }
}
