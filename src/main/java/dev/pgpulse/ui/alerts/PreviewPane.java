package dev.pgpulse.ui.alerts;

import dev.pgpulse.ui.fx.StatePseudoClass;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.function.Function;

/**
 * The preview of the rule being edited: a summary line ("Would have fired 2 times in the last 15 min; FIRING now on
 * primary"), the chart of the last 15 minutes with the threshold and the FIRING and PENDING stretches, its legend,
 * and the subjects with their current values. Binds to {@link PreviewViewModel} only.
 */
final class PreviewPane extends VBox {
    private final PreviewChart chart = new PreviewChart();

    PreviewPane(PreviewViewModel vm) {
        getStyleClass().add("preview-pane");
        setSpacing(6);
        setPadding(new Insets(8));

        Label title = label("preview-title", "preview-title");
        title.textProperty().bind(vm.titleProperty());
        Label caption = label("preview-caption", "note");
        caption.textProperty().bind(vm.captionProperty());
        Label summary = label("preview-summary", "preview-summary");
        summary.textProperty().bind(vm.summaryProperty());
        // Wrapped, and never shorter than its lines: the VBox would otherwise squeeze a long summary (FIRING now on
        // primary, replica-1, ...) to one line cut with "...", and take the room from the chart instead.
        for (Label l : new Label[]{caption, summary}) {
            l.setWrapText(true);
            l.setMinHeight(Region.USE_PREF_SIZE);
        }
        StatePseudoClass.follow(summary, vm.stateProperty());

        chart.setId("preview-chart");
        chart.setData(vm.chartProperty().get());
        vm.chartProperty().addListener((o, was, now) -> chart.setData(now));
        VBox.setVgrow(chart, Priority.ALWAYS);

        Label threshold = label("preview-threshold-legend", "preview-legend");
        threshold.textProperty().bind(vm.thresholdLegendProperty());
        HBox legend = new HBox(6, swatch("preview-swatch-firing"), label(null, "preview-legend", "FIRING"),
                swatch("preview-swatch-pending"), label(null, "preview-legend", "PENDING"),
                swatch("preview-swatch-threshold"), threshold);
        legend.setAlignment(Pos.CENTER_LEFT);
        legend.getStyleClass().add("preview-legend-row");
        // the legend means something only under a chart
        legend.visibleProperty().bind(vm.chartProperty().isNotNull());

        getChildren().addAll(title, caption, summary, chart, legend, subjects(vm));
    }

    private static TableView<PreviewViewModel.SubjectRow> subjects(PreviewViewModel vm) {
        TableView<PreviewViewModel.SubjectRow> t = new TableView<>(vm.subjects());
        t.setId("preview-subjects");
        t.setPlaceholder(new Label("No subject reports this metric"));
        t.setFixedCellSize(24);
        t.setPrefHeight(24 * 4 + 28);
        t.setMinHeight(24 * 2 + 28);
        TableColumn<PreviewViewModel.SubjectRow, String> colour = column("", 28, r -> String.valueOf(r.series()));
        colour.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setGraphic(empty || item == null ? null : swatch("preview-line-swatch", "preview-series-" + item));
            }
        });
        TableColumn<PreviewViewModel.SubjectRow, String> state = column("State now", 90,
                PreviewViewModel.SubjectRow::state);
        state.setCellFactory(c -> new TableCell<>() {
            {
                getStyleClass().add("preview-state-cell");
            }

            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                for (String s : new String[]{"firing", "pending", "ok"}) {
                    pseudoClassStateChanged(javafx.css.PseudoClass.getPseudoClass(s),
                            !empty && item != null && item.equalsIgnoreCase(s));
                }
            }
        });
        t.getColumns().add(colour);
        t.getColumns().add(column("Subject", 110, PreviewViewModel.SubjectRow::subject));
        t.getColumns().add(column("Now", 100, PreviewViewModel.SubjectRow::current));
        t.getColumns().add(state);
        t.getColumns().add(column("Would have fired", 120, PreviewViewModel.SubjectRow::fired));
        t.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        return t;
    }

    private static TableColumn<PreviewViewModel.SubjectRow, String> column(String name, double width,
            Function<PreviewViewModel.SubjectRow, String> cell) {
        TableColumn<PreviewViewModel.SubjectRow, String> col = new TableColumn<>(name);
        col.setCellValueFactory(cd -> new ReadOnlyStringWrapper(cell.apply(cd.getValue())));
        col.setPrefWidth(width);
        col.setSortable(false); // the rows are the view model's, in the chart's order
        col.setReorderable(false);
        return col;
    }

    private static Label label(String id, String styleClass) {
        return label(id, styleClass, "");
    }

    private static Label label(String id, String styleClass, String text) {
        Label l = new Label(text);
        if (id != null) {
            l.setId(id);
        }
        l.getStyleClass().add(styleClass);
        return l;
    }

    private static Region swatch(String... styleClasses) {
        Region r = new Region();
        r.getStyleClass().add("preview-swatch");
        r.getStyleClass().addAll(styleClasses);
        r.setMinSize(14, 10);
        r.setPrefSize(14, 10);
        r.setMaxSize(14, 10);
        return r;
    }

    /** The chart, for tests that look at what was drawn. */
    Region chart() {
        return chart;
    }
}
