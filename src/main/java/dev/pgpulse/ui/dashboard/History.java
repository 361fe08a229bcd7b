package dev.pgpulse.ui.dashboard;

import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.service.EndpointTraffic;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's bounded memory: per endpoint, one {@link Point} per snapshot over the last {@code window}
 * (15 minutes by default), which the charts draw. Throughput is derived here, from the growth of the endpoint's
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
    private final Map<String, Point> previousAt = new HashMap<>();
    private final Map<String, Long> previousCalls = new HashMap<>();

    public History(Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("history window must be positive, got " + window);
        }
        this.window = window;
    }

    /** Records one endpoint's pool and traffic as of a snapshot taken at {@code at}, and returns the point. */
    public Point add(Instant at, PoolSnapshot pool, EndpointTraffic traffic) {
        String endpoint = traffic.endpoint();
        Point before = previousAt.get(endpoint);
        Long callsBefore = previousCalls.put(endpoint, traffic.calls());
        double rate = Double.NaN;
        if (before != null && callsBefore != null) {
            double seconds = Duration.between(before.at(), at).toNanos() / 1e9;
            if (seconds > 0) {
                rate = Math.max(0, traffic.calls() - callsBefore) / seconds;
            }
        }
        Point p = new Point(at, rate, traffic.p50Ms(), traffic.p95Ms(), traffic.p99Ms(),
                pool == null ? 0 : pool.acquireP95Ms(), pool == null ? 0 : pool.active());
        previousAt.put(endpoint, p);
        ArrayDeque<Point> series = points.computeIfAbsent(endpoint, k -> new ArrayDeque<>());
        series.addLast(p);
        Instant oldest = at.minus(window);
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
