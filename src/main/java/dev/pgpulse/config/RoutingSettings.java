package dev.pgpulse.config;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Which replicas take reads: those whose replay lag, as the health monitor measures it each round, is within the
 * bound. A replica over it leaves the read rotation at once; it returns once it has been within half the bound for
 * {@code rejoinSamples} rounds in a row, so a replica hovering at the bound does not flap.
 *
 * @param maxLag        replay lag in time a replica may have and take reads; zero for no bound in time
 * @param maxLagBytes   replay lag in WAL bytes behind the primary, if bounded
 * @param fallback      what a read does when no replica is in the rotation
 * @param rejoinSamples health rounds in a row within half the bound before a replica takes reads again
 */
public record RoutingSettings(Duration maxLag, OptionalLong maxLagBytes, Fallback fallback, int rejoinSamples) {
    /** What a read does with no replica in the rotation. */
    public enum Fallback {
        /** Runs on the primary (it always has the latest data). */
        PRIMARY,
        /** Fails at once ({@code NO_REPLICA}), keeping read load off the primary. */
        FAIL
    }

    public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(30);
    public static final int DEFAULT_REJOIN_SAMPLES = 3;

    public RoutingSettings {
        Objects.requireNonNull(maxLag, "maxLag");
        Objects.requireNonNull(maxLagBytes, "maxLagBytes");
        Objects.requireNonNull(fallback, "fallback");
        if (maxLag.isNegative()) {
            throw new IllegalArgumentException("maxLag must not be negative, but was " + maxLag);
        }
        if (maxLagBytes.isPresent() && maxLagBytes.getAsLong() < 0) {
            throw new IllegalArgumentException("maxLagBytes must not be negative, but was " + maxLagBytes.getAsLong());
        }
        if (rejoinSamples < 1) {
            throw new IllegalArgumentException("rejoinSamples must be at least 1, but was " + rejoinSamples);
        }
    }

    public static RoutingSettings defaults() {
        return new RoutingSettings(DEFAULT_MAX_LAG, OptionalLong.empty(), Fallback.PRIMARY, DEFAULT_REJOIN_SAMPLES);
    }
}
