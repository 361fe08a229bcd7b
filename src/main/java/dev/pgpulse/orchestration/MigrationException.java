package dev.pgpulse.orchestration;

/** A migration command that could not run or failed, with Flyway's reason on one line. */
public final class MigrationException extends Exception {
    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
