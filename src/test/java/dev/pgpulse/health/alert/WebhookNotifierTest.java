package dev.pgpulse.health.alert;

import dev.pgpulse.testing.LogCapture;
import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class WebhookNotifierTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static HttpServer server(HttpHandler handler, ExecutorService executor) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", handler);
        server.setExecutor(executor);
        server.start();
        return server;
    }

    private static URI uri(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    private static ExecutorService serverThreads() {
        return Executors.newCachedThreadPool(Thread.ofPlatform().name("webhook-test-server-", 0).daemon(true).factory());
    }

    @Test
    void postsTheAlertAsJson() throws Exception {
        BlockingQueue<byte[]> bodies = new LinkedBlockingQueue<>();
        BlockingQueue<String> contentTypes = new LinkedBlockingQueue<>();
        ExecutorService threads = serverThreads();
        HttpServer server = server(exchange -> {
            try (HttpExchange ex = exchange) {
                bodies.add(ex.getRequestBody().readAllBytes());
                contentTypes.add(String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")));
                ex.sendResponseHeaders(204, -1);
            }
        }, threads);
        WebhookNotifier notifier = new WebhookNotifier(uri(server), Duration.ofSeconds(5));
        AlertEngine engine = new AlertEngine(10, List.of(notifier));
        try {
            DefaultRules.all().forEach(engine::putRule);
            engine.evaluate(T0, Map.of("breaker.primary.state", 2.0));

            byte[] body = bodies.poll(10, TimeUnit.SECONDS);
            assertThat(body).isNotNull();
            JsonNode json = MAPPER.readTree(body);
            assertThat(json.get("ruleId").asText()).isEqualTo("breaker-open");
            assertThat(json.get("state").asText()).isEqualTo("FIRING");
            assertThat(json.get("value").asDouble()).isEqualTo(2.0);
            assertThat(json.get("threshold").asDouble()).isEqualTo(2.0);
            assertThat(json.get("comparator").asText()).isEqualTo(">=");
            assertThat(json.get("severity").asText()).isEqualTo("critical");
            assertThat(json.get("subject").asText()).isEqualTo("breaker.primary.state");
            assertThat(Instant.parse(json.get("at").asText())).isEqualTo(T0);
            assertThat(json.get("message").asText()).isEqualTo("breaker.primary.state = 2 >= 2");
            assertThat(contentTypes.poll(1, TimeUnit.SECONDS)).isEqualTo("application/json");
            await().atMost(Duration.ofSeconds(5)).until(() -> notifier.counts().get("sent") == 1L);

            // a manual alert without a sample has null numbers
            engine.raiseManual(Alert.manual("maintenance", Severity.INFO, AlertState.FIRING, T0, "vacuum"));
            JsonNode manual = MAPPER.readTree(bodies.poll(10, TimeUnit.SECONDS));
            assertThat(manual.get("value").isNull()).isTrue();
            assertThat(manual.get("comparator").isNull()).isTrue();
        } finally {
            engine.close(); // closes the notifier
            notifier.close();
            server.stop(0);
            threads.shutdownNow();
        }
    }

    @Test
    void hangingServerDoesNotSlowEvaluationAndTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = serverThreads();
        HttpServer server = server(exchange -> {
            try (HttpExchange ex = exchange) {
                ex.getRequestBody().readAllBytes();
                release.await(10, TimeUnit.SECONDS); // never answers within the test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threads);
        Duration timeout = Duration.ofSeconds(2);
        WebhookNotifier notifier = new WebhookNotifier(uri(server), timeout, 8);
        AlertEngine engine = new AlertEngine(500, List.of(notifier));
        try (LogCapture logs = new LogCapture(WebhookNotifier.class)) {
            engine.putRule(new AlertRule("deadlocks", "Deadlocks", "server.deadlocks_per_minute",
                    Operator.GT, 5, Duration.ZERO, Severity.WARNING, true));

            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                // true, false, false: fires, then resolves (two false samples in a row for for = 0s)
                double v = i % 3 == 0 ? 7 : 0;
                engine.evaluate(T0.plusSeconds(i), Map.of("server.deadlocks_per_minute", v));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isLessThan(Duration.ofSeconds(1));
            assertThat(engine.history()).hasSize(67); // 34 FIRING + 33 RESOLVED
            // one request in flight, 8 queued, the rest dropped and counted
            await().atMost(Duration.ofSeconds(2)).until(() -> notifier.counts().get("dropped") > 0);
            assertThat(notifier.counts().get("dropped")).isEqualTo(67L - 1 - 8);
            assertThat(logs.events(Level.WARN, "queue is full")).isNotEmpty();

            await().atMost(timeout.multipliedBy(3))
                    .until(() -> !logs.events(Level.WARN, "timed out after 2000 ms").isEmpty());
            assertThat(logs.events(Level.WARN, "timed out").getFirst().getFormattedMessage()).startsWith("deadlocks - ");
            assertThat(notifier.counts().get("timedOut")).isPositive();
        } finally {
            release.countDown();
            engine.close();
            server.stop(0);
            threads.shutdownNow();
        }
    }

    @Test
    void refusedConnectionIsLoggedNotThrown() throws Exception {
        URI gone;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            gone = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/hook");
        } // nothing listens on that port any more
        try (LogCapture logs = new LogCapture(WebhookNotifier.class);
             WebhookNotifier notifier = new WebhookNotifier(gone, Duration.ofSeconds(2))) {
            notifier.send(Alert.manual("m", Severity.WARNING, AlertState.FIRING, T0, "x"));
            // the counter moves just before the line is logged: wait for the line
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.events(Level.WARN, "failed for alert").isEmpty());
            assertThat(logs.events(Level.WARN, "failed for alert").getFirst().getFormattedMessage()).startsWith("m - ");
            assertThat(notifier.counts().get("failed")).isEqualTo(1L);
        }
    }

    /** Every line the notifier logs, for refused, 500, timed out, queue full, closed and closed with alerts unsent. */
    @Test
    void warningsShowOnlyTheHostNeverThePathUserInfoOrToken() throws Exception {
        String secret = "t0k3n-S3cr3t";
        // Slack's form: the token is the path's last segment; the user info and query hold it too.
        String hook = "/hook/services/T000/B000/" + secret + "?token=" + secret;
        BlockingQueue<String> paths = new LinkedBlockingQueue<>();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = serverThreads();
        HttpServer failing = server(exchange -> {
            try (HttpExchange ex = exchange) {
                paths.add(ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery());
                ex.getRequestBody().readAllBytes();
                if (ex.getRequestURI().getRawPath().contains("slow")) {
                    release.await(10, TimeUnit.SECONDS);
                }
                ex.sendResponseHeaders(500, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threads);
        URI gone;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            gone = URI.create("http://hook:" + secret + "@127.0.0.1:" + socket.getLocalPort() + hook);
        }
        int port = failing.getAddress().getPort();
        URI answers500 = URI.create("http://hook:" + secret + "@127.0.0.1:" + port + hook);
        URI hangs = URI.create("http://hook:" + secret + "@127.0.0.1:" + port + "/hook/slow/" + secret);
        Alert alert = Alert.manual("m", Severity.WARNING, AlertState.FIRING, T0, "x");
        try (LogCapture logs = new LogCapture(WebhookNotifier.class)) {
            try (WebhookNotifier refused = new WebhookNotifier(gone, Duration.ofSeconds(2));
                 WebhookNotifier failed = new WebhookNotifier(answers500, Duration.ofSeconds(2))) {
                refused.send(alert);
                failed.send(alert);
                await().atMost(Duration.ofSeconds(10)).until(() -> !logs.events(Level.WARN, "failed for alert").isEmpty()
                        && !logs.events(Level.WARN, "answered HTTP 500").isEmpty());
                assertThat(paths.poll(5, TimeUnit.SECONDS)).as("the receiver gets the token")
                        .isEqualTo("/hook/services/T000/B000/" + secret + "?token=" + secret);
            }
            // one in flight that hangs, one queued, the third dropped; closing abandons the queued one
            WebhookNotifier slow = new WebhookNotifier(hangs, Duration.ofSeconds(8), 1);
            slow.send(alert);
            await().atMost(Duration.ofSeconds(5)).until(() -> paths.peek() != null);
            slow.send(alert);
            slow.send(alert);
            assertThat(logs.events(Level.WARN, "queue is full")).hasSize(1);
            slow.close();
            assertThat(logs.events(Level.INFO, "alerts unsent")).hasSize(1);
            slow.send(alert);
            assertThat(logs.events(Level.WARN, "is closed")).hasSize(1);

            assertThat(logs.events()).hasSizeGreaterThanOrEqualTo(5).allSatisfy(e -> {
                assertThat(e.getFormattedMessage()).doesNotContain(secret).doesNotContain("T000")
                        .doesNotContain("/hook").containsPattern("http://127\\.0\\.0\\.1:[0-9]+/\u2026");
                assertThat(String.valueOf(e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()))
                        .doesNotContain(secret);
            });
        } finally {
            release.countDown();
            failing.stop(0);
            threads.shutdownNow();
        }
        assertThatThrownBy(() -> new WebhookNotifier(URI.create("ftp://u:" + secret + "@x/y/" + secret + "?token="
                + secret), Duration.ofSeconds(1))).message().doesNotContain(secret).endsWith("ftp://x/\u2026");
    }

    /** The path or query may stand alone in an exception's text (a redirect, a proxy's answer). */
    @Test
    void anExceptionsTextLosesTheUrlsPathQueryAndUserInfo() {
        URI url = URI.create("https://hook:pw1@hooks.slack.com/services/T000/B000/tok3n?token=tok3n");

        String hidden = WebhookNotifier.hide(url, "java.io.IOException: redirect to /services/T000/B000/tok3n?token=tok3n "
                + "from " + url + " (hook:pw1)");

        assertThat(hidden).doesNotContain("tok3n").doesNotContain("T000").doesNotContain("pw1")
                .contains("from https://hooks.slack.com/\u2026");
    }

    @Test
    void closedNotifierDropsAndCloseIsIdempotent() {
        WebhookNotifier notifier = new WebhookNotifier(URI.create("http://127.0.0.1:9/hook"), Duration.ofSeconds(1));
        notifier.close();
        notifier.close();
        notifier.send(Alert.manual("m", Severity.WARNING, AlertState.FIRING, T0, "x"));
        assertThat(notifier.counts().get("dropped")).isEqualTo(1L);
    }

    @Test
    void badSettingsAreRejectedAtOnce() {
        URI ok = URI.create("http://127.0.0.1:9/hook");
        assertThatThrownBy(() -> new WebhookNotifier(URI.create("ftp://x/y"), Duration.ofSeconds(1)))
                .hasMessageContaining("must be http or https, but was ftp://x/\u2026");
        assertThatThrownBy(() -> new WebhookNotifier(ok, Duration.ZERO))
                .hasMessageContaining("timeout must be more than zero");
        assertThatThrownBy(() -> new WebhookNotifier(ok, Duration.ofSeconds(1), 0))
                .hasMessageContaining("queueCapacity must be at least 1, but was 0");
    }
}
