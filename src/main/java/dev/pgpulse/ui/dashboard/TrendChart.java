package dev.pgpulse.ui.dashboard;

import dev.pgpulse.ui.Format;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * Lines over the dashboard's {@link History} (its whole window, oldest left), drawn on a canvas. A TilesFX chart
 * tile lays out an axis and a node per data point on every poll, which in the software pipeline cost 30–40 ms of
 * the FX thread per snapshot (seen with the pulse logger); a canvas redraw costs well under a millisecond.
 */
final class TrendChart extends Canvas {
    /** One line: its colour and what it plots. NaN values are skipped. */
    record Line(Color colour, ToDoubleFunction<History.Point> value) {
    }

    static final Color BLUE = Color.web("#4fc3f7");
    static final Color AMBER = Color.web("#ffb74d");
    static final Color PINK = Color.web("#f06292");
    private static final Color GRID = Color.web("#555555");
    private static final Color LABEL = Color.web("#b0b0b0");
    private static final double LEFT = 46;

    private final List<Line> lines;
    private final DoubleFunction<String> axis;

    TrendChart(double width, double height, DoubleFunction<String> axis, List<Line> lines) {
        super(width, height);
        this.axis = axis;
        this.lines = List.copyOf(lines);
    }

    void draw(List<History.Point> points) {
        GraphicsContext g = getGraphicsContext2D();
        double w = getWidth();
        double h = getHeight();
        g.clearRect(0, 0, w, h);
        double max = 0;
        for (History.Point p : points) {
            for (Line l : lines) {
                double v = l.value().applyAsDouble(p);
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
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
        if (points.size() < 2) {
            return;
        }
        g.setLineWidth(1.6);
        for (Line l : lines) {
            line(g, points, l, max);
        }
    }

    private void line(GraphicsContext g, List<History.Point> points, Line line, double max) {
        double w = getWidth() - LEFT;
        double h = getHeight() - 14;
        int n = points.size();
        // at most one vertex per pixel column: 15 minutes at 0.5 s is 1,800 points
        int step = Math.max(1, (int) Math.ceil(n / Math.max(1, w)));
        g.setStroke(line.colour());
        g.beginPath();
        boolean started = false;
        for (int i = 0; i < n; i += step) {
            double v = line.value().applyAsDouble(points.get(i));
            if (Double.isNaN(v)) {
                continue;
            }
            double x = LEFT + w * i / (n - 1);
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
