package dev.pgpulse.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs of the machine (Xvfb, the distribution's PostgreSQL client tools, chattr as root...). On a
 * developer's machine a missing one skips the test, saying what to install; in CI (env {@code CI} set, as
 * {@code .ci/run} does) or with {@code -Dpgpulse.tests.require=true} it fails it instead: a skip there would
 * hide a test that never ran behind a green build.
 */
public final class Prerequisite {
    public static final String PROPERTY = "pgpulse.tests.require";

    private Prerequisite() {
    }

    /** Whether every test must run here: CI, or the system property. */
    public static boolean mustRun() {
        return mustRun(System.getenv());
    }

    static boolean mustRun(java.util.Map<String, String> env) {
        String ci = env.get("CI");
        return (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) || Boolean.getBoolean(PROPERTY);
    }

    /**
     * @param present whether the prerequisite is there
     * @param what    what is missing and how to get it, e.g. "Xvfb (apt-get install xvfb xauth libgtk-3-0)"
     */
    public static void require(boolean present, String what) {
        require(present, what, System.getenv());
    }

    static void require(boolean present, String what, java.util.Map<String, String> env) {
        if (present) {
            return;
        }
        if (mustRun(env)) {
            Assertions.fail("missing on this machine: " + what + "; CI (env CI, or -D" + PROPERTY
                    + "=true) runs every test, so install it (.ci/run does)");
        }
        Assumptions.abort("missing on this machine: " + what + "; skipped here, CI fails instead");
    }
}
