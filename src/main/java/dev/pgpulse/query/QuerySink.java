package dev.pgpulse.query;

import java.util.List;

/**
 * Where a run's results go as they arrive: the Query tab's result window, a CSV file, a terminal. Called on the
 * thread that runs the query, in order, never concurrently. {@link #rows} may block: that is how a consumer
 * holds the cursor back (the tab waits for the user to scroll); {@link QueryRun#cancel()} ends the wait.
 * <p>
 * A value is PostgreSQL's text form of it (what psql prints: {@code {1,2}} for an array, {@code \x00ff} for
 * bytea, {@code 2026-12-02 10:00:00+00} for a timestamptz in the session's time zone), or null for NULL.
 */
public interface QuerySink {
    /** Statement {@code index} of the run is sent to the server. */
    default void statementStarted(int index, SqlStatement statement) {
    }

    /** A result set of statement {@code index} begins; its rows follow. */
    void columns(int index, List<QueryColumn> columns);

    /**
     * The next rows of the current result set, at most the run's fetch size at a time.
     *
     * @return false to stop reading this result (the rest is not fetched; the run goes on)
     */
    boolean rows(List<String[]> rows) throws InterruptedException;

    /**
     * The current result set ended.
     *
     * @param rows     how many rows were read
     * @param complete false when the sink stopped it early ({@link #rows} returned false)
     */
    void resultEnded(long rows, boolean complete);

    /**
     * A statement that returns no rows finished.
     *
     * @param command the server's command tag ({@code INSERT 0 3}, {@code CREATE TABLE}, {@code VACUUM})
     * @param count   rows affected, or -1 when the command counts none
     */
    void updated(int index, String command, long count);

    /** A notice or warning from the server. */
    default void notice(QueryNotice notice) {
    }
}
