package dev.pgpulse.ui;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.orchestration.Orchestrator;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The console's entry for the command line, free of JavaFX types so that a machine without a display gets a
 * clear message before any JavaFX class loads.
 */
public final class Console {
    /**
     * Everything the window needs, resolved on the caller's thread before JavaFX starts; {@code loadedPrefs} carries
     * what {@link ConsolePrefsStore#load} found wrong with the preferences file (already printed on the terminal),
     * which the window shows once.
     */
    public record Launch(PgPulseConfig config, Orchestrator.Options options, Path prefsFile,
                         ConsolePrefsStore.Loaded loadedPrefs, Profiles profiles) {
        /** Preferences without a problem to show. */
        public Launch(PgPulseConfig config, Orchestrator.Options options, Path prefsFile, ConsolePrefs prefs) {
            this(config, options, prefsFile, new ConsolePrefsStore.Loaded(prefs));
        }

        /** No profiles: the window has no profiles dialog (a test's launch). */
        public Launch(PgPulseConfig config, Orchestrator.Options options, Path prefsFile,
                      ConsolePrefsStore.Loaded loadedPrefs) {
            this(config, options, prefsFile, loadedPrefs, null);
        }

        public ConsolePrefs prefs() {
            return loadedPrefs.prefs();
        }
    }

    /**
     * Where the console's profiles come from and how one is turned into a configuration: the command line's
     * loader, so that a profile chosen in the window resolves as {@code --profile NAME} would (passwords from
     * {@code .pgpass} and {@code PGPASSWORD}, or the one asked for at connect, kept in memory only).
     */
    public interface Profiles {
        /** The profile file. */
        dev.pgpulse.config.ProfileStore store();

        /** A saved profile's configuration, as chosen in the console; {@code password} null unless asked for. */
        PgPulseConfig load(String name, String password) throws dev.pgpulse.config.ConfigException;

        /** The configuration a profile as the form has it (saved or not) resolves to. */
        PgPulseConfig load(dev.pgpulse.config.ProfileSpec spec, String password) throws dev.pgpulse.config.ConfigException;
    }

    private Console() {
    }

    /**
     * Why the console cannot open a window here, if it cannot: on Linux without an X11 or Wayland display.
     */
    public static Optional<String> noDisplayReason(Function<String, Optional<String>> env) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return Optional.empty();
        }
        if (env.apply("DISPLAY").isEmpty() && env.apply("WAYLAND_DISPLAY").isEmpty()) {
            return Optional.of("no display to open the console on (DISPLAY and WAYLAND_DISPLAY are not set)");
        }
        return Optional.empty();
    }

    /** Opens the window and returns when it is closed, with why PgPulse could not start if it could not. */
    public static Optional<String> run(Launch launch) {
        return ConsoleApp.launchAndWait(launch);
    }
}
