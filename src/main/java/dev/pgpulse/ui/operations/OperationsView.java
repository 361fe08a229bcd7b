package dev.pgpulse.ui.operations;

import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.css.PseudoClass;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.function.Function;

/** The Operations tab's content: Migrations, Backups and Checks, each a tab of its own; binds and forwards only. */
public final class OperationsView extends BorderPane {
    private static final PseudoClass FAILED = PseudoClass.getPseudoClass("failed");
    private static final PseudoClass PENDING = PseudoClass.getPseudoClass("pending");
    private final TabPane sections = new TabPane();

    public OperationsView(MigrationsViewModel migrations, BackupsViewModel backups, ChecksViewModel checks) {
        getStyleClass().add("operations");
        sections.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        sections.setId("ops-sections");
        sections.getTabs().addAll(tab("ops-migrations", "Migrations", migrations(migrations)),
                tab("ops-backups", "Backups", backups(backups)),
                tab("ops-checks", "Checks", ChecksPane.build(checks)));
        setCenter(sections);
    }

    public TabPane sections() {
        return sections;
    }

    private static Tab tab(String id, String title, javafx.scene.Node content) {
        Tab t = new Tab(title, content);
        t.setId(id);
        return t;
    }

    private static VBox migrations(MigrationsViewModel vm) {
        Label summary = label("ops-migrations-summary", vm.summaryProperty(), "operations-summary");
        Button migrate = button("ops-migrate", "Migrate", vm::migrate);
        Button validate = button("ops-validate", "Validate", vm::validate);
        Button repair = button("ops-repair", "Repair", vm::repair);
        var idle = vm.busyProperty().not().and(vm.configuredProperty());
        migrate.disableProperty().bind(idle.not());
        validate.disableProperty().bind(idle.not());
        repair.disableProperty().bind(idle.not());
        migrate.setTooltip(new Tooltip("Apply every pending migration (Flyway migrate)"));
        validate.setTooltip(new Tooltip("Check applied migrations against the files: checksums, missing, failed, pending"));
        repair.setTooltip(new Tooltip("Remove failed entries and realign checksums (Flyway repair)"));
        ProgressIndicator spinner = spinner(vm.busyProperty());
        Label running = label("ops-migrations-running", vm.runningProperty(), "operations-running");
        HBox bar = bar(summary, spacer(), running, spinner, migrate, validate, repair);

        Label hint = label("ops-migrations-hint", vm.hintProperty(), "operations-hint");
        hint.setWrapText(true);
        hint.visibleProperty().bind(vm.configuredProperty().not());
        hint.managedProperty().bind(hint.visibleProperty());

        TableView<MigrationRow> table = new TableView<>(vm.rowsProperty());
        table.setId("ops-migrations-table");
        table.getColumns().add(column("Version", 80, MigrationRow::version));
        table.getColumns().add(column("Description", 320, MigrationRow::description));
        table.getColumns().add(column("Type", 80, MigrationRow::type));
        table.getColumns().add(column("Installed on", 170, MigrationRow::installedOn));
        table.getColumns().add(column("State", 110, MigrationRow::state));
        table.getColumns().add(column("Checksum", 120, MigrationRow::checksum));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("No migrations to show"));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(MigrationRow item, boolean empty) {
                super.updateItem(item, empty);
                pseudoClassStateChanged(PENDING, !empty && item != null && item.pending());
                pseudoClassStateChanged(FAILED, !empty && item != null && item.failed());
            }
        });
        VBox.setVgrow(table, Priority.ALWAYS);
        Label outcome = outcome("ops-migrations-outcome", vm.outcomeProperty(), vm.failedOutcomeProperty());
        VBox box = new VBox(8, bar, hint, table, outcome);
        box.setPadding(new Insets(10));
        return box;
    }

    private static VBox backups(BackupsViewModel vm) {
        Label folder = label("ops-backups-folder", vm.folderProperty(), "operations-summary");
        Button now = button("ops-backup", "Back up now", vm::backUpNow);
        now.disableProperty().bind(vm.busyProperty());
        Button cancel = button("ops-backup-cancel", "Cancel", vm::cancel);
        cancel.disableProperty().bind(vm.cancellableProperty().not());
        cancel.setTooltip(new Tooltip("Stop the running backup or restore (a restore is rolled back)"));
        Button refresh = button("ops-backups-refresh", "Refresh", vm::refresh);
        ProgressIndicator spinner = spinner(vm.busyProperty());
        Label progress = label("ops-backup-progress", vm.progressProperty(), "operations-running");
        HBox bar = bar(folder, spacer(), progress, spinner, now, cancel, refresh);

        TableView<BackupRow> table = new TableView<>(vm.rowsProperty());
        table.setId("ops-backups-table");
        table.getColumns().add(column("Time", 160, BackupRow::time));
        table.getColumns().add(column("Database", 120, BackupRow::database));
        table.getColumns().add(column("Size", 90, BackupRow::size));
        table.getColumns().add(column("Server version", 140, BackupRow::serverVersion));
        table.getColumns().add(column("Verified", 300, BackupRow::verified));
        table.getColumns().add(column("File", 260, BackupRow::name));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("No backups in this folder yet: press Back up now"));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(BackupRow item, boolean empty) {
                super.updateItem(item, empty);
                pseudoClassStateChanged(FAILED, !empty && item != null && item.problem());
            }
        });
        table.getSelectionModel().selectedItemProperty().addListener((o, was, now2) -> vm.select(now2));
        vm.selectedProperty().addListener((o, was, row) -> {
            if (row != table.getSelectionModel().getSelectedItem()) {
                if (row == null) {
                    table.getSelectionModel().clearSelection();
                } else {
                    table.getSelectionModel().select(row);
                }
            }
        });

        Button verify = button("ops-verify", "Verify", vm::verify);
        Button delete = button("ops-delete", "Delete…", vm::delete);
        var none = vm.selectedProperty().isNull().or(vm.busyProperty());
        verify.disableProperty().bind(none.or(Bindings.createBooleanBinding(
                () -> vm.selectedProperty().get() != null && vm.selectedProperty().get().problem(), vm.selectedProperty())));
        delete.disableProperty().bind(none);
        TextField target = new TextField();
        target.setId("ops-restore-target");
        target.setPromptText("new database name");
        target.textProperty().bindBidirectional(vm.restoreTargetProperty());
        target.disableProperty().bind(vm.overSourceProperty());
        CheckBox over = new CheckBox("over the source");
        over.setId("ops-over-source");
        over.selectedProperty().bindBidirectional(vm.overSourceProperty());
        Button restore = button("ops-restore", "Restore", vm::restore);
        restore.disableProperty().bind(vm.canRestoreProperty().not().or(vm.busyProperty()));
        Label restoreProblem = label("ops-restore-problem", vm.restoreProblemProperty(), "operations-hint");
        HBox selection = bar(new Label("Selected backup:"), verify, delete, new Label("Restore into"), target, over,
                restore, restoreProblem);

        ListView<String> log = new ListView<>(vm.logProperty());
        log.setId("ops-backup-log");
        log.getStyleClass().add("operations-log");
        log.setPlaceholder(new Label("pg_dump's progress shows here during a backup"));
        log.getItems().addListener((javafx.collections.ListChangeListener<String>) c -> {
            if (!log.getItems().isEmpty()) {
                log.scrollTo(log.getItems().size() - 1);
            }
        });
        SplitPane split = new SplitPane(table, log);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.6);
        VBox.setVgrow(split, Priority.ALWAYS);
        Label outcome = outcome("ops-backups-outcome", vm.outcomeProperty(), vm.failedOutcomeProperty());
        VBox box = new VBox(8, bar, selection, split, outcome);
        box.setPadding(new Insets(10));
        return box;
    }

    static <R> TableColumn<R, String> column(String title, double width, Function<R, String> value) {
        TableColumn<R, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(f -> new ReadOnlyStringWrapper(value.apply(f.getValue())).getReadOnlyProperty());
        return c;
    }

    static Label label(String id, ReadOnlyStringProperty text, String style) {
        Label l = new Label();
        l.setId(id);
        l.textProperty().bind(text);
        l.getStyleClass().add(style);
        return l;
    }

    static Label outcome(String id, ReadOnlyStringProperty text, ReadOnlyBooleanProperty failed) {
        Label l = label(id, text, "operations-outcome");
        l.setWrapText(true);
        failed.addListener((o, was, now) -> l.pseudoClassStateChanged(FAILED, now));
        l.pseudoClassStateChanged(FAILED, failed.get());
        return l;
    }

    static Button button(String id, String text, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> action.run());
        return b;
    }

    private static ProgressIndicator spinner(ReadOnlyBooleanProperty busy) {
        ProgressIndicator p = new ProgressIndicator();
        p.setPrefSize(18, 18);
        p.setMaxSize(18, 18);
        p.visibleProperty().bind(busy);
        p.managedProperty().bind(busy);
        return p;
    }

    static HBox bar(javafx.scene.Node... nodes) {
        HBox b = new HBox(8, nodes);
        b.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return b;
    }

    private static Region spacer() {
        Region r = new Region();
        HBox.setHgrow(r, Priority.ALWAYS);
        return r;
    }
}
