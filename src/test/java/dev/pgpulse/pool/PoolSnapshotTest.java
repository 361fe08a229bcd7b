package dev.pgpulse.pool;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/** The snapshot must report what HikariCP really does with concurrent borrowers, not a hand-kept count. */
@ExtendWith(PostgresExtension.class)
class PoolSnapshotTest {

    @Test
    void activeIdleAndTotalFollowConnectionsHeldByThreads(TestDatabase db, @TempDir Path home) throws Exception {
        int holders = 3;
        PgPulseConfig config = PoolTesting.config(db.url(), home, List.of(),
                Map.of("pool.max_size", "4", "pool.min_idle", "1", "pool.connection_timeout", "5s"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Endpoints endpoints = Endpoints.open(config, registry);
             ExecutorService threads = Executors.newFixedThreadPool(holders)) {
            Endpoint primary = endpoints.primary();
            assertThat(primary.snapshot().active()).isZero();

            CountDownLatch release = new CountDownLatch(1);
            List<Future<String>> backends = new ArrayList<>();
            for (int i = 0; i < holders; i++) {
                backends.add(threads.submit(() -> {
                    try (Connection c = primary.connection()) {
                        String pid = PoolTesting.queryString(c, "select pg_backend_pid()");
                        assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                        return pid;
                    }
                }));
            }

            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(
                        () -> assertThat(primary.snapshot().active()).isEqualTo(holders));
                PoolSnapshot busy = primary.snapshot();
                assertThat(busy.endpoint()).isEqualTo("primary");
                assertThat(busy.at()).isNotNull();
                assertThat(busy.max()).isEqualTo(4);
                assertThat(busy.minIdle()).isEqualTo(1);
                assertThat(busy.total()).isBetween(holders, busy.max());
                assertThat(busy.idle()).isEqualTo(busy.total() - busy.active());
                assertThat(busy.awaiting()).isZero();
                assertThat(busy.usageRatio()).isCloseTo(holders / 4.0, within(1e-9));
            } finally {
                // A failed assertion must not leave the holders blocked until their own timeout.
                release.countDown();
            }
            var pids = new HashSet<String>();
            for (Future<String> f : backends) {
                pids.add(f.get(20, TimeUnit.SECONDS));
            }
            // Three borrowers at once must have had three server sessions, or "active" would be a fiction.
            assertThat(pids).hasSize(holders);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(primary.snapshot().active()).isZero());
            PoolSnapshot quiet = primary.snapshot();
            assertThat(quiet.idle()).isEqualTo(quiet.total());
            assertThat(quiet.total()).isBetween(quiet.minIdle(), quiet.max());
            assertThat(quiet.usageRatio()).isZero();
            assertThat(quiet.created()).isGreaterThanOrEqualTo(holders);
            assertThat(quiet.acquireMeanMs()).isGreaterThanOrEqualTo(0);
            assertThat(quiet.acquireP95Ms()).isGreaterThanOrEqualTo(0);
            assertThat(quiet.acquireMaxMs()).isGreaterThanOrEqualTo(0);
            // Each holder kept its connection at least until the poll above saw all three active.
            assertThat(quiet.usageMeanMs()).isGreaterThan(0);
            assertThat(quiet.usageMaxMs()).isGreaterThan(0);

            Timer usage = registry.find("hikaricp.connections.usage").tag("pool", "primary").timer();
            assertThat(usage).isNotNull();
            assertThat(usage.count()).isGreaterThanOrEqualTo(holders);
            // acquireP95Ms is only meaningful if configureRegistry made Micrometer keep that percentile.
            Timer acquire = registry.find("hikaricp.connections.acquire").tag("pool", "primary").timer();
            assertThat(acquire).isNotNull();
            assertThat(acquire.count()).isGreaterThanOrEqualTo(holders);
            assertThat(acquire.takeSnapshot().percentileValues()).extracting(ValueAtPercentile::percentile)
                    .contains(0.5, 0.95, 0.99);
        }
    }

    @Test
    void borrowersBeyondMaxWaitThenTimeOut(TestDatabase db, @TempDir Path home) throws Exception {
        int threadsCount = 5;
        int max = 2;
        PgPulseConfig config = PoolTesting.config(db.url(), home, List.of(),
                Map.of("pool.max_size", Integer.toString(max), "pool.connection_timeout", "500ms"));
        try (Endpoints endpoints = Endpoints.open(config, new SimpleMeterRegistry());
             ExecutorService threads = Executors.newFixedThreadPool(threadsCount)) {
            Endpoint primary = endpoints.primary();
            CountDownLatch start = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Future<Long>> borrowers = new ArrayList<>();
            for (int i = 0; i < threadsCount; i++) {
                borrowers.add(threads.submit(() -> {
                    assertThat(start.await(10, TimeUnit.SECONDS)).isTrue();
                    long t0 = System.nanoTime();
                    try (Connection c = primary.connection()) {
                        assertThat(c.isValid(2)).isTrue();
                        // Holders keep their connection until the test has seen the timeouts, not for a guessed time.
                        assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                        return -1L;
                    } catch (SQLTransientConnectionException e) {
                        throw new TimedOut(e, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                    }
                }));
            }
            start.countDown();

            int waiting = threadsCount - max;
            try {
                // The wait lasts about 500 ms, so poll much faster than Awaitility's default. While the pool
                // creates its second connection a holder waits too, hence "at least".
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                        .until(() -> primary.snapshot().awaiting() >= waiting);

                await().atMost(Duration.ofSeconds(10)).untilAsserted(
                        () -> assertThat(primary.snapshot().timeouts()).isEqualTo(waiting));
                PoolSnapshot full = primary.snapshot();
                assertThat(full.awaiting()).isZero();
                assertThat(full.active()).isEqualTo(max);
                assertThat(full.total()).isEqualTo(max);
                assertThat(full.usageRatio()).isEqualTo(1.0);
            } finally {
                release.countDown();
            }
            List<TimedOut> failures = new ArrayList<>();
            int served = 0;
            for (Future<Long> f : borrowers) {
                try {
                    f.get(20, TimeUnit.SECONDS);
                    served++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(TimedOut.class);
                    failures.add((TimedOut) e.getCause());
                }
            }
            assertThat(served).isEqualTo(max);
            assertThat(failures).hasSize(waiting).allSatisfy(f -> {
                assertThat(f.getCause()).isInstanceOf(SQLTransientConnectionException.class)
                        .hasMessageContaining("primary - Connection is not available");
                // connection_timeout reached HikariCP: neither an immediate failure nor its 30 s default.
                assertThat(f.waitedMs).isBetween(400L, 3_000L);
            });

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(primary.snapshot().active()).isZero());
            assertThat(primary.snapshot().timeouts()).isEqualTo(waiting);
        }
    }

    /** Carries how long a borrower waited before HikariCP gave up. */
    private static final class TimedOut extends Exception {
        private static final long serialVersionUID = 1L;
        final long waitedMs;

        TimedOut(SQLTransientConnectionException cause, long waitedMs) {
            super(cause);
            this.waitedMs = waitedMs;
        }
    }
}
