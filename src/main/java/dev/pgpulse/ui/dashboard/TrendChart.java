package dev.pgpulse.ui.dashboard;

import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.ui.Format;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Lines over series of the core's {@link MetricHistory} (the time they span, oldest left), drawn on a canvas, a
 * colour per series. A TilesFX chart
 * tile lays out an axis and a node per data point on every poll, which in the software pipeline cost 30–40 ms of
 * the FX thread per snapshot (seen with the pulse logger); a canvas redraw costs well under a millisecond.
 */
final class TrendChart extends Canvas {
    static final Color BLUE = Color.web("#4fc3f7");
    static final Color AMBER = Color.web("#ffb74d");
    static final Color PINK = Color.web("#f06292");
    private static final Color GRID = Color.web("#555555");
    private static final Color LABEL = Color.web("#b0b0b0");
    private static final double LEFT = 46;

    private final List<Color> colours;
    private final DoubleFunction<String> axis;

    /** @param colours the colour of each line, in the order {@link #draw} is given the series */
    TrendChart(double width, double height, DoubleFunction<String> axis, List<Color> colours) {
        super(width, height);
        this.axis = axis;
        this.colours = List.copyOf(colours);
    }

    /** Draws one line per series (NaN values are skipped), all on one time axis. */
    void draw(List<MetricHistory.Series> series) {
        GraphicsContext g = getGraphicsContext2D();
        double w = getWidth();
        double h = getHeight();
        g.clearRect(0, 0, w, h);
        double max = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (MetricHistory.Series s : series) {
            for (int i = 0; i < s.size(); i++) {
                double v = s.value(i);
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
            if (s.size() > 0) {
                first = Math.min(first, s.at(0).toEpochMilli());
                last = Math.max(last, s.at(s.size() - 1).toEpochMilli());
            }
        }
        max = niceCeiling(max);
        g.setFont(Font.font(10));
        g.setTextBaseline(VPos.CENTER);
        g.setTextAlign(TextAlignment.RIGHT);
        g.setLineWidth(1);
        for (int i = 0; i <= 2; i++) {
            double y = 7 + (h - 14) * i / 2.0;
            g.setStroke(GRID);
            g.strokeLine(LEFT, y, w, y);
            g.setFill(LABEL);
            g.fillText(axis.apply(max * (2 - i) / 2.0), LEFT - 4, y);
        }
        if (last <= first) {
            return; // fewer than two points in time: no line yet
        }
        g.setLineWidth(1.6);
        for (int i = 0; i < series.size() && i < colours.size(); i++) {
            line(g, series.get(i), colours.get(i), max, first, last);
        }
    }

    private void line(GraphicsContext g, MetricHistory.Series series, Color colour, double max, long first, long last) {
        double w = getWidth() - LEFT;
        double h = getHeight() - 14;
        int n = series.size();
        // at most one vertex per pixel column: an hour at one sample a second is 3,600 points
        int step = Math.max(1, (int) Math.ceil(n / Math.max(1, w)));
        g.setStroke(colour);
        g.beginPath();
        boolean started = false;
        for (int i = 0; i < n; i += step) {
            double v = series.value(i);
            if (Double.isNaN(v)) {
                continue;
            }
            double x = LEFT + w * (series.at(i).toEpochMilli() - first) / (last - first);
            double y = 7 + h - h * Math.min(1, v / max);
            if (started) {
                g.lineTo(x, y);
            } else {
                g.moveTo(x, y);
                started = true;
            }
        }
        g.stroke();
    }

    /** Axis labels in milliseconds: as few digits as tell the ticks apart. */
    static String ms(double ms) {
        if (ms >= 1000) {
            return Format.ms(ms);
        }
        return (ms == Math.rint(ms) ? String.valueOf((long) ms) : String.valueOf(Math.round(ms * 10) / 10.0)) + " ms";
    }

    /** Axis labels for a rate. */
    static String perSecond(double v) {
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(Math.round(v * 10) / 10.0)) + "/s";
    }

    /** 1, 2 or 5 times a power of ten at or above {@code v}; 1 at least. */
    static double niceCeiling(double v) {
        if (!(v > 1)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[]{1, 2, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
