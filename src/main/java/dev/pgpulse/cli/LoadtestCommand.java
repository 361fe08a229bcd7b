package dev.pgpulse.cli;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedStartException;
import dev.pgpulse.pool.EndpointStartupException;
import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import dev.pgpulse.service.TxOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code pgpulse loadtest}: inserts rows keyed by client-generated UUIDs through
 * {@link DatabaseService#transaction} and reports each attempted row as COMMITTED, FAILED or UNKNOWN. It keeps
 * going through outages, so the report shows whether the resilience layer told the truth about every row.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
        description = "Insert N rows through DatabaseService.transaction and write each row's fate to a report.")
final class LoadtestCommand implements Callable<Integer> {
    static final String TABLE_DDL = "create table if not exists pgpulse_loadtest(id uuid primary key, payload text, "
            + "created_at timestamptz default now())";
    private static final Duration FIRST_PAUSE = Duration.ofMillis(50);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(1);
    private static final long PACE_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();

    @Option(names = "--writes", required = true, paramLabel = "N", description = "Rows to insert (1 to 10,000,000).")
    int writes;

    @Option(names = "--concurrency", paramLabel = "C", defaultValue = "4", description = "Threads inserting at once (1 to 256; default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--report", required = true, paramLabel = "FILE", description = "Where to write <uuid>,<COMMITTED|FAILED|UNKNOWN> per attempted row: created (or emptied) before the first row, written as the run goes.")
    Path report;

    @Option(names = "--deadline", paramLabel = "SECONDS", defaultValue = "0", description = "Stop starting new rows after this many seconds (0: no deadline).")
    long deadlineSeconds;

    @Option(names = "--rate", paramLabel = "ROWS_PER_SECOND", defaultValue = "0", description = "Start at most this many rows a second in all (0: as fast as possible).")
    double rate;

    LoadtestCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    enum Fate { COMMITTED, FAILED, UNKNOWN }

    @Override
    public Integer call() {
        String bad = validate();
        if (bad != null) {
            context.err().println("pgpulse: loadtest: " + bad);
            return PgPulseCli.USAGE;
        }
        var loaded = Problems.load(context, target.toOverrides(), true);
        if (loaded.isEmpty()) {
            return PgPulseCli.USAGE;
        }
        PgPulseConfig config = loaded.get();
        LoadtestReport out;
        try {
            out = LoadtestReport.create(report, Clock.systemUTC());
        } catch (IOException e) {
            context.err().println("pgpulse: loadtest: --report " + report + " cannot be written: " + e.getMessage());
            return PgPulseCli.USAGE;
        }
        var meters = new SimpleMeterRegistry();
        try (Connected connected = Connected.open(config, meters)) {
            Guard guard = new Guard(connected.config().resilience(), meters, new EventLog(EventLog.DEFAULT_CAPACITY),
                    Clock.systemUTC());
            DatabaseService service = new DatabaseService(connected.endpoints(), guard, meters, Clock.systemUTC());
            try {
                return run(service, out);
            } finally {
                service.shutdown(connected.config().resilience().shutdownGrace());
            }
        } catch (EmbeddedStartException | EndpointStartupException e) {
            context.err().println("pgpulse: " + e.getMessage());
            return PgPulseCli.FAILED;
        } finally {
            closeQuietly(out);
        }
    }

    private String validate() {
        if (writes < 1 || writes > 10_000_000) {
            return "--writes " + writes + ": expected 1 to 10,000,000";
        }
        if (concurrency < 1 || concurrency > 256) {
            return "--concurrency " + concurrency + ": expected 1 to 256";
        }
        if (deadlineSeconds < 0) {
            return "--deadline " + deadlineSeconds + ": expected 0 (none) or a number of seconds";
        }
        if (rate < 0) {
            return "--rate " + rate + ": expected 0 (unlimited) or rows per second";
        }
        return LoadtestReport.problem(report);
    }

    /** Why the run ended early, for the summary line; null while it has not. */
    private enum Stop {
        SIGNAL(" (stopped by a signal)"), REPORT_FAILED(" (stopped: the report could not be written)");

        final String note;

        Stop(String note) {
            this.note = note;
        }
    }

