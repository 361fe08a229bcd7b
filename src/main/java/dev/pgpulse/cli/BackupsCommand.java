package dev.pgpulse.cli;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.orchestration.BackupException;
import dev.pgpulse.orchestration.BackupManager;
import dev.pgpulse.orchestration.PgTools;
import dev.pgpulse.ui.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code pgpulse backups [--dir DIR]}: the backups there, newest first, as their archives describe them. */
@Command(name = "backups", mixinStandardHelpOptions = true,
        description = "List backups (newest first): file, time, size, database, server version.")
final class BackupsCommand implements Callable<Integer> {
    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();
    @Option(names = "--dir", paramLabel = "DIR", description = "Folder to list (default: backup.dir).")
    Path dir;

    BackupsCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        String bad = dir == null ? null : badDir(dir);
        if (bad != null) {
            // a folder named by hand that is not there is a mistake, not an empty listing
            context.err().println("pgpulse: backups: " + bad);
            return PgPulseCli.FAILED;
        }
        try {
            PgPulseConfig config = Core.config(context, target);
            Path folder = dir == null ? config.operations().backupDir() : dir;
            PgTools tools = Core.tools(context);
            // listing reads archives only: no server needed, so no orchestrator is started
            List<BackupManager.Backup> all = new BackupManager(config.primary().orElse(null), folder, tools).list(folder);
            if (all.isEmpty()) {
                context.out().println("No backups in " + folder + " (write one with `pgpulse backup`).");
                return PgPulseCli.OK;
            }
            context.out().println("Backups in " + folder);
            TextTable t = new TextTable("FILE", "CREATED", "SIZE", "DATABASE", "SERVER", "NOTE");
            for (BackupManager.Backup b : all) {
                t.row(b.file().getFileName(), b.created() == null ? "" : Core.UTC_TIME.format(b.created()),
                        Format.bytes(b.sizeBytes()), b.database() == null ? "?" : b.database(),
                        b.serverVersion() == null ? "?" : b.serverVersion(), b.readable() ? "" : b.problem());
            }
            t.print(context.out());
            // a .partial may be a backup running right now: noted, but only a damaged backup fails the listing
            return all.stream().allMatch(b -> b.readable() || b.partial()) ? PgPulseCli.OK : PgPulseCli.FAILED;
        } catch (Core.Failed f) {
            return f.code;
        } catch (BackupException e) {
            context.err().println("pgpulse: backups: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
    }

    private static String badDir(Path dir) {
        if (dir.toString().isBlank()) {
            return "--dir is empty; give the folder the backups are in, e.g. --dir ~/pgpulse-backups";
        }
        if (!Files.exists(dir)) {
            return "--dir " + dir + " does not exist; give the folder the backups are in (backup.dir is the default)";
        }
        if (!Files.isDirectory(dir)) {
            return "--dir " + dir + " is a file, not a folder; give the folder the backups are in";
        }
        return null;
    }
}
