package dev.pgpulse.query;

import java.time.Duration;

/** How a run ended. */
public sealed interface QueryOutcome {
    /** Time from the start of the run to its end. */
    Duration elapsed();

    /** The endpoint it ran on, or null when none was reached. */
    String endpoint();

    /** Every statement ran. */
    record Completed(int statements, String endpoint, Duration elapsed) implements QueryOutcome {
    }

    /** A statement failed; the statements before it ran (and committed), the ones after did not. */
    record Failed(QueryError error, String endpoint, Duration elapsed) implements QueryOutcome {
    }

    /**
     * Cancelled by the user: the running statement was cancelled on the server ({@code 57014}), the rest did
     * not run.
     *
     * @param statement the index of the statement that was running, or -1 when none was
     */
    record Cancelled(int statement, String endpoint, Duration elapsed) implements QueryOutcome {
    }

    /**
     * Not run, by the runner's own rules: {@code EXPLAIN ANALYZE} of a write without its confirmation, an empty
     * script, an unknown target.
     */
    record Refused(String reason, Duration elapsed) implements QueryOutcome {
        @Override
        public String endpoint() {
            return null;
        }
    }
}
