package dev.pgpulse.cli;

import dev.pgpulse.config.Durations;
import dev.pgpulse.config.Environment;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedStartException;
import dev.pgpulse.pool.EndpointStartupException;
import dev.pgpulse.query.CsvSink;
import dev.pgpulse.query.QueryOutcome;
import dev.pgpulse.query.QueryRequest;
import dev.pgpulse.query.QueryRun;
import dev.pgpulse.query.QueryRunner;
import dev.pgpulse.query.QuerySink;
import dev.pgpulse.query.SqlScript;
import dev.pgpulse.query.SqlStatement;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code pgpulse query}: the Query tab's runner ({@link QueryRunner}) headless, with its production safety,
 * streaming and cancel on the server. Results as psql's aligned tables or CSV on stdout, or the first result to a
 * CSV file ({@link CsvSink}); errors as psql prints them on stderr.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Run SQL through PgPulse's query runner: breaker, retries of reads, timers and the slow-query "
                + "log apply, results stream through a cursor (any size in bounded memory).",
                "On a production configuration statements run read-only unless --read-write, which there also "
                        + "needs --yes. Ctrl-C cancels the statement on the server.",
                "Exit codes: 0 it ran, 1 an SQL error (ERROR, SQLSTATE, DETAIL, HINT on stderr) or cancelled, "
                        + "2 bad usage or input."})
final class QueryCommand implements java.util.concurrent.Callable<Integer> {
    /** A script on stdin is read whole before it runs; a bound keeps a stray pipe from filling the heap. */
    static final int MAX_SCRIPT_BYTES = 16 * 1024 * 1024;

    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions connection = new TargetOptions();

