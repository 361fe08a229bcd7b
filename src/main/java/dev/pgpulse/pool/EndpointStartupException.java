package dev.pgpulse.pool;

import java.io.Serial;

/** An endpoint could not be reached at startup. The message says which, why, and what to do; no password in it. */
public final class EndpointStartupException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    public EndpointStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
