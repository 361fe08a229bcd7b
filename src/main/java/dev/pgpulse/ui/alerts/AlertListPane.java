package dev.pgpulse.ui.alerts;

import javafx.scene.layout.VBox;

/** The alerts now and their history. (Skeleton: i12-alertsui builds it.) */
final class AlertListPane extends VBox {
    AlertListPane(AlertListViewModel vm) {
        getStyleClass().add("alert-list-pane");
    }
}
