package dev.pgpulse.health;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.testing.Tools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TPS against pgbench at a fixed rate ({@code -R 50}), read by two health monitors at once, one sampling every
 * 500 ms and one every 10 s (the ends of what a DBA would choose). Each reading is compared with the truth for its
 * own window: the transactions pgbench logged as finished in it (its per-transaction log, {@code -l}) plus the
 * monitors' own probe transactions. Sampled every 500 ms and taken over one interval, the reading alternated
 * between 0 and about twice the rate, because the server publishes a backend's counters about once a second.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class TpsReadingTest {
    private static final Logger LOG = LoggerFactory.getLogger(TpsReadingTest.class);
    private static final int RATE = 50;
    private static final int SECONDS = 16;
    /** Each reading within 15 % of the truth for its window: the flush lag (~1 s at each end of >= 10 s) and no more. */
    private static final double TOLERANCE = 0.15;

    private static TestDatabase server;
    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase(TestDatabase root) throws Exception {
        server = root;
        db = root.freshDatabase("pgpulse_tps_test_" + ProcessHandle.current().pid());
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        server.dropDatabase(db.database());
    }

    @Test
    void tpsIsRightSampledEvery500msAndEvery10s() throws Exception {
        Path pgbench = Tools.require("pgbench", "postgresql-15 (Debian 12 ships pgbench in the server package)");
        run(pgbench, "-i", "-q", "-s", "1");

        try (Monitor fast = new Monitor(Duration.ofMillis(500)); Monitor slow = new Monitor(Duration.ofSeconds(10))) {
            // The monitors' own probes are transactions too (a few per sample: the probe, the pool's validation).
            // Measured, not assumed: the fast monitor alone on the idle database, over its first full window.
            fast.start();
            ServerStats idle = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                    .until(() -> fast.monitor.latest() == null ? null : fast.monitor.latest().endpoint("primary")
                            .orElseThrow().server(), st -> st != null && st.ratesKnown());
            List<ServerStats> idleReads = reads(fast);
            ServerStats idleBase = base(idleReads, idleReads.indexOf(idle));
            long idleSamples = idleReads.stream().filter(r -> r.counters().nanoTime() > idleBase.counters().nanoTime()
                    && r.counters().nanoTime() <= idle.counters().nanoTime()).count();
            double perProbe = idle.tps() * (idle.counters().nanoTime() - idleBase.counters().nanoTime()) / 1e9 / idleSamples;
            LOG.info("idle: {} tps from the monitor alone, {} transactions a probe", String.format("%.2f", idle.tps()),
                    String.format("%.2f", perProbe));
            assertThat(perProbe).as("a probe costs a few transactions").isBetween(0.5, 10.0);

            Instant loadStart = Instant.now();
            Process load = start(pgbench, "-n", "-S", "-R", Integer.toString(RATE), "-c", "2", "-j", "1",
                    "-T", Integer.toString(SECONDS), "-l", "--log-prefix=" + dir.resolve("tx"));
            // The slow monitor starts once the load runs, so that its first window lies inside it.
            Thread.sleep(1_500); // not a wait for a state: the point at which its windows start
            slow.start();
            assertThat(load.waitFor(SECONDS + 30, TimeUnit.SECONDS)).as("pgbench finished").isTrue();
            Instant loadEnd = Instant.now();
            assertThat(load.exitValue()).as(Files.readString(dir.resolve("pgbench.out"))).isZero();
            List<Instant> done = transactionEnds();
            assertThat(done.size()).as("pgbench ran at about its rate").isBetween(RATE * SECONDS * 8 / 10,
                    RATE * SECONDS * 12 / 10);

            List<HealthSnapshot> probes = new ArrayList<>(fast.samples);
            probes.addAll(slow.samples);
            for (Monitor m : List.of(fast, slow)) {
                int checked = 0;
                List<ServerStats> reads = reads(m);
                for (int i = 0; i < reads.size(); i++) {
                    ServerStats s = reads.get(i);
                    assertThat(s).isNotNull();
                    ServerStats base = base(reads, i);
                    assertThat(s.ratesKnown()).as("known once %s s of reads exist", CounterHistory.RATE_WINDOW)
                            .isEqualTo(base != null);
                    if (base == null) {
                        assertThat(s.tps()).as("unknown is NaN, never 0").isNaN();
                        continue;
                    }
                    Instant from = base.counters().at();
                    Instant to = s.counters().at();
                    if (from.isBefore(loadStart.plusSeconds(1)) || to.isAfter(loadEnd.minusSeconds(1))) {
                        continue; // a window that reaches outside the load
                    }
                    double seconds = (s.counters().nanoTime() - base.counters().nanoTime()) / 1e9;
                    long finished = done.stream().filter(t -> t.isAfter(from) && !t.isAfter(to)).count();
                    long probed = probes.stream().map(HealthSnapshot::at).filter(t -> t.isAfter(from) && !t.isAfter(to)).count();
                    double truth = (finished + probed * perProbe) / seconds;
                    LOG.info("interval {}: tps {} over {} s, truth {} ({} pgbench + {} probes)", m.interval,
                            String.format("%.1f", s.tps()), String.format("%.2f", seconds), String.format("%.1f", truth),
                            finished, probed);
                    assertThat(seconds).isGreaterThanOrEqualTo(CounterHistory.RATE_WINDOW.toSeconds());
                    assertThat(s.tps()).as("interval %s, window ending %s", m.interval, to)
                            .isBetween(truth * (1 - TOLERANCE), truth * (1 + TOLERANCE));
                    checked++;
                }
                assertThat(checked).as("readings of interval %s inside the load", m.interval).isGreaterThanOrEqualTo(1);
            }
        }
    }

    private static List<ServerStats> reads(Monitor m) {
        return m.samples.stream().map(h -> h.endpoint("primary").orElseThrow().server()).toList();
    }

    /** The read a rate at reads[i] is taken from: the newest one at least the rate window older. */
    private static ServerStats base(List<ServerStats> reads, int i) {
        long now = reads.get(i).counters().nanoTime();
        for (int j = i - 1; j >= 0; j--) {
            if (now - reads.get(j).counters().nanoTime() >= CounterHistory.RATE_WINDOW.toNanos()) {
                return reads.get(j);
            }
        }
        return null;
    }

    /** End times of pgbench's logged transactions (fields 5 and 6: epoch seconds and microseconds). */
    private List<Instant> transactionEnds() throws Exception {
        List<Instant> ends = new ArrayList<>();
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("tx.")).toList()) {
                for (String line : Files.readAllLines(log)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 6 && !f[2].equals("skipped")) {
                        ends.add(Instant.ofEpochSecond(Long.parseLong(f[4]), Long.parseLong(f[5]) * 1_000));
                    }
                }
            }
        }
        return ends;
    }

    private void run(Path pgbench, String... args) throws Exception {
        Process p = start(pgbench, args);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("pgbench " + String.join(" ", args)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("pgbench.out"))).isZero();
    }

    private Process start(Path pgbench, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(pgbench.toString(), "-h", db.host(), "-p", Integer.toString(db.port()),
                "-U", db.user()));
        cmd.addAll(List.of(args));
        cmd.add(db.database());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("pgbench.out").toFile());
        if (db.password() != null) {
            pb.environment().put("PGPASSWORD", db.password());
        }
        return pb.start();
    }

    /** A service and a health monitor of their own, sampling at one interval. */
    private final class Monitor implements AutoCloseable {
        final Duration interval;
        final DatabaseService service;
        final HealthMonitor monitor;
        final List<HealthSnapshot> samples = new CopyOnWriteArrayList<>(); // oldest first
        final ScheduledExecutorService scheduler;

        Monitor(Duration interval) throws Exception {
            this.interval = interval;
            var config = new ConfigLoader(db.env(), dir, "tester", 2).load(Overrides.none());
            var meters = new SimpleMeterRegistry();
            service = new DatabaseService(Endpoints.open(config, meters),
                    new Guard(config.resilience(), meters, new EventLog(100), Clock.systemUTC()), meters, Clock.systemUTC());
            monitor = new HealthMonitor(service, HealthMonitor.DEFAULT_QUERY_TIMEOUT, Clock.systemUTC());
            monitor.subscribe(samples::add);
            scheduler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("tps-test-" + interval.toMillis()).daemon().factory());
        }

        void start() {
            monitor.start(scheduler, interval);
        }

        @Override
        public void close() {
            monitor.close();
            scheduler.shutdownNow();
            service.shutdown(Duration.ofSeconds(2));
        }
    }
}
