package dev.pgpulse.cli;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.pgpulse.cli.BenchRuns.BenchFailure;
import dev.pgpulse.cli.BenchRuns.Call;
import dev.pgpulse.cli.BenchRuns.Run;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.pool.Route;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import dev.pgpulse.service.SqlFunction;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import static dev.pgpulse.cli.LatencyStats.median;

/**
 * The two sides of {@code pgpulse bench} and how they are run: <em>raw</em> is HikariCP's {@code getConnection}
 * and pgjdbc on the primary's pool, <em>service</em> the same work through {@link DatabaseService#query}. For each
 * thread count, raw and service runs alternate (A B, B A, ...), because runs of the same thing differ by about
 * 10 % on a small machine; each round's pair gives the ratios, and the median of the rounds is quoted.
 */
final class BenchHarness {
    static final String OPERATION = "bench.select1";
    static final String SQL = "SELECT 1";
    private static final long POOL_FILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** The rounds of both sides at one thread count, in the order they ran. */
    record Comparison(int threads, List<Run> raw, List<Run> service) {
        /** Per round, {@code figure} of the service run over that of the raw run of the same round. */
        double[] ratios(ToDoubleFunction<Run> figure) {
            double[] r = new double[raw.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = figure.applyAsDouble(service.get(i)) / figure.applyAsDouble(raw.get(i));
            }
            return r;
        }

        double[] latencyRatios() {
            return ratios(run -> (double) run.p50Nanos());
        }
    }

    private final BenchOptions options;
    private final ExecutorService pool;
    private final PrintWriter err;
    private final Call raw;
    private final Call viaService;

    /** @param pool at least {@link BenchOptions#maxThreads()} threads, owned (and shut down) by the caller */
    BenchHarness(BenchOptions options, Endpoint primary, DatabaseService service, ExecutorService pool,
                 PrintWriter err) {
        this.options = options;
        this.pool = pool;
        this.err = err;
        HikariDataSource ds = primary.dataSource();
        this.raw = () -> {
            try (Connection c = ds.getConnection()) {
                expectOne(select1(c));
            }
        };
        SqlFunction<Connection, Integer> work = BenchHarness::select1;
        this.viaService = () -> {
            Result<Integer> r = service.query(OPERATION, Route.WRITE, work);
            if (r instanceof Result.Success<Integer> s) {
                expectOne(s.value());
            } else {
                throw new IllegalStateException(r.toString());
            }
        };
    }

    /**
     * Checks that the primary's pool has a connection for every thread, and waits until its min idle connections
     * are made by HikariCP's background fill, so the first measured run does not make them.
     */
    static void preparePool(Endpoint primary, int maxThreads) throws InterruptedException, BenchFailure {
        HikariDataSource ds = primary.dataSource();
        if (ds.getMaximumPoolSize() < maxThreads) {
            throw new BenchFailure("the " + primary.name() + " pool's max size is " + ds.getMaximumPoolSize()
                    + ", fewer than " + maxThreads + " threads; pass --set pool.max_size=" + maxThreads);
        }
        long deadline = System.nanoTime() + POOL_FILL_WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            HikariPoolMXBean mx = ds.getHikariPoolMXBean();
            if (mx != null && mx.getTotalConnections() >= ds.getMinimumIdle()) {
                return;
            }
            Thread.sleep(20);
        }
    }

    /** The unmeasured warm-up of each side, then every thread count's rounds, with a progress line per round. */
    List<Comparison> run() throws InterruptedException, BenchFailure {
        int maxThreads = options.maxThreads();
        BenchRuns runs = new BenchRuns(pool, maxThreads);
        if (options.warmup > 0) {
            err.println("pgpulse: bench: warming up (" + options.warmup + " s per path, " + maxThreads + " threads)");
            runs.run(maxThreads, options.warmup, raw, "raw");
            runs.run(maxThreads, options.warmup, viaService, "service");
        }
        List<Comparison> comparisons = new ArrayList<>();
        for (int t : options.threads) {
            List<Run> rawRuns = new ArrayList<>();
            List<Run> serviceRuns = new ArrayList<>();
            for (int r = 0; r < options.rounds; r++) {
                // A B, then B A: whichever runs second inherits the first's garbage and JIT work, so the
                // order alternates and neither path always pays for the other.
                if (r % 2 == 0) {
                    rawRuns.add(runs.run(t, options.seconds, raw, "raw"));
                    serviceRuns.add(runs.run(t, options.seconds, viaService, "service"));
                } else {
                    serviceRuns.add(runs.run(t, options.seconds, viaService, "service"));
                    rawRuns.add(runs.run(t, options.seconds, raw, "raw"));
                }
                err.printf(Locale.ROOT, "pgpulse: bench: %d thread(s), round %d/%d: raw %,.0f calls/s, "
                                + "service %,.0f calls/s%n", t, r + 1, options.rounds,
                        rawRuns.getLast().callsPerSecond(), serviceRuns.getLast().callsPerSecond());
                err.flush();
            }
            comparisons.add(new Comparison(t, rawRuns, serviceRuns));
        }
        return comparisons;
    }

    /** The quoted service/raw latency ratio: the median of the per-round P50 ratios at the largest thread count. */
    static double latencyRatioAt(List<Comparison> comparisons, int threads) {
        double ratio = Double.NaN;
        for (Comparison c : comparisons) {
            if (c.threads() == threads) {
                ratio = median(c.latencyRatios());
            }
        }
        return ratio;
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
}
