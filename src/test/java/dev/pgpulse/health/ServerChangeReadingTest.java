package dev.pgpulse.health;

import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the rates become when the series of counters behind an endpoint breaks, on real servers: another server
 * answering (a failover behind the same address), a restart (PostgreSQL 15 keeps the counters over a clean one),
 * and {@code pg_stat_reset()}. Each time the reading is unknown until a new window has passed, never a burst made
 * of the difference between two servers' totals, and never negative.
 */
class ServerChangeReadingTest {
    /** Short windows, so a rate is known after a fraction of a second (the arithmetic is CounterHistoryTest's). */
    private static final Duration RATE_WINDOW = Duration.ofMillis(300);

    @TempDir
    Path dir;

    private final ServerStatsReader reader = new ServerStatsReader();

    @Test
    void anotherServerWithHigherCountersBehindTheEndpointIsNotABurst() throws Exception {
        try (EmbeddedServer a = EmbeddedServer.startScratch(dir.resolve("a"), 0);
             EmbeddedServer b = EmbeddedServer.startScratch(dir.resolve("b"), 0)) {
            TestDatabase dbA = database(a);
            TestDatabase dbB = database(b);
            CounterHistory history = new CounterHistory(RATE_WINDOW, CounterHistory.DEADLOCK_WINDOW);
            ServerStatsReader.Sample onA = knownRate(dbA, history);
            assertThat(onA.stats().tps()).isFinite().isNotNegative();
            // B has done more than A in every counter, as a replica that served reads for months would have.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                work(dbB, 200);
                return everyCounterAbove(counters(dbB), onA.counters());
            });

            ServerStats.Rates afterSwitch;
            try (Connection c = dbB.connect()) {
                ServerStatsReader.Sample s = reader.sample("primary", c, history);
                assertThat(everyCounterAbove(s.counters(), onA.counters()))
                        .as("B's counters are all above A's last: read as A's, a burst").isTrue();
                afterSwitch = rates(s.stats());
            }

            assertThat(afterSwitch.known()).as("the first read of another server has no base (it read %.0f tps, %.0f deadlocks)",
                    afterSwitch.tps(), afterSwitch.deadlocksLastMinute()).isFalse();
            assertThat(afterSwitch.tps()).isNaN();
            assertThat(afterSwitch.deadlocksLastMinute()).isNaN();
            assertThat(knownRate(dbB, history).stats().tps()).isFinite().isNotNegative();
        }
    }

    @Test
    void aRestartAndAStatisticsResetStartTheReadingAgain() throws Exception {
        Path data = dir.resolve("r");
        CounterHistory history = new CounterHistory(RATE_WINDOW, CounterHistory.DEADLOCK_WINDOW);
        ServerCounters before;
        try (EmbeddedServer server = EmbeddedServer.startScratch(data, 0)) {
            TestDatabase db = database(server);
            work(db, 50);
            knownRate(db, history);
            before = counters(db);
        }
        try (EmbeddedServer server = EmbeddedServer.startScratch(data, 0)) {
            TestDatabase db = database(server);
            ServerStatsReader.Sample afterRestart;
            try (Connection c = db.connect()) {
                afterRestart = reader.sample("primary", c, history);
            }
            assertThat(afterRestart.counters().xactCommit()).as("a clean stop keeps the counters")
                    .isGreaterThanOrEqualTo(before.xactCommit());
            assertThat(afterRestart.stats().ratesKnown()).as("after a restart").isFalse();
            assertThat(rates(afterRestart.stats()).deadlocksLastMinute()).isNaN();
            knownRate(db, history);

            db.exec("select pg_stat_reset()");
            ServerStatsReader.Sample afterReset;
            try (Connection c = db.connect()) {
                afterReset = reader.sample("primary", c, history);
            }
            assertThat(afterReset.counters().xactCommit()).as("the reset dropped the counters")
                    .isLessThan(afterRestart.counters().xactCommit());
            assertThat(afterReset.stats().ratesKnown()).as("after pg_stat_reset()").isFalse();
            assertThat(knownRate(db, history).stats().tps()).isFinite().isNotNegative();
        }
    }

    private static TestDatabase database(EmbeddedServer server) {
        return new TestDatabase("localhost", server.port(), EmbeddedServer.SUPERUSER, null, EmbeddedServer.DATABASE);
    }

    /** Samples until the history gives a rate (bounded), and returns it. */
    private ServerStatsReader.Sample knownRate(TestDatabase db, CounterHistory history) {
        ServerStatsReader.Sample[] last = new ServerStatsReader.Sample[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Connection c = db.connect()) {
                last[0] = reader.sample("primary", c, history);
            }
            return last[0].stats().ratesKnown();
        });
        return last[0];
    }

    private static ServerStats.Rates rates(ServerStats s) {
        return new ServerStats.Rates(s.ratesKnown(), 0, s.tps(), s.rollbackRatio(), s.cacheHitRatio(),
                s.deadlocksLastMinute(), 0);
    }

    private ServerCounters counters(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            return reader.sample("primary", c, null).counters();
        }
    }

    /** Commits, rollbacks and catalog reads. */
    private static void work(TestDatabase db, int transactions) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (int i = 0; i < transactions; i++) {
                st.execute("select count(*) from pg_class");
                st.execute("begin; select 1; rollback");
            }
            // a new relation's first reads come from outside shared buffers
            st.execute("create table if not exists t" + System.nanoTime() % 1_000_000 + " as select 1 as x");
        }
    }

    private static boolean everyCounterAbove(ServerCounters high, ServerCounters low) {
        return high.xactCommit() > low.xactCommit() && high.xactRollback() > low.xactRollback()
                && high.deadlocks() >= low.deadlocks() && high.blksHit() > low.blksHit()
                && high.blksRead() >= low.blksRead();
    }
}
