package dev.pgpulse.ui.alerts;

import javafx.scene.layout.VBox;

/** The rules table above the editor of the selected rule. (Skeleton: i12-rulesui builds it.) */
final class RulesPane extends VBox {
    RulesPane(RulesViewModel vm) {
        getStyleClass().add("rules-pane");
    }
}
