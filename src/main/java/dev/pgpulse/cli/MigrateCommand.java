package dev.pgpulse.cli;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.orchestration.MigrationException;
import dev.pgpulse.orchestration.MigrationRunner;
import dev.pgpulse.orchestration.Orchestrator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code pgpulse migrate [info|validate|repair]}: Flyway against the primary; plain {@code migrate} applies what is pending. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Apply pending migrations to the primary (Flyway, `migrations.locations`, default the demo schema).",
                "  info      list migrations: applied, pending, failed",
                "  validate  applied migrations unchanged and nothing pending (exit 1 otherwise)",
                "  repair    remove failed entries and realign checksums with the files"})
final class MigrateCommand implements Callable<Integer> {
    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();
    @Parameters(arity = "0..1", paramLabel = "ACTION", description = "info, validate or repair; none applies pending migrations")
    String action;

    MigrateCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (action != null && !List.of("info", "validate", "repair").contains(action)) {
            context.err().println("pgpulse: migrate: unknown action '" + action + "'; expected info, validate or repair "
                    + "(or none, to apply pending migrations)");
            return PgPulseCli.USAGE;
        }
        try {
            PgPulseConfig config = Core.config(context, target);
            if (!config.operations().migrationsConfigured()) {
                context.err().println("pgpulse: migrate: no migrations configured for this database; set "
                        + "migrations.locations (--set or PGPULSE_MIGRATIONS_LOCATIONS), e.g. classpath:db/migration "
                        + "for PgPulse's demo schema or filesystem:/srv/app/db/migration for yours");
                return PgPulseCli.USAGE;
            }
            try (Orchestrator o = Core.startWithoutAlertRules(context, config)) {
                MigrationRunner runner = o.migrations().orElseThrow();
                PrintWriter out = context.out();
                return switch (action == null ? "apply" : action) {
                    case "info" -> info(out, runner, o.config().primary().orElseThrow().displayTarget());
                    case "validate" -> validate(out, runner);
                    case "repair" -> repair(out, runner);
                    default -> apply(out, runner, o.config().primary().orElseThrow().displayTarget());
                };
            }
        } catch (Core.Failed f) {
            return f.code;
        } catch (MigrationException e) {
            context.err().println("pgpulse: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
    }

    private int apply(PrintWriter out, MigrationRunner runner, String where) throws MigrationException {
        MigrationRunner.Migrated m = runner.migrate();
        if (m.executed() == 0) {
            out.println("Up to date: " + where + " is at version " + m.toVersion() + "; nothing pending.");
        } else {
            out.println("Migrated " + where + " from version " + m.fromVersion() + " to " + m.toVersion() + ": "
                    + String.join(", ", m.applied()));
        }
        return PgPulseCli.OK;
    }

    private int info(PrintWriter out, MigrationRunner runner, String where) throws MigrationException {
        MigrationRunner.Info info = runner.info();
        out.println("Migrations on " + where + " (" + String.join(", ", runner.locations()) + ")");
        TextTable t = new TextTable("VERSION", "DESCRIPTION", "TYPE", "STATE", "INSTALLED ON");
        for (MigrationRunner.Migration m : info.migrations()) {
            t.row(m.version(), m.description(), m.type(), m.state(),
                    m.installedOn() == null ? "" : Core.UTC_TIME.format(m.installedOn()));
        }
        t.print(out);
        out.println("current version " + info.currentVersion() + "; applied " + info.applied() + ", pending "
                + info.pending() + ", failed " + info.failed());
        return info.failed() > 0 ? PgPulseCli.FAILED : PgPulseCli.OK;
    }

    private int validate(PrintWriter out, MigrationRunner runner) throws MigrationException {
        MigrationRunner.Validation v = runner.validate();
        if (v.valid()) {
            out.println("Valid: applied migrations match their files and nothing is pending.");
            return PgPulseCli.OK;
        }
        out.println("Not valid:");
        v.pending().forEach(p -> out.println("  " + p + ": pending"));
        v.problems().forEach(p -> out.println("  " + p));
        out.println("Run `pgpulse migrate` to apply pending migrations, `pgpulse migrate repair` after an edited "
                + "or failed one.");
        return PgPulseCli.FAILED;
    }

    private int repair(PrintWriter out, MigrationRunner runner) throws MigrationException {
        List<String> actions = runner.repair();
        if (actions.isEmpty()) {
            out.println("Nothing to repair.");
        } else {
            actions.forEach(a -> out.println("Repaired: " + a));
        }
        return PgPulseCli.OK;
    }
}
