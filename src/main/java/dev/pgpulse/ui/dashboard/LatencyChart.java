package dev.pgpulse.ui.dashboard;

import dev.pgpulse.ui.Format;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * p50, p95 and p99 over the last points, drawn on a canvas. A TilesFX chart tile lays out a category axis and
 * 180 chart nodes on every poll, which in the software pipeline alone cost 30–40 ms of the FX thread per
 * snapshot (measured with the pulse logger); three polylines on a canvas cost well under a millisecond.
 */
final class LatencyChart extends Canvas {
    static final Color P50 = Color.web("#4fc3f7");
    static final Color P95 = Color.web("#ffb74d");
    static final Color P99 = Color.web("#f06292");
    private static final Color GRID = Color.web("#555555");
    private static final Color LABEL = Color.web("#b0b0b0");
    private static final double LEFT = 46;

    LatencyChart(double width, double height) {
        super(width, height);
    }

    void draw(List<History.Point> points) {
        GraphicsContext g = getGraphicsContext2D();
        double w = getWidth();
        double h = getHeight();
        g.clearRect(0, 0, w, h);
        double max = 0;
        for (History.Point p : points) {
            max = Math.max(max, Math.max(p.p50Ms(), Math.max(p.p95Ms(), p.p99Ms())));
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
            g.fillText(axis(max * (2 - i) / 2.0), LEFT - 4, y);
        }
        if (points.size() < 2) {
            return;
        }
        g.setLineWidth(1.6);
        line(g, points, History.Point::p50Ms, P50, max);
        line(g, points, History.Point::p95Ms, P95, max);
        line(g, points, History.Point::p99Ms, P99, max);
    }

    private void line(GraphicsContext g, List<History.Point> points, ToDoubleFunction<History.Point> value, Color colour,
                      double max) {
        double w = getWidth() - LEFT;
        double h = getHeight() - 12;
        int n = points.size();
        g.setStroke(colour);
        g.beginPath();
        for (int i = 0; i < n; i++) {
            double x = LEFT + w * i / (n - 1);
            double y = 6 + h - h * Math.min(1, value.applyAsDouble(points.get(i)) / max);
            if (i == 0) {
                g.moveTo(x, y);
            } else {
                g.lineTo(x, y);
            }
        }
        g.stroke();
    }

    /** Axis labels: as few digits as tell the ticks apart. */
    static String axis(double ms) {
        if (ms >= 1000) {
            return Format.ms(ms);
        }
        return (ms == Math.rint(ms) ? String.valueOf((long) ms) : String.valueOf(Math.round(ms * 10) / 10.0)) + " ms";
    }

    /** 1, 2 or 5 times a power of ten at or above {@code v}; 1 ms at least. */
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
