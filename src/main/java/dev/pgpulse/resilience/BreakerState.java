package dev.pgpulse.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * A circuit breaker's state, the one vocabulary every face uses: {@link #label()} is what people read (tiles,
 * notifications, the event table, logs, CLI output), {@link #name()} what machines read (the agent's JSON), and
 * {@link #metricValue()} the number alert rules compare for {@code breaker.<endpoint>.state}. Built from
 * Resilience4j's state here only ({@link #of}); Resilience4j's own Micrometer meters keep its names.
 */
public enum BreakerState {
    CLOSED("CLOSED", 0),
    HALF_OPEN("HALF-OPEN", 1),
    OPEN("OPEN", 2),
    FORCED_OPEN("FORCED OPEN", 3),
    /** Resilience4j's DISABLED, which the FORCE_CLOSED drill sets: every call goes through, failures are ignored. */
    FORCED_CLOSED("FORCED CLOSED", -1),
    METRICS_ONLY("METRICS ONLY", -2);

    private final String label;
    private final double metricValue;

    BreakerState(String label, double metricValue) {
        this.label = label;
        this.metricValue = metricValue;
    }

    public static BreakerState of(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> CLOSED;
            case HALF_OPEN -> HALF_OPEN;
            case OPEN -> OPEN;
            case FORCED_OPEN -> FORCED_OPEN;
            case DISABLED -> FORCED_CLOSED;
            case METRICS_ONLY -> METRICS_ONLY;
        };
    }

    /** The state as a DBA reads it: "HALF-OPEN", "FORCED CLOSED", never Resilience4j's names. */
    public String label() {
        return label;
    }

    /**
     * CLOSED 0, HALF-OPEN 1, OPEN 2, FORCED OPEN 3, FORCED CLOSED -1, METRICS ONLY -2. So {@code >= 2} means
     * "calls are being rejected", and the two states in which the breaker lets everything through without
     * protecting are negative, so that no threshold on rejection fires for them.
     */
    public double metricValue() {
        return metricValue;
    }

    /** OPEN and FORCED OPEN turn calls away without trying the endpoint. */
    public boolean rejectsCalls() {
        return this == OPEN || this == FORCED_OPEN;
    }

    /** Put there by hand, by a drill: FORCED OPEN or FORCED CLOSED. */
    public boolean forced() {
        return this == FORCED_OPEN || this == FORCED_CLOSED;
    }

    @Override
    public String toString() {
        return label;
    }
}
