package dev.pgpulse.embedded;

import java.io.Serial;

/** The embedded default could not start; the message says why and what to do. */
public final class EmbeddedStartException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    public EmbeddedStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
