package dev.pgpulse.ui.query;

import dev.pgpulse.query.QueryColumn;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * A window with one cell's whole value: read-only, selectable, JSON pretty-printed, line breaks as they are. Not
 * modal, so a DBA can keep several open beside the grid. Escape closes it.
 */
final class CellViewer {
    static final String STYLE_CLASS = "cell-viewer";

    private CellViewer() {
    }

    static Stage show(Window owner, QueryColumn column, long rowNumber, String value, String stylesheet) {
        Label what = new Label("row " + String.format(java.util.Locale.ROOT, "%,d", rowNumber) + " · "
                + CellText.describe(column, value));
        what.getStyleClass().add("cell-viewer-title");
        TextArea text = new TextArea(value == null ? "NULL" : CellText.full(column, value));
        text.setEditable(false);
        text.setWrapText(!column.json());
        text.getStyleClass().add("cell-viewer-text");
        if (value == null) {
            text.getStyleClass().add("null-value");
        }
        Button copy = new Button("Copy");
        copy.setOnAction(e -> {
            ClipboardContent c = new ClipboardContent();
            c.putString(value == null ? "" : text.getText());
            Clipboard.getSystemClipboard().setContent(c);
        });
        Button close = new Button("Close");
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox bar = new HBox(8, what, gap, copy, close);
        bar.getStyleClass().add("cell-viewer-bar");
        BorderPane root = new BorderPane(text);
        root.setTop(bar);
        root.getStyleClass().addAll("console", STYLE_CLASS);
        if (stylesheet != null) {
            root.getStylesheets().add(stylesheet);
        }
        Stage stage = new Stage();
        if (owner != null) {
            stage.initOwner(owner);
        }
        stage.setTitle(column.name() + " — row " + rowNumber);
        stage.setScene(new Scene(root, 640, 420));
        close.setOnAction(e -> stage.close());
        root.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                stage.close();
            }
        });
        stage.show();
        text.requestFocus();
        return stage;
    }
}
