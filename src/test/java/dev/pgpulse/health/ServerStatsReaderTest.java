package dev.pgpulse.health;

import dev.pgpulse.testing.Deadlocks;
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

    /** A session blocked on a row another holds shows as one waiter, its wait ageing until the holder ends. */
    @Test
    void aRowLockWaitIsCountedAndItsWaitGrows() throws Exception {
        try (Connection r = db.connect(); Connection a = db.connect(); Connection b = db.connect();
             ExecutorService pool = Executors.newSingleThreadExecutor()) {
            a.setAutoCommit(false);
            try (Statement st = a.createStatement()) {
                st.execute("update t set v = v + 1 where id = 1");
            }
            Future<Integer> blocked = pool.submit(() -> {
                try (Statement st = b.createStatement()) {
                    return st.executeUpdate("update t set v = v + 1 where id = 1");
                }
            });
            try {
                // Server-wide figure: on a shared server another session may briefly wait too, hence polling for 1.
                ServerStats first = await().atMost(PATIENCE).pollInterval(POLL)
                        .until(() -> reader.read("primary", r, null), s -> s.waitingOnLocks() == 1);
                ServerStats later = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                        .until(() -> reader.read("primary", r, null),
                                s -> s.longestLockWaitSeconds() >= first.longestLockWaitSeconds() + 1.0);
                assertThat(later.waitingOnLocks()).isGreaterThanOrEqualTo(1);
                assertThat(later.longestLockWaitSeconds()).isLessThan(PATIENCE.toSeconds() * 2.0);
                assertThat(blocked).isNotDone();
            } finally {
                a.rollback(); // also on a failure: the executor's close waits for the blocked update
            }
            assertThat(blocked.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            await().atMost(PATIENCE).pollInterval(POLL)
                    .until(() -> reader.read("primary", r, null).longestLockWaitSeconds() == 0);
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
            assertThat(s.tps()).as("not known, not 0").isNaN();
            assertThat(s.rollbackRatio()).isNaN();
            assertThat(s.deadlocksLastMinute()).isNaN();
            assertThat(s.database()).isEqualTo(db.database());
            assertThat(s.databaseOid()).isPositive();
            assertThat(s.counters().xactCommit()).isPositive();
            // postgres_exporter's shape: every database in every state, this session among the active ones
            assertThat(s.activity()).extracting(ServerStats.Activity::state).contains("active", "idle",
                    "idle in transaction", "idle in transaction (aborted)", "fastpath function call", "disabled");
            assertThat(s.activity()).anySatisfy(a -> {
                assertThat(a.database()).isEqualTo(db.database());
                assertThat(a.state()).isEqualTo("active");
                assertThat(a.count()).isGreaterThanOrEqualTo(1);
            });
        }
    }

    // ------------------------------------------------------------------ rates

    @Test
    void aDeadlockIsCounted() throws Exception {
        try (Connection r = db.connect()) {
            CounterHistory history = new CounterHistory();
            ServerCounters before = reader.sample("primary", r, history).counters();
            assertThat(Deadlocks.provoke(db)).containsExactlyInAnyOrder("ok", "40P01");

            await().atMost(PATIENCE).pollInterval(POLL)
                    .until(() -> published()[2] >= before.deadlocks() + 1);
            ServerStatsReader.Sample after = reader.sample("primary", r, history);

            long counted = after.counters().deadlocks() - before.deadlocks();
            assertThat(counted).isGreaterThanOrEqualTo(1);
            // a count over the reads of the last minute, not the few seconds between two reads scaled up to one
            assertThat(after.stats().deadlocksLastMinute()).isEqualTo((double) counted);
        }
    }

    @ParameterizedTest(name = "sampled {0} ms apart")
    @ValueSource(longs = {1_000, 3_000})
    void tpsMatchesTheTransactionsRun(long intervalMillis) throws Exception {
        int commits = 40;
        int rollbacks = 10;
        try (Connection r = db.connect()) {
            // a rate window of one interval here: the counters are flushed (backend closed) before the second read
            CounterHistory history = new CounterHistory(Duration.ofMillis(intervalMillis), CounterHistory.DEADLOCK_WINDOW);
            ServerCounters before = reader.sample("primary", r, history).counters();
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
            ServerStatsReader.Sample after = reader.sample("primary", r, history);
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

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("show " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
