package dev.pgpulse.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The agent over real HTTP, on an orchestrator whose primary sits behind the project's fault proxy. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class AgentServerTest {
    @TempDir
    Path home;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AgentServerTest.class);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthMetricsAndAlertsFollowThePrimary(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            var config = new ConfigLoader(Map.of("DATABASE_URL", proxy.through(db).url()), home, "tester", 2)
                    .load(new Overrides(null, null, null, List.of(), null, Map.of("pool.connection_timeout", "300ms",
                            "breaker.wait_in_open", "300ms", "breaker.minimum_calls", "2", "breaker.window_size", "4")));
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200),
                    home.resolve("alert-rules.json"), false));
                 AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
                int port = agent.port();
                await().atMost(Duration.ofSeconds(10)).until(() -> get(port, "/health").statusCode() == 200);
                JsonNode health = new ObjectMapper().readTree(get(port, "/health").body());
                assertThat(health.get("status").asText()).isEqualTo("UP");
                assertThat(health.at("/health/endpoints/0/endpoint").asText()).isEqualTo("primary");
                assertThat(health.at("/health/endpoints/0/server/connectionsUsed").asInt()).isPositive();

                HttpResponse<String> metrics = get(port, "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
                Map<String, Double> samples = parse(metrics.body());
                assertThat(samples).containsKey("hikaricp_connections_max{pool=\"primary\"}");
                assertThat(samples.get("hikaricp_connections_max{pool=\"primary\"}")).isEqualTo(5.0);
                assertThat(samples.keySet()).anyMatch(k -> k.startsWith("resilience4j_circuitbreaker_state{"));
                assertThat(samples.keySet()).anyMatch(k -> k.startsWith("pgpulse_operation_seconds_count{"));
                assertThat(samples.get("pgpulse_health_status")).isEqualTo(0.0);
                assertThat(samples.get("pgpulse_server_connections_used_ratio{endpoint=\"primary\"}")).isPositive();

                proxy.outage();
                await().atMost(Duration.ofSeconds(15)).until(() -> get(port, "/health").statusCode() == 503);
                assertThat(new ObjectMapper().readTree(get(port, "/health").body()).get("status").asText())
                        .isEqualTo("DOWN");
                await().atMost(Duration.ofSeconds(10)).until(() -> new ObjectMapper()
                        .readTree(get(port, "/alerts").body()).get("active").toString().contains("breaker-open"));
                assertThat(parse(get(port, "/metrics").body()).get("pgpulse_alerts_firing")).isGreaterThanOrEqualTo(1.0);

                proxy.restore();
                await().atMost(Duration.ofSeconds(20)).until(() -> get(port, "/health").statusCode() == 200);
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    JsonNode alerts = new ObjectMapper().readTree(get(port, "/alerts").body());
                    return alerts.get("active").isEmpty() && alerts.get("recent").toString().contains("RESOLVED");
                });
                assertThat(get(port, "/nope").statusCode()).isEqualTo(404);
                assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).isEqualTo(405);
            }
        }
    }

    /** Machines read the enums' names: a FORCE_CLOSED drill is FORCED_CLOSED (Resilience4j's DISABLED). */
    @Test
    void healthJsonCarriesTheEnumNames(TestDatabase db) throws Exception {
        withAgent(db, (o, port) -> {
            o.drill("primary", dev.pgpulse.resilience.Guard.Drill.FORCE_CLOSED);
            await().atMost(Duration.ofSeconds(10)).until(() -> new ObjectMapper().readTree(get(port, "/health").body())
                    .at("/health/endpoints/0/breakerState").asText().equals("FORCED_CLOSED"));
            JsonNode health = new ObjectMapper().readTree(get(port, "/health").body());
            assertThat(health.at("/health/endpoints/0/role").asText()).isEqualTo("PRIMARY");
            assertThat(health.get("environment").asText()).isEqualTo("DEVELOPMENT");
            assertThat(health.toString()).doesNotContain("DISABLED");
        });
    }

    private interface AgentBody {
        void run(Orchestrator o, int port) throws Exception;
    }

    /** Runs body against an agent on an orchestrator on the test database, once /health answers 200. */
    private void withAgent(TestDatabase db, AgentBody body) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url()), home, "tester", 2).load(Overrides.none());
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200),
                home.resolve("alert-rules.json"), false));
             AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
            int port = agent.port();
            await().atMost(Duration.ofSeconds(10)).until(() -> get(port, "/health").statusCode() == 200);
            body.run(o, port);
        }
    }

    /**
     * Hundreds of clients that connect and stall — headers without the blank line, a TLS hello, nothing at all, or
     * a header dripped a byte at a time — on real sockets, more than the server's connection cap: /health keeps
     * answering within a second, and every stalled connection is closed by the server within the request deadline
     * (plus the reaper's tick and a margin).
     */
    @Test
    void healthAnswersWithinASecondWhileHundredsOfSlowClientsAreConnected(TestDatabase db) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url()), home, "tester", 2).load(Overrides.none());
        List<Socket> slow = new ArrayList<>();
        Map<Socket, Long> closedAfterMs = new ConcurrentHashMap<>();
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(500),
                home.resolve("alert-rules.json"), false));
             AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
            int port = agent.port();
            await().atMost(Duration.ofSeconds(10)).until(() -> get(port, "/health").statusCode() == 200);
            byte[] tlsHello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
            List<Socket> dripping = new ArrayList<>();
            // more than the server keeps: past its cap the longest-waiting connection makes room for the new one
            int stalled = BoundedHttpServer.MAX_CONNECTIONS + 200;
            for (int i = 0; i < stalled; i++) {
                Socket s = new Socket("127.0.0.1", port);
                long opened = System.nanoTime();
                switch (i % 4) {
                    case 0 -> s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    case 1 -> s.getOutputStream().write(tlsHello);
                    case 2 -> { } // connects and says nothing
                    default -> {
                        s.getOutputStream().write("GET /metrics HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                        dripping.add(s);
                    }
                }
                s.getOutputStream().flush();
                slow.add(s);
                Thread.ofVirtual().start(() -> {
                    try {
                        s.setSoTimeout(60_000);
                        while (s.getInputStream().read() >= 0) {
                            // whatever the server says before it closes
                        }
                    } catch (IOException closed) {
                        // a reset is a close too
                    }
                    closedAfterMs.put(s, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened));
                });
            }
            drip.scheduleAtFixedRate(() -> dripping.forEach(s -> {
                try {
                    s.getOutputStream().write('a');
                } catch (IOException closed) {
                    // closed by the server: the point
                }
            }), 300, 300, TimeUnit.MILLISECONDS);
            long worstMs = 0;
            for (int i = 0; i < 30; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = get(port, "/health");
                worstMs = Math.max(worstMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                assertThat(r.statusCode()).isEqualTo(200);
            }
            LOG.info("/health with {} stalled connections: worst of 30 answers {} ms; open connections {}",
                    slow.size(), worstMs, agent.openConnections());
            assertThat(worstMs).as("worst /health latency with hundreds of stalled clients").isLessThan(1_000);

            long bound = BoundedHttpServer.REQUEST_DEADLINE.plusSeconds(5).toMillis();
            await().atMost(Duration.ofMillis(bound + 5_000)).until(() -> closedAfterMs.size() == slow.size());
            assertThat(closedAfterMs.values()).allSatisfy(ms -> assertThat(ms).isLessThan(bound));
            // the TLS hellos are closed at once, not at the deadline
            assertThat(slow.stream().filter(s -> slow.indexOf(s) % 4 == 1).map(closedAfterMs::get))
                    .allSatisfy(ms -> assertThat(ms).isLessThan(3_000));
            await().atMost(Duration.ofSeconds(5)).until(() -> agent.openConnections() == 0);
        } finally {
            drip.shutdownNow();
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    /**
     * The primary stops answering (the fault proxy's black hole: connections stay up, nothing comes back): /health
     * keeps answering within a second, and turns 503 DOWN within the health probe's bounds (the health
     * connections' 5 s read limit, after which the pool's 2 s connection timeout applies), not never.
     */
    @Test
    void aBlackHoledPrimaryTurnsHealthDownWithinTheProbeBoundsWhileHealthKeepsAnswering(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            var config = new ConfigLoader(Map.of("DATABASE_URL", proxy.through(db).url()), home, "tester", 2)
                    .load(new Overrides(null, null, null, List.of(), null, Map.of("pool.connection_timeout", "500ms")));
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200),
                    home.resolve("alert-rules.json"), false));
                 AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
                int port = agent.port();
                await().atMost(Duration.ofSeconds(10)).until(() -> get(port, "/health").statusCode() == 200);
                proxy.blackhole(true);
                long t0 = System.nanoTime();
                long worstMs = 0;
                HttpResponse<String> r;
                do {
                    long t = System.nanoTime();
                    r = get(port, "/health");
                    worstMs = Math.max(worstMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("DOWN within the probe's bounds")
                            .isLessThan(Duration.ofSeconds(15));
                } while (r.statusCode() != 503);
                long downAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                LOG.info("black-holed primary: /health DOWN after {} ms; worst /health answer meanwhile {} ms",
                        downAfterMs, worstMs);
                assertThat(worstMs).isLessThan(1_000);
                JsonNode health = new ObjectMapper().readTree(r.body());
                assertThat(health.get("status").asText()).isEqualTo("DOWN");
                assertThat(health.at("/health/reasons").toString()).contains("primary unreachable").contains("timed out");
                proxy.restore();
                await().atMost(Duration.ofSeconds(30)).until(() -> get(port, "/health").statusCode() == 200);
            }
        }
    }

    @Test
    void pathsMatchExactlyAndOnlyGetAndHeadAreServed(TestDatabase db) throws Exception {
        withAgent(db, (o, port) -> {
            for (String path : List.of("/healthz", "/health/", "/metricsfoo", "/alerts/x", "/", "/Health")) {
                assertThat(get(port, path).statusCode()).as(path).isEqualTo(404);
            }
            assertThat(get(port, "/health?verbose=1").statusCode()).isEqualTo(200);
            assertThat(get(port, "/metrics").body()).contains("pgpulse_health_status");
            HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        });
    }

    @Test
    void untilTheCoreIsStartedEveryPathSaysStarting() throws Exception {
        try (AgentServer agent = AgentServer.bind("127.0.0.1", 0)) {
            HttpResponse<String> r = get(agent.port(), "/health");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(new ObjectMapper().readTree(r.body()).get("status").asText()).isEqualTo("STARTING");
        }
    }

    /** Prometheus text format: "name{labels} value" lines, comments skipped. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new java.util.HashMap<>();
        Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");
        for (String l : text.split("\n")) {
            if (l.startsWith("#") || l.isBlank()) {
                continue;
            }
            Matcher m = line.matcher(l);
            assertThat(m.matches()).as("a Prometheus sample line: %s", l).isTrue();
            out.put(m.group(1), Double.parseDouble(m.group(2).replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
        }
        return out;
    }
}
