package dev.pgpulse.service;

import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.BreakerSnapshot;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The service against a healthy server: results, metrics, caller errors, slow queries, conflicts, shutdown. */
@ExtendWith(PostgresExtension.class)
class DatabaseServiceTest {
    private ServiceFixture f;
    private TestDatabase db;
    // The common pool has one thread on a 2-core machine: concurrent tests need threads of their own.
    private final ExecutorService pool = Executors.newFixedThreadPool(4, Thread.ofPlatform().name("svc-test-", 0).factory());

    @BeforeEach
    void setUp(TestDatabase server) throws Exception {
        db = server.freshDatabase("pgpulse_service_test");
        f = new ServiceFixture(db, Map.of("pool.max_size", "6", "retry.max_attempts", "5",
                "retry.initial_backoff", "20ms", "retry.max_backoff", "200ms"));
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("create table account(id int primary key, balance int not null)");
            st.execute("insert into account values (1, 100), (2, 100)");
        }
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        f.close();
    }

    private static int scalar(Connection c, String sql) throws java.sql.SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aQueryReturnsItsValueAndIsTimedPerOperation() {
        for (int i = 0; i < 5; i++) {
            Result<Integer> r = f.service.query("answer", Route.READ, c -> scalar(c, "select 41 + 1"));
            assertThat(r).isInstanceOf(Result.Success.class);
            assertThat(r.orElseThrow()).isEqualTo(42);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.endpoint()).isEqualTo("primary");
        }
        OperationStats s = f.stats("answer");
        assertThat(s.calls()).isEqualTo(5);
        assertThat(s.failureCount()).isZero();
        assertThat(s.retries()).isZero();
        assertThat(s.maxMs()).isGreaterThan(0);
        assertThat(s.p50Ms()).isGreaterThan(0).isLessThanOrEqualTo(s.p99Ms());
        assertThat(f.meters.find("pgpulse.operation").tag("operation", "answer").timer().count()).isEqualTo(5);
    }

    @Test
    void aSyntaxErrorIsNeitherRetriedNorCountedAgainstTheBreaker() {
        for (int i = 0; i < 12; i++) {
            Result<Integer> r = f.service.query("typo", Route.READ, c -> scalar(c, "selec 1"));
            Result.Failure<Integer> failure = (Result.Failure<Integer>) r;
            assertThat(failure.category()).isEqualTo(ErrorCategory.SYNTAX);
            assertThat(failure.sqlState()).isEqualTo("42601");
            assertThat(failure.attempts()).isEqualTo(1);
            assertThat(failure.outcomeUnknown()).isFalse();
        }
        BreakerSnapshot b = f.guard.snapshot("primary");
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(b.failedCalls()).isZero();
        assertThat(b.bufferedCalls()).isEqualTo(12);
        assertThat(f.stats("typo").failures()).containsEntry(ErrorCategory.SYNTAX, 12L);
        assertThat(f.stats("typo").retries()).isZero();
    }

    @Test
    void constraintAndDataErrorsAreTheCallersAndNotRetried() {
        Result<Integer> dup = f.service.update("dup", false, "insert into account values (1, 5)");
        Result<Integer> div = f.service.query("div", Route.READ, c -> scalar(c, "select 1/0"));
        assertThat(((Result.Failure<Integer>) dup).category()).isEqualTo(ErrorCategory.CONSTRAINT);
        assertThat(((Result.Failure<Integer>) div).category()).isEqualTo(ErrorCategory.DATA);
        assertThat(dup.attempts()).isEqualTo(1);
        assertThat(f.guard.snapshot("primary").failedCalls()).isZero();
    }

    @Test
    void aSlowCallIsRecordedLoggedAndPublished() {
        Result<Integer> r = f.service.query("nap", Route.READ, "select pg_sleep(0.6)", false, c -> {
            try (Statement st = c.createStatement()) {
                st.execute("select pg_sleep(0.6)");
                return 1;
            }
        });
        assertThat(r.isSuccess()).isTrue();
        f.service.query("quick", Route.READ, c -> scalar(c, "select 1"));
        List<SlowQuery> slow = f.service.snapshot().slowQueries();
        assertThat(slow).singleElement().satisfies(q -> {
            assertThat(q.operation()).isEqualTo("nap");
            assertThat(q.sql()).isEqualTo("select pg_sleep(0.6)");
            assertThat(q.endpoint()).isEqualTo("primary");
            assertThat(q.route()).isEqualTo(Route.READ);
            assertThat(q.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        });
        assertThat(f.events.recent()).filteredOn(e -> e instanceof ResilienceEvent.SlowCall).hasSize(1);
        assertThat(f.meters.find("pgpulse.operation.slow").tag("operation", "nap").counter().count()).isEqualTo(1);
    }

    @Test
    void conflictingSerializableTransactionsBothCommitThroughRetry() throws Exception {
        // Both read the sum and write a row that changes it: a classic write skew, which SERIALIZABLE refuses.
        CyclicBarrier bothRead = new CyclicBarrier(2);
        var first = CompletableFuture.supplyAsync(() -> skew(1, bothRead), pool);
        var second = CompletableFuture.supplyAsync(() -> skew(2, bothRead), pool);
        Result<Integer> a = first.get(30, TimeUnit.SECONDS);
        Result<Integer> b = second.get(30, TimeUnit.SECONDS);
        assertThat(a.isSuccess()).as(a.toString()).isTrue();
        assertThat(b.isSuccess()).as(b.toString()).isTrue();
        assertThat(a.attempts() + b.attempts()).as("one of them ran again").isGreaterThan(2);
        assertThat(f.stats("skew").retries()).isGreaterThanOrEqualTo(1);
        try (Connection c = db.connect()) {
            // Serial order: the first takes half of 200 from one account, the rerun half of the 100 left.
            assertThat(scalar(c, "select sum(balance) from account")).isEqualTo(50);
        }
    }

    private Result<Integer> skew(int id, CyclicBarrier bothRead) {
        int[] runs = {0};
        return f.service.transaction("skew", TxOptions.serializable(), c -> {
            int sum = scalar(c, "select sum(balance) from account");
            if (runs[0]++ == 0) {
                awaitBarrier(bothRead);
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("update account set balance = balance - " + (sum / 2) + " where id = " + id);
            }
            return sum;
        });
    }

    @Test
    void aDeadlockIsRetried() throws Exception {
        CyclicBarrier bothLocked = new CyclicBarrier(2);
        var one = CompletableFuture.supplyAsync(() -> crossUpdate(1, 2, bothLocked), pool);
        var two = CompletableFuture.supplyAsync(() -> crossUpdate(2, 1, bothLocked), pool);
        Result<Integer> a = one.get(30, TimeUnit.SECONDS);
        Result<Integer> b = two.get(30, TimeUnit.SECONDS);
        assertThat(a.isSuccess()).as(a.toString()).isTrue();
        assertThat(b.isSuccess()).as(b.toString()).isTrue();
        assertThat(a.attempts() + b.attempts()).isGreaterThan(2);
        try (Connection c = db.connect()) {
            assertThat(scalar(c, "select sum(balance) from account")).isEqualTo(204);
        }
    }

    private static void awaitBarrier(CyclicBarrier barrier) {
        try {
            barrier.await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the other transaction never got here", e);
        }
    }

    private Result<Integer> crossUpdate(int first, int second, CyclicBarrier bothLocked) {
        int[] runs = {0};
        return f.service.transaction("transfer", TxOptions.readCommitted(), c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("update account set balance = balance + 1 where id = " + first);
                if (runs[0]++ == 0) {
                    awaitBarrier(bothLocked);
                }
                st.executeUpdate("update account set balance = balance + 1 where id = " + second);
            }
            return 1;
        });
    }

    @Test
    void shutdownDrainsCallsInFlightAndRefusesNewOnes() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        var inFlight = CompletableFuture.supplyAsync(() -> f.service.query("long", Route.READ, c -> {
            started.countDown();
            try (Statement st = c.createStatement()) {
                st.execute("select pg_sleep(1)");
            }
            return 7;
        }), pool);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        var shutdown = CompletableFuture.supplyAsync(() -> f.service.shutdown(Duration.ofSeconds(10)), pool);
        await().atMost(Duration.ofSeconds(2)).until(() -> f.service.snapshot().shuttingDown());
        Result<Integer> refused = f.service.query("late", Route.READ, c -> scalar(c, "select 1"));
        assertThat(((Result.Failure<Integer>) refused).category()).isEqualTo(ErrorCategory.SHUTTING_DOWN);
        assertThat(shutdown.isDone()).as("still draining").isFalse();
        assertThat(inFlight.get(10, TimeUnit.SECONDS).orElseThrow()).isEqualTo(7);
        assertThat(shutdown.get(10, TimeUnit.SECONDS)).as("drained within the grace").isTrue();
        assertThat(f.service.endpoints().primary().dataSource().isClosed()).isTrue();
    }

    @Test
    void aListenerThatThrowsNeverBreaksTheCall() throws Exception {
        try (var _ = f.events.subscribe(e -> {
            throw new IllegalStateException("listener bug");
        })) {
            Result<Integer> r = f.service.query("nap2", Route.READ, c -> {
                try (Statement st = c.createStatement()) {
                    st.execute("select pg_sleep(0.55)");
                }
                return 3;
            });
            assertThat(r.orElseThrow()).isEqualTo(3);
            assertThat(f.events.recent()).anyMatch(e -> e instanceof ResilienceEvent.SlowCall);
        }
    }

    @Test
    void anErrorThrownByTheWorkDoesNotLeakAHalfOpenPermit() {
        var breaker = f.guard.breaker("primary");
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        Result<Integer> boom = f.service.query("boom", Route.WRITE, c -> {
            throw new AssertionError("a bug in the caller's code");
        });
        assertThat(((Result.Failure<Integer>) boom).category()).isEqualTo(ErrorCategory.APPLICATION);
        // Three HALF_OPEN permits by default: all must still be there for real probes.
        for (int i = 0; i < 3; i++) {
            assertThat(f.service.query("probe", Route.WRITE, c -> scalar(c, "select 1")).isSuccess()).isTrue();
        }
        assertThat(breaker.getState().name()).isEqualTo("CLOSED");
    }

    @Test
    void slowQueryTextHasPasswordsRedacted() {
        String sql = "select pg_sleep(0.55), 'x' as note /* alter role app password 'hunter2' */";
        f.service.query("secret", Route.READ, sql, false, c -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
            return 1;
        });
        assertThat(f.service.snapshot().slowQueries()).singleElement()
                .satisfies(q -> assertThat(q.sql()).doesNotContain("hunter2").contains("password '********'"));
    }
}
