package dev.pgpulse.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the command line says, the top layer of the configuration; or, from {@link #forProfile}, the profile a
 * person chose in the console.
 *
 * @param configFile  {@code --config}: the profile file, or null for {@code ~/.config/pgpulse/profiles.json}
 * @param profile     {@code --profile}: which profile of the file, or null
 * @param url         {@code --url}: the primary, as a libpq or JDBC URL, or null
 * @param replicas    {@code --replica}: replica URLs; empty means "not given here"
 * @param environment {@code --env}, or null
 * @param settings    {@code --set key=value} pairs
 * @param password    a password asked for at connect, as libpq's prompt would: used for every endpoint that gets
 *                    none from its URL, PGPASSWORD or {@code .pgpass}; held in memory only, never shown; or null
 * @param profileWins the profile was chosen in the console: its target (URLs, environment) wins over the
 *                    environment's DATABASE_URL, DATABASE_READ_URLS, PGHOST, PGPULSE_PRIMARY_HOST and PGPULSE_ENV,
 *                    which are not read; libpq's other variables and {@code .pgpass} only fill what its URLs leave out
 */
public record Overrides(Path configFile, String profile, String url, List<String> replicas, String environment,
                        Map<String, String> settings, String password, boolean profileWins) {
    public Overrides {
        replicas = List.copyOf(replicas);
        settings = Map.copyOf(settings);
        if (profileWins) {
            Objects.requireNonNull(profile, "profile: a profile chosen in the console has a name");
        }
    }

    /** The command line's flags, with no password asked for. */
    public Overrides(Path configFile, String profile, String url, List<String> replicas, String environment,
                     Map<String, String> settings) {
        this(configFile, profile, url, replicas, environment, settings, null, false);
    }

    public static Overrides none() {
        return new Overrides(null, null, null, List.of(), null, Map.of());
    }

    /**
     * The profile {@code name} of {@code file} as chosen in the console (see {@code profileWins}).
     *
     * @param file     the profile file, or null for the one the loader reads ({@code PGPULSE_CONFIG}, else the default)
     * @param password asked for at connect, or null
     */
    public static Overrides forProfile(Path file, String name, String password) {
        return new Overrides(file, Objects.requireNonNull(name, "name"), null, List.of(), null, Map.of(), password, true);
    }

    /** The same, with a password asked for at connect (null for none). */
    public Overrides withPassword(String asked) {
        return new Overrides(configFile, profile, url, replicas, environment, settings, asked, profileWins);
    }

    @Override
    public String toString() {
        return "Overrides[config=" + configFile + ", profile=" + profile + ", url="
                + (url == null ? null : ConnectionUri.mask(url)) + ", replicas="
                + replicas.stream().map(ConnectionUri::mask).toList() + ", env=" + environment + ", settings="
                + settings.keySet() + ", password=" + (password == null ? "(none)" : Setting.MASK)
                + (profileWins ? ", chosen in the console" : "") + "]";
    }
}
