package dev.pgpulse.ui.query;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Environment;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.query.QueryOutcome;
import dev.pgpulse.query.QueryRequest;
import dev.pgpulse.query.QueryRun;
import dev.pgpulse.query.QueryRunner;
import dev.pgpulse.query.SqlStatement;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.ConsoleWindow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the Query tab's component tests share: a real DatabaseService and QueryRunner on the test database (as
 * dev.pgpulse.query.QueryFixture, which is package-private there), runs on a thread of their own as the tab's
 * background task will, and a call on the FX thread.
 */
final class QueryUi implements AutoCloseable {
    static final String STYLESHEET = ConsoleWindow.class.getResource("console.css").toExternalForm();
    final DatabaseService service;
    final QueryRunner runner;

    QueryUi(TestDatabase db) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PgPulseConfig config = new ConfigLoader(db.env(), Path.of("/nonexistent-home"), "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null,
                        Map.of("startup.wait", "2s", "pool.connection_timeout", "1s", "pool.max_size", "2")));
        Guard guard = new Guard(config.resilience(), meters, new EventLog(EventLog.DEFAULT_CAPACITY), Clock.systemUTC());
        service = new DatabaseService(Endpoints.open(config, meters), guard, meters, Clock.systemUTC());
        runner = new QueryRunner(service, Environment.DEVELOPMENT, "console.query");
    }

    QueryRun prepare(List<SqlStatement> statements, int fetchSize) {
        return runner.prepare(QueryRequest.run("primary", statements).withFetchSize(fetchSize));
    }

    /** Executes on a thread of its own, as the tab's background task does. */
    static CompletableFuture<QueryOutcome> start(QueryRun run, FxResultSink sink) {
        return CompletableFuture.supplyAsync(() -> run.execute(sink));
    }

    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }

    static void fxRun(Runnable r) throws Exception {
        fx(() -> {
            r.run();
            return null;
        });
    }

    @Override
    public void close() {
        service.shutdown(Duration.ofSeconds(5));
    }
}
