package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.alert.MetricUnit;

import java.util.ArrayList;
import java.util.List;

/**
 * The preview chart's value axis: where its ticks go for a metric key. Only the chart needs round steps; the labels
 * are the core's ({@link MetricUnit#forPeople(String, double)}), so a tick reads as the rules table and the alert
 * list write the same value.
 */
final class PreviewAxis {
    /** The steps a clock shows, in seconds, for a duration axis from ten seconds up. */
    private static final double[] CLOCK = {10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
            86400};

    private PreviewAxis() {
    }

    /**
     * A step between the ticks of metric {@code key} that splits {@code range} into about four: 1, 2, 2.5 or 5 times a
     * power of ten, or for durations a step a clock shows (15 s, 30 s, 1 min, 5 min, ...), and whole steps for
     * states, counts, per-minute rates and bytes (none of them has fractions).
     */
    static double step(String key, double range) {
        MetricUnit unit = MetricUnit.of(key);
        double rough = range / 4;
        if (!(rough > 0)) {
            rough = unit == MetricUnit.RATIO ? 0.25 : 1;
        }
        if (MetricUnit.states(key).isPresent()) {
            return Math.max(1, Math.ceil(rough));
        }
        boolean ms = unit == MetricUnit.MILLISECONDS;
        double seconds = ms ? rough / 1000 : rough;
        if ((unit == MetricUnit.SECONDS || ms) && seconds >= 10) {
            for (double c : CLOCK) {
                if (c >= seconds) {
                    return ms ? c * 1000 : c;
                }
            }
            return Math.ceil(seconds / 86400) * 86400 * (ms ? 1000 : 1);
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double result = 10 * magnitude;
        for (double m : new double[]{1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= rough) {
                result = m * magnitude;
                break;
            }
        }
        boolean whole = unit == MetricUnit.BYTES
                || unit == MetricUnit.NUMBER && !key.endsWith("_per_second");
        return whole ? Math.max(1, Math.ceil(result)) : result;
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
