package dev.pgpulse.ui.profiles;

import dev.pgpulse.ui.shell.ProfileActions;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.controlsfx.validation.ValidationResult;
import org.controlsfx.validation.ValidationSupport;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The profiles dialog: the profiles on the left (the default and the active one marked), the selected one's form
 * on the right (name, primary URL, replica URLs, environment, pool overrides, alert webhook), checked as you type
 * with ControlsFX's {@link ValidationSupport} and the reason under the field; Test connection (the server version,
 * or the exact reason, and a password field when the server asks for one), Save, Switch. The window closes by
 * itself once the console runs on the chosen profile. Every state is {@link ProfilesViewModel}'s.
 */
public final class ProfilesWindow {
    private final ProfilesViewModel vm;
    private final Stage stage = new Stage();
    private final ValidationSupport validation = new ValidationSupport();
    private final PasswordField password = new PasswordField();
    private int row;

    public ProfilesWindow(ProfileActions actions, Window owner, String stylesheet) {
        this.vm = new ProfilesViewModel(actions);
        stage.initOwner(owner);
        stage.setTitle("PgPulse — connection profiles");
        BorderPane root = new BorderPane();
        root.setId("profiles-dialog");
        root.getStyleClass().addAll("console", "profiles-dialog");
        root.getStylesheets().add(stylesheet);
        root.setLeft(list());
        root.setCenter(form());
        root.setBottom(bottom());
        stage.setScene(new Scene(root, 900, 600));
        vm.switchedProperty().addListener((o, was, now) -> {
            if (now != null) {
                stage.close();
            }
        });
        // a password typed is dropped once used or when another profile is picked
        vm.selectedProperty().addListener((o, was, now) -> password.clear());
    }

    public ProfilesViewModel viewModel() {
        return vm;
    }

    public Stage stage() {
        return stage;
    }

    /** Shows the dialog and reads the profile file. FX thread. */
    public void show() {
        stage.show();
        stage.toFront();
        vm.reload();
    }

