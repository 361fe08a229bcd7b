package dev.pgpulse.query;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Environment;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A real DatabaseService and a QueryRunner on it, configured as a user would (also the UI tests' way to one). */
public final class QueryFixture implements AutoCloseable {
    public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    public final PgPulseConfig config;
    public final Guard guard;
    public final DatabaseService service;
    public final QueryRunner runner;

    public QueryFixture(Map<String, String> env, Environment environment, Map<String, String> settings) throws Exception {
        Map<String, String> s = new HashMap<>(Map.of("startup.wait", "2s", "pool.connection_timeout", "1s"));
        s.putAll(settings);
        config = new ConfigLoader(env, Path.of("/nonexistent-home"), "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, s));
        guard = new Guard(config.resilience(), meters, new EventLog(EventLog.DEFAULT_CAPACITY), Clock.systemUTC());
        service = new DatabaseService(Endpoints.open(config, meters), guard, meters, Clock.systemUTC());
        runner = new QueryRunner(service, environment, "console.query");
    }

    QueryOutcome run(String script, RecordingSink sink) {
        return runner.prepare(QueryRequest.run("primary", SqlScript.split(script))).execute(sink);
    }

    QueryOutcome run(QueryRequest request, RecordingSink sink) {
        return runner.prepare(request).execute(sink);
    }

    @Override
    public void close() {
        service.shutdown(Duration.ofSeconds(5));
    }
}
