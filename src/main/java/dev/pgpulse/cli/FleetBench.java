package dev.pgpulse.cli;

import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.orchestration.Fleet;
import dev.pgpulse.orchestration.Orchestrator;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of {@code pgpulse bench fleet} once the fleet and the agent run: a warm-up of a few health rounds, then the
 * measured window, in which /metrics is scraped over HTTP at the asked rate. CPU is this process's (the JVM: every
 * thread, GC and JIT included; PostgreSQL's server processes are other processes and not counted), less what the
 * scraping client itself spent on its own thread: Prometheus runs elsewhere, the agent's side of a scrape is counted.
 */
final class FleetBench {
    static final int WARMUP_ROUNDS = 3;
    /** How long past the warm-up rounds' due time a cluster may take to deliver them before the run is given up. */
    private static final Duration WARMUP_GRACE = Duration.ofSeconds(60);
    private static final int SCRAPE_TIMEOUT_MS = 10_000;

    /** The run could not be measured (a cluster never sampled, a scrape refused); the message says which. */
    static final class BenchFailure extends Exception {
        BenchFailure(String message) {
            super(message);
        }
    }

    /** Heap after a forced GC, and live threads, of this JVM before the fleet started. */
    record Baseline(long heapUsed, int threads) {
    }

    /** One scrape: bytes of the body, series lines, the client's wall time. */
    record Scrape(long bytes, int series, long nanos) {
    }

    /**
     * What was measured.
     *
     * @param cpuNanos        this JVM's CPU time over the window, the scraper client's own already subtracted
     * @param scraperCpuNanos what the scraping client spent on its thread (subtracted)
     * @param rounds          health rounds per cluster in the window, in the fleet's order
     * @param notUp           of those, the rounds whose health was not UP, per cluster
     */
    record Measured(long wallNanos, long cpuNanos, long scraperCpuNanos, long gcCount, long gcMillis,
                    List<String> clusters, long[] rounds, long[] notUp, Baseline baseline, long heapStart,
                    long heapEnd, long heapCommitted, long heapMax, int threadsStart, int threadsEnd, int threadsPeak,
                    List<Scrape> scrapes, Scrape lastScrape) {
        long totalRounds() {
            long t = 0;
            for (long r : rounds) {
                t += r;
            }
            return t;
        }
    }

    private final BenchFleetCommand.Settings settings;
    private final Fleet fleet;
    private final int port;
    private final Baseline baseline;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    FleetBench(BenchFleetCommand.Settings settings, Fleet fleet, int port, Baseline baseline) {
        this.settings = settings;
        this.fleet = fleet;
        this.port = port;
        this.baseline = baseline;
    }

    static Baseline baseline() {
        return new Baseline(heapAfterGc(), ManagementFactory.getThreadMXBean().getThreadCount());
    }