    private Node list() {
        ListView<ProfilesViewModel.Item> list = new ListView<>(vm.items());
        list.setId("profiles-list");
        list.setPrefWidth(260);
        VBox.setVgrow(list, Priority.ALWAYS);
        vm.selectedProperty().addListener((o, was, now) -> {
            if (list.getSelectionModel().getSelectedItem() != now) {
                list.getSelectionModel().select(now);
            }
        });
        list.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (now != null && now != vm.selectedProperty().get()) {
                vm.select(now);
            }
        });
        Button add = button("profile-new", "New", vm::newProfile);
        Button dup = button("profile-duplicate", "Duplicate", vm::duplicate);
        dup.disableProperty().bind(vm.editableProperty().not());
        Button delete = button("profile-delete", "Delete", vm::delete);
        delete.disableProperty().bind(vm.canDeleteProperty().not().or(vm.busyProperty()));
        Button makeDefault = button("profile-default", "Make default", vm::makeDefault);
        makeDefault.disableProperty().bind(vm.canDeleteProperty().not().and(vm.editableProperty().not())
                .or(vm.dirtyProperty()).or(vm.busyProperty()));
        HBox buttons = new HBox(6, add, dup, delete);
        VBox box = new VBox(8, list, buttons, makeDefault);
        box.setPadding(new Insets(10));
        return box;
    }

    private Node form() {
        GridPane grid = new GridPane();
        grid.setId("profile-form");
        grid.setHgap(8);
        grid.setVgap(3);
        grid.setPadding(new Insets(10));
        ColumnConstraints labels = new ColumnConstraints();
        labels.setMinWidth(110);
        ColumnConstraints fields = new ColumnConstraints();
        fields.setHgrow(Priority.ALWAYS);
        fields.setFillWidth(true);
        grid.getColumnConstraints().addAll(labels, fields);

        TextField name = text(new TextField(), "profile-name", vm.nameProperty(), vm::setName);
        name.setPromptText("a short name: prod, staging-eu, local");
        field(grid, "Name", name, ProfilesViewModel.Field.NAME);
        TextField primary = text(new TextField(), "profile-primary", vm.primaryProperty(), vm::setPrimary);
        primary.setPromptText("postgresql://user@host:5432/db — empty: the embedded PostgreSQL");
        field(grid, "Primary URL", primary, ProfilesViewModel.Field.PRIMARY);
        TextArea replicas = text(new TextArea(), "profile-replicas", vm.replicasProperty(), vm::setReplicas);
        replicas.setPromptText("one replica URL per line, e.g. postgresql://user@replica1:5432/db");
        replicas.setPrefRowCount(3);
        field(grid, "Replica URLs", replicas, ProfilesViewModel.Field.REPLICAS);
        ChoiceBox<String> env = new ChoiceBox<>(vm.environments());
        env.setId("profile-environment");
        env.setValue(vm.environmentProperty().get());
        vm.environmentProperty().addListener((o, was, now) -> env.setValue(now));
        env.valueProperty().addListener((o, was, now) -> vm.setEnvironment(now));
        Label envNote = note("production: read-only queries, drills asked first");
        field(grid, "Environment", row(env, envNote), ProfilesViewModel.Field.ENVIRONMENT);
        HBox poolRow = new HBox(6);
        poolRow.setAlignment(Pos.CENTER_LEFT);
        for (String f : ProfilesViewModel.POOL_SHOWN) {
            TextField t = text(new TextField(), "profile-pool-" + f.replace('_', '-'), vm.poolProperty(f),
                    v -> vm.setPool(f, v));
            t.setPromptText(f.replace('_', ' '));
            t.setPrefColumnCount(7);
            poolRow.getChildren().add(t);
        }
        field(grid, "Pool", poolRow, ProfilesViewModel.Field.POOL);
        Label poolNote = note("max size · min idle · connection timeout · statement timeout, e.g. 8, 2, 5s, 30s; "
                + "empty: the environment's preset");
        poolNote.setWrapText(true);
        grid.add(poolNote, 1, row++);
        TextField webhook = text(new TextField(), "profile-webhook", vm.webhookProperty(), vm::setWebhook);
        webhook.setPromptText("https://hooks.example.com/... (alerts are posted here)");
        field(grid, "Alert webhook", webhook, ProfilesViewModel.Field.WEBHOOK);
        // the inputs only: a label disabled and enabled again kept its dimmed look in a snapshot
        for (Control c : List.of(name, primary, replicas, env, webhook)) {
            c.disableProperty().bind(vm.editableProperty().not().or(vm.busyProperty()));
        }
        poolRow.disableProperty().bind(vm.editableProperty().not().or(vm.busyProperty()));

        Label file = note("");
        file.setId("profile-file");
        file.textProperty().bind(vm.fileProperty());
        file.setWrapText(true);
        VBox box = new VBox(8, grid, file);
        box.setPadding(new Insets(0, 10, 0, 0));
        return box;
    }

    private Node bottom() {
        Button test = button("profile-test", "Test connection", () -> vm.test(password.getText()));
        test.disableProperty().bind(vm.busyProperty().or(vm.validProperty().not().and(vm.editableProperty())));
        Button save = button("profile-save", "Save", vm::save);
        save.disableProperty().bind(vm.canSaveProperty().not().or(vm.busyProperty()));
        Button go = button("profile-switch", "Switch to it", () -> vm.switchTo(password.getText()));
        go.disableProperty().bind(vm.canSwitchProperty().not().or(vm.busyProperty()));
        go.setDefaultButton(false);
        Label switchNote = note("");
        switchNote.setId("profile-switch-note");
        switchNote.textProperty().bind(vm.switchNoteProperty());
        Button close = button("profile-close", "Close", stage::close);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox buttons = new HBox(8, test, save, go, switchNote, spacer, close);
        buttons.setAlignment(Pos.CENTER_LEFT);

        Label result = new Label();
        result.setId("profile-test-result");
        result.setWrapText(true);
        result.textProperty().bind(vm.testResultProperty());
        vm.testPassedProperty().addListener((o, was, now) -> {
            result.getStyleClass().removeAll("test-ok", "test-failed");
            if (now != null) {
                result.getStyleClass().add(now ? "test-ok" : "test-failed");
            }
        });
        Label prompt = new Label();
        prompt.setId("profile-password-prompt");
        prompt.textProperty().bind(vm.passwordPromptProperty());
        prompt.setWrapText(true);
        HBox.setHgrow(prompt, Priority.ALWAYS);
        password.setId("profile-password");
        password.setPrefColumnCount(18);
        password.setMinWidth(Region.USE_PREF_SIZE);
        HBox passwordRow = new HBox(8, prompt, password);
        passwordRow.setId("profile-password-row");
        passwordRow.setAlignment(Pos.CENTER_LEFT);
        showWhen(passwordRow, vm.passwordWantedProperty());
        Label status = new Label();
        status.setId("profile-status");
        status.setWrapText(true);
        status.textProperty().bind(vm.statusProperty());
        VBox box = new VBox(6, result, passwordRow, buttons, status);
        box.setPadding(new Insets(10));
        box.getStyleClass().add("profiles-actions");
        return box;
    }

    private void field(GridPane grid, String label, Node content, ProfilesViewModel.Field f) {
        Label l = new Label(label);
        l.getStyleClass().add("field-label");
        grid.add(l, 0, row);
        grid.add(content, 1, row);
        row++;
        ReadOnlyStringProperty problem = vm.problemProperty(f);
        Label why = new Label();
        why.setId("profile-" + f.name().toLowerCase(java.util.Locale.ROOT) + "-problem");
        why.getStyleClass().add("field-problem");
        why.setWrapText(true);
        why.textProperty().bind(problem);
        showWhen(why, Bindings.isNotEmpty(problem));
        grid.add(why, 1, row++);
        Control decorated = content instanceof Control c ? c
                : content instanceof HBox h && !h.getChildren().isEmpty() && h.getChildren().getFirst() instanceof Control c
                ? c : null;
        if (decorated != null) {
            validation.registerValidator(decorated, false, (Control c, Object v) ->
                    ValidationResult.fromErrorIf(c, vm.problem(f), !vm.problem(f).isEmpty()));
            problem.addListener((o, was, now) -> Platform.runLater(validation::revalidate));
        }
    }

    private static <T extends TextInputControl> T text(T f, String id, ReadOnlyStringProperty shown, Consumer<String> set) {
        f.setId(id);
        HBox.setHgrow(f, Priority.ALWAYS);
        f.setText(shown.get());
        shown.addListener((o, was, now) -> {
            if (!Objects.equals(f.getText(), now)) {
                f.setText(now);
            }
        });
        f.textProperty().addListener((o, was, now) -> set.accept(now));
        return f;
    }

    private static Button button(String id, String text, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> action.run());
        b.setMinWidth(Region.USE_PREF_SIZE);
        return b;
    }

    private static Label note(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("note");
        return l;
    }

    private static HBox row(Node... nodes) {
        HBox h = new HBox(6, nodes);
        h.setAlignment(Pos.CENTER_LEFT);
        return h;
    }

    private static void showWhen(Node n, ObservableValue<Boolean> when) {
        n.visibleProperty().bind(Bindings.createBooleanBinding(() -> Boolean.TRUE.equals(when.getValue()), when));
        n.managedProperty().bind(n.visibleProperty());
    }
}
