package dev.pgpulse.ui.alerts;

import dev.pgpulse.ui.fx.StatePseudoClass;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.value.ObservableValue;
import javafx.css.PseudoClass;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.function.Function;

/**
 * The rules table above the editor of the selected rule: banners for a bad hand edit of the rules file and for a
 * conflict with one (Reload / Overwrite), the list's actions (add, duplicate, delete with undo, enable/disable,
 * reset to defaults), Save and Revert with the outcome beside them. Binds to {@link RulesViewModel} only.
 */
final class RulesPane extends VBox {
    private static final PseudoClass UNSAVED = PseudoClass.getPseudoClass("unsaved");
    private static final PseudoClass FIRING = PseudoClass.getPseudoClass("firing");
    private final RulesViewModel vm;
    private final TableView<RuleItem> table = new TableView<>();

    RulesPane(RulesViewModel vm) {
        this.vm = vm;
        getStyleClass().add("rules-pane");
        setSpacing(6);
        setPadding(new Insets(6));

        Label problem = banner(vm.fileProblemProperty(), "rules-file-problem", "warning");
        Label conflictText = new Label();
        conflictText.setWrapText(true);
        conflictText.textProperty().bind(vm.conflictProperty());
        HBox.setHgrow(conflictText, Priority.ALWAYS);
        conflictText.setMaxWidth(Double.MAX_VALUE);
        conflictText.setId("rules-conflict-text");
        Button reload = button("Reload", "rules-reload", vm::reload);
        Button overwrite = button("Overwrite", "rules-overwrite", vm::overwrite);
        HBox conflict = new HBox(8, conflictText, reload, overwrite);
        conflict.setAlignment(Pos.CENTER_LEFT);
        conflict.getStyleClass().addAll("rules-banner", "conflict");
        conflict.setId("rules-conflict");
        showWhen(conflict, Bindings.isNotEmpty(vm.conflictProperty()));

        getChildren().addAll(problem, conflict, toolbar());
        table();
        ScrollPane editor = new ScrollPane(new RuleForm(vm.form()));
        editor.setFitToWidth(true);
        editor.getStyleClass().add("rule-editor");
        SplitPane split = new SplitPane(table, editor);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.45);
        VBox.setVgrow(split, Priority.ALWAYS);
        getChildren().addAll(split, saveBar());

