package dev.pgpulse.ui.shell;

import dev.pgpulse.orchestration.BackupManager;
import dev.pgpulse.orchestration.MigrationRunner;
import dev.pgpulse.ui.fx.BackgroundTask;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the Operations tab may ask of the core: Flyway's info, migrate, validate and repair on the primary, and the
 * backups of its database (list, back up with progress, verify, restore, delete). Each call returns at once; the
 * work runs off the FX thread and exactly one of {@code ok} or {@code failed} (a line for people) follows on the
 * FX thread. Confirmations are the tab's: these calls do what they are asked.
 */
public interface OperationsActions {

    /** Whether the target is production (the tab confirms migrate and repair first). */
    boolean production();

    /** The database backups are taken of (the primary's). */
    String database();

    /** Where backups are written and listed. */
    Path backupDir();

    /** Empty when migrations are configured; else what to set to see and apply them, in one line. */
    Optional<String> migrationsUnset();

    void migrationInfo(Consumer<MigrationRunner.Info> ok, Consumer<String> failed);

    void migrate(Consumer<MigrationRunner.Migrated> ok, Consumer<String> failed);

    void validate(Consumer<MigrationRunner.Validation> ok, Consumer<String> failed);

    void repair(Consumer<List<String>> ok, Consumer<String> failed);

    /** The backup folder's files, newest first. */
    void backups(Consumer<List<BackupManager.Backup>> ok, Consumer<String> failed);

    /** How a running backup stands: bytes written so far and pg_dump's lines since the last report. */
    record BackupProgress(long bytesWritten, List<String> newLines) {
        public BackupProgress {
            newLines = List.copyOf(newLines);
        }
    }

    /**
     * Backs up now. {@code progress} comes on the FX thread a few times a second; the returned handle cancels it
     * (pg_dump is stopped and its partial file removed), after which {@code cancelled} runs instead of ok/failed.
     */
    BackgroundTask.Handle backup(Consumer<BackupProgress> progress, Consumer<BackupManager.Backup> ok,
                                 Consumer<String> failed, Runnable cancelled);

    void verify(Path file, Consumer<BackupManager.Verification> ok, Consumer<String> failed);

    /**
     * Into a new database {@code target}; over the source only with {@code overSource} (the tab confirms). The
     * returned handle cancels it (pg_restore is stopped, its session ended and the restore rolled back; a database
     * it created is dropped), after which {@code cancelled} runs instead of ok/failed, with what was undone in one
     * line ("pg_restore stopped; the new database 'x' was dropped again").
     */
    BackgroundTask.Handle restore(Path file, String target, boolean overSource, Consumer<BackupManager.Restore> ok,
                                  Consumer<String> failed, Consumer<String> cancelled);

    void delete(Path file, Runnable ok, Consumer<String> failed);

    /** The checks of {@code pgpulse validate} on the running target, each with its reason. */
    void checks(Consumer<List<dev.pgpulse.orchestration.Checks.Check>> ok, Consumer<String> failed);
}
