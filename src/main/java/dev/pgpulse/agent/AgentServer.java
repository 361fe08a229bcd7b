package dev.pgpulse.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.pgpulse.agent.BoundedHttpServer.Request;
import dev.pgpulse.agent.BoundedHttpServer.Response;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.orchestration.Fleet;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.orchestration.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The headless face: {@code GET /health} (the health snapshot; 200 when UP or DEGRADED, 503 when DOWN or
 * before the first sample), {@code GET /metrics} (Prometheus text from the orchestrator's registry) and
 * {@code GET /alerts} (active and recent alerts). Reads only {@link Orchestrator#snapshot()}: a request never
 * runs a query. Served by {@link BoundedHttpServer}, so slow or idle clients cannot starve a health check.
 *
 * <p>Serving a {@link Fleet} of several clusters: {@code /health} is the worst cluster's status with one summary
 * per cluster, {@code /health/<cluster>} one cluster's as above, {@code /metrics} every cluster's series with a
 * {@code cluster} label, {@code /alerts} by cluster.
 */
public final class AgentServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final AtomicReference<Fleet> fleet = new AtomicReference<>();
    private final BoundedHttpServer server;
    // A figure not known yet is NaN inside PgPulse; in JSON it is null (Jackson would write the string "NaN").
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .registerModule(new SimpleModule("unknown-is-null")
                    .addSerializer(Double.class, NullForNaN.INSTANCE)
                    .addSerializer(double.class, NullForNaN.INSTANCE))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    private static final class NullForNaN extends StdSerializer<Double> {
        static final NullForNaN INSTANCE = new NullForNaN();

        private NullForNaN() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value.isNaN() || value.isInfinite()) {
                gen.writeNull();
            } else {
                gen.writeNumber(value);
            }
        }
    }
    private final Map<String, Handler> routes = Map.of("/health", this::health, "/metrics", this::metrics,
            "/alerts", this::alerts);

    @FunctionalInterface
    private interface Handler {
        Response handle(Fleet f) throws IOException;
    }

    private AgentServer(InetAddress address, int port) throws IOException {
        this.server = BoundedHttpServer.bind(address, port, this::handle);
    }

    /** Binds and serves the orchestrator at once. */
    public static AgentServer start(Orchestrator orchestrator, String bind, int port) throws IOException {
        AgentServer agent = bind(bind, port);
        agent.serve(orchestrator);
        return agent;
    }

    /**
     * Checks the address, binds the port and starts answering: a bad address or a port in use is found before the
     * core connects to any database, and until {@link #serve} every path answers 503 "starting" (a start can wait
     * for a server for startup.wait).
     *
     * @throws IllegalArgumentException the address is not one of this machine's (the message says why)
     * @throws IOException              the port cannot be bound (in use, not permitted)
     */
    public static AgentServer bind(String bind, int port) throws IOException {
        AgentServer agent = new AgentServer(localAddress(bind), port);
        agent.server.start();
        LOG.info("agent listening on {}", url(bind, agent.port()));
        return agent;
    }

    /** The URL of the agent as the user named its address: an IPv6 literal in brackets ({@code http://[::1]:9187}). */
    public static String url(String bind, int port) {
        String host = bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind;
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The address to listen on, when it is this machine's: the wildcard (0.0.0.0, ::), a loopback address, or an
     * interface's address; a name is resolved first.
     *
     * @throws IllegalArgumentException with a one-line reason otherwise
     */
    public static InetAddress localAddress(String bind) {
        if (bind == null || bind.isBlank() || !bind.matches("[A-Za-z0-9.:\\-\\[\\]%]+")) {
            throw new IllegalArgumentException("not a host name or IP address");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot be resolved to an address");
        }
        try {
            if (address.isAnyLocalAddress() || address.isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(address) != null) {
                return address;
            }
        } catch (SocketException e) {
            throw new IllegalArgumentException("cannot list this machine's addresses: " + e.getMessage());
        }
        throw new IllegalArgumentException(address.getHostAddress() + " is not an address of this machine");
    }

    /** From now on requests are answered from the orchestrator's snapshots. */
    public void serve(Orchestrator o) {
        serve(Fleet.of("default", o));
    }

    /** From now on requests are answered from the fleet's clusters' snapshots. */
    public void serve(Fleet f) {
        if (!fleet.compareAndSet(null, f)) {
            throw new IllegalStateException("the agent already serves an orchestrator");
        }
    }

    public int port() {
        return server.port();
    }

    /** Connections open right now (for tests and diagnostics). */
    int openConnections() {
        return server.openConnections();
    }

    private Response handle(Request request) throws IOException {
        String path = request.path();
        String cluster = null;
        if (path.startsWith("/health/")) {
            cluster = path.substring("/health/".length());
            path = "/health";
        }
        Handler h = routes.get(path);
        if (h == null) {
            return new Response(404, TEXT, "not found: try /health, /health/<cluster>, /metrics or /alerts\n");
        }
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return new Response(405, TEXT, "method not allowed\n", Map.of("Allow", "GET, HEAD"));
        }
        Fleet f = fleet.get();
        if (f == null) {
            return new Response(503, "application/json", "{\"status\":\"STARTING\",\"lifecycle\":\"connecting\"}");
        }
        if (cluster != null) {
            Orchestrator o = f.cluster(cluster).orElse(null);
            if (o == null) {
                // the name is the client's: only safe characters go back
                String shown = cluster.replaceAll("[^a-z0-9_-]", "?");
                return new Response(404, TEXT, "no cluster '" + shown + "'; clusters: " + String.join(", ", f.names())
                        + "\n");
            }
            return health(o);
        }
        return h.handle(f);
    }

    private Response health(Fleet f) throws IOException {
        if (!f.labelled()) {
            return health(f.clusters().values().iterator().next());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        HealthStatus worst = f.status();
        body.put("status", worst == null ? "STARTING" : worst.name());
        Map<String, Object> each = new LinkedHashMap<>();
        for (Map.Entry<String, Orchestrator> c : f.clusters().entrySet()) {
            Snapshot s = c.getValue().snapshot();
            HealthSnapshot h = s.health();
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("status", h == null ? "STARTING" : h.status().name());
            one.put("lifecycle", s.status());
            one.put("target", s.target());
            one.put("environment", s.environment());
            one.put("reasons", h == null ? java.util.List.of() : h.reasons());
            one.put("alertsFiring", s.activeAlerts().size());
            each.put(c.getKey(), one);
        }
        body.put("clusters", each);
        int code = worst != null && worst != HealthStatus.DOWN ? 200 : 503;
        return new Response(code, "application/json", json.writeValueAsString(body));
    }

    private Response health(Orchestrator o) throws IOException {
        Snapshot s = o.snapshot();
        HealthSnapshot h = s.health();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", h == null ? "STARTING" : h.status().name());
        body.put("lifecycle", s.status());
        body.put("target", s.target());
        body.put("environment", s.environment());
        body.put("embedded", s.embedded());
        // RUNNING or EXITED (with when PgPulse saw it gone): a killed embedded server is not just an unreachable one
        body.put("embeddedServer", s.embeddedServer());
        body.put("health", h);
        int code = h != null && h.status() != HealthStatus.DOWN ? 200 : 503;
        return new Response(code, "application/json", json.writeValueAsString(body));
    }

    private Response metrics(Fleet f) {
        return new Response(200, PROMETHEUS_TEXT, f.scrape());
    }

    private Response alerts(Fleet f) throws IOException {
        if (!f.labelled()) {
            return alerts(f.clusters().values().iterator().next());
        }
        Map<String, Object> each = new LinkedHashMap<>();
        for (Map.Entry<String, Orchestrator> c : f.clusters().entrySet()) {
            Snapshot s = c.getValue().snapshot();
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("active", s.activeAlerts());
            one.put("recent", s.recentAlerts());
            each.put(c.getKey(), one);
        }
        return new Response(200, "application/json", json.writeValueAsString(Map.of("clusters", each)));
    }

    private Response alerts(Orchestrator o) throws IOException {
        Snapshot s = o.snapshot();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active", s.activeAlerts());
        body.put("recent", s.recentAlerts());
        body.put("rules", o.alerts().rules());
        return new Response(200, "application/json", json.writeValueAsString(body));
    }

    @Override
    public void close() {
        server.close();
        LOG.info("agent stopped");
    }
}
