package dev.pgpulse.cli;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.orchestration.Checks;
import dev.pgpulse.orchestration.Checks.Check;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.orchestration.Snapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pgpulse validate} (the seed's db:validate-migration): configuration, every endpoint reachable with its
 * breaker closed, Flyway validate clean with nothing pending, alert rules file valid, pg_dump usable. A table
 * of checks; exit 0 when all pass, 1 when one fails, 2 for bad usage or configuration.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check configuration, endpoints and breakers, migrations, alert rules and pg_dump; exit 1 if any fails.")
final class ValidateCommand implements Callable<Integer> {
    private static final Duration FIRST_SAMPLE_WAIT = Duration.ofSeconds(60);
    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();

    ValidateCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PgPulseConfig config;
        try {
            config = Core.config(context, target);
        } catch (Core.Failed f) {
            return f.code;
        }
        List<Check> checks = new ArrayList<>();
        checks.add(Checks.configuration(config));
        checks.add(Checks.alertRules(Orchestrator.Options.alertRulesFile(context.loader().home())));
        // the embedded server's demo schema is PgPulse's own and applied at every start, as the console does;
        // a database of yours is only checked
        try (Orchestrator o = Core.start(context, config, config.isEmbedded(), false)) {
            Snapshot s = Core.firstSample(o, FIRST_SAMPLE_WAIT);
            checks.addAll(Checks.endpoints(o.config(), s, FIRST_SAMPLE_WAIT));
            checks.add(Checks.migrations(o.migrations()));
            checks.add(Checks.pgDump(() -> Core.tools(context), Checks.primaryVersion(s)));
        } catch (Core.Failed f) {
            if (f.code == PgPulseCli.USAGE) {
                return f.code;
            }
            checks.add(new Check("endpoint primary", false, "could not connect (see above)"));
            checks.add(config.operations().migrationsConfigured()
                    ? new Check("migrations", false, "not checked: the primary is unreachable")
                    : new Check("migrations", true, "none configured (migrations.locations)"));
            checks.add(Checks.pgDump(() -> Core.tools(context), null));
        }
        TextTable t = new TextTable("CHECK", "RESULT", "DETAIL");
        checks.forEach(c -> t.row(c.name(), c.ok() ? "pass" : "FAIL", c.detail()));
        t.print(context.out());
        long failed = checks.stream().filter(c -> !c.ok()).count();
        context.out().println(failed == 0 ? "All " + checks.size() + " checks pass."
                : failed + " of " + checks.size() + " checks failed.");
        return failed == 0 ? PgPulseCli.OK : PgPulseCli.FAILED;
    }
}
