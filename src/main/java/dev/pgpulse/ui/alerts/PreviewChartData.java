package dev.pgpulse.ui.alerts;

import java.util.List;

/**
 * What the preview chart draws, made by {@link PreviewViewModel}: every figure is in data units (time in epoch
 * milliseconds, values in the metric's own unit) and every text ready to show, so the chart only scales.
 *
 * @param from       the left edge, epoch ms
 * @param to         the right edge (the newest sample), epoch ms
 * @param low        the bottom of the value axis
 * @param high       the top of the value axis
 * @param valueTicks the value axis' ticks, bottom first
 * @param timeTicks  the time axis' ticks, left first
 * @param threshold  the rule's threshold, in the metric's unit
 * @param lines      one per subject, in the subjects' order
 * @param firing     the stretches a subject would have been FIRING
 * @param pending    the stretches a subject would have been PENDING
 */
public record PreviewChartData(long from, long to, double low, double high, List<Tick> valueTicks,
                               List<Tick> timeTicks, double threshold, String thresholdLabel, List<Line> lines,
                               List<Band> firing, List<Band> pending) {
    public PreviewChartData {
        valueTicks = List.copyOf(valueTicks);
        timeTicks = List.copyOf(timeTicks);
        lines = List.copyOf(lines);
        firing = List.copyOf(firing);
        pending = List.copyOf(pending);
    }

    /** A tick on an axis: where (data units) and its label. */
    public record Tick(double at, String label) {
    }

    /**
     * One subject's points: times in epoch ms, values NaN where not measured (the line breaks there). The arrays
     * are the view model's own copy; nobody writes them.
     *
     * @param series the colour: 0.. in the subjects' order, as the style class {@code preview-series-<n>}
     */
    public record Line(String subject, int series, long[] times, double[] values) {
        public int size() {
            return times.length;
        }
    }

    /** A stretch [from, to) of one subject, epoch ms. */
    public record Band(String subject, long from, long to) {
    }
}
