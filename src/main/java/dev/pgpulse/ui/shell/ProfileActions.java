package dev.pgpulse.ui.shell;

import dev.pgpulse.config.ProfileSpec;
import dev.pgpulse.config.ProfileStore;
import dev.pgpulse.pool.ConnectionTest;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the profiles dialog may ask of the core: the profile file (read and edited through {@code ProfileStore}:
 * atomic, mode 0600, never a password in it), a connection test of a profile as it stands in the form, and a
 * switch of the console to a profile. Passwords asked for at connect are held in memory for the profile until
 * PgPulse exits, never written. Each call returns at once; {@code done} runs on the FX thread.
 */
public interface ProfileActions {
    /** The file's profiles now. */
    void load(Consumer<ProfileStore.Listing> done);

    /** An edit's outcome: the file as it is after it, and why the edit did not happen when it did not. */
    record Edited(ProfileStore.Listing listing, Optional<String> problem) {
    }

    /** Saves a new profile ({@code replacing} null) or replaces {@code replacing} (renamed when the name differs). */
    void save(ProfileSpec spec, String replacing, ProfileStore.Stamp basedOn, Consumer<Edited> done);

    void delete(String name, ProfileStore.Stamp basedOn, Consumer<Edited> done);

    /** Makes {@code name} the profile `pgpulse` opens on without {@code --profile}. */
    void makeDefault(String name, ProfileStore.Stamp basedOn, Consumer<Edited> done);

    /**
     * Connects once to every endpoint of the profile as the form has it (saved or not), with {@code password} when
     * not null (and then remembers it for that profile's name, in memory only), else with what the profile resolves
     * to: {@code .pgpass}, {@code PGPASSWORD}, or a password remembered earlier.
     */
    void test(ProfileSpec spec, String password, Consumer<ConnectionTest.Result> done);

    /** A switch's outcome: empty when the console runs on the profile now, else why not. */
    record Switched(Optional<String> problem, boolean needsPassword) {
        public static final Switched DONE = new Switched(Optional.empty(), false);
    }

    /**
     * Switches the console to a saved profile, or back to the target PgPulse was started on ({@code name} null).
     * The previous target keeps running when the new one cannot be reached.
     */
    void switchTo(String name, String password, Consumer<Switched> done);

    /** The profile the console runs on now, or null for the target PgPulse was started on without one. */
    String active();

    /** The target PgPulse was started on, as shown (no password), when no profile named it; else null. */
    String launchTarget();

    /** Whether a password for the profile is held in memory. */
    boolean remembersPassword(String name);

    /** The profile file. */
    Path file();
}
