package dev.pgpulse.ui.operations;

import javafx.css.PseudoClass;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/** The checklist: a line per check, its mark coloured by pass or fail, the reason beside it. */
final class ChecksPane {
    private static final PseudoClass FAILED = PseudoClass.getPseudoClass("failed");

    private ChecksPane() {
    }

    static VBox build(ChecksViewModel vm) {
        Label summary = OperationsView.label("ops-checks-summary", vm.summaryProperty(), "operations-summary");
        javafx.beans.InvalidationListener alarm = o -> summary.pseudoClassStateChanged(FAILED,
                vm.failingProperty().get() || vm.staleProperty().get());
        vm.failingProperty().addListener(alarm);
        vm.staleProperty().addListener(alarm);
        Button again = OperationsView.button("ops-checks-run", "Check now", vm::run);
        again.disableProperty().bind(vm.busyProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = OperationsView.bar(summary, spacer, again);
        TableView<CheckRow> table = new TableView<>(vm.rowsProperty());
        table.setId("ops-checks-table");
        table.getStyleClass().add("operations-checks");
        var mark = OperationsView.column("", 36, CheckRow::mark);
        mark.getStyleClass().add("check-mark");
        mark.setMinWidth(36);
        mark.setMaxWidth(36);
        table.getColumns().add(mark);
        table.getColumns().add(OperationsView.column("Check", 170, CheckRow::name));
        table.getColumns().add(OperationsView.column("Reason", 800, CheckRow::reason));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("Checking…"));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(CheckRow item, boolean empty) {
                super.updateItem(item, empty);
                pseudoClassStateChanged(FAILED, !empty && item != null && !item.ok());
            }
        });
        VBox.setVgrow(table, Priority.ALWAYS);
        VBox box = new VBox(8, bar, table);
        box.setPadding(new Insets(10));
        return box;
    }
}
