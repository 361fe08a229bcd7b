package dev.pgpulse.cli;

import dev.pgpulse.cli.BenchRuns.BenchFailure;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import dev.pgpulse.service.SqlFunction;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.sql.Connection;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

import static dev.pgpulse.cli.LatencyStats.percentile;

/**
 * The fail-fast half of {@code pgpulse bench}: forces the primary's breaker open, times calls that must all fail
 * fast with CIRCUIT_OPEN, checks that the pool's acquire count did not move (no call reached the pool), and
 * closes the breaker again, checking that a call then succeeds.
 */
final class FailFastProbe {
    static final String ACQUIRE = "hikaricp.connections.acquire";
    static final int WARMUP_CALLS = 20_000;
    static final int CALLS = 100_000;

    /** The timed calls' median and p99, and the pool's acquire count before and after them. */
    record Measured(long p50Nanos, long p99Nanos, long acquireBefore, long acquireAfter) {
    }

    private FailFastProbe() {
    }

    /** @param pool where the calls run (one of its threads), owned by the caller */
    static Measured measure(Guard guard, DatabaseService service, MeterRegistry registry, Endpoint primary,
                            ExecutorService pool) throws InterruptedException, BenchFailure {
        Timer acquire = registry.find(ACQUIRE).tag("pool", primary.name()).timer();
        if (acquire == null) {
            throw new BenchFailure("no " + ACQUIRE + " timer for pool " + primary.name());
        }
        SqlFunction<Connection, Integer> work = BenchHarness::select1;
        CircuitBreaker breaker = guard.breaker(primary.name());
        long before = acquire.count();
        long[] nanos = new long[CALLS];
        breaker.transitionToForcedOpenState();
        String wrong;
        try {
            wrong = pool.submit(() -> {
                for (int i = 0; i < WARMUP_CALLS + CALLS; i++) {
                    long t0 = System.nanoTime();
                    Result<Integer> r = service.query(BenchHarness.OPERATION, Route.WRITE, work);
                    long d = System.nanoTime() - t0;
                    if (!(r instanceof Result.Failure<Integer> f) || f.category() != ErrorCategory.CIRCUIT_OPEN) {
                        return "call " + (i + 1) + " with the breaker open returned " + r;
                    }
                    if (i >= WARMUP_CALLS) {
                        nanos[i - WARMUP_CALLS] = d;
                    }
                }
                return null;
            }).get();
        } catch (ExecutionException e) {
            wrong = "a call with the breaker open threw " + e.getCause();
        } finally {
            breaker.transitionToClosedState();
        }
        long after = acquire.count();
        if (wrong != null) {
            throw new BenchFailure("fail-fast check failed: " + wrong);
        }
        if (after != before) {
            throw new BenchFailure("fail-fast check failed: " + ACQUIRE + " count changed from " + before + " to "
                    + after + " while the breaker was open: calls reached the pool");
        }
        Result<Integer> again = service.query(BenchHarness.OPERATION, Route.WRITE, work);
        if (!again.isSuccess()) {
            throw new BenchFailure("after closing the breaker again, a call failed: " + again);
        }
        Arrays.sort(nanos);
        return new Measured(percentile(nanos, 0.50), percentile(nanos, 0.99), before, after);
    }
}
