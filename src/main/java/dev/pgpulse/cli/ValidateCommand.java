package dev.pgpulse.cli;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.health.alert.AlertRuleException;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.orchestration.BackupException;
import dev.pgpulse.orchestration.MigrationException;
import dev.pgpulse.orchestration.MigrationRunner;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.orchestration.PgTools;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.resilience.BreakerState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Files;
import java.nio.file.Path;
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

    private record Check(String name, boolean ok, String detail) {
    }

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
        checks.add(new Check("configuration", true, config.environment().label() + ", "
                + (config.isEmbedded() ? "embedded PostgreSQL" : config.endpoints().size() + " endpoint(s)")
                + (config.warnings().isEmpty() ? "" : ", " + config.warnings().size() + " warning(s)")));
        checks.add(alertRules(Orchestrator.Options.alertRulesFile(context.loader().home())));
        // the embedded server's demo schema is PgPulse's own and applied at every start, as the console does;
        // a database of yours is only checked
        try (Orchestrator o = Core.start(context, config, config.isEmbedded(), false)) {
            Snapshot s = Core.firstSample(o, FIRST_SAMPLE_WAIT);
            String serverVersion = null;
            for (var e : o.config().endpoints()) {
                EndpointStatus h = s == null || s.health() == null ? null : s.health().endpoint(e.name()).orElse(null);
                if (h == null) {
                    checks.add(new Check("endpoint " + e.name(), false, "no health sample within "
                            + FIRST_SAMPLE_WAIT.toSeconds() + " s"));
                    continue;
                }
                boolean ok = h.reachable() && h.breakerState() == BreakerState.CLOSED;
                ServerStats st = h.server();
                if (e.name().equals("primary") && st != null) {
                    serverVersion = st.serverVersion();
                }
                checks.add(new Check("endpoint " + e.name(), ok, e.displayTarget() + ": "
                        + (h.reachable() ? "reachable" : "unreachable") + ", breaker " + h.breakerState().label()
                        + (st == null ? "" : ", PostgreSQL " + st.serverVersion())
                        + (ok || h.reasons().isEmpty() ? "" : " (" + String.join("; ", h.reasons()) + ")")));
            }
            checks.add(migrations(o.migrations()));
            checks.add(pgDump(serverVersion));
        } catch (Core.Failed f) {
            if (f.code == PgPulseCli.USAGE) {
                return f.code;
            }
            checks.add(new Check("endpoint primary", false, "could not connect (see above)"));
            checks.add(config.operations().migrationsConfigured()
                    ? new Check("migrations", false, "not checked: the primary is unreachable")
                    : new Check("migrations", true, "none configured (migrations.locations)"));
            checks.add(pgDump(null));
        }
        TextTable t = new TextTable("CHECK", "RESULT", "DETAIL");
        checks.forEach(c -> t.row(c.name(), c.ok() ? "pass" : "FAIL", c.detail()));
        t.print(context.out());
        long failed = checks.stream().filter(c -> !c.ok()).count();
        context.out().println(failed == 0 ? "All " + checks.size() + " checks pass."
                : failed + " of " + checks.size() + " checks failed.");
        return failed == 0 ? PgPulseCli.OK : PgPulseCli.FAILED;
    }

    private static Check alertRules(Path file) {
        if (!Files.exists(file)) {
            return new Check("alert rules", true, "no " + file + ": the default rules apply");
        }
        try {
            // a dry read: load() would move a broken file aside, which a check must not do
            AlertRuleStore.LoadResult r = new AlertRuleStore(file).read();
            return new Check("alert rules", true, r.rules().size() + " rule(s) in " + file);
        } catch (AlertRuleException e) {
            return new Check("alert rules", false, file + ": " + String.join("; ", e.problems()));
        }
    }

    private static Check migrations(java.util.Optional<MigrationRunner> configured) {
        if (configured.isEmpty()) {
            return new Check("migrations", true, "none configured (migrations.locations)");
        }
        MigrationRunner runner = configured.get();
        try {
            MigrationRunner.Validation v = runner.validate();
            if (v.valid()) {
                return new Check("migrations", true, "at version " + runner.info().currentVersion() + ", nothing pending");
            }
            return new Check("migrations", false, (v.pending().isEmpty() ? "" : v.pending().size() + " pending ("
                    + String.join(", ", v.pending()) + "): run `pgpulse migrate`" + (v.problems().isEmpty() ? "" : "; "))
                    + String.join("; ", v.problems()));
        } catch (MigrationException e) {
            return new Check("migrations", false, e.getMessage());
        }
    }

    private Check pgDump(String serverVersion) {
        try {
            PgTools tools = Core.tools(context);
            if (serverVersion != null) {
                var digits = java.util.regex.Pattern.compile("^(\\d+)").matcher(serverVersion);
                int major = digits.find() ? Integer.parseInt(digits.group(1)) : 0;
                tools = tools.forServer(major, serverVersion); // the pair a backup would use
            }
            return new Check("pg_dump", true, "pg_dump " + tools.version() + " at " + tools.pgDump()
                    + (serverVersion == null ? " (server version unknown)" : ", server " + serverVersion));
        } catch (BackupException e) {
            return new Check("pg_dump", false, e.getMessage());
        }
    }
}
