package dev.pgpulse.ui.shell;

import dev.pgpulse.query.QueryHistory;
import dev.pgpulse.query.QueryOutcome;
import dev.pgpulse.query.QueryRequest;
import dev.pgpulse.query.QueryRun;
import dev.pgpulse.query.QuerySink;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the Query tab may ask of the core: the targets, runs through the core's {@code QueryRunner} (breaker,
 * retries of reads, timers, slow-query log), and the history. Each call returns at once.
 */
public interface QueryActions {
    /** The endpoints a query may target, the primary first. */
    List<String> targets();

    /** Whether runs are read-only unless the tab is switched to read-write (a production configuration). */
    boolean production();

    /**
     * Starts a run on a query thread of its own (a long query never holds up other console work). The sink is
     * called on that thread; {@code done} gets the outcome on the FX thread. The returned run cancels it.
     */
    QueryRun run(QueryRequest request, QuerySink sink, Consumer<QueryOutcome> done);

    /**
     * Cancels a run on the server, off the FX thread (the cancel request opens a connection of its own, which an
     * unreachable server holds up to the driver's cancel timeout).
     */
    void cancel(QueryRun run);

    /** The history, newest first, read off the FX thread; {@code done} on the FX thread. */
    void history(Consumer<List<QueryHistory.Entry>> done);

    /** Adds a statement run to the history (secrets masked, written off the FX thread). */
    void remember(String statement, String endpoint, QueryHistory.Outcome outcome, Duration took);

    /** A CSV export under way: its run (to cancel it) and the rows written so far (read from any thread). */
    record Export(QueryRun run, java.util.function.LongSupplier rows) {
    }

    /**
     * Runs the request again straight into a CSV file (its first result set, RFC 4180, as psql's {@code \copy ...
     * csv header} writes it), streamed, never held; the file appears whole or not at all. {@code done} gets a line
     * for people on the FX thread.
     */
    Export exportCsv(QueryRequest request, java.nio.file.Path file, Consumer<String> done);
}
