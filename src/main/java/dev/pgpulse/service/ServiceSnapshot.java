package dev.pgpulse.service;

import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerSnapshot;
import dev.pgpulse.resilience.ResilienceEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.List;

/**
 * Everything the service knows, at one instant, as immutable values: cheap to take, safe to share.
 *
 * @param traffic            per endpoint: the calls that reached it, and the calls running on it now with the oldest
 *                           one's age ({@link EndpointTraffic#callsInFlight()}), which tells which server is hung
 * @param inFlight           calls running now (from routing to their result, retries and backoffs included)
 * @param oldestCallInFlight how long the oldest of them has been running; zero when none is. A hung server shows
 *                           here first: its calls neither fail nor finish, so the breaker stays CLOSED.
 */
public record ServiceSnapshot(Instant at, List<OperationStats> operations, List<BreakerSnapshot> breakers,
                              List<PoolSnapshot> pools, List<EndpointTraffic> traffic,
                              List<SlowQuery> slowQueries, List<ResilienceEvent> events,
                              int inFlight, Duration oldestCallInFlight, boolean shuttingDown,
                              List<ReadRotation.State> rotation) {
    public ServiceSnapshot {
        operations = List.copyOf(operations);
        breakers = List.copyOf(breakers);
        pools = List.copyOf(pools);
        traffic = List.copyOf(traffic);
        slowQueries = List.copyOf(slowQueries);
        events = List.copyOf(events);
        rotation = List.copyOf(rotation);
        Objects.requireNonNull(oldestCallInFlight, "oldestCallInFlight");
    }

    /** Without replicas in a read rotation. */
    public ServiceSnapshot(Instant at, List<OperationStats> operations, List<BreakerSnapshot> breakers,
                           List<PoolSnapshot> pools, List<EndpointTraffic> traffic, List<SlowQuery> slowQueries,
                           List<ResilienceEvent> events, int inFlight, Duration oldestCallInFlight,
                           boolean shuttingDown) {
        this(at, operations, breakers, pools, traffic, slowQueries, events, inFlight, oldestCallInFlight, shuttingDown,
                List.of());
    }

    /** The replica's place in the read rotation, if it is a replica. */
    public java.util.Optional<ReadRotation.State> reads(String endpoint) {
        return rotation.stream().filter(r -> r.endpoint().equals(endpoint)).findFirst();
    }
}
