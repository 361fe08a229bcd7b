package dev.pgpulse.service;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read rotation's rules, fed readings as a health round hands them over, with reads routed through a real
 * service: two "replicas" that are the test server itself (read-only pools), so where a read lands is what the
 * rotation decided. The lag a real standby has is measured in {@code LagAwareReadsTest}.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class ReadRotationTest {
    private static final long MB = 1 << 20;
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private SimpleMeterRegistry meters;
    private EventLog events;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
    }

    private DatabaseService service(TestDatabase db, Map<String, String> more) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("DATABASE_URL", db.url(),
                "DATABASE_READ_URLS", db.url() + "," + db.url(), "PGPULSE_READS_MAX_LAG", "10s",
                "PGPULSE_READS_REJOIN_ROUNDS", "2"));
        env.putAll(more);
        var config = new ConfigLoader(env, Path.of("/nonexistent"), "tester", 2).load(Overrides.none());
        meters = new SimpleMeterRegistry();
        events = new EventLog(100);
        Endpoints endpoints = Endpoints.open(config, meters);
        DatabaseService service = new DatabaseService(endpoints,
                new Guard(config.resilience(), meters, events, Clock.systemUTC()), meters, Clock.systemUTC(),
                config.routing());
        closeLast.add(service);
        return service;
    }

    private static List<String> reads(DatabaseService service, int n) {
        List<String> where = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Result<Integer> r = service.query("rotation.read", Route.READ, c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            where.add(switch (r) {
                case Result.Success<Integer> ok -> ok.endpoint();
                case Result.Failure<Integer> f -> "failed: " + f.category();
            });
        }
        return where;
    }

    private static LagReading primary(long lsn) {
        return new LagReading("primary", true, false, lsn, null, null);
    }

    private static LagReading standby(String name, long replayLsn, Double replayAge) {
        return new LagReading(name, true, true, replayLsn, replayAge, 0L);
    }

    private double gauge(String name, String endpoint) {
        return meters.get(name).tag("endpoint", endpoint).gauge().value();
    }

    private List<ResilienceEvent.ReplicaRotation> rotationEvents() {
        return events.recent().stream().filter(ResilienceEvent.ReplicaRotation.class::isInstance)
                .map(ResilienceEvent.ReplicaRotation.class::cast).toList();
    }

    @Test
    void aLaggingReplicaLeavesAtOnceAndReturnsOnlyAfterRoundsWithinHalfTheBound(TestDatabase db) throws Exception {
        DatabaseService service = service(db, Map.of());
        ReadRotation rotation = service.rotation();
        assertThat(reads(service, 4)).as("not measured yet: both take reads").containsOnly("replica-1", "replica-2")
                .contains("replica-1", "replica-2");

        Instant t = Instant.parse("2026-12-03T10:00:00Z");
        rotation.observe(t, primary(100 * MB), List.of(standby("replica-1", 90 * MB, 20.0),
                standby("replica-2", 100 * MB, 0.0)));
        assertThat(reads(service, 4)).containsOnly("replica-2");
        assertThat(rotation.state("replica-1").orElseThrow().inRotation()).isFalse();
        assertThat(rotation.state("replica-1").orElseThrow().reason()).isEqualTo("replay lag 20 s over reads.max_lag 10 s");
        assertThat(rotation.state("replica-1").orElseThrow().lagBytes()).isEqualTo(10 * MB);
        assertThat(gauge("pgpulse.replica.in.rotation", "replica-1")).isZero();
        assertThat(gauge("pgpulse.replica.in.rotation", "replica-2")).isEqualTo(1.0);
        assertThat(gauge("pgpulse.replica.rotation.lag.seconds", "replica-1")).isEqualTo(20.0);
        assertThat(rotationEvents()).singleElement().satisfies(e -> {
            assertThat(e.endpoint()).isEqualTo("replica-1");
            assertThat(e.inRotation()).isFalse();
        });

        // within the bound but not within half of it: still out (no flapping at the bound)
        rotation.observe(t.plusSeconds(5), primary(101 * MB), List.of(standby("replica-1", 95 * MB, 6.0),
                standby("replica-2", 101 * MB, 0.0)));
        assertThat(reads(service, 2)).containsOnly("replica-2");
        assertThat(rotation.state("replica-1").orElseThrow().reason()).startsWith("catching up: replay lag 6.0 s");
        // within half: one round is not enough, the second puts it back
        rotation.observe(t.plusSeconds(10), primary(102 * MB), List.of(standby("replica-1", 102 * MB - 10, 1.0),
                standby("replica-2", 102 * MB, 0.0)));
        assertThat(reads(service, 2)).containsOnly("replica-2");
        rotation.observe(t.plusSeconds(15), primary(103 * MB), List.of(standby("replica-1", 103 * MB, 0.2),
                standby("replica-2", 103 * MB, 0.0)));
        assertThat(reads(service, 4)).contains("replica-1", "replica-2");
        assertThat(rotationEvents()).extracting(ResilienceEvent.ReplicaRotation::inRotation).containsExactly(false, true);
        assertThat(meters.get("pgpulse.replica.rotation.changes").tag("endpoint", "replica-1").tag("change", "left")
                .counter().count()).isEqualTo(1.0);
        assertThat(meters.get("pgpulse.replica.rotation.changes").tag("endpoint", "replica-1")
                .tag("change", "rejoined").counter().count()).isEqualTo(1.0);
    }

    @Test
    void withNoReplicaInTheRotationReadsGoToThePrimaryOrFailAsConfigured(TestDatabase db) throws Exception {
        Instant t = Instant.parse("2026-12-03T10:00:00Z");
        List<LagReading> bothDown = List.of(LagReading.unreachable("replica-1"),
                new LagReading("replica-2", true, false, 5L, null, null));

        DatabaseService toPrimary = service(db, Map.of());
        toPrimary.rotation().observe(t, primary(100), bothDown);
        assertThat(reads(toPrimary, 3)).containsOnly("primary");
        assertThat(toPrimary.rotation().state("replica-1").orElseThrow().reason()).isEqualTo("unreachable");
        assertThat(toPrimary.rotation().state("replica-2").orElseThrow().reason()).startsWith("not a standby");
        assertThat(meters.get("pgpulse.read.fallbacks").tag("to", "primary").counter().count()).isEqualTo(3.0);
        assertThat(toPrimary.query("rotation.write", Route.WRITE, c -> 1)).isInstanceOf(Result.Success.class);

        DatabaseService failing = service(db, Map.of("PGPULSE_READS_FALLBACK", "fail"));
        failing.rotation().observe(t, primary(100), bothDown);
        assertThat(reads(failing, 2)).containsOnly("failed: " + ErrorCategory.NO_REPLICA);
        assertThat(meters.get("pgpulse.read.fallbacks").tag("to", "failed").counter().count()).isEqualTo(2.0);
        Result<Integer> f = failing.query("rotation.read", Route.READ, c -> 1);
        assertThat(((Result.Failure<Integer>) f).message()).contains("reads.fallback");
        assertThat(((Result.Failure<Integer>) f).attempts()).as("not retried").isEqualTo(1);
    }

    @Test
    void aStandbyOfAnIdlePrimaryIsNotCountedAsBehindByItsLastCommitsAge(TestDatabase db) throws Exception {
        DatabaseService service = service(db, Map.of());
        ReadRotation rotation = service.rotation();
        Instant t = Instant.parse("2026-12-03T10:00:00Z");
        // the primary has been idle for an hour: the standby's last replayed commit is an hour old
        rotation.observe(t, primary(5000), List.of(standby("replica-1", 5000, 3600.0), standby("replica-2", 5000, 3600.0)));
        // one write arrives; the next round reads the standby before it replays it
        rotation.observe(t.plusSeconds(5), primary(5200), List.of(standby("replica-1", 5000, 3605.0),
                standby("replica-2", 5200, 0.0)));
        ReadRotation.State s = rotation.state("replica-1").orElseThrow();
        assertThat(s.inRotation()).as(s.reason()).isTrue();
        assertThat(s.lagSeconds()).as("at most since the last round whose position it had").isEqualTo(5.0);
        // it stays at 5000 while the primary moves on: now it is behind, by the rounds
        rotation.observe(t.plusSeconds(10), primary(5400), List.of(standby("replica-1", 5000, 3610.0),
                standby("replica-2", 5400, 0.0)));
        rotation.observe(t.plusSeconds(15), primary(5600), List.of(standby("replica-1", 5000, 3615.0),
                standby("replica-2", 5600, 0.0)));
        s = rotation.state("replica-1").orElseThrow();
        assertThat(s.inRotation()).isFalse();
        assertThat(s.reason()).isEqualTo("replay lag 15 s over reads.max_lag 10 s");
    }

    @Test
    void aBoundInBytesTakesOutAReplicaThatIsRecentInTime(TestDatabase db) throws Exception {
        DatabaseService service = service(db, Map.of("PGPULSE_READS_MAX_LAG_BYTES", "16MB"));
        ReadRotation rotation = service.rotation();
        assertThat(rotation.settings().maxLagBytes()).hasValue(16 * MB);
        Instant t = Instant.parse("2026-12-03T10:00:00Z");
        rotation.observe(t, primary(100 * MB), List.of(standby("replica-1", 60 * MB, 0.5),
                standby("replica-2", 100 * MB, 0.0)));
        assertThat(rotation.state("replica-1").orElseThrow().reason())
                .isEqualTo("replay lag 40.0 MB over reads.max_lag_bytes 16.0 MB");
        assertThat(reads(service, 3)).containsOnly("replica-2");
    }

    @Test
    void withThePrimarysPositionUnknownNothingChangesAndNoLagIsClaimed(TestDatabase db) throws Exception {
        DatabaseService service = service(db, Map.of());
        ReadRotation rotation = service.rotation();
        Instant t = Instant.parse("2026-12-03T10:00:00Z");
        rotation.observe(t, primary(100 * MB), List.of(standby("replica-1", 80 * MB, 50.0),
                standby("replica-2", 100 * MB, 0.0)));
        assertThat(rotation.state("replica-1").orElseThrow().inRotation()).isFalse();
        // the primary's read fails; a stalled standby (nothing pending, last commit an hour old) is not "0 s behind"
        for (int round = 1; round <= 4; round++) {
            rotation.observe(t.plusSeconds(5L * round), LagReading.unreachable("primary"),
                    List.of(new LagReading("replica-1", true, true, 80 * MB, 3600.0, 0L),
                            new LagReading("replica-2", true, true, 100 * MB, 3600.0, 0L)));
        }
        ReadRotation.State one = rotation.state("replica-1").orElseThrow();
        assertThat(one.inRotation()).as("no rejoin on rounds that measured nothing").isFalse();
        assertThat(one.lagSeconds()).isNull();
        assertThat(one.reason()).startsWith("the primary's WAL position is unknown this round");
        assertThat(rotation.state("replica-2").orElseThrow().inRotation()).as("and no eviction either").isTrue();
        assertThat(gauge("pgpulse.replica.rotation.lag.seconds", "replica-1")).isNaN();
    }

    @Test
    void aNewPrimaryStartsTheHistoryOfPositionsAfresh(TestDatabase db) throws Exception {
        DatabaseService service = service(db, Map.of());
        ReadRotation rotation = service.rotation();
        Instant t = Instant.parse("2026-12-03T10:00:00Z");
        rotation.observe(t, primary(5000), List.of(standby("replica-1", 5000, 0.0), standby("replica-2", 5000, 0.0)));
        rotation.primaryChanged();
        // the new primary is ahead; the standby's last commit is old: with the old history it would be capped at 5 s
        rotation.observe(t.plusSeconds(5), primary(9000), List.of(standby("replica-1", 6000, 40.0),
                standby("replica-2", 9000, 0.0)));
        assertThat(rotation.state("replica-1").orElseThrow().lagSeconds()).isEqualTo(40.0);
        assertThat(rotation.state("replica-1").orElseThrow().inRotation()).isFalse();
    }
}
