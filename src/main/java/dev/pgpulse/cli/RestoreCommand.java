package dev.pgpulse.cli;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.orchestration.BackupException;
import dev.pgpulse.orchestration.BackupManager;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.orchestration.PgTools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code pgpulse restore FILE --target-db NAME [--over-source]}: pg_restore into a new database on the primary's server. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a backup into a new database on the primary's server (never over the source unless "
                + "--over-source).")
final class RestoreCommand implements Callable<Integer> {
    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();
    @Parameters(index = "0", paramLabel = "FILE", description = "A backup written by `pgpulse backup` (pg_dump -Fc).")
    Path file;
    @Option(names = "--target-db", required = true, paramLabel = "NAME", description = "Database to create and restore into.")
    String targetDb;
    @Option(names = "--over-source", description = "Replace the source database's objects (pg_restore --clean).")
    boolean overSource;

    RestoreCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file)) {
            context.err().println("pgpulse: restore: " + file + " is not a file; list backups with `pgpulse backups`");
            return PgPulseCli.USAGE;
        }
        try {
            BackupManager.checkDatabaseName(targetDb);
        } catch (BackupException e) {
            context.err().println("pgpulse: restore: " + e.getMessage());
            return PgPulseCli.USAGE;
        }
        try {
            PgPulseConfig config = Core.config(context, target);
            PgTools tools = Core.tools(context);
            try (Orchestrator o = Core.startWithoutAlertRules(context, config)) {
                BackupManager.Restore r = o.backups(tools).restore(file, targetDb, overSource);
                context.out().println("Restored " + r.file().getFileName() + " into " + r.targetDatabase()
                        + (r.overSource() ? " (over the source)" : "") + ": " + r.tables() + " tables in "
                        + String.format(Locale.ROOT, "%.1f s", r.elapsed().toMillis() / 1000.0));
                return PgPulseCli.OK;
            }
        } catch (Core.Failed f) {
            return f.code;
        } catch (BackupException e) {
            context.err().println("pgpulse: restore: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
    }
}
