package dev.pgpulse.ui.alerts;

import dev.pgpulse.config.Durations;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.ui.Format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The unit of a metric key, told by its name as the documented keys are named ({@code *_ratio}, {@code *_seconds},
 * {@code *_ms}, ...), and how a value and an axis of it are written: a ratio as a percentage, seconds and
 * milliseconds as durations the way alert messages write them, states by their names.
 */
enum MetricUnit {
    RATIO, SECONDS, MILLISECONDS, BYTES, PER_MINUTE, PER_SECOND, HEALTH, BREAKER, COUNT;

    static MetricUnit of(String key) {
        if (key.endsWith("_ratio")) {
            return RATIO;
        }
        if (key.endsWith("_seconds")) {
            return SECONDS;
        }
        if (key.endsWith("_ms")) {
            return MILLISECONDS;
        }
        if (key.endsWith("_bytes")) {
            return BYTES;
        }
        if (key.endsWith("_per_minute")) {
            return PER_MINUTE;
        }
        if (key.endsWith("_per_second")) {
            return PER_SECOND;
        }
        if (key.startsWith("endpoint.") && key.endsWith(".health")) {
            return HEALTH;
        }
        if (key.startsWith("breaker.") && key.endsWith(".state")) {
            return BREAKER;
        }
        return COUNT;
    }

    /** A value for people; "–" when it was not measured. */
    String format(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        return switch (this) {
            case RATIO -> Format.ratio(v);
            case SECONDS -> Format.seconds(v);
            case MILLISECONDS -> Format.seconds(v / 1000);
            case BYTES -> Format.bytes(Math.round(v));
            case PER_MINUTE -> number(v) + "/min";
            case PER_SECOND -> number(v) + "/s";
            case HEALTH -> Arrays.stream(HealthStatus.values()).filter(h -> h.metricValue() == v).findFirst()
                    .map(Enum::name).orElse(number(v));
            case BREAKER -> Arrays.stream(BreakerState.values()).filter(b -> b.metricValue() == v).findFirst()
                    .map(BreakerState::label).orElse(number(v));
            case COUNT -> number(v);
        };
    }

    /** An axis tick: as {@link #format}, but a percentage without the decimal a tick does not need (25%). */
    String tick(double v) {
        if (this == RATIO && Double.isFinite(v)) {
            double percent = Math.round(v * 1e6) / 1e4;
            return (percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent)) + "%";
        }
        return format(v);
    }

    /** What the values mean where the axis' labels do not say it (states as numbers); empty for the others. */
    Optional<String> describe() {
        return switch (this) {
            case HEALTH -> Optional.of("UP 0, DEGRADED 1, DOWN 2");
            case BREAKER -> Optional.of("CLOSED 0, HALF-OPEN 1, OPEN 2, FORCED OPEN 3, FORCED CLOSED -1, METRICS ONLY -2");
            default -> Optional.empty();
        };
    }

    /** Whole numbers exactly, others with the digits their size deserves. */
    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3g", v);
    }

    /**
     * A step between the axis' ticks that splits {@code range} into about four: 1, 2, 2.5 or 5 times a power of ten,
     * or for durations a step a clock shows (15 s, 30 s, 1 min, 5 min, ... ), and whole steps for states and counts.
     */
    double step(double range) {
        double rough = range / 4;
        if (!(rough > 0)) {
            rough = this == RATIO ? 0.25 : 1;
        }
        if (this == HEALTH || this == BREAKER) {
            return Math.max(1, Math.ceil(rough));
        }
        double seconds = this == MILLISECONDS ? rough / 1000 : rough;
        if ((this == SECONDS || this == MILLISECONDS) && seconds >= 10) {
            double[] clock = {10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
            for (double c : clock) {
                if (c >= seconds) {
                    return this == MILLISECONDS ? c * 1000 : c;
                }
            }
            return Math.ceil(seconds / 86400) * 86400 * (this == MILLISECONDS ? 1000 : 1);
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double result = 10 * magnitude;
        for (double m : new double[]{1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= rough) {
                result = m * magnitude;
                break;
            }
        }
        // counts, states and bytes have no fractions
        return this == COUNT || this == PER_MINUTE || this == BYTES ? Math.max(1, Math.ceil(result)) : result;
    }

    /** The ticks from {@code low} to {@code high} (both multiples of {@code step}), low first. */
    static List<Double> ticks(double low, double high, double step) {
        List<Double> out = new ArrayList<>();
        long n = Math.round((high - low) / step);
        for (long i = 0; i <= n; i++) {
            out.add(low + i * step);
        }
        return out;
    }
}
