package dev.pgpulse.cli;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.orchestration.BackupException;
import dev.pgpulse.orchestration.BackupManager;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.orchestration.PgTools;
import dev.pgpulse.ui.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code pgpulse backup [--out DIR]}: pg_dump -Fc of the primary's database, verified with pg_restore --list. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Back up the primary's database with pg_dump (custom format) into the backups folder, then verify it.")
final class BackupCommand implements Callable<Integer> {
    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();
    @Option(names = "--out", paramLabel = "DIR", description = "Folder to write to (default: backup.dir).")
    Path out;

    BackupCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try {
            PgPulseConfig config = Core.config(context, target);
            PgTools tools = Core.tools(context);
            try (Orchestrator o = Core.startWithoutAlertRules(context, config)) {
                BackupManager backups = o.backups(tools);
                BackupManager.Backup b = out == null ? backups.backup() : backups.backup(out);
                BackupManager.Verification v = backups.verify(b.file());
                context.out().println("Backed up " + b.database() + " (PostgreSQL " + b.serverVersion() + ") to "
                        + b.file() + ": " + Format.bytes(b.sizeBytes()) + ", verified (" + v.entries() + " archive entries, "
                        + v.tables() + " tables)");
                return PgPulseCli.OK;
            }
        } catch (Core.Failed f) {
            return f.code;
        } catch (BackupException e) {
            context.err().println("pgpulse: backup: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
    }
}
