package dev.pgpulse.cli;

import dev.pgpulse.cli.BenchHarness.Comparison;
import dev.pgpulse.cli.BenchRuns.BenchFailure;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedStartException;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.pool.EndpointStartupException;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code pgpulse bench}: the cost of the resilient service layer, measured against raw HikariCP + pgjdbc in
 * the same run, on the same server and the same pool, then the fail-fast time of a call while the primary's
 * breaker is forced open. This class wires it up and owns what it starts; {@link BenchOptions} holds what was
 * asked, {@link BenchHarness} runs the two sides, {@link FailFastProbe} the fail-fast check, and
 * {@link BenchReport} prints it all.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure DatabaseService.query against raw HikariCP + pgjdbc on the same pool: SELECT 1 "
                + "throughput and per-call latency per thread count (raw and service runs alternating, median of "
                + "the rounds), and the fail-fast time of a call when the primary's breaker is open.",
                "The primary pool is sized to the largest thread count (pool.max_size and pool.min_idle) unless "
                        + "--set gives them.",
                "Exit codes: 0 it ran (targets met or MISSED), 1 it could not run or a check failed, 2 bad usage.",
                "  fleet  the agent's cost watching many clusters: see `pgpulse bench fleet --help`"})
final class BenchCommand implements Callable<Integer> {
    private final PgPulseCli.Context context;

    @Mixin
    BenchOptions options = new BenchOptions();

    @Mixin
    TargetOptions target = new TargetOptions();

    BenchCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        List<String> bad = options.validate();
        if (!bad.isEmpty()) {
            bad.forEach(b -> context.err().println("pgpulse: bench: " + b));
            return PgPulseCli.USAGE;
        }
        int maxThreads = options.maxThreads();
        var loaded = Problems.load(context, options.overrides(target.toOverrides()), true);
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

    private int bench(Connected connected, Guard guard, DatabaseService service, SimpleMeterRegistry registry,
                      ExecutorService pool, int maxThreads) throws InterruptedException, BenchFailure {
        Endpoint primary = connected.endpoints().primary();
        BenchHarness.preparePool(primary, maxThreads);
        BenchReport report = new BenchReport(context.out());
        report.header(connected, primary, options);
        List<Comparison> comparisons = new BenchHarness(options, primary, service, pool, context.err()).run();
        report.table(comparisons);
        FailFastProbe.Measured ff = FailFastProbe.measure(guard, service, registry, primary, pool);
        report.failFast(primary, ff);
        report.verdict(maxThreads, BenchHarness.latencyRatioAt(comparisons, maxThreads), ff);
        return PgPulseCli.OK;
    }
}
