package dev.pgpulse.ui.operations;

import dev.pgpulse.orchestration.MigrationRunner;
import dev.pgpulse.ui.shell.Dialogs;
import dev.pgpulse.ui.shell.OperationsActions;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyListProperty;
import javafx.beans.property.ReadOnlyListWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The Migrations part of the Operations tab: Flyway's info as rows, and migrate, validate and repair (migrate and
 * repair confirmed first on production), one at a time, with the outcome in one line.
 */
public final class MigrationsViewModel {
    static final DateTimeFormatter INSTALLED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final OperationsActions actions;
    private final Dialogs dialogs;
    private final ReadOnlyListWrapper<MigrationRow> rows = new ReadOnlyListWrapper<>(FXCollections.observableArrayList());
    private final ReadOnlyStringWrapper hint = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper outcome = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper failedOutcome = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper configured = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper running = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper reading = new ReadOnlyBooleanWrapper();
    /** A refresh asked for while a read or an action ran: done once that ends. */
    private boolean again;

    public MigrationsViewModel(OperationsActions actions, Dialogs dialogs) {
        this.actions = actions;
        this.dialogs = dialogs;
        actions.migrationsUnset().ifPresentOrElse(h -> {
            hint.set(h);
            summary.set("No migrations configured");
        }, () -> configured.set(true));
    }

    /**
     * Reads Flyway's info again (when the tab is shown, and after every action). One read at a time, none while an
     * action runs: showing the tab again meanwhile starts no second connection, it reads once more when the first
     * read (bounded, see {@link MigrationRunner#DEFAULT_READ_TIMEOUT}) or the action ends.
     */
    public void refresh() {
        if (!configured.get()) {
            return;
        }
        if (reading.get() || busy.get()) {
            again = true;
            return;
        }
        again = false;
        reading.set(true);
        actions.migrationInfo(info -> {
            read();
            show(info);
        }, why -> {
            read();
            summary.set("Could not read the migrations: " + why);
        });
    }

    private void read() {
        reading.set(false);
        if (again && !busy.get()) {
            refresh();
        }
    }

    public void migrate() {
        if (!start("Migrate", "Apply the pending migrations to the production database?",
                "Flyway applies every pending migration to " + actions.database() + ", each in its own transaction.",
                "Migrate")) {
            return;
        }
        actions.migrate(m -> done(m.executed() == 0 ? "Nothing to migrate: at version " + m.toVersion()
                        : "Migrated from version " + m.fromVersion() + " to " + m.toVersion() + ": "
                        + String.join(", ", m.applied()), false),
                why -> done("Migrate failed: " + why, true));
    }

    public void validate() {
        if (!start("Validate", null, null, null)) {
            return;
        }
        actions.validate(v -> done(validation(v), !v.valid()), why -> done("Validate failed: " + why, true));
    }

    public void repair() {
        if (!start("Repair", "Repair the schema history of the production database?",
                "Flyway removes failed entries from the schema history and realigns the checksums of applied "
                        + "migrations with the files as they are now.", "Repair")) {
            return;
        }
        actions.repair(done -> done(done.isEmpty() ? "Repair: nothing to repair"
                : "Repaired: " + String.join("; ", done), false), why -> done("Repair failed: " + why, true));
    }

    static String validation(MigrationRunner.Validation v) {
        if (v.valid()) {
            return "Valid: applied migrations unchanged, nothing pending";
        }
        StringBuilder b = new StringBuilder("Not valid: ");
        if (!v.pending().isEmpty()) {
            b.append(v.pending().size()).append(" pending (").append(String.join(", ", v.pending()))
                    .append("): press Migrate");
            if (!v.problems().isEmpty()) {
                b.append("; ");
            }
        }
        return b.append(String.join("; ", v.problems())).toString();
    }

    /** Confirms on production when asked to; marks the run. */
    private boolean start(String what, String header, String text, String confirm) {
        if (busy.get() || !configured.get()) {
            return false;
        }
        if (header != null && actions.production() && !dialogs.confirm(new Dialogs.Confirmation(header, text, confirm))) {
            return false;
        }
        busy.set(true);
        running.set(what + " running on " + actions.database() + "…");
        outcome.set("");
        return true;
    }

    private void done(String line, boolean failed) {
        busy.set(false);
        running.set("");
        outcome.set(line);
        failedOutcome.set(failed);
        again = true; // the action changed what info shows: read after it, now or once a read in flight ends
        if (!reading.get()) {
            refresh();
        }
    }

    private void show(MigrationRunner.Info info) {
        rows.setAll(info.migrations().stream().map(MigrationsViewModel::row).toList());
        summary.set("At version " + info.currentVersion() + ": " + info.applied() + " applied, " + info.pending()
                + " pending" + (info.failed() == 0 ? "" : ", " + info.failed() + " failed"));
    }

    static MigrationRow row(MigrationRunner.Migration m) {
        return new MigrationRow(m.version(), m.description(), m.type(), installed(m.installedOn()), m.state(),
                m.checksum() == null ? "" : Integer.toString(m.checksum()), m.pending(), m.failed());
    }

    private static String installed(Instant at) {
        return at == null ? "" : INSTALLED.format(at);
    }

    public ReadOnlyListProperty<MigrationRow> rowsProperty() {
        return rows.getReadOnlyProperty();
    }

    public List<MigrationRow> rows() {
        return List.copyOf(rows);
    }

    public ReadOnlyStringProperty hintProperty() {
        return hint.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty outcomeProperty() {
        return outcome.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty failedOutcomeProperty() {
        return failedOutcome.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** Whether Flyway's info is being read. */
    public ReadOnlyBooleanProperty readingProperty() {
        return reading.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty configuredProperty() {
        return configured.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty runningProperty() {
        return running.getReadOnlyProperty();
    }
}
