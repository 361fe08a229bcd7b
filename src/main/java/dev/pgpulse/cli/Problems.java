package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigException;
import dev.pgpulse.config.PgPulseConfig;

import java.io.PrintWriter;

/** Prints configuration problems one per line, no stack trace, and gives the usage exit code. */
final class Problems {
    private Problems() {
    }

    static int report(PrintWriter err, ConfigException e) {
        for (String p : e.problems()) {
            err.println("pgpulse: configuration: " + p);
        }
        return PgPulseCli.USAGE;
    }

    /**
     * The configuration the flags resolve to, or empty when it is bad, its problems then printed (the caller
     * exits with {@link PgPulseCli#USAGE}). With {@code warn}, the configuration's warnings are printed too.
     */
    static java.util.Optional<PgPulseConfig> load(PgPulseCli.Context context, dev.pgpulse.config.Overrides flags,
                                                  boolean warn) {
        try {
            PgPulseConfig config = context.loader().load(flags);
            if (warn) {
                warnings(context.err(), config);
            }
            return java.util.Optional.of(config);
        } catch (ConfigException e) {
            report(context.err(), e);
            return java.util.Optional.empty();
        }
    }

    static void warnings(PrintWriter err, PgPulseConfig config) {
        for (String w : config.warnings()) {
            err.println("pgpulse: warning: " + w);
        }
    }
}
