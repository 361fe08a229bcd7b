package dev.pgpulse.ui.alerts;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.util.StringConverter;
import org.controlsfx.validation.ValidationResult;
import org.controlsfx.validation.ValidationSupport;

/**
 * The inline silence form under the Now table (no dialog: the alert it silences stays in sight): the rule, this
 * subject or all of them, how long, a comment, Silence and Cancel. A typed length is checked as it is typed
 * (ControlsFX decoration, the reason beside the field) and Silence stays disabled until it is valid.
 */
final class SilenceForm extends FlowPane {

    SilenceForm(SilenceFormViewModel vm) {
        super(8, 4);
        setId("silence-form");
        getStyleClass().add("silence-form");
        setPadding(new Insets(6, 8, 6, 8));
        setAlignment(Pos.CENTER_LEFT);
        visibleProperty().bind(vm.openProperty());
        managedProperty().bind(visibleProperty());

        Label heading = new Label();
        heading.textProperty().bind(vm.headingProperty());
        heading.getStyleClass().add("row-heading");
        ToggleGroup scope = new ToggleGroup();
        RadioButton subject = new RadioButton();
        subject.setId("silence-scope-subject");
        subject.textProperty().bind(vm.subjectScopeTextProperty());
        RadioButton rule = new RadioButton();
        rule.setId("silence-scope-rule");
        rule.textProperty().bind(vm.ruleScopeTextProperty());
        // metric keys have underscores: not mnemonics
        subject.setMnemonicParsing(false);
        rule.setMnemonicParsing(false);
        subject.setToggleGroup(scope);
        rule.setToggleGroup(scope);
        vm.scopeProperty().addListener((o, a, s) -> (s == SilenceFormViewModel.Scope.RULE ? rule : subject)
                .setSelected(true));
        subject.setSelected(true);
        scope.selectedToggleProperty().addListener((o, a, t) -> vm.setScope(t == rule
                ? SilenceFormViewModel.Scope.RULE : SilenceFormViewModel.Scope.SUBJECT));

        ChoiceBox<SilenceFormViewModel.Length> length = new ChoiceBox<>();
        length.setId("silence-length");
        length.getItems().setAll(SilenceFormViewModel.Length.values());
        length.setConverter(new StringConverter<>() {
            @Override
            public String toString(SilenceFormViewModel.Length l) {
                return l == null ? "" : l.label();
            }

            @Override
            public SilenceFormViewModel.Length fromString(String s) {
                throw new UnsupportedOperationException();
            }
        });
        length.setValue(vm.lengthProperty().get());
        vm.lengthProperty().addListener((o, a, l) -> length.setValue(l));
        length.valueProperty().addListener((o, a, l) -> vm.setLength(l));

        TextField custom = new TextField();
        custom.setId("silence-custom");
        custom.setPromptText("e.g. 30min, 2h, 3d");
        custom.setPrefColumnCount(8);
        custom.disableProperty().bind(vm.lengthProperty().isNotEqualTo(SilenceFormViewModel.Length.CUSTOM));
        custom.textProperty().addListener((o, a, t) -> vm.setCustom(t));
        ValidationSupport validation = new ValidationSupport();
        validation.registerValidator(custom, false, (Control c, String text) -> ValidationResult.fromErrorIf(c,
                vm.problemProperty().get(), !vm.problemProperty().get().isEmpty()));
        // the VM decides; revalidate whenever its verdict changes (a length chosen, a text typed)
        vm.problemProperty().addListener((o, a, p) -> validation.revalidate());
        Label problem = new Label();
        problem.setId("silence-problem");
        problem.getStyleClass().add("field-problem");
        problem.textProperty().bind(vm.problemProperty());
        problem.visibleProperty().bind(vm.problemProperty().isNotEmpty());
        problem.managedProperty().bind(problem.visibleProperty());

        TextField comment = new TextField();
        comment.setId("silence-comment");
        comment.setPromptText("comment: why (optional)");
        comment.setPrefColumnCount(18);
        comment.textProperty().addListener((o, a, t) -> vm.setComment(t));
        vm.openProperty().addListener((o, a, on) -> {
            if (on) {
                custom.clear();
                comment.clear();
            }
        });

        Button ok = new Button("Silence");
        ok.setId("silence-submit");
        ok.disableProperty().bind(vm.canSubmitProperty().not());
        ok.setOnAction(e -> vm.submit());
        Button cancel = new Button("Cancel");
        cancel.setId("silence-cancel");
        cancel.setOnAction(e -> vm.cancel());
        Label failure = new Label();
        failure.setId("silence-failure");
        failure.getStyleClass().add("field-problem");
        failure.textProperty().bind(vm.failureProperty());

        getChildren().addAll(heading, new HBox(8, subject, rule), new Label("for"), length, custom, problem, comment,
                ok, cancel, failure);
    }
}
