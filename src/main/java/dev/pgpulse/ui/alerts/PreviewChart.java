package dev.pgpulse.ui.alerts;

import javafx.geometry.VPos;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.layout.Region;
import javafx.scene.shape.Line;
import javafx.scene.shape.Polyline;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

import java.util.ArrayList;
import java.util.List;

/**
 * The preview's chart: each subject's line over time, the threshold as a dashed line, the stretches the rule
 * would have been FIRING shaded red and PENDING lighter. Drawn with a few shape nodes (one polyline per line,
 * one rectangle per stretch) rather than an XYChart, whose node per data point costs tens of milliseconds per
 * update in the software pipeline (see the dashboard's TrendChart); unlike a canvas, every colour comes from
 * console.css and tests can find what was drawn by its style class. Redrawn when the data or the size changes.
 */
final class PreviewChart extends Region {
    private static final double TOP = 8;
    private static final double RIGHT = 10;
    private static final double BOTTOM = 20;
    private static final double MIN_LEFT = 40;
    private static final Font FONT = Font.font(11);
    private static final Font BOLD = Font.font(null, FontWeight.BOLD, 11);

    private final Group content = new Group();
    private PreviewChartData data;
    private double drawnWidth = -1;
    private double drawnHeight = -1;
    private PreviewChartData drawnData;

    PreviewChart() {
        getStyleClass().add("preview-chart");
        setMinSize(200, 140);
        setPrefSize(480, 240);
        getChildren().add(content);
    }

    void setData(PreviewChartData data) {
        this.data = data;
        requestLayout();
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth();
        double h = getHeight();
        if (w == drawnWidth && h == drawnHeight && data == drawnData) {
            return;
        }
        drawnWidth = w;
        drawnHeight = h;
        drawnData = data;
        content.getChildren().setAll(draw(w, h));
    }

    private List<Node> draw(double w, double h) {
        List<Node> out = new ArrayList<>();
        List<Text> valueLabels = new ArrayList<>();
        double left = MIN_LEFT;
        if (data != null) {
            for (PreviewChartData.Tick t : data.valueTicks()) {
                Text label = text(t.label(), "preview-axis-label");
                valueLabels.add(label);
                left = Math.max(left, label.getLayoutBounds().getWidth() + 10);
            }
        }
        double plotW = Math.max(1, w - left - RIGHT);
        double plotH = Math.max(1, h - TOP - BOTTOM);
        Rectangle plot = new Rectangle(left, TOP, plotW, plotH);
        plot.getStyleClass().add("preview-plot");
        out.add(plot);
        if (data == null) {
            return out;
        }
        Scale s = new Scale(data, left, plotW, plotH);
        for (PreviewChartData.Band b : data.pending()) {
            out.add(band(s, b, "preview-pending"));
        }
        for (PreviewChartData.Band b : data.firing()) {
            out.add(band(s, b, "preview-firing"));
        }
        for (int i = 0; i < data.valueTicks().size(); i++) {
            double y = s.y(data.valueTicks().get(i).at());
            Line grid = new Line(left, y, left + plotW, y);
            grid.getStyleClass().add("preview-grid");
            out.add(grid);
            Text label = valueLabels.get(i);
            label.setTextAlignment(TextAlignment.RIGHT);
            label.setTextOrigin(VPos.CENTER);
            label.setX(left - 6 - label.getLayoutBounds().getWidth());
            label.setY(y);
            out.add(label);
        }
        for (PreviewChartData.Tick t : data.timeTicks()) {
            double x = s.x(t.at());
            Line tick = new Line(x, TOP + plotH, x, TOP + plotH + 4);
            tick.getStyleClass().add("preview-grid");
            out.add(tick);
            Text label = text(t.label(), "preview-axis-label");
            label.setTextOrigin(VPos.TOP);
            label.setX(Math.min(Math.max(left, x - label.getLayoutBounds().getWidth() / 2),
                    w - label.getLayoutBounds().getWidth()));
            label.setY(TOP + plotH + 5);
            out.add(label);
        }
        Group lines = new Group();
        for (PreviewChartData.Line line : data.lines()) {
            lines.getChildren().addAll(polylines(s, line));
        }
        lines.setClip(new Rectangle(left, TOP, plotW, plotH));
        out.add(lines);
        double ty = s.y(data.threshold());
        Line threshold = new Line(left, ty, left + plotW, ty);
        threshold.getStyleClass().add("preview-threshold");
        out.add(threshold);
        Text thresholdLabel = text(data.thresholdLabel(), "preview-threshold-label");
        thresholdLabel.setFont(BOLD);
        thresholdLabel.setTextOrigin(ty - TOP < 16 ? VPos.TOP : VPos.BOTTOM);
        thresholdLabel.setX(left + plotW - thresholdLabel.getLayoutBounds().getWidth() - 4);
        thresholdLabel.setY(ty - TOP < 16 ? ty + 2 : ty - 2);
        out.add(thresholdLabel);
        return out;
    }

    private static Text text(String s, String styleClass) {
        Text t = new Text(s);
        t.getStyleClass().add(styleClass);
        t.setFont(FONT); // set here, not in CSS: the text is measured before it is in the scene
        return t;
    }

    private static Rectangle band(Scale s, PreviewChartData.Band b, String styleClass) {
        double x0 = s.x(b.from());
        // a stretch that started at the last sample is as wide as a sample is, at least: it is there
        double x1 = Math.max(s.x(b.to()), x0 + 2);
        Rectangle r = new Rectangle(x0, TOP, x1 - x0, s.plotH);
        r.getStyleClass().add(styleClass);
        return r;
    }

    /** One polyline per run of measured points; a NaN breaks the line. */
    private static List<Polyline> polylines(Scale s, PreviewChartData.Line line) {
        List<Polyline> out = new ArrayList<>();
        List<Double> points = new ArrayList<>();
        for (int i = 0; i <= line.size(); i++) {
            boolean measured = i < line.size() && Double.isFinite(line.values()[i]);
            if (measured) {
                points.add(s.x(line.times()[i]));
                points.add(s.y(line.values()[i]));
            } else if (!points.isEmpty()) {
                if (points.size() == 2) { // a lone point: a dot's worth of line
                    points.add(points.get(0) + 1.5);
                    points.add(points.get(1));
                }
                Polyline p = new Polyline();
                p.getPoints().setAll(points);
                p.getStyleClass().addAll("preview-line", "preview-series-" + line.series());
                out.add(p);
                points.clear();
            }
        }
        return out;
    }

    /** Data units to pixels. */
    private record Scale(PreviewChartData d, double left, double plotW, double plotH) {
        double x(double epochMs) {
            return left + plotW * (epochMs - d.from()) / Math.max(1, d.to() - d.from());
        }

        double y(double v) {
            double clamped = Math.max(d.low(), Math.min(d.high(), v));
            return TOP + plotH - plotH * (clamped - d.low()) / (d.high() - d.low());
        }
    }
}
