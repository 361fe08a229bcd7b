package dev.pgpulse.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One connection profile as the console's profiles dialog edits it: what {@link ProfileStore} writes into the profile
 * file (which holds more: see {@link ProfileFile}; the store keeps what this does not model). Values are as a person
 * types them; {@link #problems()} checks them with the same code that reads the file.
 *
 * @param name        1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-'
 * @param primaryUrl  a {@code postgresql://} or {@code jdbc:postgresql:} URL naming a host, without a password; null
 *                    (or blank) for the embedded PostgreSQL, as when nothing is configured
 * @param replicaUrls the replicas' URLs, likewise, at most {@value Keys#MAX_REPLICAS}
 * @param environment null for the default (development)
 * @param pool        pool settings for every endpoint of the profile, by {@code pool} field name ({@code max_size},
 *                    {@code connection_timeout}, ...) with values as the file takes them ({@code "8"}, {@code "5s"})
 * @param webhookUrl  the alerts' http(s) webhook, or null
 */
public record ProfileSpec(String name, String primaryUrl, List<String> replicaUrls, Environment environment,
                          Map<String, String> pool, String webhookUrl) {
    /** Stands for the file in the sources of a profile that is in none yet. */
    static final String UNSAVED = "(not saved)";
    public static final int MAX_NAME_LENGTH = 64;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
    private static final String NO_PASSWORD = "remove the password from the URL; PgPulse takes it from ~/.pgpass, "
            + "PGPASSWORD, or asks at connect and keeps it in memory";
    /** Only the values of the spec are checked: no environment, no .pgpass (there is none here). */
    private static final Path NO_HOME = Path.of("/nonexistent-pgpulse-home");

    public ProfileSpec {
        primaryUrl = primaryUrl == null || primaryUrl.isBlank() ? null : primaryUrl.trim();
        replicaUrls = replicaUrls == null ? List.of() : List.copyOf(replicaUrls);
        pool = pool == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(pool));
        webhookUrl = webhookUrl == null || webhookUrl.isBlank() ? null : webhookUrl.trim();
    }

    /** A profile on the embedded PostgreSQL with every default. */
    public static ProfileSpec embedded(String name) {
        return new ProfileSpec(name, null, List.of(), null, Map.of(), null);
    }

    public boolean isEmbedded() {
        return primaryUrl == null;
    }

    public ProfileSpec withName(String newName) {
        return new ProfileSpec(newName, primaryUrl, replicaUrls, environment, pool, webhookUrl);
    }

    /**
     * Every problem, one line each naming the field and the fix; empty when the profile can be saved and loaded.
     * The URLs, pool values and webhook go through the configuration's own reading of a profile.
     */
    public List<String> problems() {
        return check().problems;
    }

    /** Soft problems that loading corrects (a pool value clamped, a JDBC property not used), one line each. */
    public List<String> warnings() {
        return check().warnings;
    }

    private record Check(List<String> problems, List<String> warnings) {
    }

    private Check check() {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add("name: give the profile a name (letters, digits, '.', '_' or '-')");
        } else if (name.length() > MAX_NAME_LENGTH) {
            problems.add("name: " + name.length() + " characters; at most " + MAX_NAME_LENGTH);
        } else if (!NAME.matcher(name).matches()) {
            problems.add("name '" + name + "': use letters, digits, '.', '_' or '-', not starting with '.' or '-'");
        }
        boolean urlsReadable = true;
        if (primaryUrl != null) {
            urlsReadable &= url("primary URL", primaryUrl, problems);
        }
        for (int i = 0; i < replicaUrls.size(); i++) {
            String u = replicaUrls.get(i);
            if (u == null || u.isBlank()) {
                problems.add("replica URL " + (i + 1) + ": empty; give a postgresql:// URL or remove the line");
                urlsReadable = false;
            } else {
                urlsReadable &= url("replica URL " + (i + 1), u, problems);
            }
        }
        if (primaryUrl == null && !replicaUrls.isEmpty()) {
            problems.add("replica URLs: replicas need a primary; give the primary URL or remove the replicas "
                    + "(the embedded PostgreSQL has none)");
        }
        if (urlsReadable && (primaryUrl != null || replicaUrls.isEmpty())) {
            // What is left is the configuration's own checking: pool values, the webhook, the number of replicas; with
            // this machine's cores, as the production preset (and so a min_idle's limit) depends on them.
            try {
                warnings.addAll(new LinkedHashSet<>(new ConfigLoader(Map.of(), NO_HOME, "pgpulse", Runtime.getRuntime().availableProcessors()).load(this, null)
                        .warnings()));
            } catch (ConfigException e) {
                // The same line twice (one per endpoint) is shown once.
                problems.addAll(new LinkedHashSet<>(e.problems()));
            }
        }
        return new Check(List.copyOf(problems), List.copyOf(warnings));
    }

    /**
     * A URL the dialog can take: one PostgreSQL URL naming a host (the primary's may list several), without a
     * password; false when it does not parse.
     */
    private static boolean url(String field, String url, List<String> problems) {
        ConnectionUri.Parsed parsed;
        try {
            parsed = ConnectionUri.parse(url);
        } catch (IllegalArgumentException e) {
            problems.add(field + " '" + ConnectionUri.mask(url) + "': " + e.getMessage() + "; expected "
                    + ConnectionUri.EXPECTED);
            return false;
        }
        if (ConnectionUri.hasPassword(url)) {
            problems.add(field + " '" + ConnectionUri.mask(url) + "' holds a password: " + NO_PASSWORD);
        }
        if (!field.startsWith("primary") && parsed.parts().getOrDefault("host", "").indexOf(',') >= 0) {
            problems.add(field + " '" + ConnectionUri.mask(url) + "' lists several hosts, but a replica is one server; "
                    + "give each standby as its own replica URL (a host list is for the primary only)");
            return false;
        }
        // A replica's is the configuration's own check; a primary without one would be libpq's localhost.
        if (field.startsWith("primary") && !parsed.parts().containsKey("host")) {
            problems.add(field + " '" + ConnectionUri.mask(url) + "' names no host; expected " + ConnectionUri.EXPECTED);
        }
        return true;
    }

    /** The profile's object in the file's format; what {@link ProfileStore} writes for a new profile. */
    ObjectNode toTree() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode node = f.objectNode();
        if (environment != null) {
            node.put("environment", environment.label());
        }
        if (primaryUrl != null) {
            node.putObject("primary").put("url", primaryUrl);
        }
        if (!replicaUrls.isEmpty()) {
            var array = node.putArray("replicas");
            replicaUrls.forEach(array::add);
        }
        if (!pool.isEmpty()) {
            ObjectNode p = node.putObject("pool");
            pool.forEach((k, v) -> p.set(k, poolValue(v)));
        }
        if (webhookUrl != null) {
            node.putObject("alerts").put("webhook_url", webhookUrl);
        }
        return node;
    }

    /** {@code "8"} is written as the number 8, as a person would write it; ProfileFile reads both. */
    static JsonNode poolValue(String v) {
        return v != null && v.matches("[0-9]{1,9}") ? JsonNodeFactory.instance.numberNode(Integer.parseInt(v))
                : JsonNodeFactory.instance.textNode(v);
    }

    /** The URLs masked ({@link Redact}): a profile is shown and logged, and a URL typed may still hold a secret. */
    @Override
    public String toString() {
        return "ProfileSpec[name=" + name + ", primary=" + (primaryUrl == null ? "(embedded)" : ConnectionUri.mask(primaryUrl))
                + ", replicas=" + replicaUrls.stream().map(u -> u == null ? null : ConnectionUri.mask(u)).toList()
                + ", environment=" + (environment == null ? "(default)" : environment.label()) + ", pool=" + pool
                + ", webhook=" + (webhookUrl == null ? "(none)" : Redact.webhook(webhookUrl)) + "]";
    }
}
