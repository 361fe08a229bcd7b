package dev.pgpulse.orchestration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a backup folder holds: every {@code .dump} as its archive describes it, unreadable and truncated ones
 * with a note, and the {@code .dump.partial} files of backups that are running or never finished (a PgPulse
 * killed mid-backup leaves one), marked incomplete.
 */
final class BackupList {
    static final String INCOMPLETE = "incomplete: a backup still being written, or one that was stopped before it "
            + "finished (.partial)";

    private BackupList() {
    }

    /** Newest first. A folder that is not there holds nothing; a path that is not a folder is an error. */
    static List<BackupManager.Backup> of(PgTools tools, Path dir) throws BackupException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        if (!Files.isDirectory(dir)) {
            throw new BackupException(dir + " is a file, not a backup folder");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> isBackup(p) || isPartial(p)).filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new BackupException("cannot list the backup folder " + dir + ": " + e.getMessage(), e);
        }
        List<BackupManager.Backup> backups = new ArrayList<>();
        for (Path f : files) {
            try {
                long size = Files.size(f);
                Instant modified = Files.getLastModifiedTime(f).toInstant().truncatedTo(ChronoUnit.SECONDS);
                if (isPartial(f)) {
                    backups.add(new BackupManager.Backup(f, size, modified, null, null, null, INCOMPLETE));
                    continue;
                }
                backups.add(describe(tools, f, size, modified));
            } catch (NoSuchFileException gone) {
                // deleted (or renamed into place) while we listed: the next listing shows what it became
            } catch (IOException e) {
                backups.add(new BackupManager.Backup(f, -1, null, null, null, null, "cannot read: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException("listing " + dir + " interrupted", e);
            }
        }
        backups.sort(Comparator.comparing(BackupManager.Backup::created, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(b -> b.file().getFileName().toString(), Comparator.reverseOrder()));
        return List.copyOf(backups);
    }

    private static BackupManager.Backup describe(PgTools tools, Path f, long size, Instant modified)
            throws BackupException, InterruptedException {
        try (ChildProcess guard = ChildProcess.guard("pgpulse-pg_restore-exit")) {
            PgArchive a = PgArchive.read(tools.pgRestore(), f, guard);
            if (a.problem() != null) {
                return new BackupManager.Backup(f, size, modified, null, null, null,
                        "not a readable pg_dump archive: " + a.problem());
            }
            String cut = a.readLastBlock(tools.pgRestore(), f, guard);
            return new BackupManager.Backup(f, size, a.created() == null ? modified : a.created(), a.database(),
                    a.serverVersion(), a.dumpedBy(), cut == null ? null
                    : "truncated: its table of contents reads but its last data block does not (" + cut + ")");
        }
    }

    private static boolean isBackup(Path p) {
        return p.getFileName().toString().endsWith(BackupManager.SUFFIX);
    }

    static boolean isPartial(Path p) {
        return p.getFileName().toString().endsWith(BackupManager.SUFFIX + BackupManager.PARTIAL);
    }
}
