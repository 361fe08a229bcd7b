package dev.pgpulse.config;

import java.util.Locale;
import java.util.Optional;

/** Deployment environment; selects the {@link PoolSizing} preset. */
public enum Environment {
    DEVELOPMENT, STAGING, PRODUCTION;

    /** Accepts the full names and the usual short forms ({@code dev}, {@code stage}, {@code prod}), any case. */
    public static Optional<Environment> parse(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "development", "dev", "develop" -> Optional.of(DEVELOPMENT);
            case "staging", "stage", "stg" -> Optional.of(STAGING);
            case "production", "prod", "prd" -> Optional.of(PRODUCTION);
            default -> Optional.empty();
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
