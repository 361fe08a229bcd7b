package dev.pgpulse.cli;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedStartException;
import dev.pgpulse.health.alert.AlertRuleException;
import dev.pgpulse.orchestration.BackupException;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.orchestration.PgTools;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.pool.EndpointStartupException;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Starting the core for a one-shot command, with the one-line errors and exit codes every command gives. */
final class Core {
    /** How the commands print an instant: the archives and the schema history are read in UTC. */
    static final java.time.format.DateTimeFormatter UTC_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(java.time.ZoneOffset.UTC);

    /** The command is over: its message is printed, this is its exit code. */
    static final class Failed extends Exception {
        final int code;

        Failed(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    private Core() {
    }

    /** The configuration, or {@link Failed} with exit 2 after its problems are printed. */
    static PgPulseConfig config(PgPulseCli.Context context, TargetOptions target) throws Failed {
        return Problems.load(context, target.toOverrides(), true).orElseThrow(() -> new Failed(PgPulseCli.USAGE));
    }

    /** The orchestrator on the configured target (the embedded default when none); migrations as asked. */
    static Orchestrator start(PgPulseCli.Context context, PgPulseConfig config, boolean migrateOnStart) throws Failed {
        return start(context, config, migrateOnStart, true);
    }

    /**
     * The orchestrator for a command that evaluates no alerts (migrate, backup, restore): the user's alert rules
     * file is neither read nor moved aside, so a broken one cannot block a backup.
     */
    static Orchestrator startWithoutAlertRules(PgPulseCli.Context context, PgPulseConfig config) throws Failed {
        return start(context, config, false, false);
    }

    /** @param rulesFile false: the default alert rules, the user's file neither read nor moved aside */
    static Orchestrator start(PgPulseCli.Context context, PgPulseConfig config, boolean migrateOnStart,
                              boolean rulesFile) throws Failed {
        Orchestrator.Options d = Orchestrator.Options.defaults(context.loader().home(), config);
        try {
            return Orchestrator.start(config, new Orchestrator.Options(d.healthInterval(),
                    rulesFile ? d.alertRulesFile() : null, d.shutdownHook(), migrateOnStart));
        } catch (EmbeddedStartException | EndpointStartupException e) {
            context.err().println("pgpulse: " + e.getMessage());
            throw new Failed(PgPulseCli.FAILED);
        } catch (AlertRuleException e) {
            e.problems().forEach(p -> context.err().println("pgpulse: alert rules: " + p));
            throw new Failed(PgPulseCli.USAGE);
        }
    }

    /** pg_dump and pg_restore as this environment finds them (PG_BIN, PATH, the distribution's folders). */
    static PgTools tools(PgPulseCli.Context context) throws BackupException {
        Map<String, String> env = new HashMap<>();
        context.loader().variable("PATH").ifPresent(v -> env.put("PATH", v));
        context.loader().variable("PG_BIN").ifPresent(v -> env.put("PG_BIN", v));
        return PgTools.locate(env, PgTools.defaultDistroDirs());
    }

    /** The first snapshot with a health sample, or null when none came in time. */
    static Snapshot firstSample(Orchestrator o, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            Snapshot s = o.snapshot();
            if (s.health() != null) {
                return s;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }
}
