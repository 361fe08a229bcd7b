package dev.pgpulse.ui.dashboard;

import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's bounded memory: per endpoint, one {@link Point} per snapshot over the last {@code window}
 * (15 minutes by default), which the charts draw. Throughput is derived here, from the growth of the breaker's
 * call count between two snapshots over the time between them. Plain Java: FX-free and testable on its own.
 */
public final class History {
    /**
     * One endpoint at one snapshot.
     *
     * @param callsPerSecond calls that finished on the endpoint per second since the previous point; NaN on the first
     */
    public record Point(Instant at, double callsPerSecond, double p50Ms, double p95Ms, double p99Ms,
                        double acquireP95Ms, int active) {
    }

    private final Duration window;
    private final Map<String, ArrayDeque<Point>> points = new HashMap<>();
    private final Map<String, BreakerSnapshot> previous = new HashMap<>();

    public History(Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("history window must be positive, got " + window);
        }
        this.window = window;
    }

    /** Records one endpoint's pool and breaker as of a snapshot and returns the point it made. */
    public Point add(PoolSnapshot pool, BreakerSnapshot breaker) {
        String endpoint = breaker.endpoint();
        BreakerSnapshot before = previous.put(endpoint, breaker);
        double rate = Double.NaN;
        if (before != null) {
            double seconds = Duration.between(before.at(), breaker.at()).toNanos() / 1e9;
            long calls = breaker.completedCalls() - before.completedCalls();
            if (seconds > 0) {
                rate = Math.max(0, calls) / seconds;
            }
        }
        Point p = new Point(breaker.at(), rate, breaker.latencyP50Ms(), breaker.latencyP95Ms(),
                breaker.latencyP99Ms(), pool == null ? 0 : pool.acquireP95Ms(), pool == null ? 0 : pool.active());
        ArrayDeque<Point> series = points.computeIfAbsent(endpoint, k -> new ArrayDeque<>());
        series.addLast(p);
        Instant oldest = p.at().minus(window);
        while (!series.isEmpty() && series.peekFirst().at().isBefore(oldest)) {
            series.removeFirst();
        }
        return p;
    }

    /** The endpoint's points, oldest first. */
    public List<Point> points(String endpoint) {
        ArrayDeque<Point> series = points.get(endpoint);
        return series == null ? List.of() : List.copyOf(series);
    }

    public Duration window() {
        return window;
    }
}
