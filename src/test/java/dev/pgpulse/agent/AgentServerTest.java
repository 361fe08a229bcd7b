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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

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
