package dev.pgpulse.health.alert;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pgpulse.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link WebhookNotifier#sendTest} against a real local HTTP server: the status, or why none, bounded in time. */
@org.junit.jupiter.api.Timeout(30)
class WebhookTestSendTest {
    private static final Instant T0 = Instant.parse("2026-12-02T06:00:00Z");
    private static final String SECRET = "t0k3n-S3cr3t";

    private final BlockingQueue<byte[]> bodies = new LinkedBlockingQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService threads = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("webhook-test-send-", 0).daemon(true).factory());
    private final HttpServer server;

    WebhookTestSendTest() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", ex -> answer(ex, 200));
        server.createContext("/broken", ex -> answer(ex, 500));
        server.createContext("/hangs", ex -> {
            try (HttpExchange e = ex) {
                e.getRequestBody().readAllBytes();
                release.await(30, TimeUnit.SECONDS); // never answers within the test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    private void answer(HttpExchange exchange, int status) throws java.io.IOException {
        try (HttpExchange ex = exchange) {
            bodies.add(ex.getRequestBody().readAllBytes());
            ex.sendResponseHeaders(status, -1);
        }
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path + "/services/T000/" + SECRET
                + "?token=" + SECRET);
    }

    @Test
    void aReceiverThatTakesItGivesItsStatusAndTheBodyIsAClearlyMarkedTestAlert() throws Exception {
        try (WebhookNotifier n = new WebhookNotifier(uri("/ok"), Duration.ofSeconds(5));
             LogCapture logs = new LogCapture(WebhookNotifier.class)) {
            WebhookNotifier.TestSend r = n.sendTest(T0);
            assertThat(r.status()).hasValue(200);
            assertThat(r.delivered()).isTrue();
            assertThat(r.failure()).isEmpty();
            assertThat(r.elapsed()).isPositive().isLessThan(Duration.ofSeconds(5));
            assertThat(r.target()).isEqualTo("http://127.0.0.1:" + server.getAddress().getPort() + "/…");
            assertThat(r.describe()).matches("Test alert sent to http://127\\.0\\.0\\.1:\\d+/…: HTTP 200 in \\d+ ms");
            JsonNode json = JsonMapper.builder().build().readTree(bodies.poll(5, TimeUnit.SECONDS));
            assertThat(json.get("ruleId").asText()).isEqualTo("pgpulse-test");
            assertThat(json.get("state").asText()).isEqualTo("TEST");
            assertThat(json.get("test").asBoolean()).isTrue();
            assertThat(json.get("severity").asText()).isEqualTo("info");
            assertThat(json.get("at").asText()).isEqualTo(T0.toString());
            assertThat(json.get("message").asText()).contains("Test alert from PgPulse");
            assertThat(n.counts().get("sent")).as("a test is not an alert").isZero();
            assertThat(logs.events()).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.contains("test alert answered HTTP 200")).noneMatch(m -> m.contains(SECRET));
        }
    }

    @Test
    void aReceiverThatRefusesItGivesItsStatusAsNotDelivered() {
        try (WebhookNotifier n = new WebhookNotifier(uri("/broken"), Duration.ofSeconds(5))) {
            WebhookNotifier.TestSend r = n.sendTest(T0);
            assertThat(r.status()).hasValue(500);
            assertThat(r.delivered()).isFalse();
            assertThat(r.describe()).contains(": HTTP 500 in ").contains("the receiver refused it")
                    .doesNotContain(SECRET);
        }
    }

    @Test
    void aReceiverThatNeverAnswersIsGivenUpOnWithinTheTimeout() {
        Duration timeout = Duration.ofMillis(800);
        try (WebhookNotifier n = new WebhookNotifier(uri("/hangs"), timeout);
             LogCapture logs = new LogCapture(WebhookNotifier.class)) {
            long start = System.nanoTime();
            WebhookNotifier.TestSend r = n.sendTest(T0);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isGreaterThanOrEqualTo(timeout).isLessThan(timeout.multipliedBy(2).plusSeconds(1));
            assertThat(r.status()).isEmpty();
            assertThat(r.delivered()).isFalse();
            assertThat(r.failure()).hasValueSatisfying(f -> assertThat(f).contains("no answer within"));
            assertThat(r.describe()).startsWith("Test alert to http://127.0.0.1:").contains(" failed after ")
                    .contains("no answer within").doesNotContain(SECRET);
            assertThat(logs.events()).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.contains("test alert: no answer")).noneMatch(m -> m.contains(SECRET));
        }
    }

    @Test
    void aRefusedConnectionSaysSo() throws Exception {
        URI gone;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            gone = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/hook/" + SECRET);
        }
        try (WebhookNotifier n = new WebhookNotifier(gone, Duration.ofSeconds(2))) {
            WebhookNotifier.TestSend r = n.sendTest(T0);
            assertThat(r.status()).isEmpty();
            assertThat(r.describe()).contains("failed after").contains("connection refused").doesNotContain(SECRET);
        }
    }

    @Test
    void withoutAWebhookTheResultSaysHowToConfigureOne() {
        WebhookNotifier.TestSend r = WebhookNotifier.TestSend.notConfigured();
        assertThat(r.delivered()).isFalse();
        assertThat(r.describe()).isEqualTo("No test alert sent: no webhook is configured; set alerts.webhook_url (in the "
                + "profile file or PGPULSE_ALERTS_WEBHOOK_URL) to an http(s) URL and restart PgPulse");
    }

    @Test
    void aReminderIsMarkedInTheBody() throws Exception {
        Alert a = new Alert("long-tx", "Long", "server.longest_transaction_seconds", Severity.WARNING,
                AlertState.FIRING, 100, 60, Operator.GT, T0, T0.plusSeconds(900), "still firing (reminder)");
        JsonMapper mapper = JsonMapper.builder().build();
        assertThat(mapper.readTree(WebhookNotifier.toJson(a, true)).get("reminder").asBoolean()).isTrue();
        assertThat(mapper.readTree(WebhookNotifier.toJson(a)).has("reminder")).isFalse();
        try (WebhookNotifier n = new WebhookNotifier(uri("/ok"), Duration.ofSeconds(5))) {
            n.remind(a);
            JsonNode json = mapper.readTree(bodies.poll(10, TimeUnit.SECONDS));
            assertThat(json.get("reminder").asBoolean()).isTrue();
            assertThat(json.get("state").asText()).isEqualTo("FIRING");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> n.counts().get("sent") == 1L);
        }
    }

    /**
     * A receiver that answers its status line and headers at once, then trickles a long body a byte at a time: the
     * status is reported as soon as the headers are in (the body is nobody's business), and the connection is let go
     * rather than read on forever by the notifier's shared client.
     */
    @Test
    void aReceiverThatTricklesItsBodyIsReportedAtOnceAndLetGo() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            java.util.concurrent.CompletableFuture<Duration> letGo = new java.util.concurrent.CompletableFuture<>();
            threads.submit(() -> {
                try (java.net.Socket c = socket.accept()) {
                    var in = c.getInputStream();
                    byte[] buf = new byte[8192];
                    String head = "";
                    while (!head.contains("\r\n\r\n")) { // the request's headers; its body may follow
                        int n = in.read(buf);
                        if (n < 0) {
                            break;
                        }
                        head += new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
                    }
                    var out = c.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".getBytes(
                            java.nio.charset.StandardCharsets.US_ASCII));
                    out.flush();
                    long start = System.nanoTime();
                    for (int i = 0; i < 600; i++) { // at most a minute of trickle
                        out.write('x');
                        out.flush();
                        Thread.sleep(100); // the receiver's pace, not a wait for a state
                    }
                    letGo.complete(null);
                } catch (java.io.IOException e) {
                    letGo.complete(Duration.ZERO); // the client closed the connection: writes fail
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            URI trickle = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/hook/" + SECRET);
            Duration timeout = Duration.ofSeconds(2);
            try (WebhookNotifier n = new WebhookNotifier(trickle, timeout)) {
                long start = System.nanoTime();
                WebhookNotifier.TestSend r = n.sendTest(T0);
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertThat(r.status()).hasValue(200);
                assertThat(r.describe()).startsWith("Test alert sent to http://127.0.0.1:").doesNotContain(SECRET);
                assertThat(took).as("reported when the headers are in, not after the body").isLessThan(timeout);
                assertThat(letGo.get(10, TimeUnit.SECONDS)).as("the connection is closed, not read on").isNotNull();
            }
        }
    }
}
