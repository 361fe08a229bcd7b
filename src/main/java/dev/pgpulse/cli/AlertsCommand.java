package dev.pgpulse.cli;

import dev.pgpulse.health.alert.AlertRuleException;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.health.alert.PrometheusRules;
import dev.pgpulse.orchestration.Orchestrator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code pgpulse alerts export}: the alert rules in another monitoring system's format. Needs no database. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = {"The alert rules, for another monitoring system.",
                "  export --format prometheus  a Prometheus alerting rules file over the agent's /metrics"})
final class AlertsCommand implements Callable<Integer> {
    private final PgPulseCli.Context context;

    AlertsCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        context.err().println("pgpulse: alerts: say what to do, e.g. `pgpulse alerts export --format prometheus`; "
                + "see `pgpulse alerts --help`");
        return PgPulseCli.USAGE;
    }

    /** {@code pgpulse alerts export --format prometheus [--rules FILE] [--output FILE|-] [--include-disabled]}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write the alert rules as a Prometheus alerting rules file (groups: pgpulse) whose "
                    + "expressions read the agent's /metrics names; `promtool check rules` accepts it.",
                    "Disabled rules, and rules whose metric /metrics does not carry, are left out with a comment "
                            + "saying so (and a line on stderr)."})
    static final class Export implements Callable<Integer> {
        static final String PROMETHEUS = "prometheus";

        private final PgPulseCli.Context context;
        @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "prometheus")
        String format;
        @Option(names = "--rules", paramLabel = "FILE",
                description = "Alert rules file to read (default: ~/.config/pgpulse/alert-rules.json, the default "
                        + "rules when it does not exist).")
        Path rules;
        @Option(names = "--output", paramLabel = "FILE", defaultValue = "-",
                description = "Where to write it, replaced atomically; - (the default) is standard output.")
        String output;
        @Option(names = "--include-disabled", description = "Export disabled rules too (as enabled rules).")
        boolean includeDisabled;

        Export(PgPulseCli.Context context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (!PROMETHEUS.equals(format)) {
                return usage("--format '" + format + "' is not a format PgPulse exports; the one there is: "
                        + PROMETHEUS);
            }
            if (output.isBlank()) {
                return usage("--output is empty; give a file such as pgpulse-rules.yml, or - for standard output");
            }
            Path target = "-".equals(output) ? null : Path.of(output);
            if (target != null && Files.isDirectory(target)) {
                return usage("--output " + target + " is a folder; give a file in it, such as "
                        + target.resolve("pgpulse-rules.yml"));
            }
            Path file = rules != null ? rules : Orchestrator.Options.alertRulesFile(context.loader().home());
            if (rules != null && !Files.exists(rules)) {
                // a file named by hand that is not there is a typo: exporting the defaults instead would hide it
                return usage("--rules " + rules + " does not exist; give an alert rules file (omit --rules for "
                        + Orchestrator.Options.alertRulesFile(context.loader().home()) + ", or the default rules)");
            }
            AlertRuleStore.LoadResult loaded;
            try {
                // read, never load: an export must not move the user's file aside
                loaded = new AlertRuleStore(file).read();
            } catch (AlertRuleException e) {
                return usage(String.join("; ", e.problems()));
            }
            PrometheusRules.Export export = PrometheusRules.export(loaded.rules(), includeDisabled);
            for (PrometheusRules.Skipped s : export.skipped()) {
                context.err().println("pgpulse: alerts export: skipped rule '" + s.ruleId() + "': " + s.reason());
            }
            String from = loaded.defaultsUsed() ? "the default rules (no " + file + ")" : file.toString();
            if (target == null) {
                context.out().print(export.yaml());
                context.out().flush();
                return PgPulseCli.OK;
            }
            try {
                PrometheusRules.write(target, export);
            } catch (PrometheusRules.OutputRefused e) {
                return usage("--output " + e.getMessage() + " (or - for standard output, and redirect it)");
            } catch (IOException e) {
                context.err().println("pgpulse: alerts export: cannot write " + target + ": " + e.getMessage()
                        + "; check the folder exists and is writable");
                return PgPulseCli.FAILED;
            }
            context.out().println("Wrote " + export.exported() + " Prometheus rule(s) from " + from + " to " + target
                    + (export.skipped().isEmpty() ? "" : " (" + export.skipped().size() + " skipped)")
                    + "; check it with `promtool check rules " + target + "`");
            return PgPulseCli.OK;
        }

        private int usage(String problem) {
            context.err().println("pgpulse: alerts export: " + problem);
            return PgPulseCli.USAGE;
        }
    }
}
