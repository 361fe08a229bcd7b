package dev.pgpulse.cli;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.embedded.EmbeddedStartException;
import dev.pgpulse.pool.EndpointStartupException;
import dev.pgpulse.pool.Endpoints;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The embedded server when none is configured, and the pools: what a one-shot command needs, closed in
 * reverse order. (The long-running faces get this from the orchestrator.)
 */
record Connected(PgPulseConfig config, EmbeddedServer embedded, Endpoints endpoints) implements AutoCloseable {

    static Connected open(PgPulseConfig config, MeterRegistry registry)
            throws EmbeddedStartException, EndpointStartupException {
        EmbeddedServer server = null;
        PgPulseConfig resolved = config;
        if (config.isEmbedded()) {
            var embedded = config.embedded().orElseThrow();
            server = EmbeddedServer.start(embedded);
            resolved = config.withEmbeddedPrimary(server.endpoint(embedded));
        }
        try {
            return new Connected(resolved, server, Endpoints.open(resolved, registry));
        } catch (EndpointStartupException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            throw e;
        }
    }

    @Override
    public void close() {
        endpoints.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
