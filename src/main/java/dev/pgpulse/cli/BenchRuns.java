package dev.pgpulse.cli;

import com.sun.management.OperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.pgpulse.cli.LatencyStats.median;
import static dev.pgpulse.cli.LatencyStats.percentile;

/**
 * The measuring half of {@code pgpulse bench}: timed runs of a call on N threads that start together, with
 * every call's latency, the wall time and this JVM's CPU time, and the figures quoted from them. It knows
 * nothing of pools, the service or the report; {@link BenchHarness} decides what to run.
 */
final class BenchRuns {
    private static final int INITIAL_SAMPLES = 1 << 16;

    private final ExecutorService pool;
    private final Samples[] samples;

    /** @param pool at least {@code maxThreads} threads, owned (and shut down) by the caller */
    BenchRuns(ExecutorService pool, int maxThreads) {
        this.pool = pool;
        this.samples = new Samples[maxThreads];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = new Samples();
        }
    }

    /** One way of making the call under test; throws when its answer is wrong, which ends the run. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    /**
     * One measured run: calls made, wall time of the run, per-call latency percentiles, and the CPU time this
     * JVM used during the run (all its threads, -1 when the platform does not say).
     */
    record Run(long calls, long elapsedNanos, long p50Nanos, long p99Nanos, long cpuNanos) {
        double callsPerSecond() {
            return calls * 1e9 / elapsedNanos;
        }

        double cpuMicrosPerCall() {
            return cpuNanos < 0 ? Double.NaN : cpuNanos / 1e3 / calls;
        }
    }

    /** The rounds of one path at one thread count. */
    record Series(List<Run> runs) {
        double callsPerSecond() {
            return median(runs.stream().mapToDouble(Run::callsPerSecond).toArray());
        }

        double p50Micros() {
            return median(runs.stream().mapToDouble(r -> r.p50Nanos() / 1e3).toArray());
        }

        double p99Micros() {
            return median(runs.stream().mapToDouble(r -> r.p99Nanos() / 1e3).toArray());
        }

        double cpuMicrosPerCall() {
            return median(runs.stream().mapToDouble(Run::cpuMicrosPerCall).toArray());
        }
    }

    /** Per-thread latency samples, reused across runs so arrays grow during warm-up, not in measured runs. */
    private static final class Samples {
        long[] values = new long[INITIAL_SAMPLES];
        int count;

        void add(long v) {
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = v;
        }
    }

    /** A run that cannot go on: the pool is too small, a call failed, or a check did not hold. */
    static final class BenchFailure extends Exception {
        private static final long serialVersionUID = 1L;

        BenchFailure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * {@code threads} tasks start together and call {@code call} back to back for {@code secs} seconds, each
     * recording every call's nanoseconds; throughput is calls over the wall time until the last one stopped.
     */
    Run run(int threads, int secs, Call call, String path) throws InterruptedException, BenchFailure {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong deadline = new AtomicLong();
        List<Future<Long>> futures = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            Samples s = samples[i];
            s.count = 0;
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                long end = deadline.get();
                long t = System.nanoTime();
                while (t < end) {
                    call.run();
                    long t2 = System.nanoTime();
                    s.add(t2 - t);
                    t = t2;
                }
                return t;
            }));
        }
        ready.await();
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        deadline.set(start + TimeUnit.SECONDS.toNanos(secs));
        go.countDown();
        long last = start;
        BenchFailure failure = null;
        for (Future<Long> f : futures) {
            try {
                last = Math.max(last, f.get());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (failure == null) {
                    failure = new BenchFailure("a " + path + " call failed: " + cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        long cpu1 = processCpuNanos();
        int total = 0;
        for (int i = 0; i < threads; i++) {
            total += samples[i].count;
        }
        long[] all = new long[total];
        int at = 0;
        for (int i = 0; i < threads; i++) {
            System.arraycopy(samples[i].values, 0, all, at, samples[i].count);
            at += samples[i].count;
        }
        if (total == 0) {
            throw new BenchFailure("no " + path + " call finished within " + secs + " s");
        }
        Arrays.sort(all);
        return new Run(total, last - start, percentile(all, 0.50), percentile(all, 0.99),
                cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0);
    }

    /** CPU time of this JVM so far, or -1 when the platform's management bean does not say. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
