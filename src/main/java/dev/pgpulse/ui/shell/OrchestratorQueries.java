package dev.pgpulse.ui.shell;

import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.query.QueryHistory;
import dev.pgpulse.query.QueryOutcome;
import dev.pgpulse.query.QueryRequest;
import dev.pgpulse.query.QueryRun;
import dev.pgpulse.query.QuerySink;
import dev.pgpulse.ui.fx.BackgroundTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@link QueryActions} over the orchestrator's {@code QueryRunner} and history. Runs go to the query executor
 * (a thread per run: a 30-second statement holds no other console work); history reads and writes to the
 * console's background thread.
 */
final class OrchestratorQueries implements QueryActions {
    private static final Logger LOG = LoggerFactory.getLogger(OrchestratorQueries.class);

    private final Orchestrator orchestrator;
    private final Executor runs;
    private final Executor background;
    private final Executor ui;

    OrchestratorQueries(Orchestrator orchestrator, Executor runs, Executor background, Executor ui) {
        this.orchestrator = orchestrator;
        this.runs = runs;
        this.background = background;
        this.ui = ui;
    }

    @Override
    public List<String> targets() {
        return orchestrator.queries().targets();
    }

    @Override
    public boolean production() {
        return orchestrator.queries().readOnlyByDefault();
    }

    @Override
    public QueryRun run(QueryRequest request, QuerySink sink, Consumer<QueryOutcome> done) {
        QueryRun run = orchestrator.queries().prepare(request);
        BackgroundTask.of("query on " + request.target(), p -> run.execute(sink))
                .onSuccess(done::accept)
                .onFailure(e -> {
                    LOG.warn("{} - a query run failed: {}", request.target(), e.toString());
                    done.accept(new QueryOutcome.Refused("the run failed: " + OrchestratorActions.why(e),
                            Duration.ZERO));
                })
                .start(runs, ui);
        return run;
    }

    @Override
    public void cancel(QueryRun run) {
        runs.execute(run::cancel);
    }

    @Override
    public void history(Consumer<List<QueryHistory.Entry>> done) {
        BackgroundTask.of("read the query history", p -> orchestrator.queryHistory().entries())
                .onSuccess(done::accept)
                .onFailure(e -> LOG.warn("the query history could not be read: {}", e.toString()))
                .start(background, ui);
    }

    @Override
    public void remember(String statement, String endpoint, QueryHistory.Outcome outcome, Duration took) {
        Instant at = Instant.now();
        BackgroundTask.run("remember a query", () -> orchestrator.queryHistory().add(statement, endpoint, at, outcome,
                        took))
                .onFailure(e -> LOG.warn("the query history could not be written: {}", e.toString()))
                .start(background, ui);
    }

    @Override
    public Export exportCsv(QueryRequest request, java.nio.file.Path file, Consumer<String> done) {
        QueryRun run = orchestrator.queries().prepare(request);
        java.util.concurrent.atomic.AtomicReference<dev.pgpulse.query.CsvSink> sink =
                new java.util.concurrent.atomic.AtomicReference<>();
        BackgroundTask.of("export CSV from " + request.target(), p -> {
                    try (dev.pgpulse.query.CsvSink csv = dev.pgpulse.query.CsvSink.open(file)) {
                        sink.set(csv);
                        QueryOutcome outcome = run.execute(csv);
                        return switch (outcome) {
                            case QueryOutcome.Completed c when csv.hadResult() -> {
                                csv.commit();
                                double secs = Math.max(1e-3, c.elapsed().toNanos() / 1e9);
                                yield String.format(java.util.Locale.ROOT, "Exported %,d rows to %s in %.1f s (%,.0f rows/s)",
                                        csv.rowsWritten(), file, secs, csv.rowsWritten() / secs);
                            }
                            case QueryOutcome.Completed c -> {
                                csv.abort();
                                yield "Not exported: the statement returned no rows to export";
                            }
                            case QueryOutcome.Failed f -> {
                                csv.abort();
                                yield "Not exported: " + f.error().line();
                            }
                            case QueryOutcome.Cancelled c -> {
                                csv.abort();
                                yield "Export cancelled on the server after " + csv.rowsWritten() + " rows; "
                                        + file.getFileName() + " was not written";
                            }
                            case QueryOutcome.Refused r -> {
                                csv.abort();
                                yield "Not exported: " + r.reason();
                            }
                        };
                    }
                })
                .onSuccess(done::accept)
                .onFailure(e -> {
                    LOG.warn("{} - a CSV export failed: {}", request.target(), e.toString());
                    done.accept("Could not write " + file + ": " + OrchestratorActions.why(e));
                })
                .start(runs, ui);
        return new Export(run, () -> {
            dev.pgpulse.query.CsvSink csv = sink.get();
            return csv == null ? 0 : csv.rowsWritten();
        });
    }
}