    Measured run() throws BenchFailure, InterruptedException {
        List<String> names = fleet.names();
        int n = names.size();
        AtomicLong[] rounds = new AtomicLong[n];
        AtomicLong[] notUp = new AtomicLong[n];
        List<AutoCloseable> subscriptions = new ArrayList<>(n);
        int i = 0;
        for (Map.Entry<String, Orchestrator> c : fleet.clusters().entrySet()) {
            AtomicLong r = rounds[i] = new AtomicLong();
            AtomicLong d = notUp[i] = new AtomicLong();
            subscriptions.add(c.getValue().health().subscribe(h -> {
                r.incrementAndGet();
                if (h.status() != HealthStatus.UP) {
                    d.incrementAndGet();
                }
            }));
            i++;
        }
        try {
            warmUp(names, rounds);
            // one scrape before the window: the scrape path's classes loaded and compiled like the health rounds'
            scrape(new AtomicLong());
            long heapStart = heapAfterGc();
            long[] roundsBefore = values(rounds);
            long[] notUpBefore = values(notUp);
            long gcCountBefore = gcCount();
            long gcMillisBefore = gcMillis();
            threads.resetPeakThreadCount();
            int threadsStart = threads.getThreadCount();

            List<Scrape> scrapes = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicLong scraperCpu = new AtomicLong();
            AtomicReference<String> scrapeFailure = new AtomicReference<>();
            ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("pgpulse-bench-scrape").daemon().factory());
            long wallStart = System.nanoTime();
            long cpuStart = processCpuNanos();
            if (!settings.scrapeEvery().isZero()) {
                scraper.scheduleAtFixedRate(() -> {
                    try {
                        scrapes.add(scrape(scraperCpu));
                    } catch (BenchFailure | RuntimeException e) {
                        scrapeFailure.compareAndSet(null, e.getMessage());
                    }
                }, 0, settings.scrapeEvery().toNanos(), TimeUnit.NANOSECONDS);
            }
            TimeUnit.NANOSECONDS.sleep(settings.duration().toNanos());
            // a scrape in flight finishes inside the window: its client CPU is subtracted, its agent CPU counted
            scraper.shutdown();
            if (!scraper.awaitTermination(SCRAPE_TIMEOUT_MS * 2L, TimeUnit.MILLISECONDS)) {
                scraper.shutdownNow();
            }
            long cpuEnd = processCpuNanos();
            long wallEnd = System.nanoTime();
            long[] roundsAfter = values(rounds);
            long[] notUpAfter = values(notUp);
            int threadsEnd = threads.getThreadCount();
            int threadsPeak = threads.getPeakThreadCount();
            long gcCount = gcCount() - gcCountBefore;
            long gcMillis = gcMillis() - gcMillisBefore;
            if (scrapeFailure.get() != null) {
                throw new BenchFailure(scrapeFailure.get());
            }
            if (cpuStart < 0 || cpuEnd < 0) {
                throw new BenchFailure("this JVM does not report its process CPU time "
                        + "(com.sun.management.OperatingSystemMXBean); nothing to measure with");
            }
            long heapEnd = heapAfterGc();
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            List<Scrape> done = List.copyOf(scrapes);
            return new Measured(wallEnd - wallStart, cpuEnd - cpuStart - scraperCpu.get(), scraperCpu.get(), gcCount,
                    gcMillis, names, minus(roundsAfter, roundsBefore), minus(notUpAfter, notUpBefore), baseline,
                    heapStart, heapEnd, memory.getHeapMemoryUsage().getCommitted(), memory.getHeapMemoryUsage().getMax(),
                    threadsStart, threadsEnd, threadsPeak, done, done.isEmpty() ? null : done.getLast());
        } finally {
            for (AutoCloseable s : subscriptions) {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // removing a listener from a list does not fail
                }
            }
        }
    }

    /** Until every cluster has had {@link #WARMUP_ROUNDS} health rounds. */
    private void warmUp(List<String> names, AtomicLong[] rounds) throws BenchFailure, InterruptedException {
        long deadline = System.nanoTime() + settings.interval().multipliedBy(WARMUP_ROUNDS + 1).plus(WARMUP_GRACE)
                .toNanos();
        for (int i = 0; i < rounds.length; i++) {
            while (rounds[i].get() < WARMUP_ROUNDS) {
                if (System.nanoTime() > deadline) {
                    throw new BenchFailure("cluster " + names.get(i) + " had " + rounds[i].get() + " of "
                            + WARMUP_ROUNDS + " warm-up health rounds in time; is its server overloaded?");
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
    }

    /**
     * GET /metrics on this thread, with a blocking client (HttpURLConnection reads on the calling thread), so the
     * client's CPU can be told apart from the agent's and added to {@code clientCpu}.
     */
    private Scrape scrape(AtomicLong clientCpu) throws BenchFailure {
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL().openConnection();
            c.setConnectTimeout(SCRAPE_TIMEOUT_MS);
            c.setReadTimeout(SCRAPE_TIMEOUT_MS);
            int status = c.getResponseCode();
            if (status != 200) {
                throw new BenchFailure("GET /metrics answered " + status + ", not 200");
            }
            long bytes = 0;
            int series = 0;
            boolean lineStart = true;
            boolean comment = false;
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = c.getInputStream()) {
                for (int r; (r = in.read(buf)) >= 0; ) {
                    for (int k = 0; k < r; k++) {
                        byte b = buf[k];
                        if (lineStart) {
                            comment = b == '#';
                            if (!comment && b != '\n') {
                                series++;
                            }
                        }
                        lineStart = b == '\n';
                    }
                    bytes += r;
                }
            }
            return new Scrape(bytes, series, System.nanoTime() - t0);
        } catch (IOException e) {
            throw new BenchFailure("GET /metrics failed: " + e.getMessage());
        } finally {
            if (c != null) {
                c.disconnect();
            }
            clientCpu.addAndGet(threads.getCurrentThreadCpuTime() - cpu0);
        }
    }

    /** Heap in use after a forced full collection (twice: what the first frees may need a second to reclaim). */
    static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static long gcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionTime());
        }
        return n;
    }

    private static long[] values(AtomicLong[] a) {
        long[] v = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            v[i] = a[i].get();
        }
        return v;
    }

    private static long[] minus(long[] after, long[] before) {
        long[] d = new long[after.length];
        for (int i = 0; i < after.length; i++) {
            d[i] = after[i] - before[i];
        }
        return d;
    }
}
