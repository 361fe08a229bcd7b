package dev.pgpulse.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Pool sizing and timing for one endpoint. Presets per {@link Environment}; every field can be overridden
 * per endpoint ({@code pool.max_size}, {@code primary.pool.max_size}, {@code replica-1.pool.max_size}, ...).
 * A zero duration disables keepalive, leak detection and statement timeout, as in HikariCP and PostgreSQL.
 */
public record PoolSizing(
        int maxPoolSize,
        int minIdle,
        Duration connectionTimeout,
        Duration idleTimeout,
        Duration maxLifetime,
        Duration keepalive,
        Duration leakDetectionThreshold,
        Duration statementTimeout) {

    /** HikariCP's own lower bounds; values below them are rejected rather than silently changed. */
    public static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);
    public static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration MIN_MAX_LIFETIME = Duration.ofSeconds(30);
    public static final Duration MIN_KEEPALIVE = Duration.ofSeconds(30);
    public static final Duration MIN_LEAK_DETECTION = Duration.ofSeconds(2);
    public static final int MAX_POOL_SIZE_LIMIT = 10_000;

    public PoolSizing {
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        Objects.requireNonNull(keepalive, "keepalive");
        Objects.requireNonNull(leakDetectionThreshold, "leakDetectionThreshold");
        Objects.requireNonNull(statementTimeout, "statementTimeout");
    }

    /** Small and strict: leaks and slow statements surface quickly while developing. */
    public static PoolSizing development() {
        return new PoolSizing(5, 1, Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(30),
                Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    public static PoolSizing staging() {
        return new PoolSizing(10, 2, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /**
     * A fixed-size pool (min idle = max, as HikariCP recommends) sized by HikariCP's guidance:
     * {@code connections = (core_count * 2) + effective_spindle_count}, with one effective spindle (SSD storage).
     */
    public static PoolSizing production(int cores) {
        int size = productionPoolSize(cores);
        return new PoolSizing(size, size, Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofMinutes(30),
                Duration.ofMinutes(2), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    public static int productionPoolSize(int cores) {
        return Math.max(1, cores) * 2 + 1;
    }

    public static PoolSizing preset(Environment environment, int cores) {
        return switch (environment) {
            case DEVELOPMENT -> development();
            case STAGING -> staging();
            case PRODUCTION -> production(cores);
        };
    }
}
