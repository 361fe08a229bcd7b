package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigException;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.config.ProfileSpec;
import dev.pgpulse.config.ProfileStore;

import java.util.List;

/**
 * The console's profiles over the command line's loader: the profile file it reads ({@code --config}, else
 * {@code PGPULSE_CONFIG}, else {@code ~/.config/pgpulse/profiles.json}), and a profile chosen in the window resolved
 * as {@link Overrides#forProfile} does (its target wins over the environment's), with the launch's {@code --set}
 * settings kept.
 */
public final class LoaderProfiles implements Console.Profiles {
    private final ConfigLoader loader;
    private final Overrides launch;
    private final ProfileStore store;

    public LoaderProfiles(ConfigLoader loader, Overrides launch) {
        this.loader = loader;
        this.launch = launch;
        this.store = new ProfileStore(loader.profileFile(launch));
    }

    @Override
    public ProfileStore store() {
        return store;
    }

    @Override
    public PgPulseConfig load(String name, String password) throws ConfigException {
        return loader.load(new Overrides(store.file(), name, null, List.of(), null, settings(), password, true));
    }

    /** The launch's --set settings but those that name a target: the profile's own target is the one chosen. */
    private java.util.Map<String, String> settings() {
        java.util.Map<String, String> kept = new java.util.HashMap<>(launch.settings());
        kept.keySet().removeIf(k -> k.startsWith("primary.") || k.startsWith("replica-") || k.equals("environment"));
        return kept;
    }

    @Override
    public PgPulseConfig load(ProfileSpec spec, String password) throws ConfigException {
        return loader.load(spec, password);
    }
}
