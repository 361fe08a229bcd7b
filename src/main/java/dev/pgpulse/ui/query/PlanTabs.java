package dev.pgpulse.ui.query;

import javafx.scene.Node;
import javafx.scene.control.TextArea;

/** A plan's content in a result tab (until the tree view lands: the JSON as the server sent it). */
final class PlanTabs {
    private PlanTabs() {
    }

    static Node content(String json, boolean analyzed) {
        TextArea area = new TextArea(json);
        area.setEditable(false);
        area.getStyleClass().add("query-plan-json");
        return area;
    }
}
