package dev.pgpulse.resilience;

import dev.pgpulse.config.ResilienceSettings;
import dev.pgpulse.pool.Endpoint;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The one place breakers and retries live: one Resilience4j {@link CircuitBreaker} per endpoint from one
 * registry, and one {@link Retry} per operation name from one registry, all configured from
 * {@link ResilienceSettings}. Transitions and retries go to the {@link EventLog}.
 */
public final class Guard {
    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);
    private static final double BACKOFF_MULTIPLIER = 2.0;
    private static final double BACKOFF_JITTER = 0.5;

    private final ResilienceSettings settings;
    private final CircuitBreakerRegistry breakers;
    private final RetryRegistry retries;
    private final EventLog events;
    private final Clock clock;
    /** When each breaker last went OPEN (System.nanoTime), for routing back to it once its wait is over. */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> openedAt = new java.util.concurrent.ConcurrentHashMap<>();

    public Guard(ResilienceSettings settings, MeterRegistry meters, EventLog events, Clock clock) {
        this.settings = settings;
        this.events = events;
        this.clock = clock;
        this.breakers = CircuitBreakerRegistry.of(breakerConfig(settings));
        this.retries = RetryRegistry.of(retryConfig(settings));
        breakers.getEventPublisher().onEntryAdded(e -> watch(e.getAddedEntry()));
        retries.getEventPublisher().onEntryAdded(e -> watch(e.getAddedEntry()));
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
    }

    static CircuitBreakerConfig breakerConfig(ResilienceSettings s) {
        return CircuitBreakerConfig.custom()
                .failureRateThreshold(s.failureRateThreshold())
                .slowCallRateThreshold(s.slowCallRateThreshold())
                .slowCallDurationThreshold(s.slowCallDuration())
                .slidingWindowType(s.windowType() == ResilienceSettings.WindowType.COUNT
                        ? CircuitBreakerConfig.SlidingWindowType.COUNT_BASED
                        : CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .slidingWindowSize(s.windowSize())
                .minimumNumberOfCalls(s.minimumCalls())
                .waitDurationInOpenState(s.waitInOpen())
                .permittedNumberOfCallsInHalfOpenState(s.halfOpenCalls())
                // OPEN -> HALF_OPEN on the first call after the wait: no timer thread per breaker.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(SqlErrors::countsAgainstEndpoint)
                .build();
    }

    static RetryConfig retryConfig(ResilienceSettings s) {
        return RetryConfig.custom()
                .maxAttempts(s.retryMaxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(s.retryInitialBackoff(),
                        BACKOFF_MULTIPLIER, BACKOFF_JITTER, s.retryMaxBackoff()))
                // The attempt itself decides: only it knows whether the work could have committed.
                .retryOnException(e -> e instanceof AttemptFailure af && af.retryable())
                .build();
    }

    private void watch(CircuitBreaker breaker) {
        breaker.getEventPublisher().onStateTransition(e -> {
            var t = e.getStateTransition();
            if (t.getToState() == CircuitBreaker.State.OPEN) {
                openedAt.put(breaker.getName(), System.nanoTime());
            }
            BreakerState from = BreakerState.of(t.getFromState());
            BreakerState to = BreakerState.of(t.getToState());
            LOG.warn("{} - circuit breaker {} -> {}", breaker.getName(), from.label(), to.label());
            events.publish(new ResilienceEvent.BreakerTransition(clock.instant(), breaker.getName(), from, to));
        });
    }

    private void watch(Retry retry) {
        retry.getEventPublisher().onRetry(e -> {
            Throwable err = e.getLastThrowable();
            LOG.info("{} - attempt {} failed ({}); retrying in {} ms", retry.getName(), e.getNumberOfRetryAttempts(),
                    err == null ? "?" : err.getMessage(), e.getWaitInterval().toMillis());
            events.publish(new ResilienceEvent.RetryScheduled(clock.instant(), retry.getName(),
                    e.getNumberOfRetryAttempts(), e.getWaitInterval(), err == null ? null : err.getMessage()));
        });
    }

    public CircuitBreaker breaker(String endpoint) {
        return breakers.circuitBreaker(endpoint);
    }

    public CircuitBreaker breaker(Endpoint endpoint) {
        return breaker(endpoint.name());
    }

    public Retry retry(String operation) {
        return retries.retry(operation);
    }

    /**
     * For routing: the pool is open and the breaker lets calls through. HALF_OPEN does, for its probes; so
     * does an OPEN breaker whose wait is over, since the transition to HALF_OPEN happens only when a call asks
     * it for permission, and routing that skipped it would never ask.
     */
    public boolean isUsable(Endpoint endpoint) {
        if (!endpoint.isUsable()) {
            return false;
        }
        CircuitBreaker.State state = breaker(endpoint).getState();
        if (state == CircuitBreaker.State.OPEN) {
            Long since = openedAt.get(endpoint.name());
            return since != null && System.nanoTime() - since >= settings.waitInOpen().toNanos();
        }
        return state != CircuitBreaker.State.FORCED_OPEN;
    }

    public ResilienceSettings settings() {
        return settings;
    }

    public EventLog events() {
        return events;
    }

    public BreakerState state(String endpoint) {
        return BreakerState.of(breaker(endpoint).getState());
    }

    public BreakerSnapshot snapshot(String endpoint) {
        CircuitBreaker b = breaker(endpoint);
        CircuitBreaker.Metrics m = b.getMetrics();
        return new BreakerSnapshot(endpoint, clock.instant(), BreakerState.of(b.getState()), m.getFailureRate(),
                m.getSlowCallRate(), b.getCircuitBreakerConfig().getFailureRateThreshold(),
                b.getCircuitBreakerConfig().getSlowCallRateThreshold(), m.getNumberOfBufferedCalls(),
                m.getNumberOfFailedCalls(), m.getNumberOfSlowCalls(), m.getNumberOfNotPermittedCalls());
    }

    /** What a DBA can do to a breaker by hand: a drill, or taking an endpoint out of rotation. */
    public enum Drill { FORCE_OPEN, FORCE_CLOSED, NORMAL }

    /**
     * Puts an endpoint's breaker in a state by hand. FORCE_OPEN fails every call fast and takes the endpoint out
     * of routing; FORCE_CLOSED lets every call through whatever the failure rate (FORCED CLOSED: Resilience4j's
     * DISABLED); NORMAL resets it to CLOSED with an empty window. Each is a transition, so it is logged and published.
     */
    public void drill(String endpoint, Drill drill) {
        CircuitBreaker b = breakers.find(endpoint).orElseThrow(
                () -> new IllegalArgumentException("no circuit breaker for endpoint '" + endpoint + "'"));
        LOG.warn("{} - circuit breaker drill: {} (was {})", endpoint,
                drill.name().toLowerCase(Locale.ROOT).replace('_', ' '), BreakerState.of(b.getState()).label());
        switch (drill) {
            case FORCE_OPEN -> b.transitionToForcedOpenState();
            case FORCE_CLOSED -> b.transitionToDisabledState();
            case NORMAL -> b.reset();
        }
    }

    public List<BreakerSnapshot> snapshots(Collection<String> endpoints) {
        return endpoints.stream().map(this::snapshot).toList();
    }

}
