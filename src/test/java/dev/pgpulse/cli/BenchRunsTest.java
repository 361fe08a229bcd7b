package dev.pgpulse.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The measuring half of the bench on its own: no database, a call whose cost the test controls. */
@Timeout(60)
class BenchRunsTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(3,
            Thread.ofPlatform().name("bench-runs-test-", 0).daemon(true).factory());

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void aRunCallsOnEveryThreadForItsLengthAndTimesEachCall() throws Exception {
        var threadsSeen = ConcurrentHashMap.<String>newKeySet();
        BenchRuns runs = new BenchRuns(pool, 3);

        BenchRuns.Run run = runs.run(3, 1, () -> {
            threadsSeen.add(Thread.currentThread().getName());
            TimeUnit.MICROSECONDS.sleep(200); // a call costs at least 200 µs
        }, "sleep");

        assertThat(threadsSeen).hasSize(3);
        assertThat(run.elapsedNanos()).isBetween(TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(10));
        assertThat(run.p50Nanos()).isGreaterThanOrEqualTo(TimeUnit.MICROSECONDS.toNanos(200));
        assertThat(run.p99Nanos()).isGreaterThanOrEqualTo(run.p50Nanos());
        // 3 threads, 1 s, at most one call per 200 µs each
        assertThat(run.calls()).isBetween(3L, 3L * 5_000);
        assertThat(run.callsPerSecond()).isEqualTo(run.calls() * 1e9 / run.elapsedNanos());
    }

    @Test
    void aFailingCallEndsTheRunWithItsPathAndCause() {
        BenchRuns runs = new BenchRuns(pool, 2);

        assertThatThrownBy(() -> runs.run(2, 1, () -> {
            throw new IllegalStateException("SELECT 1 returned 2");
        }, "raw")).isInstanceOf(BenchRuns.BenchFailure.class)
                .hasMessage("a raw call failed: java.lang.IllegalStateException: SELECT 1 returned 2");
    }
}
