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
 * over the source only when chosen, and confirmed; cancellable, since it may wait on locks for as long as they are
 * held) and Delete (confirmed). One operation at a time.
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
    private final ReadOnlyBooleanWrapper restoring = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper cancellable = new ReadOnlyBooleanWrapper();
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
    /** The running backup or restore, which Cancel stops. */
    private BackgroundTask.Handle running;
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
        cancellable.set(true);
        log.clear();
        progress.set("Starting pg_dump of " + actions.database() + "…");
        running = actions.backup(p -> {
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

    /**
     * Stops the running backup (pg_dump stopped, its partial file removed) or restore (pg_restore stopped, rolled
     * back, a database it created dropped); the outcome line follows once that is done.
     */
    public void cancel() {
        if (running != null && !running.isDone()) {
            progress.set(restoring.get() ? "Cancelling the restore…" : "Cancelling the backup…");
            running.cancel();
        }
    }

    /** {@link #cancel()}, by its first name. */
    public void cancelBackup() {
        cancel();
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
                "The objects in " + r.name() + " are dropped from " + target + " and recreated from it, in one "
                        + "transaction: changes to them since " + r.time() + " are lost. Objects created since the "
                        + "backup are kept; one that depends on a dropped object makes the restore fail, and it then "
                        + "rolls back as a whole. Sessions using these tables make it wait: stop the applications "
                        + "using " + target + " first (Cancel ends the wait).",
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
        restoring.set(true);
        cancellable.set(true);
        progress.set("Restoring " + r.name() + " into " + target + "…");
        // the pane held the last backup's pg_dump lines: they are not this restore's
        log.clear();
        log.add("pg_restore of " + r.name() + " into " + target + (over ? " (over the source, one transaction)" : "")
                + ": running; the outcome appears above when it ends");
        running = actions.restore(r.file(), target, over, done -> finish("Restored " + r.name() + " into "
                        + done.targetDatabase() + " (" + done.tables() + " tables, "
                        + Format.ms(done.elapsed().toMillis()) + ")", false),
                why -> finish("Restore failed: " + inTabWords(why), true),
                why -> finish("Restore cancelled: " + undone(why), true));
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
        restoring.set(false);
        cancellable.set(false);
        running = null;
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

    /** What a cancelled restore undid: the core's line after its "... interrupted: " (which the tab says itself). */
    static String undone(String why) {
        int at = why.indexOf(" interrupted: ");
        return at < 0 ? why : why.substring(at + " interrupted: ".length());
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
        if (target.equals(source) && !overSource) {
            return target + " is the source database: choose a new name, or tick \"over the source\" to replace it";
        }
        if (!(overSource && target.equals(source))) { // the source's own name exists already, whatever it is
            try {
                BackupManager.checkDatabaseName(target);
            } catch (BackupException e) {
                return inTabWords(e.getMessage());
            }
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

    public ReadOnlyBooleanProperty restoringProperty() {
        return restoring.getReadOnlyProperty();
    }

    /** Whether a backup or a restore is running, which {@link #cancel()} stops. */
    public ReadOnlyBooleanProperty cancellableProperty() {
        return cancellable.getReadOnlyProperty();
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
