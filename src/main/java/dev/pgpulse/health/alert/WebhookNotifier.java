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
 * "comparator" (symbol), "since", "at" (ISO-8601), "message"}}; a NaN number or a missing comparator is null.
 */
public final class WebhookNotifier implements AlertNotifier {
    public static final int DEFAULT_QUEUE_CAPACITY = 100;

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

    private void deliver(Alert alert) {
        try {
            HttpRequest request = HttpRequest.newBuilder(url)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(toJson(alert)))
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
