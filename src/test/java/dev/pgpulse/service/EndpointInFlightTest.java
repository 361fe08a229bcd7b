package dev.pgpulse.service;

import dev.pgpulse.pool.Route;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The calls in flight per endpoint, with calls held for real on a real server: a statement blocked on the server
 * counts on the endpoint it runs on and nowhere else, a call waiting for a connection counts on the endpoint whose
 * pool it waits for, a server that never answers shows its call ageing while the breaker stays CLOSED; each goes
 * back to 0 once the call is over, in the snapshot and in the endpoint's gauges.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class EndpointInFlightTest {
    private static final long LOCK = 731_001;

    // The common pool has one thread on a 2-core machine: the held calls need threads of their own.
    private final ExecutorService callers = Executors.newFixedThreadPool(3, Thread.ofPlatform().name("inflight-test-", 0).factory());
    private ServiceFixture f;

    @AfterEach
    void tearDown() {
        callers.shutdownNow();
        if (f != null) {
            f.close();
        }
    }

    private EndpointTraffic traffic(String endpoint) {
        return f.service.snapshot().traffic().stream().filter(t -> t.endpoint().equals(endpoint)).findFirst().orElseThrow();
    }

    private double gauge(String name, String endpoint) {
        return f.meters.get(name).tag("endpoint", endpoint).gauge().value();
    }

    /** A call that waits on the server for an advisory lock the test holds: running, on whichever endpoint it was routed to. */
    private CompletableFuture<Result<Boolean>> blocked(Route route) {
        return CompletableFuture.supplyAsync(() -> f.service.query("blocked", route, c -> {
            try (Statement st = c.createStatement()) {
                return st.execute("select pg_advisory_xact_lock(" + LOCK + ")");
            }
        }), callers);
    }

    @Test
    void aCallHeldOnTheServerCountsOnItsEndpointOnlyAndAgesUntilItEnds(TestDatabase db) throws Exception {
        // two endpoints on one server: reads go to the replica, writes to the primary
        f = new ServiceFixture(Map.of("DATABASE_URL", db.url(), "DATABASE_READ_URLS", db.url()), Map.of());
        assertThat(traffic("primary").callsInFlight()).isZero();
        assertThat(traffic("replica-1").oldestCallInFlight()).isZero();
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("select pg_advisory_xact_lock(" + LOCK + ")");
            }
            CompletableFuture<Result<Boolean>> read = blocked(Route.READ);
            await().atMost(Duration.ofSeconds(10)).until(() -> traffic("replica-1").callsInFlight() == 1
                    && traffic("replica-1").oldestCallInFlight().compareTo(Duration.ofMillis(300)) > 0);
            EndpointTraffic replica = traffic("replica-1");
            assertThat(traffic("primary").callsInFlight()).as("the read is on the replica only").isZero();
            assertThat(traffic("primary").oldestCallInFlight()).isZero();
            assertThat(gauge(TrafficMeters.IN_FLIGHT, "replica-1")).isEqualTo(1.0);
            assertThat(gauge(TrafficMeters.IN_FLIGHT, "primary")).isZero();
            assertThat(gauge(TrafficMeters.OLDEST_IN_FLIGHT, "replica-1")).isGreaterThan(0.3);
            assertThat(gauge(TrafficMeters.OLDEST_IN_FLIGHT, "primary")).isZero();

            CompletableFuture<Result<Boolean>> write = blocked(Route.WRITE);
            await().atMost(Duration.ofSeconds(10)).until(() -> traffic("primary").callsInFlight() == 1);
            // the read, started first, is the older, and it keeps ageing
            await().atMost(Duration.ofSeconds(5)).until(() -> traffic("replica-1").oldestCallInFlight()
                    .compareTo(replica.oldestCallInFlight().plusMillis(200)) > 0);
            assertThat(traffic("replica-1").oldestCallInFlight()).isGreaterThan(traffic("primary").oldestCallInFlight());
            assertThat(f.service.snapshot().inFlight()).isEqualTo(2);
            assertThat(read).isNotDone();
            assertThat(write).isNotDone();

            holder.commit(); // releases the lock: the two calls take it in turn and end
            assertThat(read.get(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            assertThat(write.get(10, TimeUnit.SECONDS).isSuccess()).isTrue();
        }
        for (String endpoint : new String[] {"primary", "replica-1"}) {
            assertThat(traffic(endpoint).callsInFlight()).as(endpoint).isZero();
            assertThat(traffic(endpoint).oldestCallInFlight()).as(endpoint).isZero();
            assertThat(gauge(TrafficMeters.IN_FLIGHT, endpoint)).isZero();
            assertThat(gauge(TrafficMeters.OLDEST_IN_FLIGHT, endpoint)).isZero();
        }
    }

    @Test
    void aCallWaitingForAConnectionCountsOnTheEndpointItWaitsFor(TestDatabase db) throws Exception {
        f = new ServiceFixture(db, Map.of("pool.max_size", "1", "pool.min_idle", "1",
                "pool.connection_timeout", "20s"));
        CompletableFuture<Result<Integer>> waiting;
        try (Connection taken = f.service.endpoints().primary().connection()) {
            waiting = CompletableFuture.supplyAsync(() -> f.service.query("waits", Route.WRITE, c -> 1), callers);
            await().atMost(Duration.ofSeconds(10)).until(() -> f.service.endpoints().primary().snapshot().awaiting() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> traffic("primary").oldestCallInFlight()
                    .compareTo(Duration.ofMillis(300)) > 0);
            assertThat(traffic("primary").callsInFlight()).isEqualTo(1);
            assertThat(waiting).isNotDone();
            assertThat(taken.isValid(1)).isTrue();
        }
        assertThat(waiting.get(10, TimeUnit.SECONDS).orElseThrow()).isEqualTo(1);
        assertThat(traffic("primary").callsInFlight()).isZero();
        assertThat(traffic("primary").oldestCallInFlight()).isZero();
    }

    /**
     * An endpoint's oldest call is aged from the call's start, what its caller has waited: a transaction that ran a
     * second on the primary, hit a serialization failure and runs again is more than a second old on its second
     * attempt, not a fresh call.
     */
    @Test
    void aRetriedCallKeepsItsAgeOnItsNextAttempt(TestDatabase db) throws Exception {
        f = new ServiceFixture(db, Map.of("retry.max_attempts", "3", "retry.initial_backoff", "20ms"));
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Result<Boolean>> tx;
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("select pg_advisory_xact_lock(" + LOCK + ")");
            }
            tx = CompletableFuture.supplyAsync(() -> f.service.transaction("retried", TxOptions.readCommitted(), c -> {
                try (Statement st = c.createStatement()) {
                    if (runs.incrementAndGet() == 1) {
                        st.execute("select pg_sleep(1.2)");
                        st.execute("do $$ begin raise exception 'drill' using errcode = '40001'; end $$");
                    }
                    return st.execute("select pg_advisory_xact_lock(" + LOCK + ")");
                }
            }), callers);
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 2 && traffic("primary").callsInFlight() == 1);
            assertThat(traffic("primary").oldestCallInFlight()).as("the first attempt's time included")
                    .isGreaterThan(Duration.ofSeconds(1));
            holder.commit();
        }
        Result<Boolean> done = tx.get(10, TimeUnit.SECONDS);
        assertThat(done.isSuccess()).as("%s", done).isTrue();
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(traffic("primary").oldestCallInFlight()).isZero();
    }

    /**
     * The replica's server stops answering (its connections black-holed by a proxy): the read neither fails nor
     * finishes, so the replica's breaker stays CLOSED, and only the age of its call in flight says so. Once the
     * connection breaks the read is retried and ends; nothing is in flight any more.
     */
    @Test
    void aServerThatNeverAnswersShowsItsCallAgeingWhileItsBreakerStaysClosed(TestDatabase db) throws Exception {
        try (FaultProxy replicaProxy = FaultProxy.start(db.host(), db.port())) {
            f = new ServiceFixture(Map.of("DATABASE_URL", db.url(), "DATABASE_READ_URLS",
                    replicaProxy.through(db).url()), Map.of("retry.max_attempts", "3", "retry.initial_backoff", "20ms"));
            assertThat(f.service.query("warm", Route.READ, c -> c.isValid(1)).endpoint()).isEqualTo("replica-1");
            replicaProxy.blackhole(true);
            CompletableFuture<Result<Boolean>> read = CompletableFuture.supplyAsync(() -> f.service.query("hung",
                    Route.READ, c -> {
                        try (Statement st = c.createStatement()) {
                            return st.execute("select 1");
                        }
                    }), callers);
            await().atMost(Duration.ofSeconds(10)).until(() -> traffic("replica-1").oldestCallInFlight()
                    .compareTo(Duration.ofSeconds(1)) > 0);
            assertThat(traffic("replica-1").callsInFlight()).isEqualTo(1);
            assertThat(traffic("primary").callsInFlight()).isZero();
            assertThat(f.service.snapshot().breakers()).filteredOn(b -> b.endpoint().equals("replica-1"))
                    .singleElement().satisfies(b -> assertThat(b.state().label()).isEqualTo("CLOSED"));
            assertThat(read).isNotDone();

            replicaProxy.restore();
            replicaProxy.cutAll();
            Result<Boolean> done = read.get(20, TimeUnit.SECONDS);
            assertThat(done.isSuccess()).as("retried after the cut: %s", done).isTrue();
            assertThat(done.attempts()).isGreaterThan(1);
        }
        assertThat(traffic("replica-1").callsInFlight()).isZero();
        assertThat(traffic("replica-1").oldestCallInFlight()).isZero();
    }
}
