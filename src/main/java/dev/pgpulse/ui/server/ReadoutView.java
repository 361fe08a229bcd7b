package dev.pgpulse.ui.server;

import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.transformation.SortedList;
import javafx.css.PseudoClass;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** One readout as a sortable table under its title, its note and its status; flagged rows emphasised. */
public final class ReadoutView extends VBox {
    private static final PseudoClass FLAGGED = PseudoClass.getPseudoClass("flagged");
    private final TableView<ReadoutRow> table = new TableView<>();

    public ReadoutView(ReadoutViewModel vm) {
        super(4);
        getStyleClass().add("readout-view");
        String id = "server-" + vm.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        setId(id);
        Label title = new Label(vm.title());
        title.getStyleClass().add("section-title");
        Label status = new Label();
        status.getStyleClass().add("readout-status");
        status.textProperty().bind(vm.statusProperty());
        HBox head = new HBox(12, title, status);
        head.setAlignment(javafx.geometry.Pos.BASELINE_LEFT);
        Label note = new Label();
        note.getStyleClass().add("readout-note");
        note.setId(id + "-note");
        note.setWrapText(true);
        note.textProperty().bind(vm.noteProperty());
        note.managedProperty().bind(vm.noteProperty().isNotEmpty());
        note.visibleProperty().bind(vm.noteProperty().isNotEmpty());
        table.setId(id + "-table");
        table.setPlaceholder(new Label("Nothing to show"));
        SortedList<ReadoutRow> sorted = new SortedList<>(vm.rows());
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        for (int i = 0; i < vm.columns().size(); i++) {
            int column = i;
            TableColumn<ReadoutRow, Cell> c = new TableColumn<>(vm.columns().get(i));
            c.setCellValueFactory(f -> new ReadOnlyObjectWrapper<>(f.getValue().cells().get(column)));
            if (vm.numeric(i)) {
                c.getStyleClass().add("readout-number");
            }
            c.setPrefWidth(vm.width(i));
            table.getColumns().add(c);
        }
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(ReadoutRow row, boolean empty) {
                super.updateItem(row, empty);
                pseudoClassStateChanged(FLAGGED, !empty && row != null && row.flagged());
            }
        });
        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(head, note, table);
    }

    public TableView<ReadoutRow> table() {
        return table;
    }
}
