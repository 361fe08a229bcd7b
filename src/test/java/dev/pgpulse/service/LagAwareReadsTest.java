package dev.pgpulse.service;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.testing.ReplicationCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Lag-aware reads on a real primary and streaming standby: reads land on the standby; with its replay paused while
 * the primary writes it leaves the read rotation past the bound and reads go to the primary; resumed, it catches up,
 * returns after the rounds the hysteresis asks for, and takes reads again. A primary left idle keeps its standby in.
 */
@Timeout(180)
class LagAwareReadsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** Where a read ran, and whether that server is a standby. */
    private record Landed(String endpoint, boolean standby) {
    }

    private static Landed read(DatabaseService service) {
        Result<Boolean> r = service.query("lag.read", Route.READ, c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_is_in_recovery()")) {
                rs.next();
                return rs.getBoolean(1);
            }
        });
        Result.Success<Boolean> ok = (Result.Success<Boolean>) r;
        return new Landed(ok.endpoint(), ok.value());
    }

    private static boolean inRotation(DatabaseService service) {
        return service.rotation().state("replica-1").orElseThrow().inRotation();
    }

    @Test
    void aPausedStandbyLeavesTheReadRotationPastTheBoundAndReturnsOnceCaughtUp() throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(dir.resolve("cluster"), 1)) {
            ReplicationCluster.sql(cluster.primary().jdbcUrl(), "create table lag_probe(id bigserial primary key, at timestamptz default now())");
            var config = new ConfigLoader(Map.of("DATABASE_URL", cluster.primary().url(),
                    "DATABASE_READ_URLS", cluster.standby(0).url(), "PGPULSE_READS_MAX_LAG", "1s",
                    "PGPULSE_READS_REJOIN_ROUNDS", "3"), dir, "tester", 2).load(Overrides.none());
            ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200),
                    dir.resolve("alert-rules.json"), false))) {
                DatabaseService service = o.service();
                await().atMost(WAIT).until(() -> service.rotation().state("replica-1").orElseThrow().reason()
                        .startsWith("replay lag"));
                assertThat(read(service)).isEqualTo(new Landed("replica-1", true));

                // idle primary, caught-up standby: in, whatever the age of its last replayed commit
                await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
                assertThat(inRotation(service)).as(service.rotation().states().toString()).isTrue();

                AtomicLong written = new AtomicLong();
                writer.scheduleWithFixedDelay(() -> {
                    Result<Integer> w = service.query("lag.write", Route.WRITE, c -> {
                        try (Statement st = c.createStatement()) {
                            return st.executeUpdate("insert into lag_probe default values");
                        }
                    });
                    if (w instanceof Result.Success<Integer>) {
                        written.incrementAndGet();
                    }
                }, 0, 50, TimeUnit.MILLISECONDS);
                await().atMost(WAIT).until(() -> written.get() > 10);
                assertThat(inRotation(service)).as("writes replayed as they come: no lag").isTrue();

                cluster.pauseReplay(0);
                await().atMost(WAIT).until(() -> !inRotation(service));
                ReadRotation.State out = service.rotation().state("replica-1").orElseThrow();
                assertThat(out.reason()).matches("replay lag [0-9.]+ s over reads.max_lag 1.0 s");
                assertThat(out.lagBytes()).isPositive();
                assertThat(read(service)).as("reads go to the primary").isEqualTo(new Landed("primary", false));
                assertThat(service.snapshot().events()).anySatisfy(e -> assertThat(e)
                        .isInstanceOfSatisfying(ResilienceEvent.ReplicaRotation.class, rr -> {
                            assertThat(rr.endpoint()).isEqualTo("replica-1");
                            assertThat(rr.inRotation()).isFalse();
                        }));
                assertThat(o.meters().get("pgpulse.read.fallbacks").tag("to", "primary").counter().count())
                        .isPositive();

                cluster.resumeReplay(0);
                await().atMost(WAIT).until(() -> inRotation(service));
                assertThat(service.rotation().state("replica-1").orElseThrow().reason()).endsWith("for 3 rounds");
                assertThat(read(service)).isEqualTo(new Landed("replica-1", true));
                assertThat(o.meters().get("pgpulse.replica.rotation.changes").tag("endpoint", "replica-1")
                        .tag("change", "rejoined").counter().count()).isEqualTo(1.0);
            } finally {
                writer.shutdownNow();
                writer.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A count of rows with this id, and where it was read. */
    private record Seen(String endpoint, long rows) {
    }

    private static SqlFunction<java.sql.Connection, Long> rows(int id) {
        return c -> {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select count(*) from rw_probe where id = " + id)) {
                rs.next();
                return rs.getLong(1);
            }
        };
    }

    private static Seen seen(Result<Long> r) {
        Result.Success<Long> ok = (Result.Success<Long>) r;
        return new Seen(ok.endpoint(), ok.value());
    }

    @Test
    void aCallersReadSeesItsOwnWriteThroughALaggingStandbyWhileOthersReadTheStandby() throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(dir.resolve("cluster"), 1)) {
            ReplicationCluster.sql(cluster.primary().jdbcUrl(), "create table rw_probe(id int primary key)");
            cluster.awaitCaughtUp(0, WAIT);
            var config = new ConfigLoader(Map.of("DATABASE_URL", cluster.primary().url(),
                    "DATABASE_READ_URLS", cluster.standby(0).url(), "PGPULSE_READS_MAX_LAG", "10min"),
                    dir, "tester", 2).load(Overrides.none());
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200),
                    dir.resolve("alert-rules.json"), false))) {
                DatabaseService service = o.service();
                ReadYourWrites mine = service.readYourWrites();
                assertThat(mine.position()).isNull();
                assertThat(seen(mine.read("rw.read", rows(1)))).as("no write yet: a plain read")
                        .isEqualTo(new Seen("replica-1", 0));

                cluster.pauseReplay(0);
                Result<Integer> w = mine.write("rw.insert", "insert into rw_probe values (1)", false, c -> {
                    try (Statement st = c.createStatement()) {
                        return st.executeUpdate("insert into rw_probe values (1)");
                    }
                });
                assertThat(w.isSuccess()).isTrue();
                assertThat(mine.position()).matches("[0-9A-F]+/[0-9A-F]+");
                assertThat(seen(service.query("rw.other", Route.READ, rows(1))))
                        .as("another caller reads the standby (within the lag bound) and does not see it yet")
                        .isEqualTo(new Seen("replica-1", 0));
                assertThat(seen(mine.read("rw.read", rows(1)))).as("the writer sees its write, from the primary")
                        .isEqualTo(new Seen("primary", 1));

                // a transaction's commit is remembered too
                Result<Integer> tx = mine.transaction("rw.tx", TxOptions.readCommitted(), c -> {
                    try (Statement st = c.createStatement()) {
                        return st.executeUpdate("insert into rw_probe values (2)");
                    }
                });
                assertThat(tx.isSuccess()).isTrue();
                assertThat(seen(mine.read("rw.read", rows(2)))).isEqualTo(new Seen("primary", 1));

                cluster.resumeReplay(0);
                cluster.awaitCaughtUp(0, WAIT);
                assertThat(seen(mine.read("rw.read", rows(2)))).as("replayed: the standby serves the writer again")
                        .isEqualTo(new Seen("replica-1", 1));
                assertThat(o.meters().get("pgpulse.read.your.writes").tag("served_by", "primary").counter().count())
                        .isEqualTo(2.0);
                assertThat(o.meters().get("pgpulse.read.your.writes").tag("served_by", "replica").counter().count())
                        .isEqualTo(1.0);
            }
        }
    }
}
