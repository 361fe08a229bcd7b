package dev.pgpulse.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Each fault of {@link FaultProxy}, proven with pgjdbc against a real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
@Timeout(30)
class FaultProxyTest {
    private static final String TABLE = "fault_proxy_test";
    /** Bounds so that a proxy bug fails a test instead of hanging the run. */
    private static final String BOUNDS = "connectTimeout=5&socketTimeout=10";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @BeforeEach
    void createTable(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("drop table if exists " + TABLE);
            st.execute("create table " + TABLE + " (id int primary key, note text not null)");
        }
    }

    @AfterEach
    void dropTable(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("drop table if exists " + TABLE);
        }
    }

    @Test
    void forwardsQueriesAndLargeResultsBothWays(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            TestDatabase through = proxy.through(db);
            assertThat(through.host()).isEqualTo("127.0.0.1").isEqualTo(proxy.host());
            assertThat(through.port()).isEqualTo(proxy.port()).isNotEqualTo(db.port());
            assertThat(through.user()).isEqualTo(db.user());
            assertThat(through.database()).isEqualTo(db.database());

            try (Connection c = through.connect()) {
                assertThat(queryInt(c, "select 1")).isEqualTo(1);
                assertThat(queryString(c, "select current_database()")).isEqualTo(db.database());
                // well over one 16 KiB pump buffer in each direction
                String big = "x".repeat(200_000);
                try (PreparedStatement ps = c.prepareStatement("select length(?) || ':' || repeat('y', 300000)")) {
                    ps.setString(1, big);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertThat(rs.getString(1)).isEqualTo("200000:" + "y".repeat(300_000));
                    }
                }
                assertThat(proxy.openConnections()).isEqualTo(1);
                assertThat(proxy.acceptedConnections()).isEqualTo(1);
            }
            await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
        }
    }

    @Test
    void cutAllBreaksOpenConnectionsButNotNewOnes(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            TestDatabase through = proxy.through(db);
            try (Connection c = connect(through, BOUNDS)) {
                assertThat(queryInt(c, "select 1")).isEqualTo(1);

                proxy.cutAll();

                assertThatThrownBy(() -> queryInt(c, "select 1"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
                assertThat(c.isValid(1)).isFalse();
            }
            await().atMost(WAIT).until(() -> proxy.openConnections() == 0);
            try (Connection c = connect(through, BOUNDS)) {
                assertThat(queryInt(c, "select 2")).isEqualTo(2);
            }
            assertThat(proxy.acceptedConnections()).isEqualTo(2);
        }
    }

    @Test
    void refuseRefusesNewConnectionsAndListensAgainOnTheSamePort(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            TestDatabase through = proxy.through(db);
            int port = proxy.port();
            try (Connection existing = connect(through, BOUNDS)) {
                proxy.refuse(true);
                proxy.refuse(true); // idempotent

                assertThatThrownBy(() -> connect(through, BOUNDS).close())
                        .isInstanceOfSatisfying(SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("08001"));
                // refusing new connections leaves the existing ones alone
                assertThat(queryInt(existing, "select 1")).isEqualTo(1);

                proxy.refuse(false);
                proxy.refuse(false); // idempotent

                assertThat(proxy.port()).isEqualTo(port);
                try (Connection again = connect(through, BOUNDS)) {
                    assertThat(queryInt(again, "select 3")).isEqualTo(3);
                }
                assertThat(queryInt(existing, "select 4")).isEqualTo(4);
            }
            // the refused attempt never got past the kernel
            assertThat(proxy.acceptedConnections()).isEqualTo(2);
        }
    }

    @Test
    void outageCutsAndRefusesUntilRestore(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            TestDatabase through = proxy.through(db);
            try (Connection c = connect(through, BOUNDS)) {
                assertThat(queryInt(c, "select 1")).isEqualTo(1);

                proxy.outage();

                assertThatThrownBy(() -> queryInt(c, "select 1"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
                assertThatThrownBy(() -> connect(through, BOUNDS).close())
                        .isInstanceOfSatisfying(SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("08001"));
            }
            proxy.restore();
            try (Connection c = connect(through, BOUNDS)) {
                assertThat(queryInt(c, "select 5")).isEqualTo(5);
            }
        }
    }

    @Test
    void blackholeSwallowsBytesUntilTurnedOff(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            TestDatabase through = proxy.through(db);
            try (Connection victim = connect(through, "connectTimeout=5&socketTimeout=1");
                 Connection bystander = connect(through, BOUNDS)) {
                assertThat(queryInt(victim, "select 1")).isEqualTo(1);

                proxy.blackhole(true);

                long t0 = System.nanoTime();
                assertThatThrownBy(() -> queryInt(victim, "select 1"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
                // a new connection cannot even log in
                assertThatThrownBy(() -> connect(through, "connectTimeout=2&socketTimeout=1&loginTimeout=3").close())
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
                // but the proxy keeps the untouched connection open
                assertThat(proxy.openConnections()).isGreaterThanOrEqualTo(1);

                proxy.blackhole(false);

                try (Connection fresh = connect(through, BOUNDS)) {
                    assertThat(queryInt(fresh, "select 6")).isEqualTo(6);
                }
                // bytes sent after the black hole ends flow again on a connection that lived through it
                assertThat(queryInt(bystander, "select 7")).isEqualTo(7);
            }
        }
    }

    @Test
    void latencyDelaysEachRoundTrip(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             Connection c = connect(proxy.through(db), BOUNDS)) {
            assertThat(queryInt(c, "select 1")).isEqualTo(1);

            proxy.latency(Duration.ofMillis(200));
            long t0 = System.nanoTime();
            assertThat(queryInt(c, "select 1")).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(200));

            proxy.latency(Duration.ZERO);
            Duration best = Duration.ofDays(1);
            for (int i = 0; i < 5; i++) {
                long t1 = System.nanoTime();
                queryInt(c, "select 1");
                Duration took = Duration.ofNanos(System.nanoTime() - t1);
                best = took.compareTo(best) < 0 ? took : best;
            }
            assertThat(best).isLessThan(Duration.ofMillis(200));
        }
    }

    @Test
    void cutAfterForwardingCommitLosesTheReplyButNotTheRow(TestDatabase db) throws Exception {
        String app = "fault_proxy_fwd";
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            assertThat(proxy.triggerFired()).isFalse();
            assertThat(proxy.awaitTrigger(Duration.ZERO)).isFalse();
            try (Connection c = connect(proxy.through(db), BOUNDS + "&ApplicationName=" + app)) {
                c.setAutoCommit(false);
                insert(c, 1, "forwarded");

                proxy.cutWhenClientSends("COMMIT", true);
                assertThat(proxy.triggerFired()).isFalse();

                assertThatThrownBy(c::commit)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
            }
            assertThat(proxy.awaitTrigger(Duration.ofSeconds(1))).isTrue();
            assertThat(proxy.triggerFired()).isTrue();

            // once the backend has finished, the server has executed the COMMIT the client never heard back about
            awaitBackendGone(db, app);
            assertThat(rowCount(db, 1)).isEqualTo(1);
            await().atMost(WAIT).until(() -> proxy.openConnections() == 0);

            // the trigger was one-shot: the next COMMIT goes through
            try (Connection c = connect(proxy.through(db), BOUNDS)) {
                c.setAutoCommit(false);
                insert(c, 2, "after");
                c.commit();
            }
            assertThat(rowCount(db, 2)).isEqualTo(1);
        }
    }

    @Test
    void cutInsteadOfForwardingCommitLosesTheRow(TestDatabase db) throws Exception {
        String app = "fault_proxy_drop";
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            try (Connection c = connect(proxy.through(db), BOUNDS + "&ApplicationName=" + app)) {
                c.setAutoCommit(false);
                insert(c, 1, "dropped");

                proxy.cutWhenClientSends("COMMIT", false);

                assertThatThrownBy(c::commit)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
            }
            assertThat(proxy.awaitTrigger(Duration.ofSeconds(1))).isTrue();
            assertThat(proxy.triggerFired()).isTrue();

            // the backend is gone, so its transaction is over: rolled back, since the COMMIT never reached it
            awaitBackendGone(db, app);
            assertThat(rowCount(db, 1)).isZero();
            assertThat(proxy.openConnections()).isZero();
        }
    }

    @Test
    void blackholeOnCommitSwallowsItAndEverythingAfter(TestDatabase db) throws Exception {
        String app = "fault_proxy_hole";
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            try (Connection c = connect(proxy.through(db), "connectTimeout=5&socketTimeout=1&ApplicationName=" + app)) {
                c.setAutoCommit(false);
                insert(c, 1, "swallowed");
                proxy.blackholeWhenClientSends("COMMIT");
                long t0 = System.nanoTime();
                assertThatThrownBy(c::commit)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
                assertThat(proxy.triggerFired()).isTrue();
            }
            // and everything after it goes into the hole too: a new connection cannot log in
            assertThatThrownBy(() -> connect(proxy.through(db), "connectTimeout=2&socketTimeout=1&loginTimeout=3").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
        }
        // the COMMIT never reached the server: once the client gave up, the transaction was rolled back
        awaitBackendGone(db, app);
        assertThat(rowCount(db, 1)).isZero();
    }

    @Test
    void acceptedConnectionsCountsOnlyWhatReachedTheProxy(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            assertThat(proxy.acceptedConnections()).isZero();
            assertThat(proxy.openConnections()).isZero();

            List<Connection> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    open.add(connect(proxy.through(db), BOUNDS));
                }
                assertThat(proxy.acceptedConnections()).isEqualTo(3);
                assertThat(proxy.openConnections()).isEqualTo(3);
            } finally {
                for (Connection c : open) {
                    c.close();
                }
            }
            await().atMost(WAIT).until(() -> proxy.openConnections() == 0);

            // a direct connection does not touch the proxy
            try (Connection direct = db.connect()) {
                assertThat(queryInt(direct, "select 1")).isEqualTo(1);
            }
            assertThat(proxy.acceptedConnections()).isEqualTo(3);
        }
    }

    @Test
    void closeStopsListeningCutsConnectionsAndEndsItsThreads(TestDatabase db) throws Exception {
        FaultProxy proxy = FaultProxy.start(db.host(), db.port());
        TestDatabase through = proxy.through(db);
        try (Connection c = connect(through, BOUNDS)) {
            assertThat(queryInt(c, "select 1")).isEqualTo(1);
            assertThat(proxy.liveThreads()).isEqualTo(3); // acceptor + two pumps

            // a pump asleep in a long delay must end too
            proxy.latency(Duration.ofSeconds(20));
            CompletableFuture<Integer> pending = CompletableFuture.supplyAsync(() -> {
                try {
                    return queryInt(c, "select 1");
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            Thread.sleep(300);

            long t0 = System.nanoTime();
            proxy.close();
            proxy.close(); // idempotent
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));

            assertThat(proxy.liveThreads()).isZero();
            assertThat(proxy.openConnections()).isZero();
            assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(SQLException.class,
                            e -> assertThat(e.getSQLState()).startsWith("08"));
        }
        assertThatThrownBy(() -> connect(through, BOUNDS).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"));
    }

    // ------------------------------------------------------------------ helpers

    /** A plain pgjdbc connection with extra URL parameters (timeouts, application name). */
    private static Connection connect(TestDatabase t, String params) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", t.user());
        if (t.password() != null) {
            p.setProperty("password", t.password());
        }
        return DriverManager.getConnection(t.jdbcUrl() + "?" + params, p);
    }

    private static void insert(Connection c, int id, String note) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into " + TABLE + " (id, note) values (?, ?)")) {
            ps.setInt(1, id);
            ps.setString(2, note);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    /** Counted over a direct connection, not through the proxy. */
    private static int rowCount(TestDatabase db, int id) throws SQLException {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("select count(*) from " + TABLE + " where id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Waits until the server has no backend left for the given application name (seen over a direct connection). */
    private static void awaitBackendGone(TestDatabase db, String app) throws SQLException {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement(
                     "select count(*) from pg_stat_activity where application_name = ?")) {
            ps.setString(1, app);
            await().atMost(WAIT).until(() -> {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) == 0;
                }
            });
        }
    }

    private static int queryInt(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
