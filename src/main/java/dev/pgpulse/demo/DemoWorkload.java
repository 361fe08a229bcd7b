package dev.pgpulse.demo;

import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;

/**
 * A small, steady load on the bills table so every gauge of the console moves on first start: mostly reads,
 * some writes, an occasional slow report (operation {@value #REPORT}) and a few errors PostgreSQL really
 * raises but that do not count against the circuit breaker (a check violation, operation
 * {@value #BAD_QUERY} on a missing table). Each worker pauses a jittered interval after every call, failed
 * or not, so a database that is down or a breaker that is OPEN costs a steady trickle of fast failures, not
 * a hot loop; the workload carries on when the database comes back.
 */
public final class DemoWorkload implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoWorkload.class);
    public static final String REPORT = "demo.report";
    public static final String BAD_QUERY = "demo.bad_query";
    static final String REPORT_SQL = "select (select count(*) from bills), pg_sleep(?)";
    static final String BAD_QUERY_SQL = "select * from pgpulse_demo_missing_table";
    /** How long {@link #stop()} waits for workers whose call is still in flight after the interrupt. */
    static final Duration STOP_WAIT = Duration.ofSeconds(1);
    private static final String[] TITLES = {"Clean Water Act", "Rural Broadband", "Budget", "Public Libraries",
            "Bridge Repair", "Data Protection", "School Meals", "Coastal Defence"};

    // Cumulative thresholds of one draw in [0, 1): 66 % reads, 25 % writes, 5 % slow reports, 4 % errors.
    private static final double READ = 0.66;
    private static final double WRITE = 0.91;
    private static final double SLOW = 0.96;

    /** How many workers run and how long each pauses, on average, after a call (jittered by ±50 %). */
    record Settings(int workers, Duration pause) {
        static final int DEFAULT_WORKERS = 2;
        static final Duration DEFAULT_PAUSE = Duration.ofMillis(50);

        Settings {
            Objects.requireNonNull(pause, "pause");
            if (workers < 1 || workers > 16) {
                throw new IllegalArgumentException("workers must be between 1 and 16, but was " + workers);
            }
            if (pause.isNegative() || pause.isZero()) {
                throw new IllegalArgumentException("pause must be positive, but was " + pause);
            }
        }

        static Settings defaults() {
            return new Settings(DEFAULT_WORKERS, DEFAULT_PAUSE);
        }
    }

    /**
     * Calls made since construction, counted from each call's {@link Result}; the four are disjoint. A
     * success that took at least the slow-query threshold is {@code slow}, other successes are reads or
     * writes; {@code failures} is every {@link Result.Failure}, the deliberate errors included.
     */
    public record Stats(long reads, long writes, long slow, long failures) {
        public long calls() {
            return reads + writes + slow + failures;
        }
    }

    /** One start-to-stop span: its own stop signal, so a late worker of an old run never joins a new one. */
    private record Run(CountDownLatch stopSignal, CountDownLatch exited, List<Future<?>> workers) {
    }

    private final DatabaseService service;
    private final BillRepository bills;
    private final Duration slowThreshold;
    private final Duration reportSleep;
    private final Settings settings;
    private final RandomGenerator seeds;
    private final ExecutorService executor;
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicLong maxId = new AtomicLong();
    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder slow = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Object lifecycle = new Object();
    private volatile Run run;
    private boolean closed;

    /**
     * @param slowThreshold the service's slow-query threshold ({@code query.slow_threshold}); the report
     *                      sleeps 100 ms longer so that it is logged as slow
     */
    public DemoWorkload(DatabaseService service, BillRepository bills, Duration slowThreshold) {
        this(service, bills, slowThreshold, Settings.defaults(), new SplittableRandom());
    }

    DemoWorkload(DatabaseService service, BillRepository bills, Duration slowThreshold, Settings settings,
                 RandomGenerator random) {
        this.service = Objects.requireNonNull(service, "service");
        this.bills = Objects.requireNonNull(bills, "bills");
        this.slowThreshold = Objects.requireNonNull(slowThreshold, "slowThreshold");
        if (slowThreshold.isNegative() || slowThreshold.isZero()) {
            throw new IllegalArgumentException("slowThreshold must be positive, but was " + slowThreshold);
        }
        this.reportSleep = slowThreshold.plusMillis(100);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.seeds = Objects.requireNonNull(random, "random");
        this.executor = Executors.newCachedThreadPool(Thread.ofPlatform().name("pgpulse-demo-", 0).daemon().factory());
    }

    /**
     * Starts the workers; does nothing when already running. The bills table comes from the shipped migrations
     * (the orchestrator applies them on the embedded server; {@code pgpulse migrate} elsewhere); without it
     * every call fails, at the workers' pace.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the demo workload is closed");
            }
            if (run != null) {
                return;
            }
            int n = settings.workers();
            Run r = new Run(new CountDownLatch(1), new CountDownLatch(n), new ArrayList<>(n));
            for (int i = 0; i < n; i++) {
                // Each worker draws from its own generator: RandomGenerator is not thread-safe in general.
                RandomGenerator random = new SplittableRandom(seeds.nextLong());
                r.workers().add(executor.submit(() -> work(r, random)));
            }
            run = r;
            LOG.info("demo - workload started: {} worker(s), ~{} ms between calls, slow report {} ms", n,
                    settings.pause().toMillis(), reportSleep.toMillis());
        }
    }

    /**
     * Stops the workers and waits up to about a second for them; does nothing when not running. Workers in a
     * call are interrupted; one stuck in a socket read finishes that call on its own and then stops.
     */
    public void stop() {
        synchronized (lifecycle) {
            Run r = run;
            if (r == null) {
                return;
            }
            run = null;
            r.stopSignal().countDown();
            r.workers().forEach(f -> f.cancel(true));
            try {
                if (!r.exited().await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("demo - {} worker(s) still in a call {} ms after stop; they end when it returns",
                            r.exited().getCount(), STOP_WAIT.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOG.info("demo - workload stopped: {}", stats());
        }
    }

    public boolean isRunning() {
        return run != null;
    }

    public Stats stats() {
        return new Stats(reads.sum(), writes.sum(), slow.sum(), failures.sum());
    }

    /** Stops the workers and ends their threads. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            stop();
            closed = true;
            executor.shutdownNow();
        }
        try {
            if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("demo - worker threads still alive {} ms after close", STOP_WAIT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void work(Run r, RandomGenerator random) {
        try {
            do {
                try {
                    step(random);
                } catch (RuntimeException e) {
                    // The service does not throw; this is a bug here, and one bad step must not end the demo.
                    LOG.warn("demo - step failed: {}", e.toString(), e);
                }
            } while (pause(r, random));
        } finally {
            r.exited().countDown();
        }
    }

    /** @return false when the run was stopped (or the thread interrupted) during the pause */
    private boolean pause(Run r, RandomGenerator random) {
        long mean = settings.pause().toNanos();
        long nanos = random.nextLong(mean / 2, mean + mean / 2 + 1);
        try {
            return !r.stopSignal().await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void step(RandomGenerator random) {
        double draw = random.nextDouble();
        if (draw < READ) {
            long max = maxId.get();
            if (max > 0 && random.nextInt(3) == 0) {
                count(bills.findById(random.nextLong(1, max + 1)), false, false);
            } else {
                count(bills.recent(status(random), 10), false, false);
            }
        } else if (draw < WRITE) {
            long max = maxId.get();
            if (max == 0 || random.nextInt(5) < 2) {
                Result<Bill> created = bills.create(title(random), Bill.Status.INTRODUCED,
                        LocalDate.now().minusDays(random.nextInt(365)));
                if (created instanceof Result.Success<Bill> s) {
                    maxId.accumulateAndGet(s.value().id(), Math::max);
                }
                count(created, true, false);
            } else {
                count(bills.updateStatus(random.nextLong(1, max + 1), status(random)), true, false);
            }
        } else if (draw < SLOW) {
            count(service.list(REPORT, Route.READ, REPORT_SQL, rs -> rs.getLong(1),
                    reportSleep.toMillis() / 1000.0), false, false);
        } else if (random.nextBoolean()) {
            // Empty title: 23514 check violation, a CONSTRAINT failure the breaker ignores.
            count(bills.create("", Bill.Status.INTRODUCED, LocalDate.now()), true, true);
        } else {
            // 42P01 undefined table, a SYNTAX failure the breaker ignores.
            count(service.list(BAD_QUERY, Route.READ, BAD_QUERY_SQL, rs -> rs.getLong(1)), false, true);
        }
    }

    private void count(Result<?> result, boolean write, boolean deliberate) {
        switch (result) {
            case Result.Success<?> s -> {
                if (s.elapsed().compareTo(slowThreshold) >= 0) {
                    slow.increment();
                } else if (write) {
                    writes.increment();
                } else {
                    reads.increment();
                }
                if (failing.compareAndSet(true, false)) {
                    LOG.info("demo - calls succeed again");
                }
            }
            case Result.Failure<?> f -> {
                failures.increment();
                boolean expected = deliberate && (f.category() == ErrorCategory.CONSTRAINT
                        || f.category() == ErrorCategory.SYNTAX);
                if (expected) {
                    LOG.debug("demo - deliberate error: {}", f);
                } else if (failing.compareAndSet(false, true)) {
                    LOG.info("demo - calls are failing ({}); carrying on at the same pace", f);
                } else {
                    LOG.debug("demo - call failed: {}", f);
                }
            }
        }
    }

    private static Bill.Status status(RandomGenerator random) {
        Bill.Status[] all = Bill.Status.values();
        return all[random.nextInt(all.length)];
    }

    private static String title(RandomGenerator random) {
        return TITLES[random.nextInt(TITLES.length)] + " " + (2020 + random.nextInt(10));
    }
}
