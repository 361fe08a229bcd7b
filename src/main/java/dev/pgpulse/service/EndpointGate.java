package dev.pgpulse.service;

import dev.pgpulse.config.RoutingSettings;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.AttemptFailure;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.resilience.SqlErrors;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The way in and out of an endpoint for one attempt of a {@link DatabaseService} call: the routing choice (a
 * replica only while its breaker lets calls through), the breaker's permission, the connection, and the outcome
 * recorded with the breaker, the endpoint's traffic meters and, for a slow success, the slow-query log. Every
 * attempt that {@link #enter enters} records exactly one outcome, {@link #failed} or {@link #succeeded}, and
 * {@link #left leaves} in a {@code finally}: from entering to leaving it counts as in flight on the endpoint.
 */
final class EndpointGate {
    /** The service's logger: these lines read as they always have. */
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseService.class);

    /** Told of every successful attempt, for the slow-query log. */
    @FunctionalInterface
    interface SlowCheck {
        void check(String operation, String sql, Route route, Endpoint endpoint, long nanos);
    }

    private final Endpoints endpoints;
    private final Map<Endpoint, CircuitBreaker> breakers;
    private final Map<Endpoint, TrafficMeters> traffic;
    private final Predicate<Endpoint> usable;
    private final ReadRotation rotation;
    private final SlowCheck slow;

    /** @param traffic every endpoint's meters, owned by the service (its snapshot reads them) */
    EndpointGate(Endpoints endpoints, Guard guard, Map<Endpoint, TrafficMeters> traffic, ReadRotation rotation,
                 SlowCheck slow) {
        this.endpoints = endpoints;
        Map<Endpoint, CircuitBreaker> byEndpoint = new IdentityHashMap<>();
        endpoints.all().forEach(e -> byEndpoint.put(e, guard.breaker(e)));
        this.breakers = byEndpoint;
        this.traffic = traffic;
        // one predicate for the service's life: a replica takes reads while its breaker and the rotation let it
        this.usable = e -> guard.isUsable(e) && rotation.admits(e);
        this.rotation = rotation;
        this.slow = slow;
    }

    CircuitBreaker breaker(Endpoint endpoint) {
        return breakers.get(endpoint);
    }

    /** The endpoint {@code route} leads to now, entered. */
    Endpoint enter(Route route, Attempts attempts) throws AttemptFailure {
        Endpoint chosen = endpoints.route(route, usable);
        if (route == Route.READ && chosen == endpoints.primary() && !endpoints.replicas().isEmpty()) {
            boolean toPrimary = rotation.settings().fallback() == RoutingSettings.Fallback.PRIMARY;
            rotation.fellBack(toPrimary);
            if (!toPrimary) {
                attempts.count++;
                throw new AttemptFailure(ErrorCategory.NO_REPLICA, false, false, null,
                        "no replica is in the read rotation (lagging, unreachable or open) and reads.fallback is"
                                + " fail; set reads.fallback = primary to read from the primary meanwhile", null);
            }
        }
        return enter(chosen, attempts);
    }

    /**
     * Counts the attempt and takes the breaker's permission; fails fast while the breaker refuses. Once permitted
     * the call is in flight on the endpoint (waiting for a connection included) until the caller's
     * {@link #left}; nothing may throw between the two but the caller's own work.
     */
    Endpoint enter(Endpoint endpoint, Attempts attempts) throws AttemptFailure {
        attempts.count++;
        attempts.endpoint = endpoint.name();
        CircuitBreaker breaker = breakers.get(endpoint);
        if (!breaker.tryAcquirePermission()) {
            throw new AttemptFailure(ErrorCategory.CIRCUIT_OPEN, false, false, endpoint.name(),
                    endpoint.name() + " circuit breaker is " + BreakerState.of(breaker.getState()).label() + "; failing fast", null);
        }
        traffic.get(endpoint).running.started(attempts.startNanos);
        return endpoint;
    }

    /** The attempt {@link #enter} let in is over, whatever its outcome: it no longer runs on the endpoint. */
    void left(Endpoint endpoint) {
        traffic.get(endpoint).running.finished();
    }

    /** Taking a connection: a failure here means nothing was sent, so any work may safely run again. */
    Connection connect(Endpoint endpoint, CircuitBreaker breaker, long t0) throws AttemptFailure {
        return connect(endpoint, breaker, t0, false);
    }

    /** @param health from the endpoint's one-connection health pool rather than the application's */
    Connection connect(Endpoint endpoint, CircuitBreaker breaker, long t0, boolean health) throws AttemptFailure {
        try {
            return health ? endpoint.healthConnection() : endpoint.connection();
        } catch (SQLException e) {
            failed(endpoint, breaker, t0, e);
            ErrorCategory category = SqlErrors.classify(e);
            throw new AttemptFailure(category, category.isEndpointFailure(), false, endpoint.name(),
                    endpoint.name() + ": " + e.getMessage(), e);
        }
    }

    /** Bookkeeping after the work is done: it must never turn a done piece of work into a failure. */
    void succeeded(CircuitBreaker breaker, String operation, String sql, Route route, Endpoint endpoint, long nanos) {
        try {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            traffic.get(endpoint).success(nanos);
            slow.check(operation, sql, route, endpoint, nanos);
        } catch (RuntimeException e) {
            LOG.warn("{} - bookkeeping after {} failed: {}", endpoint.name(), operation, e.toString());
        }
    }

    /** A call that reached the endpoint and failed: the breaker decides if it counts; the traffic always does. */
    void failed(Endpoint endpoint, CircuitBreaker breaker, long t0, Throwable e) {
        breaker.onError(System.nanoTime() - t0, TimeUnit.NANOSECONDS, e);
        traffic.get(endpoint).failed.increment();
    }
}
