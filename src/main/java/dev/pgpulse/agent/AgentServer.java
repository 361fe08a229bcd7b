package dev.pgpulse.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.orchestration.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The headless face: {@code GET /health} (the health snapshot; 200 when UP or DEGRADED, 503 when DOWN or
 * before the first sample), {@code GET /metrics} (Prometheus text from the orchestrator's registry) and
 * {@code GET /alerts} (active and recent alerts). Reads only {@link Orchestrator#snapshot()}: a request never
 * runs a query.
 */
public final class AgentServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Orchestrator orchestrator;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    private AgentServer(Orchestrator orchestrator, HttpServer server, ExecutorService executor) {
        this.orchestrator = orchestrator;
        this.server = server;
        this.executor = executor;
    }

    public static AgentServer start(Orchestrator orchestrator, String bind, int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(bind, port), 32);
        ExecutorService executor = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("pgpulse-agent-", 0)
                .daemon().factory());
        AgentServer agent = new AgentServer(orchestrator, http, executor);
        http.createContext("/health", ex -> agent.handle(ex, agent::health));
        http.createContext("/metrics", ex -> agent.handle(ex, agent::metrics));
        http.createContext("/alerts", ex -> agent.handle(ex, agent::alerts));
        http.createContext("/", ex -> agent.handle(ex, e -> new Response(404, "text/plain; charset=utf-8",
                "not found: try /health, /metrics or /alerts\n")));
        http.setExecutor(executor);
        http.start();
        LOG.info("agent listening on http://{}:{}", bind, agent.port());
        return agent;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    record Response(int status, String contentType, String body) {
    }

    @FunctionalInterface
    interface Handler {
        Response handle(HttpExchange exchange) throws IOException;
    }

    private void handle(HttpExchange ex, Handler handler) throws IOException {
        try (ex) {
            Response r;
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().add("Allow", "GET, HEAD");
                r = new Response(405, "text/plain; charset=utf-8", "method not allowed\n");
            } else {
                try {
                    r = handler.handle(ex);
                } catch (RuntimeException e) {
                    LOG.warn("agent - {} failed: {}", ex.getRequestURI(), e.toString());
                    r = new Response(500, "text/plain; charset=utf-8", "internal error\n");
                }
            }
            byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", r.contentType());
            ex.getResponseHeaders().add("Cache-Control", "no-store");
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(r.status(), head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private Response health(HttpExchange ex) throws IOException {
        Snapshot s = orchestrator.snapshot();
        HealthSnapshot h = s.health();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", h == null ? "STARTING" : h.status().name());
        body.put("lifecycle", s.status());
        body.put("target", s.target());
        body.put("environment", s.environment());
        body.put("embedded", s.embedded());
        body.put("health", h);
        int code = h != null && h.status() != HealthStatus.DOWN ? 200 : 503;
        return new Response(code, "application/json", json.writeValueAsString(body));
    }

    private Response metrics(HttpExchange ex) {
        return new Response(200, PROMETHEUS_TEXT, orchestrator.scrape());
    }

    private Response alerts(HttpExchange ex) throws IOException {
        Snapshot s = orchestrator.snapshot();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active", s.activeAlerts());
        body.put("recent", s.recentAlerts());
        body.put("rules", orchestrator.alerts().rules());
        return new Response(200, "application/json", json.writeValueAsString(body));
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("agent stopped");
    }
}
