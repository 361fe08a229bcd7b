package dev.pgpulse.ui.alerts;

import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import org.controlsfx.validation.ValidationResult;
import org.controlsfx.validation.ValidationSupport;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The editor of the selected rule: a plain form with ControlsFX's {@link ValidationSupport} decorating each field
 * its view model finds wrong, and the reason in words under the field (a decoration's tooltip alone is missed).
 * Every check is the view model's ({@link RuleFormViewModel}, which calls the rule's own); this only shows them.
 */
final class RuleForm extends GridPane {
    private final RuleFormViewModel vm;
    private final ValidationSupport validation = new ValidationSupport();
    private int row;

    RuleForm(RuleFormViewModel vm) {
        this.vm = vm;
        setId("rule-form");
        getStyleClass().add("rule-form");
        setHgap(8);
        setVgap(2);
        setPadding(new Insets(6));
        ColumnConstraints labels = new ColumnConstraints();
        labels.setMinWidth(70);
        ColumnConstraints fields = new ColumnConstraints();
        fields.setHgrow(Priority.ALWAYS);
        fields.setFillWidth(true);
        getColumnConstraints().addAll(labels, fields);

        TextField name = text("rule-name", vm.nameProperty(), vm::setName);
        name.setPromptText("what the DBA reads, e.g. Replica more than 30 s behind");
        field("Name", name, vm.nameProblemProperty(), RuleFormViewModel.Field.NAME, null);

        TextField id = text("rule-id", vm.idProperty(), vm::setId);
        id.disableProperty().bind(vm.idEditableProperty().not());
        Label idNote = note("rule-id-note");
        idNote.textProperty().bind(Bindings.when(vm.idEditableProperty())
                .then("follows the name until you type one; fixed once saved")
                .otherwise("fixed: the rules file and silences refer to it"));
        field("Id", row(id, idNote), vm.idProblemProperty(), RuleFormViewModel.Field.ID, id);

        ComboBox<String> metric = combo("rule-metric", vm.templates(), vm.templateProperty(), vm::setTemplate);
        metric.setVisibleRowCount(14);
        ComboBox<String> endpoint = combo("rule-endpoint", vm.endpoints(), vm.endpointProperty(), vm::setEndpoint);
        RulesPane.showWhen(endpoint, vm.endpointAppliesProperty());
        ComboBox<String> operation = combo("rule-operation", vm.operations(), vm.operationProperty(), vm::setOperation);
        operation.setEditable(true);
        link(operation.getEditor(), vm.operationProperty(), vm::setOperation);
        RulesPane.showWhen(operation, vm.operationAppliesProperty());
        Label key = note("rule-metric-key");
        key.textProperty().bind(vm.metricKeyProperty());
        HBox metricRow = row(metric, endpoint, operation, key);
        field("Metric", metricRow, vm.metricProblemProperty(), RuleFormViewModel.Field.METRIC, operation);
        validation.registerValidator(metric, false, (Control c, String v) -> result(c, RuleFormViewModel.Field.METRIC));

        ComboBox<String> operator = combo("rule-operator", vm.operators(), vm.operatorProperty(), vm::setOperator);
        TextField threshold = text("rule-threshold", vm.thresholdProperty(), vm::setThreshold);
        threshold.setPrefColumnCount(8);
        Label unit = note("rule-unit");
        unit.textProperty().bind(vm.unitProperty());
        field("Condition", row(operator, threshold, unit), vm.thresholdProblemProperty(),
                RuleFormViewModel.Field.THRESHOLD, threshold);

        TextField forField = text("rule-for", vm.forProperty(), vm::setFor);
        forField.setPrefColumnCount(6);
        Label forNote = note("rule-for-note");
        forNote.setText("how long the condition must hold before it fires: 0s fires at once, 30s, 5m");
        field("For", row(forField, forNote), vm.forProblemProperty(), RuleFormViewModel.Field.FOR, forField);

        ComboBox<String> severity = combo("rule-severity", vm.severities(), vm.severityProperty(), vm::setSeverity);
        CheckBox enabled = new CheckBox("Enabled");
        enabled.setId("rule-enabled");
        enabled.setSelected(vm.enabledProperty().get());
        vm.enabledProperty().addListener((o, was, now) -> enabled.setSelected(now));
        enabled.selectedProperty().addListener((o, was, now) -> vm.setEnabled(now));
        field("Severity", row(severity, enabled), null, null, null);

        disableProperty().bind(vm.editingProperty().not());
        // the decorations follow the view model's reasons, whichever field changed them (a new metric changes
        // what the threshold means)
        for (ReadOnlyStringProperty p : List.of(vm.idProblemProperty(), vm.nameProblemProperty(),
                vm.metricProblemProperty(), vm.thresholdProblemProperty(), vm.forProblemProperty())) {
            p.addListener((o, was, now) -> Platform.runLater(validation::revalidate));
        }
    }

    private ValidationResult result(Control c, RuleFormViewModel.Field f) {
        String why = vm.problem(f);
        return ValidationResult.fromErrorIf(c, why, !why.isEmpty());
    }

    /** A labelled field and, under it, its reason when it has one; {@code decorated} gets the ControlsFX mark. */
    private void field(String label, Node content, ReadOnlyStringProperty problem, RuleFormViewModel.Field f,
                       Control decorated) {
        Label l = new Label(label);
        l.getStyleClass().add("field-label");
        add(l, 0, row);
        add(content, 1, row);
        row++;
        if (problem != null) {
            Label why = new Label();
            why.setId((decorated != null ? decorated.getId() : "rule-" + label.toLowerCase(java.util.Locale.ROOT))
                    + "-problem");
            why.getStyleClass().add("field-problem");
            why.setWrapText(true);
            why.textProperty().bind(problem);
            RulesPane.showWhen(why, Bindings.isNotEmpty(problem));
            add(why, 1, row);
            row++;
            if (decorated != null) {
                validation.registerValidator(decorated, false, (Control c, Object v) -> result(c, f));
            }
        }
    }

    private static HBox row(Node... nodes) {
        HBox h = new HBox(6, nodes);
        h.setAlignment(Pos.CENTER_LEFT);
        return h;
    }

    private static Label note(String id) {
        Label l = new Label();
        l.setId(id);
        l.getStyleClass().add("note");
        return l;
    }

    private static TextField text(String id, ReadOnlyStringProperty shown, Consumer<String> set) {
        TextField f = new TextField();
        f.setId(id);
        HBox.setHgrow(f, Priority.ALWAYS);
        link(f, shown, set);
        return f;
    }

    /** The field shows the view model's value; what is typed goes to the view model, which decides. */
    private static void link(TextField f, ReadOnlyStringProperty shown, Consumer<String> set) {
        f.setText(shown.get());
        shown.addListener((o, was, now) -> {
            if (!Objects.equals(f.getText(), now)) {
                f.setText(now);
            }
        });
        f.textProperty().addListener((o, was, now) -> set.accept(now));
    }

    private static ComboBox<String> combo(String id, javafx.collections.ObservableList<String> items,
                                          ReadOnlyStringProperty shown, Consumer<String> set) {
        ComboBox<String> c = new ComboBox<>(items);
        c.setId(id);
        c.setValue(shown.get());
        shown.addListener((o, was, now) -> {
            if (!Objects.equals(c.getValue(), now)) {
                c.setValue(now);
            }
        });
        c.valueProperty().addListener((o, was, now) -> {
            if (now != null) {
                set.accept(now);
            }
        });
        return c;
    }
}
