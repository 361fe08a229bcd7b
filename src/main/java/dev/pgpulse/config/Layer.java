package dev.pgpulse.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One source of configuration (flags, environment or profile): raw values by key, the replica list if this
 * layer gives one, and whether it names a target server at all.
 */
final class Layer {
    final String name;
    final Map<String, ConfigValue> values = new LinkedHashMap<>();
    /** Replica URLs with the source of each; null when this layer says nothing about replicas. */
    List<ConfigValue> replicas;
    boolean namesPrimary;
    /** The profile this layer was read from, when it is a profile's. */
    String profileName;
    /** A profile's clusters by name, in the file's order: each a layer of its own over the profile's. */
    final Map<String, Layer> clusters = new LinkedHashMap<>();

    Layer(String name) {
        this.name = name;
    }

    void put(String key, String raw, ConfigSource source) {
        values.put(key, new ConfigValue(raw, source));
    }

    Optional<ConfigValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** Puts a URL's parts under {@code prefix.}; returns false (and records the problem) if it does not parse. */
    boolean putUrl(String prefix, String url, ConfigSource source, String key, List<String> problems,
                   List<String> warnings) {
        try {
            ConnectionUri.Parsed parsed = ConnectionUri.parse(url);
            parsed.parts().forEach((k, v) -> put(prefix + "." + k, v, source));
            parsed.warnings().forEach(w -> warnings.add(source + ": " + w));
            return true;
        } catch (IllegalArgumentException e) {
            problems.add(key + " = '" + ConnectionUri.mask(url) + "' (from " + source + "): " + e.getMessage()
                    + "; expected " + ConnectionUri.EXPECTED);
            return false;
        }
    }

    void putReplicas(List<ConfigValue> urls) {
        replicas = new ArrayList<>(urls);
    }
}
