package dev.pgpulse.orchestration;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.health.alert.AlertRuleException;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.resilience.BreakerState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks of {@code pgpulse validate}, shared with the console's Operations tab: configuration, every endpoint
 * reachable with its breaker closed, Flyway validate clean with nothing pending, the alert rules file valid, and
 * pg_dump usable for the primary's server. Each check is a name, a verdict and the reason, in one line.
 */
public final class Checks {
    private static final Pattern MAJOR = Pattern.compile("^(\\d+)");

    /** One check: what was checked, whether it passed, and why (or what was found). */
    public record Check(String name, boolean ok, String detail) {
    }

    /** Where pg_dump is found; throws with the reason when it is not. */
    @FunctionalInterface
    public interface ToolsLocator {
        PgTools locate() throws BackupException;
    }

    private Checks() {
    }

    public static Check configuration(PgPulseConfig config) {
        return new Check("configuration", true, config.environment().label() + ", "
                + (config.isEmbedded() ? "embedded PostgreSQL" : config.endpoints().size() + " endpoint(s)")
                + (config.warnings().isEmpty() ? "" : ", " + config.warnings().size() + " warning(s)"));
    }

    /** A dry read of the rules file: a broken file is reported, never moved aside as loading it would. */
    public static Check alertRules(Path file) {
        if (file == null) {
            return new Check("alert rules", true, "no rules file configured: the default rules apply");
        }
        if (!Files.exists(file)) {
            return new Check("alert rules", true, "no " + file + ": the default rules apply");
        }
        try {
            AlertRuleStore.LoadResult r = new AlertRuleStore(file).read();
            return new Check("alert rules", true, r.rules().size() + " rule(s) in " + file);
        } catch (AlertRuleException e) {
            return new Check("alert rules", false, file + ": " + String.join("; ", e.problems()));
        }
    }

    /**
     * A check per endpoint of {@code config} from a snapshot ({@code s} null, or without a health sample: none came
     * within {@code waited}).
     */
    public static List<Check> endpoints(PgPulseConfig config, Snapshot s, Duration waited) {
        List<Check> checks = new ArrayList<>();
        for (EndpointConfig e : config.endpoints()) {
            EndpointStatus h = s == null || s.health() == null ? null : s.health().endpoint(e.name()).orElse(null);
            if (h == null) {
                checks.add(new Check("endpoint " + e.name(), false, waited.isZero() ? "no health sample yet"
                        : "no health sample within " + waited.toSeconds() + " s"));
                continue;
            }
            boolean ok = h.reachable() && h.breakerState() == BreakerState.CLOSED;
            ServerStats st = h.server();
            checks.add(new Check("endpoint " + e.name(), ok, e.displayTarget() + ": "
                    + (h.reachable() ? "reachable" : "unreachable") + ", breaker " + h.breakerState().label()
                    + (st == null ? "" : ", PostgreSQL " + st.serverVersion())
                    + (h.severalHosts() && h.servingHost() != null ? ", on " + h.servingHost() : "")
                    + (ok || h.reasons().isEmpty() ? "" : " (" + String.join("; ", h.reasons()) + ")")));
        }
        return checks;
    }

    /** The primary's server version as the snapshot saw it, or null. */
    public static String primaryVersion(Snapshot s) {
        if (s == null || s.health() == null) {
            return null;
        }
        return s.health().endpoint("primary").map(EndpointStatus::server).map(ServerStats::serverVersion).orElse(null);
    }

    public static Check migrations(Optional<MigrationRunner> configured) {
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

    /** pg_dump as found, paired with the server's major version as a backup would pair it. */
    public static Check pgDump(ToolsLocator locator, String serverVersion) {
        try {
            PgTools tools = locator.locate();
            if (serverVersion != null) {
                Matcher digits = MAJOR.matcher(serverVersion);
                int major = digits.find() ? Integer.parseInt(digits.group(1)) : 0;
                tools = tools.forServer(major, serverVersion); // the pair a backup would use
            }
            return new Check("pg_dump", true, "pg_dump " + tools.version() + " at " + tools.pgDump()
                    + (serverVersion == null ? " (server version unknown)" : ", server " + serverVersion));
        } catch (BackupException e) {
            return new Check("pg_dump", false, e.getMessage());
        }
    }

    /** Every check on a running orchestrator, from its latest snapshot (the console's checklist). */
    public static List<Check> all(Orchestrator o, Path alertRulesFile, ToolsLocator tools) {
        Snapshot s = o.snapshot();
        List<Check> checks = new ArrayList<>();
        checks.add(configuration(o.config()));
        checks.add(alertRules(alertRulesFile));
        checks.addAll(endpoints(o.config(), s, Duration.ZERO));
        checks.add(migrations(o.migrations()));
        checks.add(pgDump(tools, primaryVersion(s)));
        return List.copyOf(checks);
    }
}
