package dev.pgpulse.service;

import dev.pgpulse.pool.Endpoints;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * One endpoint's call meters. Resilience4j's own call timers go quiet while a breaker is forced open or disabled
 * (it publishes no events then), so the service counts what reaches each endpoint itself.
 */
final class TrafficMeters {
    static final String CALLS = "pgpulse.endpoint.calls";
    static final String FAILURES = "pgpulse.endpoint.failures";

    private final String endpoint;
    final Timer ok;
    final Counter failed;

    TrafficMeters(String endpoint, MeterRegistry registry) {
        this.endpoint = endpoint;
        this.ok = Timer.builder(CALLS).description("Successful calls on the endpoint (an attempt each)")
                .tag("endpoint", endpoint).publishPercentiles(0.5, 0.95, 0.99)
                // three buffers over 30 s: the percentiles cover the last 30 to 40 seconds, rotating every 10 s
                .distributionStatisticBufferLength(3).distributionStatisticExpiry(Duration.ofSeconds(30))
                .register(registry);
        this.failed = Counter.builder(FAILURES).description("Failed calls on the endpoint (an attempt each)")
                .tag("endpoint", endpoint).register(registry);
    }

    EndpointTraffic snapshot() {
        long failures = (long) failed.count();
        return new EndpointTraffic(endpoint, ok.count() + failures, failures, Endpoints.percentileMs(ok, 0.5),
                Endpoints.percentileMs(ok, 0.95), Endpoints.percentileMs(ok, 0.99));
    }
}
