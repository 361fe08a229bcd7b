package dev.pgpulse.query;

import java.util.Objects;

/**
 * A message the server sent while a statement ran ({@code RAISE NOTICE}, a warning such as "there is no
 * transaction in progress").
 *
 * @param statement the index of the statement in the run (0-based)
 * @param severity  as the server sent it ({@code NOTICE}, {@code WARNING}, {@code INFO}, {@code DEBUG})
 * @param sqlState  the SQLSTATE ({@code 00000} for a plain notice), or null when the driver gave none
 */
public record QueryNotice(int statement, String severity, String message, String sqlState) {
    public QueryNotice {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
    }
}