    @Option(names = "--target", paramLabel = "ENDPOINT", defaultValue = "primary",
            description = "primary (default) or a replica: replica-1, replica-2, ...")
    String target;
    @Option(names = "--csv", paramLabel = "FILE",
            description = "Write the first result set to FILE as CSV (psql's \\copy ... csv header format), "
                    + "replaced atomically when the run succeeds, mode 0600; a summary line on stderr.")
    Path csvFile;
    @Option(names = "--format", paramLabel = "FORMAT",
            description = "table (default: psql's aligned format) or csv, on standard output.")
    String format;
    @Option(names = "--read-write", description = "On production, run read-write (needs --yes there).")
    boolean readWrite;
    @Option(names = "--yes", description = "Confirm --read-write on production, and EXPLAIN ANALYZE of a write.")
    boolean yes;
    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "statement_timeout for the run, e.g. 30s or 5min (default: none, unless --set "
                    + "pool.statement_timeout=... gives one).")
    String timeout;
    @Option(names = "--fetch-size", paramLabel = "N", defaultValue = "" + QueryRequest.DEFAULT_FETCH_SIZE,
            description = "Rows per round trip of the cursor (1 to 100000; default ${DEFAULT-VALUE}).")
    int fetchSize;
    @Parameters(arity = "0..1", paramLabel = "SQL",
            description = "The statements; absent or - reads them from standard input (at most 16 MB).")
    String sql;

    /** The run in progress, for the Ctrl-C hook (and tests): cancel() cancels it on the server. */
    private volatile QueryRun running;
    private volatile boolean interrupted;

    QueryCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        String bad = validate();
        if (bad != null) {
            return usage(bad);
        }
        Duration statementTimeout = timeout == null ? Duration.ZERO : Durations.parse(timeout).orElseThrow();
        String script;
        try {
            script = sql == null || sql.equals("-") ? readStdin(context.in()) : sql;
        } catch (IOException e) {
            return usage("cannot read the SQL from standard input: " + e.getMessage());
        }
        if (script == null) {
            return usage("the SQL on standard input is over " + MAX_SCRIPT_BYTES / (1024 * 1024) + " MB; give less, "
                    + "or run it with psql -f");
        }
        List<SqlStatement> statements = SqlScript.split(script);
        if (statements.isEmpty()) {
            return usage("no SQL to run: give it as the argument or on standard input");
        }
        var loaded = Problems.load(context, overrides(connection.toOverrides()), true);
        if (loaded.isEmpty()) {
            return PgPulseCli.USAGE;
        }
        PgPulseConfig config = loaded.get();
        boolean production = config.environment() == Environment.PRODUCTION;
        if (production && readWrite && !yes) {
            return usage("--read-write on a production configuration needs --yes: it lets the statements write");
        }
        CsvSink file = null;
        if (csvFile != null) {
            try {
                file = CsvSink.open(csvFile, new QueryTable.Aligned(context.out(), context.err()),
                        CsvSink.DEFAULT_BUFFER_CHARS);
            } catch (IOException e) {
                return usage("--csv " + csvFile + " cannot be written: " + e.getMessage());
            }
        }
        try (CsvSink closing = file) {
            return connectAndRun(config, statements, script, statementTimeout, closing);
        }
    }

    /**
     * A DBA's statement runs as long as it needs, as in psql, unless --timeout says otherwise: the pools'
     * statement timeout (30 s in development) is off, and so is leak detection (a 10-minute export holds its
     * connection on purpose), unless --set gives them.
     */
    static Overrides overrides(Overrides given) {
        Map<String, String> settings = new LinkedHashMap<>(given.settings());
        if (settings.keySet().stream().noneMatch(k -> k.endsWith("pool.statement_timeout"))) {
            settings.put("pool.statement_timeout", "0");
        }
        if (settings.keySet().stream().noneMatch(k -> k.endsWith("pool.leak_detection"))) {
            settings.put("pool.leak_detection", "0");
        }
        return new Overrides(given.configFile(), given.profile(), given.url(), given.replicas(), given.environment(),
                settings);
    }

    private String validate() {
        if (format != null && !format.equals("table") && !format.equals("csv")) {
            return "--format '" + format + "' is not one; the formats are table and csv";
        }
        if (format != null && csvFile != null) {
            return "--csv FILE and --format are exclusive: --csv writes the file, --format chooses stdout's format";
        }
        if (csvFile != null && csvFile.toString().isBlank()) {
            return "--csv is empty; give a file such as out.csv";
        }
        if (fetchSize < 1 || fetchSize > QueryRequest.MAX_FETCH_SIZE) {
            return "--fetch-size " + fetchSize + ": expected 1 to " + QueryRequest.MAX_FETCH_SIZE;
        }
        if (timeout != null) {
            var parsed = Durations.parse(timeout);
            if (parsed.isEmpty() || parsed.get().isNegative()) {
                return "--timeout '" + timeout + "': " + (parsed.isEmpty() ? Durations.problem(timeout, Durations.EXPECTED) : "must not be "
                        + "negative") + " (0 for the server's)";
            }
        }
        return null;
    }

    private int connectAndRun(PgPulseConfig config, List<SqlStatement> statements, String script,
                              Duration statementTimeout, CsvSink file) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Connected connected = Connected.open(config, meters)) {
            Clock clock = Clock.systemUTC();
            Guard guard = new Guard(connected.config().resilience(), meters, new EventLog(EventLog.DEFAULT_CAPACITY),
                    clock);
            DatabaseService service = new DatabaseService(connected.endpoints(), guard, meters, clock);
            try {
                QueryRunner runner = new QueryRunner(service, config.environment(), "cli.query");
                if (!runner.targets().contains(target)) {
                    return usage("--target " + target + ": no such endpoint; the targets are "
                            + String.join(", ", runner.targets()));
                }
                QueryRequest request = QueryRequest.run(target, statements).withReadWrite(readWrite)
                        .withConfirmedWrite(yes).withStatementTimeout(statementTimeout).withFetchSize(fetchSize);
                return run(runner.prepare(request), script, file);
            } finally {
                service.shutdown(Duration.ofSeconds(5));
            }
        } catch (EmbeddedStartException | EndpointStartupException e) {
            context.err().println("pgpulse: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
    }

    private int run(QueryRun run, String script, CsvSink file) {
        QuerySink sink = file != null ? file : "csv".equals(format)
                ? new QueryTable.Csv(context.out(), context.err()) : new QueryTable.Aligned(context.out(), context.err());
        CountDownLatch done = new CountDownLatch(1);
        // Ctrl-C and SIGTERM: cancel on the server, then let this thread say so and remove a partial file before
        // the JVM halts (bounded: a server that does not answer the cancel must not hold the exit).
        Thread hook = Thread.ofPlatform().name("pgpulse-query-cancel").unstarted(() -> {
            interrupted = true;
            run.cancel();
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        boolean hooked = addHook(hook);
        running = run;
        long t0 = System.nanoTime();
        try {
            QueryOutcome outcome = run.execute(sink);
            context.out().flush();
            return switch (outcome) {
                case QueryOutcome.Completed c -> completed(file, t0);
                case QueryOutcome.Failed f -> {
                    QueryTable.error(context.err(), f.error(), script);
                    yield PgPulseCli.FAILED;
                }
                case QueryOutcome.Cancelled c -> {
                    context.err().println("pgpulse: query: cancelled" + (interrupted ? " (the statement was "
                            + "cancelled on the server)" : ""));
                    yield PgPulseCli.FAILED;
                }
                case QueryOutcome.Refused r -> usage(r.reason());
            };
        } finally {
            running = null;
            if (file != null) {
                file.abort(); // a no-op after a commit
            }
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs; it waits for done
                }
            }
            done.countDown();
        }
    }

    private int completed(CsvSink file, long t0) {
        if (file == null) {
            return PgPulseCli.OK;
        }
        try {
            file.commit();
        } catch (IOException e) {
            context.err().println("pgpulse: query: --csv " + file.target() + " not written: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long rows = file.rowsWritten();
        context.err().println(String.format(Locale.ROOT, "pgpulse: query: %,d rows to %s in %.2f s (%,.0f rows/s)",
                rows, file.target(), seconds, seconds > 0 ? rows / seconds : 0));
        return PgPulseCli.OK;
    }

    /** Cancels the run in progress, as Ctrl-C does; false when none is running. */
    boolean cancel() {
        QueryRun r = running;
        if (r == null) {
            return false;
        }
        interrupted = true;
        r.cancel();
        return true;
    }

    private static boolean addHook(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }

    /** Standard input as UTF-8, or null when it is over {@link #MAX_SCRIPT_BYTES}. */
    static String readStdin(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_SCRIPT_BYTES + 1);
        return bytes.length > MAX_SCRIPT_BYTES ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private int usage(String problem) {
        context.err().println("pgpulse: query: " + problem);
        return PgPulseCli.USAGE;
    }
}
