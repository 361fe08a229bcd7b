package dev.pgpulse.service;

import dev.pgpulse.resilience.ErrorCategory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a call through the {@link DatabaseService} (the seed's {@code DatabaseResult}). Both kinds
 * carry the attempts made and the time taken; a failure says what kind it was and whether the outcome is
 * unknown (a COMMIT whose fate could not be resolved).
 */
public sealed interface Result<T> {
    int attempts();

    Duration elapsed();

    /** The endpoint of the last attempt, or null when none was reached. */
    String endpoint();

    default boolean isSuccess() {
        return this instanceof Success<T>;
    }

    /** The value, or an {@link IllegalStateException} naming the failure. */
    default T orElseThrow() {
        return switch (this) {
            case Success<T> s -> s.value();
            case Failure<T> f -> throw new IllegalStateException(f.category() + ": " + f.message(), f.cause());
        };
    }

    default Optional<T> toOptional() {
        return this instanceof Success<T> s ? Optional.ofNullable(s.value()) : Optional.empty();
    }

    record Success<T>(T value, String endpoint, int attempts, Duration elapsed) implements Result<T> {
    }

    record Failure<T>(ErrorCategory category, String message, String sqlState, boolean outcomeUnknown,
                      String endpoint, int attempts, Duration elapsed, Throwable cause) implements Result<T> {
        public Failure {
            Objects.requireNonNull(category, "category");
        }

        @Override
        public String toString() {
            return "Failure[" + category + (sqlState == null ? "" : " " + sqlState) + ": " + message
                    + (outcomeUnknown ? " (outcome unknown)" : "") + ", endpoint=" + endpoint + ", attempts="
                    + attempts + ", elapsed=" + elapsed.toMillis() + "ms]";
        }
    }
}
