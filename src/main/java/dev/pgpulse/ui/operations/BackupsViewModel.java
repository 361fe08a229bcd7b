package dev.pgpulse.ui.operations;

import dev.pgpulse.orchestration.BackupException;
import dev.pgpulse.orchestration.BackupManager;
import dev.pgpulse.ui.Format;
import dev.pgpulse.ui.fx.BackgroundTask;
import dev.pgpulse.ui.shell.Dialogs;
import dev.pgpulse.ui.shell.OperationsActions;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyListProperty;
import javafx.beans.property.ReadOnlyListWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Backups part of the Operations tab: the backup folder's list, Back up now with its progress (bytes written,
 * pg_dump's verbose lines) and cancel, and on the selected backup Verify, Restore (into a new database named here;
 * over the source only when chosen, and confirmed) and Delete (confirmed). One operation at a time.
 */
public final class BackupsViewModel {
    /** pg_dump lines kept on screen: enough to see where a dump is, bounded for a database of many tables. */
    static final int LOG_LINES = 500;

    private final OperationsActions actions;
    private final Dialogs dialogs;
    private final ReadOnlyListWrapper<BackupRow> rows = new ReadOnlyListWrapper<>(FXCollections.observableArrayList());
    private final ReadOnlyListWrapper<String> log = new ReadOnlyListWrapper<>(FXCollections.observableArrayList());
    private final ReadOnlyObjectWrapper<BackupRow> selected = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper backingUp = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper progress = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper outcome = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper failedOutcome = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper folder = new ReadOnlyStringWrapper("");
    private final StringProperty restoreTarget = new SimpleStringProperty("");
    private final BooleanProperty overSource = new SimpleBooleanProperty();
    private final ReadOnlyStringWrapper restoreProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper canRestore = new ReadOnlyBooleanWrapper();
    /** What Verify found this session, by file: the list itself reads only the table of contents and last block. */
    private final Map<Path, String> verified = new HashMap<>();
    private BackgroundTask.Handle backup;
    private long listings;

    public BackupsViewModel(OperationsActions actions, Dialogs dialogs) {
        this.actions = actions;
        this.dialogs = dialogs;
        folder.set("Backups of " + actions.database() + " in " + actions.backupDir());
        restoreTarget.addListener((o, was, now) -> checkRestore());
        overSource.addListener((o, was, now) -> {
            if (now) {
                restoreTarget.set(actions.database());
            } else if (actions.database().equals(restoreTarget.get())) {
                restoreTarget.set("");
            }
            checkRestore();
        });
        selected.addListener((o, was, now) -> checkRestore());
        checkRestore();
    }

    public void refresh() {
        // listings run in parallel and may end out of order: only the latest asked for is shown
        long asked = ++listings;
        actions.backups(list -> {
            if (asked != listings) {
                return;
            }
            Path keep = selected.get() == null ? null : selected.get().file();
            rows.setAll(list.stream().map(this::row).toList());
            selected.set(rows.stream().filter(r -> r.file().equals(keep)).findFirst().orElse(null));
        }, why -> fail("Could not list the backups: " + why));
    }

    public void select(BackupRow row) {
        selected.set(row);
    }

    public void backUpNow() {
        if (busy.get()) {
            return;
        }
        begin();
        backingUp.set(true);
        log.clear();
        progress.set("Starting pg_dump of " + actions.database() + "…");
        backup = actions.backup(p -> {
            progress.set(Format.bytes(p.bytesWritten()) + " written");
            log.addAll(p.newLines());
            if (log.size() > LOG_LINES) {
                log.remove(0, log.size() - LOG_LINES);
            }
        }, b -> {
            verified.put(b.file(), "read back in full when written");
            finish("Backed up " + b.database() + " to " + b.file().getFileName() + " (" + Format.bytes(b.sizeBytes())
                    + ")", false);
        }, why -> finish("Backup failed: " + why, true), () -> finish("Backup cancelled: pg_dump stopped, no file kept",
                true));
    }

    /** Stops a running backup: the child process is stopped and its partial file removed. */
    public void cancelBackup() {
        if (backup != null && !backup.isDone()) {
            backup.cancel();
        }
    }

    public void verify() {
        BackupRow r = selected.get();
        if (r == null || r.problem() || busy.get()) {
            return;
        }
        begin();
        progress.set("Verifying " + r.name() + "…");
        actions.verify(r.file(), v -> {
            verified.put(r.file(), "verified " + Format.time(Instant.now()) + ": " + v.tables() + " tables, "
                    + v.entries() + " entries");
            finish("Verified " + r.name() + ": every data block reads (" + v.tables() + " tables, "
                    + v.entries() + " entries, " + Format.ms(v.elapsed().toMillis()) + ")", false);
        }, why -> {
            verified.put(r.file(), "FAILED: " + why);
            finish("Verify failed: " + why, true);
        });
    }

