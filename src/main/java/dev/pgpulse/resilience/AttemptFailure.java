package dev.pgpulse.resilience;

import java.io.Serial;

/**
 * One attempt failed. Carries what the retry policy needs to decide: the category, whether running the
 * work again is safe ({@code retryable}), and whether the outcome of a COMMIT is unknown.
 */
public final class AttemptFailure extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    private final ErrorCategory category;
    private final boolean retryable;
    private final boolean outcomeUnknown;
    private final String endpoint;

    public AttemptFailure(ErrorCategory category, boolean retryable, boolean outcomeUnknown, String endpoint,
                          String message, Throwable cause) {
        super(message, cause, false, false);
        this.category = category;
        this.retryable = retryable;
        this.outcomeUnknown = outcomeUnknown;
        this.endpoint = endpoint;
    }

    public ErrorCategory category() {
        return category;
    }

    public boolean retryable() {
        return retryable;
    }

    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }

    public String endpoint() {
        return endpoint;
    }

    public String sqlState() {
        return SqlErrors.stateOf(getCause());
    }
}
