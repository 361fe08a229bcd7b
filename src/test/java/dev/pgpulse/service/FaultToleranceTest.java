package dev.pgpulse.service;

import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real faults between the pool and the server, through the project's own TCP proxy. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class FaultToleranceTest {
    private TestDatabase db;
    private FaultProxy proxy;
    private ServiceFixture f;
    private final ExecutorService pool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("fault-test-", 0).factory());

    @BeforeEach
    void setUp(TestDatabase server) throws Exception {
        db = server.freshDatabase("pgpulse_fault_test");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("create table item(id int primary key, note text)");
        }
        proxy = FaultProxy.start(db.host(), db.port());
    }

    private void service(Map<String, String> settings) throws Exception {
        Map<String, String> s = new HashMap<>(Map.of("pool.max_size", "3", "pool.min_idle", "0",
                "pool.connection_timeout", "300ms", "retry.initial_backoff", "50ms", "retry.max_backoff", "400ms"));
        s.putAll(settings);
        f = new ServiceFixture(proxy.through(db), s);
    }

    @AfterEach
    void tearDown() throws Exception {
        pool.shutdownNow();
        if (f != null) {
            f.close();
        }
        proxy.close();
    }

    private static int scalar(Connection c, String sql) throws java.sql.SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private int rowsDirect(String where) throws Exception {
        try (Connection c = db.connect()) {
            return scalar(c, "select count(*) from item where " + where);
        }
    }

    private long acquisitions() {
        Timer t = f.meters.find("hikaricp.connections.acquire").tag("pool", "primary").timer();
        return t == null ? 0 : t.count();
    }

    /** Backends of the test database on the server, other than the asking one: what actually reached it. */
    private int backends() throws Exception {
        try (Connection c = db.connect()) {
            return scalar(c, "select count(*) from pg_stat_activity where datname = current_database() "
                    + "and pid <> pg_backend_pid()");
        }
    }

    @Test
    void breakerOpensFailsFastWithoutThePoolAndClosesAgainOnceTheServerIsBack() throws Exception {
        // wait_in_open long enough that the fail-fast calls below all fall inside the OPEN period, even on a busy machine
        service(Map.of("breaker.window_size", "4", "breaker.minimum_calls", "4", "breaker.wait_in_open", "5s",
                "breaker.half_open_calls", "2", "retry.max_attempts", "1"));
        assertThat(f.service.query("ping", Route.READ, c -> scalar(c, "select 1")).isSuccess()).isTrue();

        proxy.outage();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            f.service.query("ping", Route.READ, c -> scalar(c, "select 1"));
            return f.guard.breaker("primary").getState().name().equals("OPEN");
        });
        // The way to the server is open again while the breaker is still OPEN: a call that got past the breaker
        // would now be accepted by the proxy (counted) and start a backend on the server (seen in pg_stat_activity).
        proxy.restore();
        await().atMost(Duration.ofSeconds(10)).until(() -> backends() == 0);
        long acquiredBefore = acquisitions();
        long acceptedBefore = proxy.acceptedConnections();
        for (int i = 0; i < 20; i++) {
            Result<Integer> r = f.service.query("ping", Route.READ, c -> scalar(c, "select 1"));
            assertThat(((Result.Failure<Integer>) r).category()).isEqualTo(ErrorCategory.CIRCUIT_OPEN);
            assertThat(r.elapsed()).isLessThan(Duration.ofMillis(50));
        }
        assertThat(f.guard.breaker("primary").getState().name()).as("still OPEN after the calls").isEqualTo("OPEN");
        assertThat(acquisitions()).as("no connection was asked of the pool").isEqualTo(acquiredBefore);
        assertThat(proxy.acceptedConnections()).as("no connection reached the proxy").isEqualTo(acceptedBefore);
        assertThat(backends()).as("nothing reached the server").isZero();
        assertThat(f.guard.snapshot("primary").notPermittedCalls()).isGreaterThanOrEqualTo(20);

        proxy.restore();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                f.service.query("ping", Route.READ, c -> scalar(c, "select 1")).isSuccess()
                        && f.guard.breaker("primary").getState().name().equals("CLOSED"));
        List<String> transitions = f.events.recent().stream()
                .filter(e -> e instanceof ResilienceEvent.BreakerTransition)
                .map(e -> ((ResilienceEvent.BreakerTransition) e).from().name() + "->"
                        + ((ResilienceEvent.BreakerTransition) e).to().name())
                .toList();
        assertThat(transitions).containsSubsequence("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
        assertThat(proxy.acceptedConnections()).as("the counter sees calls that do get through")
                .isGreaterThan(acceptedBefore);
    }

    @Test
    void retriesWaitLongerEachTimeWithJitter() throws Exception {
        service(Map.of("retry.max_attempts", "4", "retry.initial_backoff", "100ms", "retry.max_backoff", "2s",
                "breaker.minimum_calls", "100"));
        proxy.outage();
        Result<Integer> r = f.service.query("stubborn", Route.READ, c -> scalar(c, "select 1"));
        assertThat(r.isSuccess()).isFalse();
        assertThat(r.attempts()).isEqualTo(4);
        List<Duration> waits = f.events.recent().stream()
                .filter(e -> e instanceof ResilienceEvent.RetryScheduled rs && rs.operation().equals("stubborn"))
                .map(e -> ((ResilienceEvent.RetryScheduled) e).backoff()).toList();
        assertThat(waits).hasSize(3);
        // 100 ms doubling, each randomised by ±50 %: [50,150], [100,300], [200,600].
        for (int i = 0; i < 3; i++) {
            long base = 100L << i;
            assertThat(waits.get(i).toMillis()).isBetween(base / 2, base * 3 / 2);
        }
        // Jitter: exact doubling (100, 200, 400) fits the ranges above too. Random whole-millisecond waits in those
        // ranges are each exactly twice the one before with a chance of about 1 in 80,000 (1/201 x 1/401).
        List<Long> millis = waits.stream().map(Duration::toMillis).toList();
        assertThat(millis.get(1) == 2 * millis.get(0) && millis.get(2) == 2 * millis.get(1))
                .as("not each exactly double the one before: " + millis).isFalse();
        long waited = waits.stream().mapToLong(Duration::toMillis).sum();
        assertThat(r.elapsed().toMillis()).isGreaterThanOrEqualTo(waited);
        assertThat(f.stats("stubborn").retries()).isEqualTo(3);
    }

    @Test
    void aReadRidesOutAShortOutage() throws Exception {
        service(Map.of("retry.max_attempts", "8", "breaker.minimum_calls", "100"));
        proxy.outage();
        var call = CompletableFuture.supplyAsync(
                () -> f.service.query("patient", Route.READ, c -> scalar(c, "select 5")), pool);
        await().atMost(Duration.ofSeconds(5)).until(() -> f.events.recent().stream()
                .anyMatch(e -> e instanceof ResilienceEvent.RetryScheduled));
        proxy.restore();
        Result<Integer> r = call.get(30, TimeUnit.SECONDS);
        assertThat(r.orElseThrow()).isEqualTo(5);
        assertThat(r.attempts()).isGreaterThan(1);
    }

    @Test
    void aWriteCutAfterItWasSentIsNotRetriedAndSaysItsOutcomeIsUnknown() throws Exception {
        service(Map.of("retry.max_attempts", "3"));
        proxy.cutWhenClientSends("pgpulse-marker-1", true);
        Result<Integer> r = f.service.update("insert", false, "insert into item values (1, 'pgpulse-marker-1')");
        Result.Failure<Integer> failure = (Result.Failure<Integer>) r;
        assertThat(failure.category()).isEqualTo(ErrorCategory.CONNECTION);
        assertThat(failure.attempts()).isEqualTo(1);
        assertThat(failure.outcomeUnknown()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> rowsDirect("id = 1") == 1);
    }

    @Test
    void anIdempotentWriteIsRetriedAfterACut() throws Exception {
        service(Map.of("retry.max_attempts", "3"));
        proxy.cutWhenClientSends("pgpulse-marker-2", true);
        Result<Integer> r = f.service.update("upsert", true,
                "insert into item values (2, 'pgpulse-marker-2') on conflict (id) do nothing");
        assertThat(r.isSuccess()).as(r.toString()).isTrue();
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(rowsDirect("id = 2")).isEqualTo(1);
    }

    @Test
    void aCommitWhoseAnswerIsLostIsResolvedAsCommittedAndNotAppliedTwice() throws Exception {
        service(Map.of("retry.max_attempts", "3"));
        proxy.cutWhenClientSends("COMMIT", true);
        Result<String> r = f.service.transaction("add", TxOptions.readCommitted(), c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("insert into item values (3, 'committed but unacknowledged')");
            }
            return "done";
        });
        assertThat(proxy.triggerFired()).isTrue();
        assertThat(r.orElseThrow()).isEqualTo("done");
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(rowsDirect("id = 3")).isEqualTo(1);
        assertThat(f.events.recent()).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(ResilienceEvent.CommitResolved.class, cr -> assertThat(cr.outcome()).isEqualTo("COMMITTED")));
    }

    @Test
    void aCommitThatNeverArrivedIsResolvedAsAbortedAndRunAgainOnce() throws Exception {
        service(Map.of("retry.max_attempts", "3"));
        proxy.cutWhenClientSends("COMMIT", false);
        Result<String> r = f.service.transaction("add", TxOptions.readCommitted(), c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("insert into item values (4, 'first try lost')");
            }
            return "done";
        });
        assertThat(proxy.triggerFired()).isTrue();
        assertThat(r.orElseThrow()).isEqualTo("done");
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(rowsDirect("id = 4")).isEqualTo(1);
        assertThat(f.events.recent()).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(ResilienceEvent.CommitResolved.class, cr -> assertThat(cr.outcome()).isEqualTo("ABORTED")));
    }

    @Test
    void anUnreachableServerLeavesACommitUnknownRatherThanGuessed() throws Exception {
        service(Map.of());
        DatabaseService.TxId xid = f.service.transaction("xid", TxOptions.readCommitted(), c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("insert into item values (5, 'x')");
                try (ResultSet rs = st.executeQuery(
                        "select pg_current_xact_id()::text, pg_postmaster_start_time()::text")) {
                    rs.next();
                    return new DatabaseService.TxId(rs.getString(1), rs.getString(2));
                }
            }
        }).orElseThrow();
        CommitResolver resolver = new CommitResolver(Duration.ofSeconds(1), Duration.ofMillis(100));
        assertThat(resolver.resolve(f.service.endpoints().primary(), xid)).isEqualTo(CommitResolver.Outcome.COMMITTED);
        proxy.outage();
        long t0 = System.nanoTime();
        assertThat(resolver.resolve(f.service.endpoints().primary(), xid)).isEqualTo(CommitResolver.Outcome.UNKNOWN);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aWriteThatCouldNotBeSentIsRetriedAndAppliedOnce() throws Exception {
        service(Map.of("retry.max_attempts", "8", "breaker.minimum_calls", "100"));
        proxy.outage();
        var call = CompletableFuture.supplyAsync(
                () -> f.service.update("insert", false, "insert into item values (6, 'after the outage')"), pool);
        await().atMost(Duration.ofSeconds(5)).until(() -> f.events.recent().stream()
                .anyMatch(e -> e instanceof ResilienceEvent.RetryScheduled));
        proxy.restore();
        Result<Integer> r = call.get(30, TimeUnit.SECONDS);
        assertThat(r.orElseThrow()).isEqualTo(1);
        assertThat(r.attempts()).isGreaterThan(1);
        assertThat(rowsDirect("id = 6")).isEqualTo(1);
    }

    @Test
    void aTransactionIdFromBeforeAServerRestartIsNotTrusted() throws Exception {
        service(Map.of());
        DatabaseService.TxId xid = f.service.transaction("xid", TxOptions.readCommitted(), c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("insert into item values (7, 'x')");
                try (ResultSet rs = st.executeQuery("select pg_current_xact_id()::text")) {
                    rs.next();
                    return new DatabaseService.TxId(rs.getString(1), "1999-01-01 00:00:00+00");
                }
            }
        }).orElseThrow();
        CommitResolver resolver = new CommitResolver(Duration.ofSeconds(1), Duration.ofMillis(100));
        assertThat(resolver.resolve(f.service.endpoints().primary(), xid)).isEqualTo(CommitResolver.Outcome.UNKNOWN);
    }
}
