package dev.pgpulse.orchestration;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.MonitoringSettings;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.testing.Deadlocks;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One real deadlock under the default rules ("More than 5 deadlocks per minute"): the reading is the count, 1, at
 * the default interval and at a short one, and nothing fires. (Extrapolated from one interval it read 12 at 5 s
 * and 30 at 2 s, and fired.) A database of its own, so no other test's deadlock is counted.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(90)
class DeadlockReadingTest {
    private static TestDatabase server;
    private static TestDatabase db;

    @TempDir
    Path home;

    @BeforeAll
    static void createDatabase(TestDatabase root) throws Exception {
        server = root;
        db = root.freshDatabase("pgpulse_deadlock_test_" + ProcessHandle.current().pid());
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        server.dropDatabase(db.database());
    }

    @ParameterizedTest(name = "health.interval {0} ms")
    @ValueSource(longs = {5_000, 2_000})
    void oneDeadlockReadsOneAndFiresNothing(long intervalMillis) throws Exception {
        assertThat(MonitoringSettings.DEFAULT_HEALTH_INTERVAL).as("the first case is the default").isEqualTo(Duration.ofSeconds(5));
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(Overrides.none());
        // no rules file: the default rules
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(intervalMillis),
                null, false))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> primary(o.snapshot().health()) != null);
            long before = primary(o.snapshot().health()).counters().deadlocks();

            assertThat(Deadlocks.provoke(db)).containsExactlyInAnyOrder("ok", "40P01");

            ServerStats after = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> primary(o.snapshot().health()), s -> s != null && s.counters().deadlocks() > before);
            assertThat(after.counters().deadlocks() - before).as("exactly our deadlock").isEqualTo(1);
            assertThat(after.deadlocksLastMinute()).isEqualTo(1.0);
            assertThat(o.alerts().rules()).anyMatch(r -> r.id().equals("deadlocks") && r.threshold() == 5);
            assertThat(o.alerts().stateOf("deadlocks", "server.deadlocks_per_minute")).isEmpty();
            assertThat(o.alerts().history()).noneMatch(a -> a.ruleId().equals("deadlocks"));

            String scrape = o.scrape();
            assertThat(sample(scrape, "pgpulse_server_deadlocks_last_minute\\{endpoint=\"primary\"}")).isEqualTo(1.0);
            assertThat(sample(scrape, "pg_stat_database_deadlocks_total\\{datid=\"\\d+\",datname=\""
                    + db.database() + "\",endpoint=\"primary\"}")).isEqualTo((double) after.counters().deadlocks());
        }
    }

    private static ServerStats primary(HealthSnapshot h) {
        return h == null ? null : h.endpoint("primary").map(e -> e.server()).orElse(null);
    }

    private static double sample(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(series + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
