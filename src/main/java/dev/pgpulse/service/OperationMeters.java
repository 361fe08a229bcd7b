package dev.pgpulse.service;

import dev.pgpulse.resilience.ErrorCategory;
import io.github.resilience4j.retry.Retry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.pgpulse.pool.Endpoints;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One operation's Micrometer meters and its Resilience4j {@link Retry}, created once and found with a single
 * map lookup per call afterwards (the hot path).
 */
final class OperationMeters {
    static final String TIMER = "pgpulse.operation";
    static final String FAILURES = "pgpulse.operation.failures";
    static final String RETRIES = "pgpulse.operation.retries";
    static final String SLOW = "pgpulse.operation.slow";

    private final String operation;
    private final MeterRegistry registry;
    final Timer timer;
    final Counter retries;
    final Counter slow;
    final Retry retry;
    private final Map<ErrorCategory, Counter> failures = new EnumMap<>(ErrorCategory.class);

    OperationMeters(String operation, MeterRegistry registry, Retry retry) {
        this.operation = operation;
        this.retry = retry;
        this.registry = registry;
        this.timer = Timer.builder(TIMER).description("Calls through the DatabaseService, retries included")
                .tag("operation", operation).publishPercentiles(0.5, 0.95, 0.99)
                .distributionStatisticBufferLength(1).distributionStatisticExpiry(java.time.Duration.ofMinutes(1))
                .register(registry);
        this.retries = Counter.builder(RETRIES).description("Attempts beyond the first").tag("operation", operation)
                .register(registry);
        this.slow = Counter.builder(SLOW).description("Calls at or above the slow-query threshold")
                .tag("operation", operation).register(registry);
    }

    void failure(ErrorCategory category) {
        Counter c;
        synchronized (failures) {
            c = failures.computeIfAbsent(category, k -> Counter.builder(FAILURES)
                    .description("Calls that ended in failure, by category")
                    .tag("operation", operation).tag("category", k.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
        c.increment();
    }

    OperationStats stats() {
        Map<ErrorCategory, Long> byCategory = new EnumMap<>(ErrorCategory.class);
        synchronized (failures) {
            failures.forEach((k, v) -> byCategory.put(k, (long) v.count()));
        }
        return new OperationStats(operation, timer.count(), byCategory, (long) retries.count(),
                timer.mean(TimeUnit.MILLISECONDS), Endpoints.percentileMs(timer, 0.5),
                Endpoints.percentileMs(timer, 0.95), Endpoints.percentileMs(timer, 0.99), timer.max(TimeUnit.MILLISECONDS));
    }
}
