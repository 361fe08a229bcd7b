package dev.pgpulse.service;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A real DatabaseService on a real PostgreSQL, configured as a user would (keys as in README). */
final class ServiceFixture implements AutoCloseable {
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final EventLog events = new EventLog(EventLog.DEFAULT_CAPACITY);
    final PgPulseConfig config;
    final Guard guard;
    final DatabaseService service;

    ServiceFixture(TestDatabase db, Map<String, String> settings) throws Exception {
        this(Map.of("DATABASE_URL", db.url()), settings);
    }

    /** @param env where the endpoints are, as a user's environment says ({@code DATABASE_URL}, {@code DATABASE_READ_URLS}) */
    ServiceFixture(Map<String, String> env, Map<String, String> settings) throws Exception {
        Map<String, String> s = new HashMap<>(Map.of("startup.wait", "2s", "pool.connection_timeout", "1s"));
        s.putAll(settings);
        config = new ConfigLoader(env, Path.of("/nonexistent-home"), "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, s));
        guard = new Guard(config.resilience(), meters, events, Clock.systemUTC());
        service = new DatabaseService(Endpoints.open(config, meters), guard, meters, Clock.systemUTC());
    }

    OperationStats stats(String operation) {
        return service.snapshot().operations().stream().filter(o -> o.operation().equals(operation)).findFirst()
                .orElseThrow();
    }

    @Override
    public void close() {
        service.shutdown(java.time.Duration.ofSeconds(5));
    }
}