        table.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> vm.select(now));
        vm.selectedProperty().addListener((o, was, now) -> {
            if (table.getSelectionModel().getSelectedItem() != now) {
                if (now == null) {
                    table.getSelectionModel().clearSelection();
                } else {
                    table.getSelectionModel().select(now);
                    table.scrollTo(now);
                }
            }
        });
    }

    private HBox toolbar() {
        Button add = button("Add", "rule-add", vm::add);
        Button duplicate = button("Duplicate", "rule-duplicate", vm::duplicate);
        Button delete = button("Delete", "rule-delete", vm::delete);
        Button toggle = button("Disable", "rule-toggle", vm::toggleEnabled);
        toggle.textProperty().bind(vm.toggleTextProperty());
        for (Button b : new Button[]{duplicate, delete, toggle}) {
            b.disableProperty().bind(vm.selectedProperty().isNull());
        }
        Hyperlink undo = new Hyperlink();
        undo.setId("rule-undo");
        undo.textProperty().bind(vm.undoTextProperty());
        undo.setOnAction(e -> vm.undoDelete());
        showWhen(undo, Bindings.isNotEmpty(vm.undoTextProperty()));
        Label summary = new Label();
        summary.setId("rules-summary");
        summary.getStyleClass().add("note");
        summary.textProperty().bind(vm.summaryProperty());
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        Button reset = button("Reset to defaults…", "rules-reset", vm::resetToDefaults);
        reset.disableProperty().bind(vm.savingProperty());
        HBox bar = new HBox(6, add, duplicate, delete, toggle, undo, gap, summary, reset);
        bar.setAlignment(Pos.CENTER_LEFT);
        return bar;
    }

    private void table() {
        table.setId("rules-table");
        table.setItems(vm.rows());
        table.setPlaceholder(new Label("No rules: Add one, or Reset to defaults"));
        TableColumn<RuleItem, String> name = column("Name", RuleItem::nameProperty, 138);
        name.setCellFactory(c -> stateCell(item -> null, "rule-name-cell"));
        table.getColumns().add(name);
        TableColumn<RuleItem, String> metric = column("Metric", RuleItem::metricProperty, 134);
        metric.setCellFactory(c -> stateCell(item -> null, "rule-metric-cell"));
        table.getColumns().add(metric);
        table.getColumns().add(column("Condition", RuleItem::conditionProperty, 86));
        table.getColumns().add(column("For", RuleItem::forProperty, 54));
        TableColumn<RuleItem, String> severity = column("Severity", RuleItem::severityProperty, 64);
        severity.setCellFactory(c -> stateCell(item -> item.severityProperty().get(), "severity-cell"));
        table.getColumns().add(severity);
        table.getColumns().add(column("On", RuleItem::enabledProperty, 32));
        TableColumn<RuleItem, String> state = column("State now", RuleItem::stateProperty, 150);
        state.setCellFactory(c -> stateCell(item -> item.stateKindProperty().get(), "rule-state"));
        table.getColumns().add(state);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setRowFactory(t -> {
            TableRow<RuleItem> row = new TableRow<>();
            javafx.beans.value.ChangeListener<Boolean> unsaved = (o, was, now) -> row.pseudoClassStateChanged(UNSAVED, now);
            javafx.beans.value.ChangeListener<String> kind = (o, was, now) -> row.pseudoClassStateChanged(FIRING,
                    "firing".equals(now));
            row.itemProperty().addListener((o, was, now) -> {
                if (was != null) {
                    was.unsavedProperty().removeListener(unsaved);
                    was.stateKindProperty().removeListener(kind);
                }
                row.pseudoClassStateChanged(UNSAVED, now != null && now.unsavedProperty().get());
                row.pseudoClassStateChanged(FIRING, now != null && "firing".equals(now.stateKindProperty().get()));
                if (now != null) {
                    now.unsavedProperty().addListener(unsaved);
                    now.stateKindProperty().addListener(kind);
                }
            });
            return row;
        });
    }

    private static TableColumn<RuleItem, String> column(String title, Function<RuleItem, ReadOnlyStringProperty> p,
                                                        double width) {
        TableColumn<RuleItem, String> c = new TableColumn<>(title);
        c.setCellValueFactory(f -> p.apply(f.getValue()));
        c.setPrefWidth(width);
        c.setSortable(false);
        return c;
    }

    /**
     * A cell whose pseudo-class is {@code kind} of its row's item (:critical, :firing; null for none), for
     * console.css, with its whole text on hover (names and keys are cut in a narrow table).
     */
    private static TableCell<RuleItem, String> stateCell(Function<RuleItem, String> kind, String styleClass) {
        TableCell<RuleItem, String> cell = new TableCell<>() {
            private PseudoClass shown;
            // one per cell, its text set in place: "FIRING for 22 s" changes every poll
            private final javafx.scene.control.Tooltip tip = new javafx.scene.control.Tooltip();

            @Override
            protected void updateItem(String text, boolean empty) {
                super.updateItem(text, empty);
                setText(empty ? null : text);
                AlertListPane.shownWhole(this, tip, empty ? null : text);
                RuleItem item = empty || getTableRow() == null ? null : getTableRow().getItem();
                String k = item == null ? null : kind.apply(item);
                PseudoClass next = k == null ? null : PseudoClass.getPseudoClass(k);
                if (shown != next) {
                    if (shown != null) {
                        pseudoClassStateChanged(shown, false);
                    }
                    if (next != null) {
                        pseudoClassStateChanged(next, true);
                    }
                    shown = next;
                }
            }
        };
        cell.getStyleClass().add(styleClass);
        return cell;
    }

    private HBox saveBar() {
        Button save = button("Save", "rules-save", vm::save);
        save.setDefaultButton(false);
        save.disableProperty().bind(vm.canSaveProperty().not());
        Button revert = button("Revert", "rules-revert", vm::revert);
        ReadOnlyBooleanProperty dirty = vm.dirtyProperty();
        revert.disableProperty().bind(dirty.not().or(vm.savingProperty()));
        Label status = new Label();
        status.setId("rules-status");
        status.getStyleClass().add("rules-status");
        status.setWrapText(true);
        status.textProperty().bind(vm.statusProperty());
        StatePseudoClass.follow(status, vm.statusKindProperty());
        HBox.setHgrow(status, Priority.ALWAYS);
        Label hint = new Label();
        hint.setId("rules-save-hint");
        hint.getStyleClass().add("rules-save-hint");
        hint.setWrapText(true);
        hint.textProperty().bind(vm.saveHintProperty());
        showWhen(hint, Bindings.isNotEmpty(vm.saveHintProperty()));
        VBox texts = new VBox(2, hint, status);
        HBox.setHgrow(texts, Priority.ALWAYS);
        HBox bar = new HBox(8, save, revert, texts);
        bar.setAlignment(Pos.CENTER_LEFT);
        return bar;
    }

    private static Label banner(ReadOnlyStringProperty text, String id, String kind) {
        Label l = new Label();
        l.setId(id);
        l.setWrapText(true);
        l.setMaxWidth(Double.MAX_VALUE);
        l.textProperty().bind(text);
        l.getStyleClass().addAll("rules-banner", kind);
        showWhen(l, Bindings.isNotEmpty(text));
        return l;
    }

    static void showWhen(Node n, ObservableValue<Boolean> when) {
        n.visibleProperty().bind(when);
        n.managedProperty().bind(n.visibleProperty());
    }

    static Button button(String text, String id, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> action.run());
        return b;
    }
}
