package dev.pgpulse.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the command line says, the top layer of the configuration.
 *
 * @param configFile {@code --config}: the profile file, or null for {@code ~/.config/pgpulse/profiles.json}
 * @param profile    {@code --profile}: which profile of the file, or null
 * @param url        {@code --url}: the primary, as a libpq or JDBC URL, or null
 * @param replicas   {@code --replica}: replica URLs; empty means "not given here"
 * @param environment {@code --env}, or null
 * @param settings   {@code --set key=value} pairs
 */
public record Overrides(Path configFile, String profile, String url, List<String> replicas, String environment,
                        Map<String, String> settings) {
    public Overrides {
        replicas = List.copyOf(replicas);
        settings = Map.copyOf(settings);
    }

    public static Overrides none() {
        return new Overrides(null, null, null, List.of(), null, Map.of());
    }

    @Override
    public String toString() {
        return "Overrides[config=" + configFile + ", profile=" + profile + ", url="
                + (url == null ? null : ConnectionUri.mask(url)) + ", replicas="
                + replicas.stream().map(ConnectionUri::mask).toList() + ", env=" + environment + ", settings="
                + settings.keySet() + "]";
    }
}
