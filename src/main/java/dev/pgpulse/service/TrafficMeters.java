package dev.pgpulse.service;

import dev.pgpulse.pool.Endpoints;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One endpoint's call meters. Resilience4j's own call timers go quiet while a breaker is forced open or disabled
 * (it publishes no events then), so the service counts what reaches each endpoint itself.
 * <p>
 * Every call is counted (a striped counter, a few nanoseconds). Latency percentiles come from a random sample of
 * one call in {@value #SAMPLE_ONE_IN} (drawn per thread, nothing shared): a percentile histogram write is contended
 * across threads, and {@code pgpulse bench} runs tens of thousands of calls a second through here.
 * <p>
 * The calls running on the endpoint are an {@link InFlight} of their own (per-thread slots, striped counters: no
 * lock, about as cheap as the service-wide one), read by the snapshot and by two gauges.
 */
final class TrafficMeters {
    static final String CALLS = "pgpulse.endpoint.calls";
    static final String FAILURES = "pgpulse.endpoint.failures";
    static final String LATENCY = "pgpulse.endpoint.call.latency";
    static final String IN_FLIGHT = "pgpulse.endpoint.calls.in.flight";
    static final String OLDEST_IN_FLIGHT = "pgpulse.endpoint.oldest.call.in.flight";
    static final int SAMPLE_ONE_IN = 4;

    private final String endpoint;
    private final Counter ok;
    final Counter failed;
    private final Timer latency;
    /** Bracketed by {@link EndpointGate}: entered with the breaker's permission, left with the attempt's outcome. */
    final InFlight running = new InFlight();

    TrafficMeters(String endpoint, MeterRegistry registry) {
        this.endpoint = endpoint;
        this.ok = Counter.builder(CALLS).description("Successful calls on the endpoint (an attempt each)")
                .tag("endpoint", endpoint).register(registry);
        this.failed = Counter.builder(FAILURES).description("Failed calls on the endpoint (an attempt each)")
                .tag("endpoint", endpoint).register(registry);
        this.latency = Timer.builder(LATENCY)
                .description("Latency of successful calls on the endpoint, sampled (see TrafficMeters)")
                .tag("endpoint", endpoint).publishPercentiles(0.5, 0.95, 0.99)
                // one histogram, rotated every 30 s: percentiles cover the samples since the last rotation
                .distributionStatisticBufferLength(1).distributionStatisticExpiry(Duration.ofSeconds(30))
                .register(registry);
        Gauge.builder(IN_FLIGHT, running, InFlight::count)
                .description("Database calls running on the endpoint now, waiting for a connection included")
                .tag("endpoint", endpoint).register(registry);
        // Seconds, as Prometheus expects (Micrometer appends the unit: pgpulse_endpoint_oldest_call_in_flight_seconds).
        Gauge.builder(OLDEST_IN_FLIGHT, running, r -> r.oldest().toNanos() / 1e9)
                .description("How long the oldest database call running on the endpoint has been running, from the "
                        + "call's start; 0 when none is")
                .baseUnit("seconds").tag("endpoint", endpoint).register(registry);
    }

    /** A successful call that took {@code nanos}. */
    void success(long nanos) {
        ok.increment();
        if (ThreadLocalRandom.current().nextInt(SAMPLE_ONE_IN) == 0) {
            latency.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    EndpointTraffic snapshot() {
        long failures = (long) failed.count();
        return new EndpointTraffic(endpoint, (long) ok.count() + failures, failures, Endpoints.percentileMs(latency, 0.5),
                Endpoints.percentileMs(latency, 0.95), Endpoints.percentileMs(latency, 0.99), running.count(),
                running.oldest());
    }
}
