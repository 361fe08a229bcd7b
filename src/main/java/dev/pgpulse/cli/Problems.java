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

    static void warnings(PrintWriter err, PgPulseConfig config) {
        for (String w : config.warnings()) {
            err.println("pgpulse: warning: " + w);
        }
    }
}
