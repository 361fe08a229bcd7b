package dev.pgpulse.health;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The recent past of every metric, one series per concrete metric key (the documented keys of
 * {@link dev.pgpulse.health.alert.MetricKeys}, with their endpoint or operation, as alert rules name them):
 * what the dashboard's charts draw and the alert preview replays. The core feeds it one sample per health
 * sample, the same values the alert engine evaluates.
 *
 * <p>Bounded twice: a series keeps the points of the last {@link #window()} (15 minutes by default) and never more
 * than {@code maxPoints} of them (the newest), so a short health interval or a long window cannot grow it without
 * limit. A series whose key stops being reported ages out with its points.
 *
 * <p>Reading is a volatile read: {@link #view()} returns an immutable {@link View} of every series, replaced as a
 * whole on each {@link #record}, so readers (the console's poller, the agent) never wait for the writer. Each
 * record copies the series it changes; at one sample per second or slower, over a few dozen keys and at most
 * {@code maxPoints} points, that is a few hundred kilobytes per sample at worst.
 */
public final class MetricHistory {
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
    /** An hour of samples at one a second; the default 5 s health interval fills 15 minutes with 180. */
    public static final int DEFAULT_MAX_POINTS = 3_600;

    private final Duration window;
    private final int maxPoints;
    private volatile View view;
    /** The time of the newest sample recorded, epoch nanoseconds; guarded by this. */
    private long newest = Long.MIN_VALUE;

    public MetricHistory() {
        this(DEFAULT_WINDOW, DEFAULT_MAX_POINTS);
    }

    public MetricHistory(Duration window, int maxPoints) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, but was " + window);
        }
        if (maxPoints < 2) {
            throw new IllegalArgumentException("maxPoints must be at least 2, but was " + maxPoints);
        }
        this.window = window;
        this.maxPoints = maxPoints;
        this.view = new View(Map.of());
    }

    /**
     * Adds one sample: a point at {@code at} to the series of each key with a value (null is skipped; NaN is kept,
     * meaning "not measured", and a chart leaves it out), and drops every point older than the window.
     *
     * @return false, recording nothing, when {@code at} is before the newest point recorded (a sample out of order)
     */
    public synchronized boolean record(Instant at, Map<String, Double> sample) {
        Objects.requireNonNull(at, "at");
        long t = epochNanos(at);
        if (t < newest) {
            return false;
        }
        newest = t;
        Map<String, Series> before = view.series;
        long cutoff = t - window.toNanos();
        Map<String, Series> after = new HashMap<>();
        for (Map.Entry<String, Double> e : sample.entrySet()) {
            if (e.getKey() != null && e.getValue() != null) {
                after.put(e.getKey(), before.getOrDefault(e.getKey(), Series.EMPTY).append(t, e.getValue(), cutoff, maxPoints));
            }
        }
        for (Map.Entry<String, Series> e : before.entrySet()) {
            if (!after.containsKey(e.getKey())) {
                Series kept = e.getValue().from(cutoff);
                if (kept.size() > 0) {
                    after.put(e.getKey(), kept);
                }
            }
        }
        view = new View(after);
        return true;
    }

    /** Every series as of the latest sample; immutable, and cheap to take. */
    public View view() {
        return view;
    }

    public Duration window() {
        return window;
    }

    public int maxPoints() {
        return maxPoints;
    }

    private static long epochNanos(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
    }

    /** Every series at one moment. Immutable. */
    public static final class View {
        public static final View EMPTY = new View(Map.of());

        private final Map<String, Series> series;

        private View(Map<String, Series> series) {
            this.series = Map.copyOf(series);
        }

        /** The series of a concrete key; empty when the key has no point in the window. */
        public Series series(String key) {
            return series.getOrDefault(key, Series.EMPTY);
        }

        public Set<String> keys() {
            return series.keySet();
        }
    }

    /**
     * One metric's points, oldest first: time stamps and values. Immutable; {@link #since} shares the points it
     * keeps, so cutting a series to a shorter window copies nothing.
     */
    public static final class Series {
        public static final Series EMPTY = new Series(new long[0], new double[0], 0, 0);

        private final long[] times;
        private final double[] values;
        private final int from;
        private final int to;

        private Series(long[] times, double[] values, int from, int to) {
            this.times = times;
            this.values = values;
            this.from = from;
            this.to = to;
        }

        public int size() {
            return to - from;
        }

        public Instant at(int i) {
            long t = times[index(i)];
            return Instant.ofEpochSecond(Math.floorDiv(t, 1_000_000_000L), Math.floorMod(t, 1_000_000_000L));
        }

        /** The value of point {@code i}; NaN when it was not measured then. */
        public double value(int i) {
            return values[index(i)];
        }

        /** The newest value, NaN when there is none. */
        public double last() {
            return size() == 0 ? Double.NaN : values[to - 1];
        }

        /** The points at or after {@code start}. */
        public Series since(Instant start) {
            return from(epochNanos(start));
        }

        private int index(int i) {
            Objects.checkIndex(i, size());
            return from + i;
        }

        private Series from(long cutoff) {
            int first = from;
            while (first < to && times[first] < cutoff) {
                first++;
            }
            return first == from ? this : first == to ? EMPTY : new Series(times, values, first, to);
        }

        private Series append(long t, double v, long cutoff, int maxPoints) {
            Series kept = from(cutoff);
            int n = Math.min(kept.size(), maxPoints - 1);
            int start = kept.to - n;
            long[] ts = new long[n + 1];
            double[] vs = new double[n + 1];
            System.arraycopy(kept.times, start, ts, 0, n);
            System.arraycopy(kept.values, start, vs, 0, n);
            ts[n] = t;
            vs[n] = v;
            return new Series(ts, vs, 0, n + 1);
        }

        @Override
        public String toString() {
            return "Series[" + size() + " points" + (size() == 0 ? "" : ", " + at(0) + " .. " + at(size() - 1)) + "]";
        }
    }
}
