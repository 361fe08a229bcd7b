package dev.pgpulse.ui.query;

import dev.pgpulse.config.Environment;
import dev.pgpulse.query.QueryOutcome;
import dev.pgpulse.query.QueryRequest;
import dev.pgpulse.query.QueryRun;
import dev.pgpulse.query.QueryRunner;
import dev.pgpulse.query.SqlStatement;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.ConsoleWindow;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the Query tab's component tests share: a real DatabaseService and QueryRunner on the test database (as
 * dev.pgpulse.query.QueryFixture), runs on a thread of their own as the tab's
 * background task will, and a call on the FX thread.
 */
final class QueryUi implements AutoCloseable {
    static final String STYLESHEET = ConsoleWindow.class.getResource("console.css").toExternalForm();
    final DatabaseService service;
    final QueryRunner runner;

    private final dev.pgpulse.query.QueryFixture fixture;

    QueryUi(TestDatabase db) throws Exception {
        fixture = new dev.pgpulse.query.QueryFixture(db.env(), Environment.DEVELOPMENT, Map.of("pool.max_size", "2"));
        service = fixture.service;
        runner = fixture.runner;
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
        fixture.close();
    }
}
