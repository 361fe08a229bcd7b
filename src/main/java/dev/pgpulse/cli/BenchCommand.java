package dev.pgpulse.cli;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.pgpulse.cli.BenchRuns.BenchFailure;
import dev.pgpulse.cli.BenchRuns.Call;
import dev.pgpulse.cli.BenchRuns.Run;
import dev.pgpulse.cli.BenchRuns.Series;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedStartException;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.pool.EndpointStartupException;
import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import dev.pgpulse.service.SqlFunction;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.pgpulse.cli.BenchRuns.median;
import static dev.pgpulse.cli.BenchRuns.percentile;

/**
 * {@code pgpulse bench}: the cost of the resilient service layer, measured against raw HikariCP + pgjdbc in
 * the same run, on the same server and the same pool. For each thread count, raw and service runs of
 * {@code SELECT 1} alternate (A B, B A, ...), because runs of the same thing differ by about 10 % on a small
 * machine; the median of the rounds is quoted. Then the primary's breaker is forced open and the fail-fast
 * time of a call is measured, with a check that no call reached the pool. This class decides what runs and
 * prints the report; the timed runs and their statistics are in {@link BenchRuns}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure DatabaseService.query against raw HikariCP + pgjdbc on the same pool: SELECT 1 "
                + "throughput and per-call latency per thread count (raw and service runs alternating, median of "
                + "the rounds), and the fail-fast time of a call when the primary's breaker is open.",
                "The primary pool is sized to the largest thread count (pool.max_size and pool.min_idle) unless "
                        + "--set gives them.",
                "Exit codes: 0 it ran (targets met or MISSED), 1 it could not run or a check failed, 2 bad usage."})
final class BenchCommand implements Callable<Integer> {
    static final String OPERATION = "bench.select1";
    static final String SQL = "SELECT 1";
    static final double LATENCY_RATIO_TARGET = 1.05;
    static final long FAIL_FAST_TARGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final String ACQUIRE = "hikaricp.connections.acquire";
    private static final int FAIL_FAST_WARMUP_CALLS = 20_000;
    private static final int FAIL_FAST_CALLS = 100_000;
    private static final long POOL_FILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Caps that keep one bench bounded: at most minutes per run, not the hours a typo would ask for. */
    static final int MAX_THREADS = 1024;
    static final int MAX_SECONDS = 300;
    static final int MAX_ROUNDS = 20;
    static final int MAX_WARMUP = 60;

    private final PgPulseCli.Context context;

    @Option(names = "--threads", split = ",", paramLabel = "N", defaultValue = "1,8",
            description = "Thread counts to measure, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "3",
            description = "Length of one measured run, per path and thread count (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "3",
            description = "Raw/service pairs per thread count; the median is quoted (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "2",
            description = "Seconds of unmeasured warm-up per path, at the largest thread count (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    TargetOptions target = new TargetOptions();

    BenchCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        List<String> bad = validate();
        if (!bad.isEmpty()) {
            bad.forEach(b -> context.err().println("pgpulse: bench: " + b));
            return PgPulseCli.USAGE;
        }
        int maxThreads = Collections.max(threads);
        var loaded = Problems.load(context, overrides(maxThreads), true);
        if (loaded.isEmpty()) {
            return PgPulseCli.USAGE;
        }
        PgPulseConfig config = loaded.get();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ExecutorService pool = Executors.newFixedThreadPool(maxThreads,
                Thread.ofPlatform().name("bench-", 0).daemon(true).factory());
        try (Connected connected = Connected.open(config, registry)) {
            Clock clock = Clock.systemUTC();
            Guard guard = new Guard(connected.config().resilience(), registry,
                    new EventLog(EventLog.DEFAULT_CAPACITY), clock);
            DatabaseService service = new DatabaseService(connected.endpoints(), guard, registry, clock);
            try {
                return bench(connected, guard, service, registry, pool, maxThreads);
            } finally {
                service.close();
            }
        } catch (EmbeddedStartException | EndpointStartupException e) {
            context.err().println("pgpulse: " + e.getMessage());
            return PgPulseCli.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            context.err().println("pgpulse: bench: interrupted");
            return PgPulseCli.FAILED;
        } catch (BenchFailure e) {
            context.err().println("pgpulse: bench: " + e.getMessage());
            return PgPulseCli.FAILED;
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Every bad option, one line each: a run is minutes long, so nobody should learn of them one per try. */
    private List<String> validate() {
        List<String> bad = new java.util.ArrayList<>();
        if (threads == null || threads.isEmpty() || threads.stream().anyMatch(t -> t == null || t < 1 || t > MAX_THREADS)) {
            bad.add("--threads takes thread counts from 1 to " + MAX_THREADS + ", e.g. --threads 1,8");
        }
        within(bad, "--seconds", seconds, 1, MAX_SECONDS);
        within(bad, "--rounds", rounds, 1, MAX_ROUNDS);
        within(bad, "--warmup", warmup, 0, MAX_WARMUP);
        return bad;
    }

    private static void within(List<String> bad, String option, int value, int min, int max) {
        if (value < min || value > max) {
            bad.add(option + " " + value + ": expected a whole number from " + min + " to " + max);
        }
    }

    /** The command line's settings, with the pool sized to the largest thread count unless --set says otherwise. */
    private Overrides overrides(int maxThreads) {
        Overrides given = target.toOverrides();
        Map<String, String> settings = new LinkedHashMap<>(given.settings());
        settings.putIfAbsent("pool.max_size", String.valueOf(maxThreads));
        if (!settings.containsKey("pool.min_idle")) {
            // A fixed-size pool: every connection exists before the first run; idle_timeout would only make
            // HikariCP warn that it has no effect.
            settings.put("pool.min_idle", settings.get("pool.max_size"));
            settings.putIfAbsent("pool.idle_timeout", "0");
        }
        return new Overrides(given.configFile(), given.profile(), given.url(), given.replicas(), given.environment(),
                settings);
    }

    private int bench(Connected connected, Guard guard, DatabaseService service, SimpleMeterRegistry registry,
                      ExecutorService pool, int maxThreads) throws InterruptedException, BenchFailure {
        PrintWriter out = context.out();
        PrintWriter err = context.err();
        Endpoint primary = connected.endpoints().primary();
        HikariDataSource ds = primary.dataSource();
        if (ds.getMaximumPoolSize() < maxThreads) {
            throw new BenchFailure("the " + primary.name() + " pool's max size is " + ds.getMaximumPoolSize()
                    + ", fewer than " + maxThreads + " threads; pass --set pool.max_size=" + maxThreads);
        }
        awaitPoolFilled(ds);

        Call raw = () -> {
            try (Connection c = ds.getConnection()) {
                expectOne(select1(c));
            }
        };
        SqlFunction<Connection, Integer> work = BenchCommand::select1;
        Call viaService = () -> {
            Result<Integer> r = service.query(OPERATION, Route.WRITE, work);
            if (r instanceof Result.Success<Integer> s) {
                expectOne(s.value());
            } else {
                throw new IllegalStateException(r.toString());
            }
        };

        String mode = connected.embedded() != null ? "embedded PostgreSQL at " + connected.embedded().url()
                : "configured target " + primary.config().displayTarget();
        out.println("PgPulse bench - " + connected.config().environment().label() + ", " + mode);
        out.println("Java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " cores; pool "
                + primary.name() + ": max " + ds.getMaximumPoolSize() + ", min idle " + ds.getMinimumIdle());
        out.println("raw     = HikariCP getConnection + pgjdbc prepareStatement(\"" + SQL + "\"), executeQuery, next, close");
        out.println("service = DatabaseService.query(\"" + OPERATION + "\", WRITE, same work): breaker, retry, timer");
        out.println(rounds + " round(s) of " + seconds + " s per path and thread count, raw and service alternating "
                + "(A B, B A, ...), after " + warmup + " s warm-up per path; medians of the rounds");
        out.println();
        out.flush();

        BenchRuns runs = new BenchRuns(pool, maxThreads);
        if (warmup > 0) {
            err.println("pgpulse: bench: warming up (" + warmup + " s per path, " + maxThreads + " threads)");
            runs.run(maxThreads, warmup, raw, "raw");
            runs.run(maxThreads, warmup, viaService, "service");
        }

        TextTable table = new TextTable("THREADS", "PATH", "CALLS/S", "P50 µs", "P99 µs", "JVM CPU µs/CALL",
                "PER ROUND");
        double ratioAtMax = Double.NaN;
        for (int t : threads) {
            List<Run> rawRuns = new ArrayList<>();
            List<Run> serviceRuns = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                // A B, then B A: whichever runs second inherits the first's garbage and JIT work, so the
                // order alternates and neither path always pays for the other.
                if (r % 2 == 0) {
                    rawRuns.add(runs.run(t, seconds, raw, "raw"));
                    serviceRuns.add(runs.run(t, seconds, viaService, "service"));
                } else {
                    serviceRuns.add(runs.run(t, seconds, viaService, "service"));
                    rawRuns.add(runs.run(t, seconds, raw, "raw"));
                }
                err.printf(Locale.ROOT, "pgpulse: bench: %d thread(s), round %d/%d: raw %,.0f calls/s, service %,.0f calls/s%n",
                        t, r + 1, rounds, rawRuns.getLast().callsPerSecond(), serviceRuns.getLast().callsPerSecond());
                err.flush();
            }
            Series rs = new Series(rawRuns);
            Series ss = new Series(serviceRuns);
            double[] latencyRatios = new double[rounds];
            double[] throughputRatios = new double[rounds];
            double[] p99Ratios = new double[rounds];
            double[] cpuRatios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                cpuRatios[r] = serviceRuns.get(r).cpuMicrosPerCall() / rawRuns.get(r).cpuMicrosPerCall();
                latencyRatios[r] = (double) serviceRuns.get(r).p50Nanos() / rawRuns.get(r).p50Nanos();
                throughputRatios[r] = serviceRuns.get(r).callsPerSecond() / rawRuns.get(r).callsPerSecond();
                p99Ratios[r] = (double) serviceRuns.get(r).p99Nanos() / rawRuns.get(r).p99Nanos();
            }
            table.row(t, "raw", count(rs.callsPerSecond()), micros(rs.p50Micros()), micros(rs.p99Micros()),
                    micros(rs.cpuMicrosPerCall()), perRound(rawRuns));
            table.row(t, "service", count(ss.callsPerSecond()), micros(ss.p50Micros()), micros(ss.p99Micros()),
                    micros(ss.cpuMicrosPerCall()), perRound(serviceRuns));
            table.row(t, "service/raw", ratio(median(throughputRatios)), ratio(median(latencyRatios)),
                    ratio(median(p99Ratios)), ratio(median(cpuRatios)), Arrays.stream(latencyRatios)
                            .mapToObj(BenchCommand::ratio).collect(Collectors.joining(" ")));
            if (t == maxThreads) {
                ratioAtMax = median(latencyRatios);
            }
        }
        table.print(out);
        out.println("PER ROUND: calls/s of each run; on service/raw rows, the P50 latency ratio of each A/B pair.");
        out.println("JVM CPU µs/CALL: CPU time of this JVM (all threads; not PostgreSQL's) during a run, per call.");
        out.println("service/raw ratios are medians of the per-round ratios (each service run against the raw run "
                + "of the same round, run just before or just after it).");
        out.println();
        out.flush();

        FailFast ff = failFast(guard, service, registry, primary, pool);
        out.printf(Locale.ROOT, "fail-fast: %s breaker FORCED OPEN, %,d calls (after %,d unmeasured), all %s; "
                        + "median %s µs, p99 %s µs%n", primary.name(), FAIL_FAST_CALLS, FAIL_FAST_WARMUP_CALLS,
                ErrorCategory.CIRCUIT_OPEN, micros(ff.p50Nanos / 1e3), micros(ff.p99Nanos / 1e3));
        out.printf(Locale.ROOT, "fail-fast: %s count %s (%,d before, %,d after): no call reached the pool%n",
                ACQUIRE, "unchanged", ff.acquireBefore, ff.acquireAfter);
        out.println("fail-fast: breaker closed again; a call through the service succeeded");
        out.println();

        boolean ratioMet = ratioAtMax <= LATENCY_RATIO_TARGET;
        boolean failFastMet = ff.p50Nanos < FAIL_FAST_TARGET_NANOS;
        out.printf(Locale.ROOT, "service/raw latency ratio at %d threads: %s (target <= %.2f): %s%n", maxThreads,
                ratio(ratioAtMax), LATENCY_RATIO_TARGET, ratioMet ? "met" : "MISSED");
        out.printf(Locale.ROOT, "OPEN fail-fast median: %s µs (target < 1 ms): %s%n", micros(ff.p50Nanos / 1e3),
                failFastMet ? "met" : "MISSED");
        out.flush();
        return PgPulseCli.OK;
    }

    /** min idle connections made by HikariCP's background fill, so the first measured run does not make them. */
    private static void awaitPoolFilled(HikariDataSource ds) throws InterruptedException {
        long deadline = System.nanoTime() + POOL_FILL_WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            HikariPoolMXBean mx = ds.getHikariPoolMXBean();
            if (mx != null && mx.getTotalConnections() >= ds.getMinimumIdle()) {
                return;
            }
            Thread.sleep(20);
        }
    }

    static int select1(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(SQL); ResultSet rs = st.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static void expectOne(int v) {
        if (v != 1) {
            throw new IllegalStateException(SQL + " returned " + v);
        }
    }

    private record FailFast(long p50Nanos, long p99Nanos, long acquireBefore, long acquireAfter) {
    }

    /**
     * Forces the primary's breaker open, times calls that must all fail fast with CIRCUIT_OPEN, checks that the
     * pool's acquire count did not move, and closes the breaker again.
     */
    private static FailFast failFast(Guard guard, DatabaseService service, SimpleMeterRegistry registry,
                                     Endpoint primary, ExecutorService pool) throws InterruptedException, BenchFailure {
        Timer acquire = registry.find(ACQUIRE).tag("pool", primary.name()).timer();
        if (acquire == null) {
            throw new BenchFailure("no " + ACQUIRE + " timer for pool " + primary.name());
        }
        SqlFunction<Connection, Integer> work = BenchCommand::select1;
        CircuitBreaker breaker = guard.breaker(primary.name());
        long before = acquire.count();
        long[] nanos = new long[FAIL_FAST_CALLS];
        breaker.transitionToForcedOpenState();
        String wrong;
        try {
            wrong = pool.submit(() -> {
                for (int i = 0; i < FAIL_FAST_WARMUP_CALLS + FAIL_FAST_CALLS; i++) {
                    long t0 = System.nanoTime();
                    Result<Integer> r = service.query(OPERATION, Route.WRITE, work);
                    long d = System.nanoTime() - t0;
                    if (!(r instanceof Result.Failure<Integer> f) || f.category() != ErrorCategory.CIRCUIT_OPEN) {
                        return "call " + (i + 1) + " with the breaker open returned " + r;
                    }
                    if (i >= FAIL_FAST_WARMUP_CALLS) {
                        nanos[i - FAIL_FAST_WARMUP_CALLS] = d;
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
        Result<Integer> again = service.query(OPERATION, Route.WRITE, work);
        if (!again.isSuccess()) {
            throw new BenchFailure("after closing the breaker again, a call failed: " + again);
        }
        Arrays.sort(nanos);
        return new FailFast(percentile(nanos, 0.50), percentile(nanos, 0.99), before, after);
    }

    private static String perRound(List<Run> runs) {
        return runs.stream().map(r -> count(r.callsPerSecond())).collect(Collectors.joining(" "));
    }

    private static String count(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String micros(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }

    private static String ratio(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
