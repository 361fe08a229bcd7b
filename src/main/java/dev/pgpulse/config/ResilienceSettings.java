package dev.pgpulse.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Circuit breaker, retry, slow-query and shutdown settings, shared by every endpoint's breaker. Defaults
 * follow Resilience4j's where they suit a database (50 % failure rate) and are tightened where a DBA
 * expects faster reaction (a 20-call window, 10 s in OPEN).
 */
public record ResilienceSettings(
        float failureRateThreshold,
        float slowCallRateThreshold,
        Duration slowCallDuration,
        WindowType windowType,
        int windowSize,
        int minimumCalls,
        Duration waitInOpen,
        int halfOpenCalls,
        int retryMaxAttempts,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        Duration slowQueryThreshold,
        Duration shutdownGrace) {

    public enum WindowType { COUNT, TIME }

    public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50;
    public static final float DEFAULT_SLOW_CALL_RATE_THRESHOLD = 100;
    public static final Duration DEFAULT_SLOW_CALL_DURATION = Duration.ofSeconds(5);
    public static final int DEFAULT_WINDOW_SIZE = 20;
    public static final int DEFAULT_MINIMUM_CALLS = 10;
    public static final Duration DEFAULT_WAIT_IN_OPEN = Duration.ofSeconds(10);
    public static final int DEFAULT_HALF_OPEN_CALLS = 3;
    public static final int DEFAULT_RETRY_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(2);
    public static final Duration DEFAULT_SLOW_QUERY_THRESHOLD = Duration.ofMillis(500);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

    public ResilienceSettings {
        Objects.requireNonNull(slowCallDuration, "slowCallDuration");
        Objects.requireNonNull(windowType, "windowType");
        Objects.requireNonNull(waitInOpen, "waitInOpen");
        Objects.requireNonNull(retryInitialBackoff, "retryInitialBackoff");
        Objects.requireNonNull(retryMaxBackoff, "retryMaxBackoff");
        Objects.requireNonNull(slowQueryThreshold, "slowQueryThreshold");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    }

    public static ResilienceSettings defaults() {
        return new ResilienceSettings(DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_SLOW_CALL_RATE_THRESHOLD,
                DEFAULT_SLOW_CALL_DURATION, WindowType.COUNT, DEFAULT_WINDOW_SIZE, DEFAULT_MINIMUM_CALLS,
                DEFAULT_WAIT_IN_OPEN, DEFAULT_HALF_OPEN_CALLS, DEFAULT_RETRY_MAX_ATTEMPTS,
                DEFAULT_RETRY_INITIAL_BACKOFF, DEFAULT_RETRY_MAX_BACKOFF, DEFAULT_SLOW_QUERY_THRESHOLD,
                DEFAULT_SHUTDOWN_GRACE);
    }
}
