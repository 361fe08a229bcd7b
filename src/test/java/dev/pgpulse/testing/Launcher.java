package dev.pgpulse.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real {@code bin/pgpulse} as a newcomer runs it: no PG*, DATABASE_*, XDG_* or display, home in a test folder. */
public final class Launcher {
    private Launcher() {
    }

    public static ProcessBuilder builder(Path home, Map<String, String> extraEnv, String... args) {
        return builder(Path.of("bin/pgpulse"), home, extraEnv, args);
    }

    /** The same for another launcher, e.g. the jpackage app-image's {@code bin/pgpulse} (PackagedAppIT). */
    public static ProcessBuilder builder(Path launcher, Path home, Map<String, String> extraEnv, String... args) {
        // through perl, which sets SIGINT back to its default and execs (same pid): a test run started in the
        // background inherits SIGINT ignored, and PgPulse would then never see a Ctrl-C the test sends
        List<String> cmd = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die",
                launcher.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("DATABASE_") || k.startsWith("XDG_")
                || k.equals("DISPLAY") || k.equals("WAYLAND_DISPLAY"));
        env.put("HOME", home.toString());
        env.putAll(extraEnv);
        return pb;
    }
}
