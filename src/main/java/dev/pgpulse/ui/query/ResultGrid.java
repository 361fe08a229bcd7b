package dev.pgpulse.ui.query;

import dev.pgpulse.query.QueryColumn;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TablePosition;
import javafx.scene.control.TableView;
import javafx.scene.control.skin.VirtualFlow;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * One result set's rows in a table: a row-number column, then one column per result column headed by its name and
 * type; numbers right-aligned, NULL greyed and italic (an empty string is an empty cell), long values cut with an
 * ellipsis. Ctrl+C copies the selected cells as TSV, Ctrl+Shift+C with the column names; Enter or a double click
 * opens the cell viewer. Scrolling near the last held row asks the view model for more. No sorting: the order is
 * the server's, and sorting a window of a result would show a misleading "first" row.
 */
public final class ResultGrid extends BorderPane {
    private static final KeyCombination COPY = new KeyCodeCombination(KeyCode.C, KeyCombination.SHORTCUT_DOWN);
    private static final KeyCombination COPY_WITH_HEADER = new KeyCodeCombination(KeyCode.C,
            KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN);
    /** Width of a character of the grid's font, for a first guess at a column's width. */
    private static final double CHAR_WIDTH = 7.2;

    private final ResultGridViewModel vm;
    private final TableView<String[]> table = new TableView<>();
    private final Label status = new Label();
    private boolean sized;
    private Stage viewer;

