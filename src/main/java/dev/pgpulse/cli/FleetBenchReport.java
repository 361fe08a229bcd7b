package dev.pgpulse.cli;

import dev.pgpulse.config.Durations;
import dev.pgpulse.health.MetricHistory;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;

/**
 * What {@code pgpulse bench fleet} prints: where it runs, the figures of the fleet and per cluster, and the target,
 * PASS or MISSED. The target is the issue's: at most 10 % of one core for 20 clusters at a 10 s interval, which is
 * {@value #CPU_PERCENT_PER_CLUSTER} % of one core per cluster at any other count; the heap after a forced GC may grow
 * by at most {@value #HEAP_GROWTH_PERCENT} % from the start of the window to its end.
 */
final class FleetBenchReport {
    static final double CPU_PERCENT_PER_CLUSTER = 0.5;
    static final double HEAP_GROWTH_PERCENT = 10;
    private static final double MIB = 1024.0 * 1024.0;

    private final PrintWriter out;

    FleetBenchReport(PrintWriter out) {
        this.out = out;
    }

    void header(BenchFleetCommand.Settings s, String where, int created, String agentUrl) {
        out.println("PgPulse bench fleet - " + s.clusters() + " clusters (databases " + BenchFleetCommand.DATABASE_PREFIX
                + "1.." + BenchFleetCommand.DATABASE_PREFIX + s.clusters() + ", " + created + " created for this run) on "
                + where);
        out.println("Java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " cores; health "
                + "every " + Durations.format(s.interval()) + "; " + (s.scrapeEvery().isZero() ? "no scrapes"
                : "GET " + agentUrl + "/metrics every " + Durations.format(s.scrapeEvery())));
        out.println("warm-up: " + FleetBench.WARMUP_ROUNDS + " health rounds per cluster; measured: "
                + Durations.format(s.duration()));
        out.println();
        out.flush();
    }

    void figures(BenchFleetCommand.Settings s, FleetBench.Measured m) {
        int n = m.clusters().size();
        double wallS = m.wallNanos() / 1e9;
        double cpuS = m.cpuNanos() / 1e9;
        double percent = 100.0 * m.cpuNanos() / m.wallNanos();
        long rounds = m.totalRounds();
        out.println("CPU (this JVM only: every thread, GC and JIT; PostgreSQL's processes not counted)");
        out.printf(Locale.ROOT, "  fleet        %.2f s CPU over %.1f s wall = %.2f %% of one core (the scraping "
                + "client's own %.3f s subtracted)%n", cpuS, wallS, percent, m.scraperCpuNanos() / 1e9);
        out.printf(Locale.ROOT, "  per cluster  %.3f %% of one core; %.2f ms CPU per health round (%,d rounds in all)%n",
                percent / n, rounds == 0 ? Double.NaN : m.cpuNanos() / 1e6 / rounds, rounds);
        long min = Arrays.stream(m.rounds()).min().orElse(0);
        long max = Arrays.stream(m.rounds()).max().orElse(0);
        long notUp = Arrays.stream(m.notUp()).sum();
        out.printf(Locale.ROOT, "  rounds       %s per cluster (%.1f expected); %s%n", min == max ? min + " each"
                        : min + " to " + max, wallS / (s.interval().toNanos() / 1e9),
                notUp == 0 ? "every one UP" : notUp + " not UP (" + notUpClusters(m) + ")");
        out.printf(Locale.ROOT, "  GC           %,d collections, %,d ms%n", m.gcCount(), m.gcMillis());
        double growth = 100.0 * (m.heapEnd() - m.heapStart()) / m.heapStart();
        out.println("HEAP (used, after a forced GC)");
        out.printf(Locale.ROOT, "  before the fleet %.1f MiB; start of window %.1f MiB; end %.1f MiB: %+.2f MiB "
                        + "(%+.1f %%)%n", mib(m.baseline().heapUsed()), mib(m.heapStart()), mib(m.heapEnd()),
                mib(m.heapEnd() - m.heapStart()), growth);
        out.printf(Locale.ROOT, "  per cluster      %.2f MiB at the end (the end less the heap before the fleet, / %d); "
                + "committed %.0f MiB, max %.0f MiB%n", mib(m.heapEnd() - m.baseline().heapUsed()) / n, n,
                mib(m.heapCommitted()), m.heapMax() < 0 ? Double.NaN : mib(m.heapMax()));
        out.println("  the metric history keeps " + Durations.format(MetricHistory.DEFAULT_WINDOW) + " per cluster: "
                + "until it is full it grows with every round, then stays");
        out.printf(Locale.ROOT, "THREADS live %d before the fleet, %d at the start, %d at the end (peak %d)%n",
                m.baseline().threads(), m.threadsStart(), m.threadsEnd(), m.threadsPeak());
        if (m.lastScrape() == null) {
            out.println("SCRAPE none in the window");
        } else {
            FleetBench.Scrape last = m.lastScrape();
            double[] ms = m.scrapes().stream().mapToDouble(x -> x.nanos() / 1e6).sorted().toArray();
            out.printf(Locale.ROOT, "SCRAPE %d of /metrics; the last %,d bytes (%,d per cluster), %,d series; median "
                            + "%.1f ms%n", m.scrapes().size(), last.bytes(), last.bytes() / n, last.series(),
                    LatencyStats.median(ms));
        }
        out.println();
        double target = CPU_PERCENT_PER_CLUSTER * n;
        out.printf(Locale.ROOT, "target: at most 10 %% of one core for 20 clusters at a 10 s interval (%.1f %% per "
                + "cluster: %.1f %% for %d); heap after GC growing at most %.0f %% over the window%n",
                CPU_PERCENT_PER_CLUSTER, target, n, HEAP_GROWTH_PERCENT);
        if (!s.interval().equals(java.time.Duration.ofSeconds(10))) {
            out.println("  (the target is set for a 10 s interval; this run sampled every "
                    + Durations.format(s.interval()) + ")");
        }
        out.printf(Locale.ROOT, "CPU: %.2f %% of one core for %d clusters at %s (target <= %.1f %%): %s%n", percent, n,
                Durations.format(s.interval()), target, percent <= target ? "PASS" : "MISSED");
        out.printf(Locale.ROOT, "heap: %+.1f %% from start to end after GC (target <= %.0f %%): %s%n", growth,
                HEAP_GROWTH_PERCENT, growth <= HEAP_GROWTH_PERCENT ? "PASS" : "MISSED");
        out.flush();
    }

    private static String notUpClusters(FleetBench.Measured m) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < m.notUp().length; i++) {
            if (m.notUp()[i] > 0) {
                b.append(b.isEmpty() ? "" : ", ").append(m.clusters().get(i)).append(": ").append(m.notUp()[i]);
            }
        }
        return b.toString();
    }

    private static double mib(long bytes) {
        return bytes / MIB;
    }
}
