package dev.pgpulse.query;

import java.util.Objects;

/**
 * What the server (or the resilient layer before it) said went wrong, with everything psql shows.
 *
 * @param statement the index of the failed statement in the run (0-based), or -1 when none ran (the endpoint
 *                  could not be reached, the breaker is open)
 * @param sqlState  the SQLSTATE ({@code 42601} for a syntax error), or null when there is none (breaker open)
 * @param message   the primary message
 * @param detail    the server's DETAIL, or null
 * @param hint      the server's HINT, or null
 * @param where     the server's CONTEXT, or null
 * @param position  the offset in the script the error points at (0-based, in Java chars), or -1 when the server
 *                  gave no position
 */
public record QueryError(int statement, String sqlState, String message, String detail, String hint, String where,
                         int position) {
    public QueryError {
        Objects.requireNonNull(message, "message");
    }

    /** One line for a terminal or a status bar: {@code ERROR 42601: syntax error at or near "selec"}. */
    public String line() {
        return sqlState == null ? "ERROR: " + message : "ERROR " + sqlState + ": " + message;
    }
}
