package dev.pgpulse.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last {@link #CAPACITY} slow queries, for the snapshot, and where slow queries are written, on two loggers that {@code logback.xml} routes apart. {@link #EACH} gets every
 * slow query with its SQL and goes to the file only; {@link #TERMINAL} goes to the terminal only and gets the
 * first slow query of each operation, then at most one summary line per operation per period ("12 slow queries
 * of demo.report in the last minute, slowest 604 ms"), so a workload that is slow on purpose cannot flood it.
 * The summaries run on a scheduler someone else owns; {@link #close()} stops them and writes what is pending.
 */
final class SlowQueryLog implements AutoCloseable {
    /** Every slow query, with its SQL: the file log (logback.xml keeps it off the terminal). */
    /** How many recent slow queries the snapshot shows. */
    static final int CAPACITY = 200;
    static final String EACH = "dev.pgpulse.slowquery.each.SlowQueries";
    /** The first slow query of each operation and the periodic summaries: the terminal only. */
    static final String TERMINAL = "dev.pgpulse.slowquery.terminal.SlowQueries";
    private static final Logger EACH_LOG = LoggerFactory.getLogger(EACH);
    private static final Logger TERMINAL_LOG = LoggerFactory.getLogger(TERMINAL);

    /** One operation's slow queries since its last line on the terminal. Guarded by itself. */
    private static final class Window {
        boolean announced;
        int count;
        long slowestMillis;
    }

    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    private volatile Duration period = Duration.ofMinutes(1);
    /** When the last summary ran (System.nanoTime), so the one written at close says how long it covers. */
    private volatile long lastSummary = System.nanoTime();
    private ScheduledFuture<?> task;
    /** Oldest first, at most {@link #CAPACITY}. Guarded by itself. */
    private final ArrayDeque<SlowQuery> recent = new ArrayDeque<>(CAPACITY);

    /** Keeps {@code q} (its SQL already redacted) among the recent ones and logs it. */
    void add(SlowQuery q) {
        synchronized (recent) {
            if (recent.size() == CAPACITY) {
                recent.removeFirst();
            }
            recent.addLast(q);
        }
        record(q.endpoint(), q.operation(), q.duration().toMillis(), q.sql());
    }

    /** Oldest first. */
    List<SlowQuery> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    private static final Pattern PASSWORD_LITERAL = Pattern.compile(
            "(?i)(password\\s*=?\\s*)('(?:[^']|'')*'|\"[^\"]*\"|[^\\s',)]+)");

    /**
     * SQL text kept in the log, the ring and events: a DBA's slow statement may be {@code ALTER ROLE ...
     * PASSWORD '...'} or carry a connection string ({@code CREATE SUBSCRIPTION ... 'password=...'}).
     */
    static String redact(String sql) {
        if (sql == null) {
            return null;
        }
        return PASSWORD_LITERAL.matcher(sql).replaceAll(m -> Matcher.quoteReplacement(m.group(1)
                + (m.group(2).startsWith("'") ? "'********'" : "********")));
    }

    /** Logs one slow query (already redacted). Slow queries are rare by definition: a lock per operation is fine. */
    void record(String endpoint, String operation, long millis, String sql) {
        String detail = sql == null ? "" : ": " + sql;
        EACH_LOG.warn("{} - slow query: {} took {} ms{}", endpoint, operation, millis, detail);
        Window w = windows.computeIfAbsent(operation, op -> new Window());
        boolean first;
        synchronized (w) {
            first = !w.announced;
            if (first) {
                w.announced = true;
            } else {
                w.count++;
                w.slowestMillis = Math.max(w.slowestMillis, millis);
            }
        }
        if (first) {
            TERMINAL_LOG.warn("{} - slow query: {} took {} ms{} (further slow {} queries are summarised every {})",
                    endpoint, operation, millis, detail, operation, describe(period));
        }
    }

    /** Summarises every {@code period} on {@code scheduler}, which the caller owns and shuts down. */
    synchronized void summariseEvery(ScheduledExecutorService scheduler, Duration period) {
        if (task != null) {
            task.cancel(false);
        }
        this.period = period;
        lastSummary = System.nanoTime();
        task = scheduler.scheduleWithFixedDelay(() -> summarise(describe(period)), period.toNanos(),
                period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** One line per operation that had slow queries since its last line; runs on the scheduler (never throws). */
    void summarise(String over) {
        lastSummary = System.nanoTime();
        try {
            windows.forEach((operation, w) -> {
                int count;
                long slowest;
                synchronized (w) {
                    count = w.count;
                    slowest = w.slowestMillis;
                    w.count = 0;
                    w.slowestMillis = 0;
                }
                if (count > 0) {
                    TERMINAL_LOG.warn("{} slow quer{} of {} in the last {}, slowest {} ms", count,
                            count == 1 ? "y" : "ies", operation, over, slowest);
                }
            });
        } catch (RuntimeException e) {
            // A failing summary must not cancel the schedule (a thrown exception would, silently).
            TERMINAL_LOG.warn("slow-query summary failed: {}", e.toString());
        }
    }

    /** Stops the summaries and writes the pending ones, so nothing counted is lost from the terminal. */
    @Override
    public void close() {
        synchronized (this) {
            if (task == null) {
                return;
            }
            task.cancel(false);
            task = null;
        }
        long seconds = Math.max(1, Math.round((System.nanoTime() - lastSummary) / 1e9));
        summarise(describe(Duration.ofSeconds(seconds)));
    }

    private static String describe(Duration d) {
        if (d.equals(Duration.ofMinutes(1))) {
            return "minute";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