    public ResultGrid(ResultGridViewModel vm) {
        this.vm = vm;
        getStyleClass().add("result-grid");
        table.getStyleClass().add("result-table");
        table.setItems(vm.rows());
        table.getSelectionModel().setCellSelectionEnabled(true);
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setPlaceholder(new Label("no rows"));
        table.getColumns().add(rowNumberColumn());
        List<QueryColumn> cols = vm.columns();
        for (int i = 0; i < cols.size(); i++) {
            table.getColumns().add(column(cols.get(i), i));
        }
        status.getStyleClass().add("result-status");
        status.textProperty().bind(vm.statusProperty());
        status.setMaxWidth(Double.MAX_VALUE);
        setCenter(table);
        setBottom(status);

        table.setOnKeyPressed(e -> {
            if (COPY_WITH_HEADER.match(e)) {
                copy(true);
                e.consume();
            } else if (COPY.match(e)) {
                copy(false);
                e.consume();
            } else if (e.getCode() == KeyCode.ENTER) {
                openViewer();
                e.consume();
            }
        });
        table.setOnMouseClicked(e -> {
            if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2) {
                openViewer();
            }
        });
        vm.rows().addListener((ListChangeListener<String[]>) c -> {
            if (!sized && !vm.rows().isEmpty()) {
                sized = true;
                sizeColumns();
            }
        });
        // rows let go from the top: keep the user's rows in view (the indices under them moved up)
        vm.droppedProperty().addListener((o, was, now) -> firstVisible().ifPresent(i ->
                table.scrollTo(Math.max(0, i - (int) (now.longValue() - was.longValue())))));
        table.skinProperty().addListener((o, was, now) -> flow().ifPresent(f ->
                f.positionProperty().addListener((p, a, b) -> lastShown())));
        vm.rows().addListener((ListChangeListener<String[]>) c -> lastShown());
    }

    public ResultGridViewModel viewModel() {
        return vm;
    }

    /** The table, for the tab's focus (and tests). */
    public TableView<String[]> table() {
        return table;
    }

    /** The selected cells (their rows by their columns' span) as TSV. */
    public String selectionAsTsv(boolean header) {
        List<TablePosition> cells = new ArrayList<>(table.getSelectionModel().getSelectedCells());
        TreeSet<Integer> rowIdx = new TreeSet<>();
        TreeSet<Integer> colIdx = new TreeSet<>();
        for (TablePosition<String[], ?> p : cells) {
            int c = table.getVisibleLeafIndex(p.getTableColumn()) - 1; // the row-number column is not data
            if (c >= 0 && p.getRow() >= 0) {
                rowIdx.add(p.getRow());
                colIdx.add(c);
            }
        }
        if (rowIdx.isEmpty()) {
            return "";
        }
        List<Integer> cs = List.copyOf(colIdx);
        List<String[]> out = new ArrayList<>();
        for (int r : rowIdx) {
            String[] row = vm.rows().get(r);
            String[] picked = new String[cs.size()];
            for (int k = 0; k < cs.size(); k++) {
                picked[k] = row[cs.get(k)];
            }
            out.add(picked);
        }
        List<String> names = header ? cs.stream().map(i -> vm.columns().get(i).name()).toList() : null;
        return TsvFormat.format(names, out);
    }

    /** Puts {@link #selectionAsTsv} on the clipboard. */
    public void copy(boolean header) {
        String tsv = selectionAsTsv(header);
        if (!tsv.isEmpty()) {
            ClipboardContent c = new ClipboardContent();
            c.putString(tsv);
            Clipboard.getSystemClipboard().setContent(c);
        }
    }

    /** Opens the cell viewer on the focused cell; returns its window, or null when no data cell has the focus. */
    public Stage openViewer() {
        TablePosition<String[], ?> p = table.getFocusModel().getFocusedCell();
        if (p == null || p.getRow() < 0 || p.getRow() >= vm.rows().size()) {
            return null;
        }
        int c = table.getVisibleLeafIndex(p.getTableColumn()) - 1;
        if (c < 0) {
            return null;
        }
        if (viewer != null) {
            viewer.close();
        }
        String css = getScene() == null || getScene().getRoot().getStylesheets().isEmpty() ? null
                : getScene().getRoot().getStylesheets().getFirst();
        viewer = CellViewer.show(getScene() == null ? null : getScene().getWindow(), vm.columns().get(c),
                vm.rowNumber(p.getRow()), vm.rows().get(p.getRow())[c], css);
        return viewer;
    }

    private TableColumn<String[], String> rowNumberColumn() {
        TableColumn<String[], String> c = new TableColumn<>("#");
        c.getStyleClass().add("row-number-column");
        c.setSortable(false);
        c.setReorderable(false);
        c.setPrefWidth(64);
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || getIndex() < 0 ? null : String.format(java.util.Locale.ROOT, "%,d",
                        vm.rowNumber(getIndex())));
            }
        });
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(""));
        return c;
    }

    private TableColumn<String[], String> column(QueryColumn qc, int i) {
        TableColumn<String[], String> c = new TableColumn<>();
        Label name = new Label(qc.name());
        name.getStyleClass().add("column-name");
        Label type = new Label(qc.displayType());
        type.getStyleClass().add("column-type");
        VBox head = new VBox(name, type);
        head.getStyleClass().add(qc.numeric() ? "column-head-numeric" : "column-head");
        c.setGraphic(head);
        c.setId("col-" + i);
        c.setUserData(qc);
        c.setSortable(false);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(d.getValue()[i]));
        c.setCellFactory(col -> new ValueCell(qc));
        c.setPrefWidth(Math.max(80, (Math.max(qc.name().length(), qc.displayType().length()) + 2) * CHAR_WIDTH));
        return c;
    }

    /** Widths from the header and the first rows' values, so short values are not padded and long ones cut. */
    private void sizeColumns() {
        List<QueryColumn> cols = vm.columns();
        int sample = Math.min(vm.rows().size(), 200);
        for (int i = 0; i < cols.size(); i++) {
            QueryColumn qc = cols.get(i);
            int chars = Math.max(qc.name().length(), qc.displayType().length());
            for (int r = 0; r < sample; r++) {
                chars = Math.max(chars, CellText.cell(qc, vm.rows().get(r)[i]).length());
            }
            table.getColumns().get(i + 1).setPrefWidth(Math.min(360, Math.max(60, (chars + 2) * CHAR_WIDTH)));
        }
    }

    private void lastShown() {
        flow().ifPresent(f -> {
            var last = f.getLastVisibleCell();
            if (last != null) {
                vm.rowShown(last.getIndex());
            }
        });
    }

    private java.util.OptionalInt firstVisible() {
        return flow().map(f -> f.getFirstVisibleCell() == null ? java.util.OptionalInt.empty()
                : java.util.OptionalInt.of(f.getFirstVisibleCell().getIndex())).orElse(java.util.OptionalInt.empty());
    }

    private java.util.Optional<VirtualFlow<?>> flow() {
        return table.lookup(".virtual-flow") instanceof VirtualFlow<?> f ? java.util.Optional.of(f)
                : java.util.Optional.empty();
    }

    /** A value cell: NULL apart from '', numbers on the right, a long value cut. */
    private static final class ValueCell extends TableCell<String[], String> {
        private final QueryColumn column;

        ValueCell(QueryColumn column) {
            this.column = column;
            getStyleClass().add(column.numeric() ? "numeric-value" : "text-value");
        }

        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            boolean isNull = !empty && item == null;
            getStyleClass().remove("null-value");
            if (isNull) {
                getStyleClass().add("null-value");
            }
            setText(empty ? null : CellText.cell(column, item));
        }
    }
}