    public void restore() {
        BackupRow r = selected.get();
        if (r == null || !canRestore.get() || busy.get()) {
            return;
        }
        String target = restoreTarget.get().strip();
        boolean over = overSource.get();
        if (over && !dialogs.confirm(new Dialogs.Confirmation("Restore over the source database " + target + "?",
                "Every object of " + target + " is dropped and recreated from " + r.name() + " in one transaction; "
                        + "changes since " + r.time() + " are lost. Stop the applications using it first.",
                "Replace " + target))) {
            return;
        }
        if (!over && actions.production() && !dialogs.confirm(new Dialogs.Confirmation(
                "Restore into a new database " + target + " on the production server?",
                "PgPulse creates the database " + target + " beside " + actions.database() + " and restores "
                        + r.name() + " into it; the restore reads the whole file and writes every table.",
                "Restore into " + target))) {
            return;
        }
        begin();
        progress.set("Restoring " + r.name() + " into " + target + "…");
        actions.restore(r.file(), target, over, done -> finish("Restored " + r.name() + " into " + done.targetDatabase()
                + " (" + done.tables() + " tables, " + Format.ms(done.elapsed().toMillis()) + ")", false),
                why -> finish("Restore failed: " + inTabWords(why), true));
    }

    public void delete() {
        BackupRow r = selected.get();
        if (r == null || busy.get()) {
            return;
        }
        if (!dialogs.confirm(new Dialogs.Confirmation("Delete the backup " + r.name() + "?",
                "The file " + r.file() + " (" + r.size() + ") is removed from the backup folder; it cannot be undone.",
                "Delete backup"))) {
            return;
        }
        begin();
        actions.delete(r.file(), () -> {
            verified.remove(r.file());
            finish("Deleted " + r.name(), false);
        }, why -> finish("Delete failed: " + why, true));
    }

    private void begin() {
        busy.set(true);
        outcome.set("");
    }

    private void finish(String line, boolean failed) {
        busy.set(false);
        backingUp.set(false);
        backup = null;
        progress.set("");
        outcome.set(line);
        failedOutcome.set(failed);
        refresh();
    }

    private void fail(String line) {
        outcome.set(line);
        failedOutcome.set(true);
    }

    private void checkRestore() {
        String problem = restoreCheck(selected.get(), restoreTarget.get() == null ? "" : restoreTarget.get().strip(),
                overSource.get(), actions.database());
        restoreProblem.set(problem);
        canRestore.set(problem.isEmpty());
    }

    /** The core's messages name the command line's options; here they are this tab's fields. */
    static String inTabWords(String message) {
        return message.replace("choose a new --target-db", "choose a new name")
                .replace("give --target-db", "give it")
                .replace("pass --over-source to replace it", "tick \"over the source\" to replace it")
                .replace("--target-db", "database name").replace("--over-source", "\"over the source\"");
    }

    /** Why a restore cannot go ahead as filled in, in one line; empty when it can. */
    static String restoreCheck(BackupRow row, String target, boolean overSource, String source) {
        if (row == null) {
            return "Select a backup to restore";
        }
        if (row.problem()) {
            return row.name() + " cannot be restored: " + row.verified();
        }
        if (target.isEmpty()) {
            return "Name the new database to restore into, e.g. " + source + "_restored";
        }
        try {
            BackupManager.checkDatabaseName(target);
        } catch (BackupException e) {
            return inTabWords(e.getMessage());
        }
        if (target.equals(source) && !overSource) {
            return target + " is the source database: choose a new name, or tick \"over the source\" to replace it";
        }
        if (overSource && row.database() != null && !row.database().equals(source)) {
            return row.name() + " is a backup of " + row.database() + ", not of " + source + ": restore it into a new database";
        }
        return "";
    }

    private BackupRow row(BackupManager.Backup b) {
        String state = b.problem() != null ? b.problem() : verified.getOrDefault(b.file(), "not verified yet");
        return new BackupRow(b.file(), b.file().getFileName().toString(),
                b.created() == null ? "" : MigrationsViewModel.INSTALLED.format(b.created()),
                b.database() == null ? "" : b.database(), b.sizeBytes() < 0 ? "" : Format.bytes(b.sizeBytes()),
                b.serverVersion() == null ? "" : b.serverVersion(), state, b.problem() != null);
    }

    public ReadOnlyListProperty<BackupRow> rowsProperty() {
        return rows.getReadOnlyProperty();
    }

    public ReadOnlyListProperty<String> logProperty() {
        return log.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<BackupRow> selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty backingUpProperty() {
        return backingUp.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty outcomeProperty() {
        return outcome.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty failedOutcomeProperty() {
        return failedOutcome.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty folderProperty() {
        return folder.getReadOnlyProperty();
    }

    /** The new database's name (the view's text field edits it). */
    public StringProperty restoreTargetProperty() {
        return restoreTarget;
    }

    /** Restore over the source database (the view's check box). */
    public BooleanProperty overSourceProperty() {
        return overSource;
    }

    public ReadOnlyStringProperty restoreProblemProperty() {
        return restoreProblem.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRestoreProperty() {
        return canRestore.getReadOnlyProperty();
    }
}