    private int run(DatabaseService service, LoadtestReport out) {
        Result<Void> schema = service.query("loadtest.schema", Route.WRITE, TABLE_DDL, true, c -> {
            try (Statement st = c.createStatement()) {
                st.execute(TABLE_DDL);
            }
            return null;
        });
        if (!schema.isSuccess()) {
            context.err().println("pgpulse: loadtest: cannot create pgpulse_loadtest: " + schema);
            return PgPulseCli.FAILED;
        }
        long start = System.nanoTime();
        long deadline = deadlineSeconds == 0 ? Long.MAX_VALUE : start + TimeUnit.SECONDS.toNanos(deadlineSeconds);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Stop> stop = new AtomicReference<>();
        AtomicReference<IOException> writeFailure = new AtomicReference<>();
        ExecutorService workers = Executors.newFixedThreadPool(concurrency,
                Thread.ofPlatform().name("loadtest-", 0).factory());
        for (int w = 0; w < concurrency; w++) {
            workers.execute(() -> work(service, next, start, deadline, out, stop, writeFailure));
        }
        workers.shutdown();
        Finish finish = new Finish(out, start, stop, writeFailure);
        // SIGTERM and Ctrl-C run this instead of killing the run mid-row: no new rows, the rows in flight get their
        // fate, the report is synced and the summary printed. The JVM halts when the hook returns.
        Thread hook = Thread.ofPlatform().name("pgpulse-loadtest-exit").unstarted(() -> {
            stop.compareAndSet(null, Stop.SIGNAL);
            awaitQuietly(workers);
            finish.once();
        });
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            stop.compareAndSet(null, Stop.SIGNAL);
        }
        try {
            while (!workers.awaitTermination(1, TimeUnit.SECONDS)) {
                // Rows in flight finish on their own: each is bounded by its retries, the pool's connection
                // timeout per attempt and, after a lost COMMIT, the resolver's 30 s.
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
            awaitQuietly(workers);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) and finishes the report; Finish.once makes the second call a no-op
        }
        return finish.once();
    }

    /** Closes the report and prints the summary, once, from the main thread or the shutdown hook. */
    private final class Finish {
        private final LoadtestReport out;
        private final long start;
        private final AtomicReference<Stop> stop;
        private final AtomicReference<IOException> writeFailure;
        private Integer code;

        Finish(LoadtestReport out, long start, AtomicReference<Stop> stop, AtomicReference<IOException> writeFailure) {
            this.out = out;
            this.start = start;
            this.stop = stop;
            this.writeFailure = writeFailure;
        }

        synchronized int once() {
            if (code != null) {
                return code;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            IOException failure = writeFailure.get();
            try {
                out.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
            int attempted = out.lines();
            Stop why = stop.get();
            context.out().printf(Locale.ROOT, "loadtest: %d of %d rows attempted in %.1f s (concurrency %d): %d COMMITTED,"
                            + " %d FAILED, %d UNKNOWN%s; report: %s%n", attempted, writes, seconds, concurrency,
                    out.count(Fate.COMMITTED), out.count(Fate.FAILED), out.count(Fate.UNKNOWN),
                    why != null ? why.note : attempted < writes ? " (deadline reached)" : "",
                    out.file() + (out.previous() == null ? "" : " (the earlier report is kept as "
                            + out.previous().getFileName() + ")"));
            context.out().flush();
            if (failure != null) {
                context.err().println("pgpulse: loadtest: cannot write the report " + out.file() + ": "
                        + failure.getMessage() + "; it holds the first " + attempted + " rows");
                context.err().flush();
            }
            code = failure != null ? PgPulseCli.FAILED : PgPulseCli.OK;
            return code;
        }
    }

    private void work(DatabaseService service, AtomicInteger next, long start, long deadline, LoadtestReport out,
                      AtomicReference<Stop> stop, AtomicReference<IOException> writeFailure) {
        Duration pause = FIRST_PAUSE;
        int i;
        while (stop.get() == null && System.nanoTime() < deadline && (i = next.getAndIncrement()) < writes) {
            if (rate > 0) {
                long due = start + (long) (i / rate * 1e9);
                // in slices, so a signal is not kept waiting by a slow --rate
                while (stop.get() == null && due - System.nanoTime() > 0) {
                    sleepNanos(Math.min(due - System.nanoTime(), PACE_SLICE_NANOS));
                }
                if (stop.get() != null) {
                    return;
                }
            }
            UUID id = UUID.randomUUID();
            String payload = "row " + i;
            Result<Integer> r = service.transaction("loadtest.insert", TxOptions.readCommitted(), c -> {
                try (PreparedStatement st = c.prepareStatement("insert into pgpulse_loadtest(id, payload) values (?, ?)")) {
                    st.setObject(1, id);
                    st.setString(2, payload);
                    return st.executeUpdate();
                }
            });
            Fate fate = switch (r) {
                case Result.Success<Integer> s -> Fate.COMMITTED;
                case Result.Failure<Integer> f -> f.outcomeUnknown() ? Fate.UNKNOWN : Fate.FAILED;
            };
            try {
                out.add(id, fate);
            } catch (IOException e) {
                writeFailure.compareAndSet(null, e);
                stop.compareAndSet(null, Stop.REPORT_FAILED);
                return;
            }
            if (r instanceof Result.Failure<Integer> f && (f.category().isEndpointFailure()
                    || f.category() == ErrorCategory.CIRCUIT_OPEN || f.category() == ErrorCategory.COMMIT_UNKNOWN)) {
                // The endpoint is in trouble: back off before the next row instead of burning through them.
                sleepNanos(pause.toNanos());
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            } else {
                pause = FIRST_PAUSE;
            }
        }
    }

    private static void closeQuietly(LoadtestReport out) {
        try {
            out.close();
        } catch (IOException e) {
            // Finish.once reported it when the run got that far; before that the file is empty anyway
        }
    }

    /** After an interrupt: give the workers a moment to finish the row each is on, so the report is whole. */
    private static void awaitQuietly(ExecutorService workers) {
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException again) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepNanos(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
