package dev.pgpulse.server;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The activity reading, the blocking tree and the signals against a real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class ActivityReaderTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private DatabaseService service;
    private ActivityReader reader;
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @BeforeEach
    void setUp(TestDatabase db) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url()), Path.of("/nonexistent"), "tester", 2)
                .load(Overrides.none());
        var meters = new SimpleMeterRegistry();
        service = new DatabaseService(Endpoints.open(config, meters),
                new Guard(config.resilience(), meters, new EventLog(100), Clock.systemUTC()), meters, Clock.systemUTC());
        reader = new ActivityReader(service, service.endpoints().primary().config().applicationName(),
                ActivityReader.DEFAULT_TIMEOUT);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
        service.shutdown(Duration.ofSeconds(2));
    }

    /** A connection of the test's own, named, closed after the test. */
    private Connection session(TestDatabase db, String app) throws SQLException {
        Connection c = db.connect();
        closeLast.add(c);
        try (Statement st = c.createStatement()) {
            st.execute("set application_name = '" + app + "'");
        }
        return c;
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Runs the statement on its own thread; the future ends with the failure (a cancel) or null. */
    private static CompletableFuture<SQLException> async(Connection c, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
                return null;
            } catch (SQLException e) {
                return e;
            }
        });
    }

    private Activity read() {
        Result<Activity> r = reader.read();
        assertThat(r.isSuccess()).as(r.toString()).isTrue();
        return r.orElseThrow();
    }

    private Optional<Session> session(int pid) {
        return read().session(pid);
    }

    @Test
    void aSleepingSessionShowsWithItsDurationAndIsCancelled(TestDatabase db) throws Exception {
        Connection c = session(db, "sleeper");
        int pid = pid(c);
        CompletableFuture<SQLException> sleeping = async(c, "select pg_sleep(60)");
        await().atMost(WAIT).until(() -> session(pid).map(s -> s.active()
                && s.duration().compareTo(Duration.ofMillis(1500)) > 0).orElse(false));
        Session s = session(pid).orElseThrow();
        assertThat(s.query()).isEqualTo("select pg_sleep(60)");
        assertThat(s.application()).isEqualTo("sleeper");
        assertThat(s.backendType()).isEqualTo("client backend");
        assertThat(s.user()).isEqualTo(db.user());
        assertThat(s.database()).isEqualTo(db.database());
        assertThat(s.queryStart()).isNotNull();
        assertThat(s.own()).isFalse();
        assertThat(s.waitEventType()).isEqualTo("Timeout");

        List<ActivityReader.Outcome> out = reader.signal(List.of(s.backend()), ActivityReader.Signal.CANCEL).orElseThrow();
        assertThat(out).containsExactly(new ActivityReader.Outcome(pid, ActivityReader.Signal.CANCEL, true, null));
        assertThat(sleeping.get().getSQLState()).as("the sleep was cancelled").isEqualTo("57014");
        await().atMost(WAIT).until(() -> session(pid).map(x -> !x.active()).orElse(true));
        assertThat(session(pid)).as("cancel keeps the session").isPresent();
    }

    @Test
    void aRowLockWaitShowsUnderItsBlockerAndTerminatingTheBlockerReleasesIt(TestDatabase db) throws Exception {
        db.exec("drop table if exists server_lock_test", "create table server_lock_test(id int primary key, n int)",
                "insert into server_lock_test values (1, 0)");
        Connection blocker = session(db, "blocker");
        Connection waiter = session(db, "waiter");
        int blockerPid = pid(blocker);
        int waiterPid = pid(waiter);
        blocker.setAutoCommit(false);
        try (Statement st = blocker.createStatement()) {
            st.execute("update server_lock_test set n = 1 where id = 1");
        }
        CompletableFuture<SQLException> waiting = async(waiter, "update server_lock_test set n = 2 where id = 1");
        await().atMost(WAIT).until(() -> session(waiterPid).map(Session::blocked).orElse(false));

        Activity a = read();
        Session w = a.session(waiterPid).orElseThrow();
        assertThat(w.blockedBy()).containsExactly(blockerPid);
        assertThat(w.lockMode()).isEqualTo("ShareLock");
        assertThat(w.lockType()).isEqualTo("transactionid");
        assertThat(w.lockRelation()).isEqualTo("server_lock_test");
        assertThat(w.lockWait()).isNotNull();
        assertThat(a.session(blockerPid).orElseThrow().idleInTransaction()).isTrue();
        List<BlockingTree.Node> tree = a.blockingTree();
        assertThat(tree).hasSize(1);
        assertThat(tree.getFirst().session().pid()).isEqualTo(blockerPid);
        assertThat(tree.getFirst().root()).isTrue();
        assertThat(tree.getFirst().cycle()).isFalse();
        assertThat(tree.getFirst().children()).extracting(n -> n.session().pid()).containsExactly(waiterPid);

        List<ActivityReader.Outcome> out = reader.signal(List.of(a.session(blockerPid).orElseThrow().backend()), ActivityReader.Signal.TERMINATE)
                .orElseThrow();
        assertThat(out.getFirst().sent()).isTrue();
        assertThat((Throwable) waiting.get()).as("the waiter's update went through").isNull();
        await().atMost(WAIT).until(() -> session(blockerPid).isEmpty());
        assertThat(read().blockingTree()).isEmpty();
    }

    @Test
    void aSignalToNoBackendSaysSoAndTheOthersStillGo(TestDatabase db) throws Exception {
        Connection c = session(db, "idle one");
        int pid = pid(c);
        Session s = session(pid).orElseThrow();
        assertThat(s.backendStart()).isNotNull();
        List<ActivityReader.Outcome> out = reader.signal(List.of(new Backend(999_999, s.backendStart()), s.backend()),
                ActivityReader.Signal.CANCEL).orElseThrow();
        assertThat(out).extracting(ActivityReader.Outcome::pid).containsExactly(999_999, pid);
        assertThat(out.get(0).sent()).isFalse();
        assertThat(out.get(0).message()).isEqualTo("that session has ended already");
        assertThat(out.get(1).sent()).isTrue();
    }

    @Test
    void aPidNowHeldByAnotherBackendIsNotSignalled(TestDatabase db) throws Exception {
        // what a pid reused by a later session looks like: the same pid, another backend_start
        Connection c = session(db, "victim");
        int pid = pid(c);
        Session s = session(pid).orElseThrow();
        CompletableFuture<SQLException> sleeping = async(c, "select pg_sleep(3)");
        await().atMost(WAIT).until(() -> session(pid).map(Session::active).orElse(false));
        Backend stale = new Backend(pid, s.backendStart().minusSeconds(1));
        List<ActivityReader.Outcome> out = reader.signal(List.of(stale), ActivityReader.Signal.TERMINATE)
                .orElseThrow();
        assertThat(out).containsExactly(new ActivityReader.Outcome(pid, ActivityReader.Signal.TERMINATE, false,
                "that session has ended already"));
        assertThat((Throwable) sleeping.get()).as("the session holding the pid now ran on untouched").isNull();
        assertThat(session(pid)).isPresent();
    }

    @Test
    void aPasswordInASessionsTextIsMasked(TestDatabase db) throws Exception {
        Connection c = session(db, "role admin");
        int pid = pid(c);
        try (Statement st = c.createStatement()) {
            st.execute("drop role if exists server_masked_role");
            st.execute("create role server_masked_role password 'Sup3rSecret'");
        }
        Session s = session(pid).orElseThrow();
        assertThat(s.query()).doesNotContain("Sup3rSecret").contains("create role server_masked_role");
        try (Statement st = c.createStatement()) {
            st.execute("drop role server_masked_role");
        }
    }

    @Test
    void pgPulsesOwnSessionsAreLabelled(TestDatabase db) throws Exception {
        Connection other = session(db, "someone else");
        int otherPid = pid(other);
        Connection tool = session(db, "pgpulse-agent");
        int toolPid = pid(tool);
        Activity a = read();
        assertThat(a.session(a.readerPid()).orElseThrow().own()).as("the reading's own backend").isTrue();
        assertThat(a.session(a.readerPid()).orElseThrow().application()).isEqualTo("pgpulse");
        assertThat(a.session(toolPid).orElseThrow().own()).isTrue();
        assertThat(a.session(otherPid).orElseThrow().own()).isFalse();
        assertThat(reader.own("pgpulse health")).isTrue();
        assertThat(reader.own("psql")).isFalse();
        assertThat(reader.own("pgpulsex")).isFalse();
    }

    @Test
    void theSamplerReadsOnlyWhileStarted(TestDatabase db) throws Exception {
        List<Result<Activity>> seen = new CopyOnWriteArrayList<>();
        ActivitySampler sampler = new ActivitySampler(reader, Duration.ofMillis(100), seen::add);
        closeLast.add(sampler);
        assertThat(sampler.reads()).isZero();
        sampler.start();
        await().atMost(WAIT).until(() -> seen.size() >= 3);
        assertThat(seen).allMatch(Result::isSuccess);
        sampler.stop();
        long stopped = sampler.reads();
        // a stopped sampler runs nothing: wait several intervals' worth for a reading that must not come
        await().pollDelay(Duration.ofMillis(600)).atMost(WAIT).until(() -> true);
        assertThat(sampler.reads()).isEqualTo(stopped);
        assertThat(seen).hasSize((int) stopped);
    }
}
