package dev.pgpulse.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.pgpulse.cli.BenchHarness.Comparison;
import dev.pgpulse.cli.BenchRuns.Run;
import dev.pgpulse.cli.BenchRuns.Series;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.resilience.ErrorCategory;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.pgpulse.cli.LatencyStats.median;

/**
 * What {@code pgpulse bench} prints on standard output, in the order it is printed as the bench goes: what is
 * compared, the table of both sides per thread count, the fail-fast measurement, and whether the targets were met.
 */
final class BenchReport {
    static final double LATENCY_RATIO_TARGET = 1.05;
    static final long FAIL_FAST_TARGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final PrintWriter out;

    BenchReport(PrintWriter out) {
        this.out = out;
    }

    /** Where the bench runs and how, before the first run. */
    void header(Connected connected, Endpoint primary, BenchOptions options) {
        HikariDataSource ds = primary.dataSource();
        String mode = connected.embedded() != null ? "embedded PostgreSQL at " + connected.embedded().url()
                : "configured target " + primary.config().displayTarget();
        out.println("PgPulse bench - " + connected.config().environment().label() + ", " + mode);
        out.println("Java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " cores; pool "
                + primary.name() + ": max " + ds.getMaximumPoolSize() + ", min idle " + ds.getMinimumIdle());
        out.println("raw     = HikariCP getConnection + pgjdbc prepareStatement(\"" + BenchHarness.SQL
                + "\"), executeQuery, next, close");
        out.println("service = DatabaseService.query(\"" + BenchHarness.OPERATION
                + "\", WRITE, same work): breaker, retry, timer");
        out.println(options.rounds + " round(s) of " + options.seconds + " s per path and thread count, raw and "
                + "service alternating (A B, B A, ...), after " + options.warmup + " s warm-up per path; medians of "
                + "the rounds");
        out.println();
        out.flush();
    }

    /** Per thread count: a raw row, a service row and a service/raw row of ratios; then what the columns mean. */
    void table(List<Comparison> comparisons) {
        TextTable table = new TextTable("THREADS", "PATH", "CALLS/S", "P50 µs", "P99 µs", "JVM CPU µs/CALL",
                "PER ROUND");
        for (Comparison c : comparisons) {
            Series rs = new Series(c.raw());
            Series ss = new Series(c.service());
            double[] latencyRatios = c.latencyRatios();
            table.row(c.threads(), "raw", count(rs.callsPerSecond()), micros(rs.p50Micros()), micros(rs.p99Micros()),
                    micros(rs.cpuMicrosPerCall()), perRound(c.raw()));
            table.row(c.threads(), "service", count(ss.callsPerSecond()), micros(ss.p50Micros()),
                    micros(ss.p99Micros()), micros(ss.cpuMicrosPerCall()), perRound(c.service()));
            table.row(c.threads(), "service/raw", ratio(median(c.ratios(Run::callsPerSecond))),
                    ratio(median(latencyRatios)), ratio(median(c.ratios(r -> (double) r.p99Nanos()))),
                    ratio(median(c.ratios(Run::cpuMicrosPerCall))), Arrays.stream(latencyRatios)
                            .mapToObj(BenchReport::ratio).collect(Collectors.joining(" ")));
        }
        table.print(out);
        out.println("PER ROUND: calls/s of each run; on service/raw rows, the P50 latency ratio of each A/B pair.");
        out.println("JVM CPU µs/CALL: CPU time of this JVM (all threads; not PostgreSQL's) during a run, per call.");
        out.println("service/raw ratios are medians of the per-round ratios (each service run against the raw run "
                + "of the same round, run just before or just after it).");
        out.println();
        out.flush();
    }

    void failFast(Endpoint primary, FailFastProbe.Measured ff) {
        out.printf(Locale.ROOT, "fail-fast: %s breaker FORCED OPEN, %,d calls (after %,d unmeasured), all %s; "
                        + "median %s µs, p99 %s µs%n", primary.name(), FailFastProbe.CALLS, FailFastProbe.WARMUP_CALLS,
                ErrorCategory.CIRCUIT_OPEN, micros(ff.p50Nanos() / 1e3), micros(ff.p99Nanos() / 1e3));
        out.printf(Locale.ROOT, "fail-fast: %s count %s (%,d before, %,d after): no call reached the pool%n",
                FailFastProbe.ACQUIRE, "unchanged", ff.acquireBefore(), ff.acquireAfter());
        out.println("fail-fast: breaker closed again; a call through the service succeeded");
        out.println();
    }

    /** The two targets, met or MISSED. */
    void verdict(int maxThreads, double ratioAtMax, FailFastProbe.Measured ff) {
        boolean ratioMet = ratioAtMax <= LATENCY_RATIO_TARGET;
        boolean failFastMet = ff.p50Nanos() < FAIL_FAST_TARGET_NANOS;
        out.printf(Locale.ROOT, "service/raw latency ratio at %d threads: %s (target <= %.2f): %s%n", maxThreads,
                ratio(ratioAtMax), LATENCY_RATIO_TARGET, ratioMet ? "met" : "MISSED");
        out.printf(Locale.ROOT, "OPEN fail-fast median: %s µs (target < 1 ms): %s%n", micros(ff.p50Nanos() / 1e3),
                failFastMet ? "met" : "MISSED");
        out.flush();
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
