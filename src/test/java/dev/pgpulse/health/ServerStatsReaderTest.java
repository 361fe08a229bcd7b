package dev.pgpulse.health;

import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Against a real PostgreSQL. Counters reach pg_stat_database only when a backend flushes them, which a closing
 * backend always does; so the tests close the connections that did the work and then wait for the counters.
 * Waiting polls pg_stat_database from a connection to another database, so the polling adds no transactions to
 * the database under test.
 */
@ExtendWith(PostgresExtension.class)
class ServerStatsReaderTest {
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(50);
    /** Transactions other sessions may add to a delta: the reader's own, connection startups, autovacuum. */
    private static final int NOISE = 10;

    private static TestDatabase server;
    private static TestDatabase db;
    private static Connection monitor;

    private final ServerStatsReader reader = new ServerStatsReader();

    @BeforeAll
    static void setUp(TestDatabase root) throws SQLException {
        server = root;
        // One name per JVM: concurrent builds may share a server, and freshDatabase drops with force.
        db = root.freshDatabase("pgpulse_health_test_" + ProcessHandle.current().pid());
        monitor = root.connect();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("create table t (id int primary key, v int)");
            st.execute("insert into t values (1, 0), (2, 0)");
            st.execute("create table log (n int)");
        }
    }

    @AfterAll
    static void tearDown() throws SQLException {
        if (monitor != null) {
            monitor.close();
        }
        if (server != null && db != null) {
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("drop database if exists " + db.database() + " with (force)");
            }
        }
    }

    // ------------------------------------------------------------------ activity

    @Test
    void aHeldLockShowsWaitingSessions() throws Exception {
        try (Connection r = db.connect(); Connection a = db.connect(); Connection b = db.connect();
             ExecutorService pool = Executors.newSingleThreadExecutor()) {
            a.setAutoCommit(false);
            try (Statement st = a.createStatement()) {
                st.execute("lock table t in access exclusive mode");
            }
            Future<Integer> blocked = pool.submit(() -> {
                try (Statement st = b.createStatement(); ResultSet rs = st.executeQuery("select * from t")) {
                    int n = 0;
                    while (rs.next()) {
                        n++;
                    }
                    return n;
                }
            });

            ServerStats waiting = await().atMost(PATIENCE).pollInterval(POLL)
                    .until(() -> reader.read("primary", r, null), s -> s.waitingOnLocks() >= 1);
            assertThat(waiting.longestQuerySeconds()).isPositive();
            assertThat(blocked).isNotDone();

            a.commit();
            assertThat(blocked.get(5, TimeUnit.SECONDS)).isEqualTo(2);
            // Server-wide figure: on a shared server another session may briefly wait too, hence the wait.
            await().atMost(PATIENCE).pollInterval(POLL)
                    .until(() -> reader.read("primary", r, null).waitingOnLocks() == 0);
        }
    }

    @Test
    void anOpenTransactionShowsItsAge() throws Exception {
        try (Connection r = db.connect(); Connection a = db.connect()) {
            a.setAutoCommit(false);
            try (Statement st = a.createStatement()) {
                st.execute("select count(*) from t");
            }
            // Polls until the session has sat idle in its transaction for 1.4 s.
            ServerStats s = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                    .until(() -> reader.read("primary", r, null), x -> x.longestIdleInTransactionSeconds() >= 1.4);
            assertThat(s.longestTransactionSeconds()).isGreaterThanOrEqualTo(1.4);
            assertThat(s.longestIdleInTransactionSeconds()).isGreaterThanOrEqualTo(1.4);
            a.rollback();
        }
    }

    @Test
    void connectionsAreCountedAgainstWhatIsAvailable() throws Exception {
        List<Connection> held = new ArrayList<>();
        try (Connection r = db.connect()) {
            for (int i = 0; i < 3; i++) {
                held.add(db.connect());
            }
            int max = Integer.parseInt(show(r, "max_connections"));
            int reserved = Integer.parseInt(show(r, "superuser_reserved_connections"));
            if (Integer.parseInt(show(r, "server_version_num")) >= 160000) {
                reserved += Integer.parseInt(show(r, "reserved_connections"));
            }

            ServerStats s = reader.read("primary", r, null);

            assertThat(s.connectionsAvailable()).isEqualTo(max - reserved);
            assertThat(s.connectionsUsed()).isGreaterThanOrEqualTo(held.size() + 1);
            assertThat(s.connectionsUsedRatio())
                    .isCloseTo((double) s.connectionsUsed() / s.connectionsAvailable(), within(1e-12));
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    @Test
    void aPrimaryReportsSizeAgeCacheAndNoReplayLag() throws Exception {
        try (Connection r = db.connect()) {
            ServerStats s = reader.read("primary", r, null);

            assertThat(s.endpoint()).isEqualTo("primary");
            assertThat(s.at()).isBeforeOrEqualTo(Instant.now());
            assertThat(s.cacheHitRatio()).isBetween(0.0, 1.0);
            assertThat(s.databaseSizeBytes()).isPositive();
            assertThat(s.oldestXidAge()).isPositive();
            assertThat(s.inRecovery()).isFalse();
            assertThat(s.replayLagSeconds()).isNull();
            assertThat(s.replayLagBytes()).isNull();
            assertThat(s.ratesKnown()).isFalse();
            assertThat(s.tps()).isZero();
            assertThat(s.rollbackRatio()).isZero();
            assertThat(s.deadlocksPerMinute()).isZero();
        }
    }

    // ------------------------------------------------------------------ rates

    @Test
    void aDeadlockIsCounted() throws Exception {
        try (Connection r = db.connect()) {
            ServerCounters before = reader.readCounters(r);
            try (Connection a = db.connect(); Connection b = db.connect();
                 ExecutorService pool = Executors.newFixedThreadPool(2)) {
                a.setAutoCommit(false);
                b.setAutoCommit(false);
                update(a, 1);
                update(b, 2);
                CyclicBarrier barrier = new CyclicBarrier(2);
                Future<String> fa = pool.submit(() -> crossUpdate(a, 2, barrier));
                Future<String> fb = pool.submit(() -> crossUpdate(b, 1, barrier));
                // deadlock_timeout (1 s by default) passes, then one of the two is chosen as the victim.
                assertThat(List.of(fa.get(20, TimeUnit.SECONDS), fb.get(20, TimeUnit.SECONDS)))
                        .containsExactlyInAnyOrder("ok", "40P01");
                a.rollback();
                b.rollback();
            } // closing both backends flushes their counters

            await().atMost(PATIENCE).pollInterval(POLL)
                    .until(() -> published()[2] >= before.deadlocks() + 1);
            ServerStatsReader.Sample after = reader.sample("primary", r, before);

            assertThat(after.counters().deadlocks() - before.deadlocks()).isGreaterThanOrEqualTo(1);
            assertThat(after.stats().ratesKnown()).isTrue();
            assertThat(after.stats().deadlocksPerMinute()).isPositive();
            double minutes = (after.counters().nanoTime() - before.nanoTime()) / 60e9;
            assertThat(after.stats().deadlocksPerMinute())
                    .isCloseTo((after.counters().deadlocks() - before.deadlocks()) / minutes, within(1e-9));
        }
    }

    @ParameterizedTest(name = "sampled {0} ms apart")
    @ValueSource(longs = {1_000, 3_000})
    void tpsMatchesTheTransactionsRun(long intervalMillis) throws Exception {
        int commits = 40;
        int rollbacks = 10;
        try (Connection r = db.connect()) {
            ServerCounters before = reader.readCounters(r);
            long started = System.nanoTime();
            try (Connection w = db.connect(); PreparedStatement ins = w.prepareStatement("insert into log values (?)")) {
                w.setAutoCommit(false);
                for (int i = 0; i < commits + rollbacks; i++) {
                    ins.setInt(1, i);
                    ins.executeUpdate();
                    if (i < commits) {
                        w.commit();
                    } else {
                        w.rollback();
                    }
                }
            } // closing the backend flushes its counters

            await().atMost(PATIENCE).pollInterval(POLL).until(() -> {
                long[] p = published();
                return p[0] >= before.xactCommit() + commits && p[1] >= before.xactRollback() + rollbacks
                        && System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(intervalMillis);
            });
            ServerStatsReader.Sample after = reader.sample("primary", r, before);
            ServerCounters now = after.counters();
            ServerStats s = after.stats();

            long dCommit = now.xactCommit() - before.xactCommit();
            long dRollback = now.xactRollback() - before.xactRollback();
            assertThat(dCommit).isBetween((long) commits, (long) commits + NOISE);
            assertThat(dRollback).isBetween((long) rollbacks, (long) rollbacks + NOISE);
            assertThat(s.ratesKnown()).isTrue();

            double seconds = (now.nanoTime() - before.nanoTime()) / 1e9;
            assertThat(seconds).isGreaterThanOrEqualTo(intervalMillis / 1000.0);
            assertThat(s.tps()).isCloseTo((dCommit + dRollback) / seconds, within(1e-9));
            assertThat(s.rollbackRatio()).isCloseTo((double) dRollback / (dCommit + dRollback), within(1e-9));
            // 10/50 expected; noise of up to NOISE extra commits moves it by less than 0.05.
            assertThat(s.rollbackRatio()).isCloseTo((double) rollbacks / (commits + rollbacks), within(0.05));
            assertThat(s.cacheHitRatio()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void ratesNeedAPreviousReadAndNoReset() {
        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        Instant reset = Instant.parse("2024-12-01T00:00:00Z");
        ServerCounters prev = new ServerCounters(t, 0, 100, 10, 1, 900, 100, reset);
        ServerCounters now = new ServerCounters(t.plusSeconds(2), 2_000_000_000L, 130, 20, 2, 1_080, 120, reset);

        ServerStats.Rates r = ServerStatsReader.rates(prev, now);
        assertThat(r.known()).isTrue();
        assertThat(r.elapsedSeconds()).isEqualTo(2.0);
        assertThat(r.tps()).isEqualTo(20.0);
        assertThat(r.rollbackRatio()).isEqualTo(0.25);
        assertThat(r.deadlocksPerMinute()).isEqualTo(30.0);
        assertThat(r.cacheHitRatio()).isEqualTo(0.9);

        ServerStats.Rates first = ServerStatsReader.rates(null, now);
        assertThat(first.known()).isFalse();
        assertThat(first.tps()).isZero();
        assertThat(first.cacheHitRatio()).isCloseTo(1_080.0 / 1_200, within(1e-12)); // cumulative

        ServerCounters wentBack = new ServerCounters(t.plusSeconds(2), 2_000_000_000L, 5, 0, 0, 10, 0, reset);
        assertThat(ServerStatsReader.rates(prev, wentBack).known()).isFalse();
        assertThat(ServerStatsReader.rates(prev, wentBack).tps()).isZero();
        ServerCounters newReset = new ServerCounters(t.plusSeconds(2), 2_000_000_000L, 130, 20, 2, 1_080, 120,
                reset.plusSeconds(1));
        assertThat(ServerStatsReader.rates(prev, newReset).known()).isFalse();

        ServerCounters idle = new ServerCounters(t.plusSeconds(2), 2_000_000_000L, 100, 10, 1, 900, 100, reset);
        ServerStats.Rates quiet = ServerStatsReader.rates(prev, idle);
        assertThat(quiet.known()).isTrue();
        assertThat(quiet.tps()).isZero();
        assertThat(quiet.rollbackRatio()).isZero();
        assertThat(quiet.cacheHitRatio()).isEqualTo(1.0);
    }

    // ------------------------------------------------------------------ helpers

    /** Commits, rollbacks and deadlocks of the test database as published now, read from another database. */
    private static long[] published() throws SQLException {
        try (Statement st = monitor.createStatement()) {
            st.execute("select pg_stat_clear_snapshot()");
        }
        try (PreparedStatement ps = monitor.prepareStatement(
                "select xact_commit, xact_rollback, deadlocks from pg_stat_database where datname = ?")) {
            ps.setString(1, db.database());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
            }
        }
    }

    private static void update(Connection c, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update t set v = v + 1 where id = ?")) {
            ps.setInt(1, id);
            ps.executeUpdate();
        }
    }

    /** The second, crossing update: "ok" or the SQLSTATE it failed with. */
    private static String crossUpdate(Connection c, int id, CyclicBarrier barrier) throws Exception {
        barrier.await(10, TimeUnit.SECONDS);
        try {
            update(c, id);
            return "ok";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("show " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
