package dev.pgpulse.ui.alerts;

import javafx.scene.layout.VBox;

/** The preview chart and its summary. (Skeleton: i12-preview builds it.) */
final class PreviewPane extends VBox {
    PreviewPane(PreviewViewModel vm) {
        getStyleClass().add("preview-pane");
    }
}
