package dev.pgpulse.health.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgpulse.config.Redact;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POSTs each alert as a JSON object to a URL. {@link #send} only queues the alert and returns: one daemon
 * thread named {@code pgpulse-webhook} delivers them in order, each request bounded by {@code timeout}.
 * The queue is bounded: when the receiver is slower than the alerts, new alerts are dropped, counted and
 * logged, rather than growing memory or blocking the engine. Failures (timeouts, refused connections,
 * non-2xx answers) are logged and counted, never thrown.
 *
 * <p>The request is sent with a blocking {@code send} on the notifier's own thread rather than
 * {@code sendAsync}: one request in flight at a time is what makes the queue bound the outstanding work,
 * where {@code sendAsync} would start a new request per alert however slow the receiver is.
 *
 * <p>Body: {@code {"ruleId", "ruleName", "subject", "severity" (lower case), "state", "value", "threshold",
 * "comparator" (symbol), "since", "at" (ISO-8601), "message"}}; a NaN number or a missing comparator is null. A
 * reminder (see {@link AlertEngine}) has {@code "reminder": true} as well.
 *
 * <p><b>Test send.</b> {@link #sendTest} posts one clearly marked test alert ({@code "ruleId": "pgpulse-test"},
 * {@code "state": "TEST"}, {@code "test": true}) on the caller's thread, outside the queue, and waits for the
 * answer at most twice the timeout (connecting, then the answer); it reports the HTTP status or why there was
 * none, and the time taken. Its result and its log line show the URL as {@link Redact#webhook} does.
 */
public final class WebhookNotifier implements AlertNotifier {
    public static final int DEFAULT_QUEUE_CAPACITY = 100;
    /** The rule id and subject of a test alert, so a receiver can route or drop it. */
    public static final String TEST_RULE_ID = "pgpulse-test";

    /**
     * What a test send came to.
     *
     * @param target  the webhook as it may be shown ({@code https://host/…}); empty when none is configured
     * @param status  the HTTP status the receiver answered, when it answered
     * @param failure why there was no answer (or no webhook), when there was none
     * @param elapsed from sending to the answer or the failure
     */
    public record TestSend(String target, java.util.OptionalInt status, java.util.Optional<String> failure,
                           Duration elapsed) {
        public TestSend {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(elapsed, "elapsed");
        }

        /** No webhook to send to: what a console without {@code alerts.webhook_url} reports. */
        public static TestSend notConfigured() {
            return new TestSend("", java.util.OptionalInt.empty(), java.util.Optional.of("no webhook is configured; "
                    + "set alerts.webhook_url (in the profile file or PGPULSE_ALERTS_WEBHOOK_URL) to an http(s) URL "
                    + "and restart PgPulse"), Duration.ZERO);
        }

        /** Whether the receiver took it (a 2xx answer). */
        public boolean delivered() {
            return status.isPresent() && status.getAsInt() / 100 == 2;
        }

        /**
         * A line for people: {@code Test alert sent to https://hooks.example.com/…: HTTP 200 in 35 ms},
         * {@code Test alert to http://127.0.0.1:8080/…: HTTP 500 in 12 ms (the receiver refused it)},
         * {@code Test alert to https://hooks.example.com/… failed after 3 ms: connection refused}.
         */
        public String describe() {
            if (target.isEmpty()) {
                return "No test alert sent: " + failure.orElse("no webhook is configured");
            }
            long ms = elapsed.toMillis();
            if (status.isPresent()) {
                return delivered() ? "Test alert sent to " + target + ": HTTP " + status.getAsInt() + " in " + ms + " ms"
                        : "Test alert to " + target + ": HTTP " + status.getAsInt() + " in " + ms
                        + " ms (the receiver refused it; check its URL and token)";
            }
            return "Test alert to " + target + " failed after " + ms + " ms: " + failure.orElse("no answer");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final URI url;
    /** The URL as the log may show it: scheme, host and port (Slack's and Discord's tokens are in the path). */
    private final String shown;
    private final Duration timeout;
    private final HttpClient client;
    private final ThreadPoolExecutor executor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public WebhookNotifier(URI url, Duration timeout) {
        this(url, timeout, DEFAULT_QUEUE_CAPACITY);
    }

    /**
     * @param timeout       for connecting and for the answer's headers, each; more than zero
     * @param queueCapacity alerts waiting to be sent beyond the one in flight; at least 1
     */
    public WebhookNotifier(URI url, Duration timeout, int queueCapacity) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("webhook url must be http or https, but was " + Redact.webhook(url));
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("webhook timeout must be more than zero, but was " + timeout);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("webhook queueCapacity must be at least 1, but was " + queueCapacity);
        }
        this.url = url;
        this.shown = Redact.webhook(url);
        this.timeout = timeout;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                Thread.ofPlatform().name("pgpulse-webhook").daemon(true).factory(),
                (task, pool) -> { throw new RejectedExecutionException(); });
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public void send(Alert alert) {
        if (closed.get()) {
            dropped.incrementAndGet();
            log.warn("{} - webhook {} is closed; alert {} {} dropped", alert.ruleId(), shown, alert.state(), alert.subject());
            return;
        }
        try {
            executor.execute(() -> deliver(alert));
        } catch (RejectedExecutionException e) {
            long n = dropped.incrementAndGet();
            log.warn("{} - webhook {} queue is full; alert {} {} dropped ({} dropped so far)",
                    alert.ruleId(), shown, alert.state(), alert.subject(), n);
        }
    }

    @Override
    public void remind(Alert alert) {
        if (closed.get()) {
            send(alert); // counted and logged as dropped there
            return;
        }
        try {
            executor.execute(() -> deliver(alert, true));
        } catch (RejectedExecutionException e) {
            long n = dropped.incrementAndGet();
            log.warn("{} - webhook {} queue is full; reminder of {} dropped ({} dropped so far)",
                    alert.ruleId(), shown, alert.subject(), n);
        }
    }

    /**
     * Posts a test alert now and waits for the answer, at most about twice the timeout. Never throws: what went
     * wrong is in the result.
     */
    public TestSend sendTest(java.time.Instant at) {
        long start = System.nanoTime();
        if (closed.get()) {
            return testResult(start, null, "the webhook notifier is closed (PgPulse is stopping)");
        }
        byte[] body;
        try {
            body = testJson(at);
        } catch (JsonProcessingException e) {
            return testResult(start, null, "the test alert could not be written as JSON: " + e.getOriginalMessage());
        }
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        // The status as soon as the headers are in: the body is nobody's business, and a receiver that trickles it
        // would otherwise hold the test (and the console's answer) for the whole bound.
        java.util.concurrent.CompletableFuture<Integer> headers = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<HttpResponse<Void>> answer = client.sendAsync(request, info -> {
            headers.complete(info.statusCode());
            return HttpResponse.BodySubscribers.discarding();
        });
        answer.whenComplete((r, e) -> headers.completeExceptionally(e != null ? e
                : new IllegalStateException("answered without headers")));
        Integer status = null;
        String failure;
        try {
            // bounded whatever the client does: connect timeout + request timeout, and a little slack
            status = headers.get(timeout.multipliedBy(2).plusMillis(500).toMillis(), TimeUnit.MILLISECONDS);
            failure = null;
        } catch (java.util.concurrent.TimeoutException e) {
            failure = "no answer within " + timeout.multipliedBy(2).toMillis() + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted while waiting for the answer";
        } catch (java.util.concurrent.ExecutionException e) {
            failure = reason(e.getCause());
        }
        // Whatever is left (a body still coming, a request never answered) is abandoned: cancelling the exchange
        // closes its connection, so the shared client does not read a trickling receiver on forever.
        answer.cancel(true);
        TestSend result = testResult(start, status, failure);
        if (result.delivered()) {
            log.info("webhook {} - test alert answered HTTP {} in {} ms", shown, status, result.elapsed().toMillis());
        } else {
            log.warn("webhook {} - test alert: {}", shown, result.status().isPresent()
                    ? "HTTP " + status : result.failure().orElse("no answer"));
        }
        return result;
    }

    private TestSend testResult(long startNanos, Integer status, String failure) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        return new TestSend(shown, status == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(status),
                status == null ? java.util.Optional.ofNullable(failure).or(() -> java.util.Optional.of("no answer"))
                        : java.util.Optional.empty(), elapsed);
    }

    /** Why a request failed, in a few words a DBA can act on; never the URL's path or query. */
    private String reason(Throwable e) {
        if (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            return reason(e.getCause());
        }
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "could not connect within " + timeout.toMillis() + " ms (is the host reachable?)";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms (alerts.webhook_timeout)";
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused (is the receiver running on " + shown + "?)";
        }
        if (e instanceof java.nio.channels.UnresolvedAddressException || e instanceof java.net.UnknownHostException) {
            return "unknown host (check the host name in alerts.webhook_url)";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failed: " + hide(url, String.valueOf(e.getMessage()));
        }
        if (e != null && e.getCause() != null && e instanceof IOException && e.getMessage() == null) {
            return reason(e.getCause());
        }
        return e == null ? "unknown failure" : hide(url, e.toString());
    }

    static byte[] testJson(java.time.Instant at) throws JsonProcessingException {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("ruleId", TEST_RULE_ID);
        o.put("ruleName", "PgPulse test alert");
        o.put("subject", TEST_RULE_ID);
        o.put("severity", Severity.INFO.json());
        o.put("state", "TEST");
        o.putNull("value");
        o.putNull("threshold");
        o.putNull("comparator");
        o.put("since", at.toString());
        o.put("at", at.toString());
        o.put("message", "Test alert from PgPulse: the webhook works; no action needed");
        o.put("test", true);
        return MAPPER.writeValueAsBytes(o);
    }

    private void deliver(Alert alert) {
        deliver(alert, false);
    }

    private void deliver(Alert alert, boolean reminder) {
        try {
            HttpRequest request = HttpRequest.newBuilder(url)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(toJson(alert, reminder)))
                    .build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                sent.incrementAndGet();
            } else {
                failed.incrementAndGet();
                log.warn("{} - webhook {} answered HTTP {} to alert {} {}", alert.ruleId(), shown,
                        response.statusCode(), alert.state(), alert.subject());
            }
        } catch (HttpTimeoutException e) {
            timedOut.incrementAndGet();
            failed.incrementAndGet();
            log.warn("{} - webhook {} timed out after {} ms for alert {} {}", alert.ruleId(), shown,
                    timeout.toMillis(), alert.state(), alert.subject());
        } catch (InterruptedException e) {
            // close() interrupts the request in flight; what is left of the queue is abandoned
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
            log.warn("{} - webhook {} failed for alert {} {}: {}", alert.ruleId(), shown, alert.state(),
                    alert.subject(), hide(url, e.toString()));
        }
    }

    /**
     * An exception's text as the log may show it. A URL in it is already cut to its host by Redact; the path
     * or query may also stand there alone (a redirect, a proxy's answer), so those go too.
     */
    static String hide(URI url, String text) {
        String hidden = Redact.urlsIn(text);
        for (String part : new String[] {url.getRawPath(), url.getPath(), url.getRawQuery(), url.getQuery(),
                url.getRawUserInfo(), url.getUserInfo()}) {
            if (part != null && part.length() > 1) {
                hidden = hidden.replace(part, Redact.MASK);
            }
        }
        return hidden;
    }

    static byte[] toJson(Alert a) throws JsonProcessingException {
        return toJson(a, false);
    }

    static byte[] toJson(Alert a, boolean reminder) throws JsonProcessingException {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("ruleId", a.ruleId());
        o.put("ruleName", a.ruleName());
        o.put("subject", a.subject());
        o.put("severity", a.severity().json());
        o.put("state", a.state().name());
        putNumber(o, "value", a.value());
        putNumber(o, "threshold", a.threshold());
        if (a.operator() == null) {
            o.putNull("comparator");
        } else {
            o.put("comparator", a.operator().symbol());
        }
        o.put("since", a.since().toString());
        o.put("at", a.at().toString());
        o.put("message", a.message());
        if (reminder) {
            o.put("reminder", true);
        }
        return MAPPER.writeValueAsBytes(o);
    }

    private static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }

    /** Delivered with a 2xx answer, failed (timeouts included), timed out, dropped because the queue was full or closed. */
    public Map<String, Long> counts() {
        return Map.of("sent", sent.get(), "failed", failed.get(), "timedOut", timedOut.get(),
                "dropped", dropped.get(), "queued", (long) executor.getQueue().size());
    }

    public URI url() {
        return url;
    }

    /** Abandons queued alerts and aborts the one in flight; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        int abandoned = executor.shutdownNow().size();
        client.shutdownNow();
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                log.warn("webhook {} - sender thread did not stop within 2 s", shown);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (abandoned > 0) {
            log.info("webhook {} - closed with {} alerts unsent", shown, abandoned);
        }
    }
}
