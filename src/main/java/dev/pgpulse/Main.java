package dev.pgpulse;

import dev.pgpulse.cli.PgPulseCli;

/** Entry point. Not a JavaFX {@code Application}, so the plain classpath launch works. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(PgPulseCli.run(PgPulseCli.Context.forThisProcess(), args));
    }
}
