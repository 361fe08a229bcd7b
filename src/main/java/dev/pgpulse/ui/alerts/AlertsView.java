package dev.pgpulse.ui.alerts;

import javafx.geometry.Orientation;
import javafx.scene.control.SplitPane;

/**
 * The Alerts tab's layout: the alerts firing and pending now (with their history) on top; below, the rules with
 * their editor beside the preview of the rule being edited.
 */
public final class AlertsView extends SplitPane {
    private final AlertListPane alerts;

    public AlertsView(AlertsViewModel vm) {
        getStyleClass().add("alerts-view");
        setOrientation(Orientation.VERTICAL);
        SplitPane rulesAndPreview = new SplitPane(new RulesPane(vm.rules()), new PreviewPane(vm.preview()));
        rulesAndPreview.setOrientation(Orientation.HORIZONTAL);
        rulesAndPreview.setDividerPositions(0.55);
        alerts = new AlertListPane(vm.alerts());
        getItems().addAll(alerts, rulesAndPreview);
        setDividerPositions(0.35);
    }

    /** Where "Export to Prometheus…" asks for its file (the save dialog by default; a test's own file). */
    public void setExportChooser(ExportFileChooser chooser) {
        alerts.setExportChooser(chooser);
    }
}
