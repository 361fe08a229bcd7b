package dev.pgpulse.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the profile file into a {@link Layer}. Format (schema version 1):
 * <pre>{@code
 * { "version": 1, "default": "local",
 *   "profiles": {
 *     "local": {
 *       "environment": "development",
 *       "primary": { "url": "postgresql://app@db1:5432/app", "pool": { "max_size": 8 } },
 *       "replicas": [ "postgresql://app@db2:5432/app", { "url": "postgresql://app@db3/app", "pool": { "max_size": 4 } } ],
 *       "pool": { "connection_timeout": "5s" },
 *       "alerts": { "webhook_url": "https://hooks.example.com/pgpulse" },
 *       "startup": { "wait": "30s" },
 *       "embedded": { "data_dir": "/srv/pgpulse/embedded" } } } }
 * }</pre>
 * The file is walked as a tree so that every problem names its path. {@code alerts.webhook_url} is the same setting
 * as {@code PGPULSE_ALERTS_WEBHOOK_URL} and {@code --set alerts.webhook_url=...}. An endpoint object may also give
 * its connection as fields ({@code host}, {@code port}, {@code database}, {@code user}, {@code sslmode},
 * {@code application_name}, {@code connect_timeout}), which win over its {@code url}'s parts. The console's profiles
 * dialog edits this file through {@link ProfileStore}, which keeps every field it does not edit.
 */
final class ProfileFile {
    static final int SCHEMA_VERSION = 1;
    /** Jackson quotes an unquoted value whole ({@code "password": hunter2}). */
    private static final java.util.regex.Pattern UNQUOTED_TOKEN = java.util.regex.Pattern.compile(
            "Unrecognized token '.*?'(?=: was expecting)", java.util.regex.Pattern.DOTALL);
    private static final Set<String> TOP = Set.of("version", "default", "profiles");
    private static final Set<String> PROFILE = Set.of("environment", "primary", "replicas", "pool", "alerts",
            "startup", "embedded", "clusters");
    /** What a cluster of a profile's {@code clusters} may set; the rest it takes from its profile. */
    private static final Set<String> CLUSTER = Set.of("environment", "primary", "replicas", "pool");
    /** A cluster's name: a Prometheus label value and a URL path segment ({@code /health/east-1}) as it is. */
    static final java.util.regex.Pattern CLUSTER_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Set<String> ENDPOINT;
    private static final Set<String> REPLICA = Set.of("url", "pool");

    static {
        var fields = new java.util.HashSet<>(Keys.CONNECTION_FIELDS);
        fields.add("url");
        fields.add("pool");
        ENDPOINT = Set.copyOf(fields);
    }

    /** The file's path, or what stands for it when the profile is not in a file yet (the dialog's). */
    private final String file;
    private final String profileName;
    private final List<String> problems;
    private final List<String> warnings;
    /** Where in the profile the walked object is: "" for the profile, {@code clusters.east.} for a cluster. */
    private final String at;

    private ProfileFile(String file, String profileName, List<String> problems, List<String> warnings) {
        this(file, profileName, problems, warnings, "");
    }

    private ProfileFile(String file, String profileName, List<String> problems, List<String> warnings, String at) {
        this.file = file;
        this.profileName = profileName;
        this.problems = problems;
        this.warnings = warnings;
        this.at = at;
    }

    /**
     * @param requested the profile asked for by flag or environment, or null for the file's default
     * @return the layer, or null when the file cannot be used (the reason is in {@code problems})
     */
    static Layer read(Path file, String requested, ConfigSource requestedSource, List<String> problems,
                      List<String> warnings) {
        JsonNode root;
        try {
            // a key twice (two clusters called "east") is an error, not the second one silently winning
            root = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .readTree(SmallFile.readString(file, SmallFile.DEFAULT_LIMIT));
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            problems.add("profile file " + file + " is not valid JSON"
                    + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr()) + ": "
                    + UNQUOTED_TOKEN.matcher(e.getOriginalMessage()).replaceAll("Unrecognized token (a value not in "
                    + "double quotes; not shown, it may be a password)") + "; fix the file or point --config at another one");
            return null;
        } catch (SmallFile.Refused e) {
            problems.add("profile file " + file + " " + e.getMessage() + "; point --config or PGPULSE_CONFIG at a JSON file");
            return null;
        } catch (IOException e) {
            problems.add("profile file " + file + " cannot be read: " + e.getMessage()
                    + "; check its permissions or point --config at another one");
            return null;
        }
        if (root == null || !root.isObject()) {
            problems.add("profile file " + file + " must hold a JSON object with \"version\": " + SCHEMA_VERSION
                    + " and \"profiles\"");
            return null;
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP.contains(f)) {
                problems.add("profile file " + file + ": unknown field '" + f + "'; expected one of " + sorted(TOP));
            }
        }
        JsonNode version = root.get("version");
        if (version == null || !version.canConvertToInt() || version.asInt() != SCHEMA_VERSION) {
            problems.add("profile file " + file + ": \"version\" is " + version + "; expected " + SCHEMA_VERSION);
            return null;
        }
        JsonNode profiles = root.get("profiles");
        if (profiles == null || !profiles.isObject() || profiles.isEmpty()) {
            problems.add("profile file " + file + ": \"profiles\" must be an object with at least one profile");
            return null;
        }
        String name = requested;
        String why = requestedSource == null ? null : requestedSource.toString();
        if (name == null && root.hasNonNull("default")) {
            name = root.get("default").asText();
            why = "the file's \"default\"";
        }
        if (name == null) {
            if (profiles.size() != 1) {
                problems.add("profile file " + file + " has " + profiles.size() + " profiles and no \"default\"; "
                        + "choose one with --profile NAME or PGPULSE_PROFILE (profiles: " + names(profiles) + ")");
                return null;
            }
            name = profiles.fieldNames().next();
        }
        JsonNode profile = profiles.get(name);
        if (profile == null || !profile.isObject()) {
            problems.add("profile '" + name + "' (from " + why + ") is not in " + file + "; profiles there: "
                    + names(profiles));
            return null;
        }
        return walk(profile, file.toString(), name, problems, warnings);
    }

    /**
     * One profile's object, already parsed: how {@link ProfileStore} checks what a file holds, and how a profile not
     * saved yet is read.
     *
     * @param file the file's path, or a label for a profile that is in no file
     */
    static Layer walk(JsonNode profile, String file, String name, List<String> problems, List<String> warnings) {
        Layer layer = new ProfileFile(file, name, problems, warnings).walk(profile);
        layer.profileName = name;
        return layer;
    }

    private Layer walk(JsonNode profile) {
        Layer layer = new Layer(at.isEmpty() ? "profile" : "profile " + at.substring(0, at.length() - 1));
        unknown(profile, at.isEmpty() ? PROFILE : CLUSTER, "");
        JsonNode clusters = at.isEmpty() ? profile.get("clusters") : null;
        if (clusters != null) {
            if (!clusters.isObject() || clusters.isEmpty()) {
                problems.add(where("clusters") + ": expected an object of clusters by name, such as {\"east\": "
                        + "{\"primary\": {\"url\": \"postgresql://...\"}}}");
            } else if (profile.has("primary") || profile.has("replicas")) {
                problems.add(where("clusters") + ": a profile with clusters gives each cluster its primary and replicas;"
                        + " move \"primary\" and \"replicas\" into the clusters");
            } else {
                for (Map.Entry<String, JsonNode> c : clusters.properties()) {
                    String name = c.getKey();
                    if (!CLUSTER_NAME.matcher(name).matches()) {
                        problems.add(where("clusters") + ": cluster name '" + name.replaceAll("[^\\x20-\\x7e]", "?")
                                + "' must be lower-case letters, digits, '-' or '_' (at most 63, starting with a letter"
                                + " or digit): it becomes a Prometheus label and a URL path");
                        continue;
                    }
                    if (!c.getValue().isObject() || !c.getValue().has("primary")) {
                        problems.add(where("clusters." + name) + ": expected an object with \"primary\"");
                        continue;
                    }
                    Layer cl = new ProfileFile(file, profileName, problems, warnings, "clusters." + name + ".")
                            .walk(c.getValue());
                    cl.profileName = profileName;
                    layer.clusters.put(name, cl);
                }
            }
        }
        text(profile, "", "environment").ifPresent(v -> layer.put(Keys.ENVIRONMENT, v, src("environment")));
        JsonNode startup = profile.get("startup");
        if (startup != null) {
            unknown(startup, Set.of("wait"), "startup.");
            text(startup, "startup.", "wait").ifPresent(v -> layer.put(Keys.STARTUP_WAIT, v, src("startup.wait")));
        }
        JsonNode alerts = profile.get("alerts");
        if (alerts != null) {
            if (!alerts.isObject()) {
                problems.add(where("alerts") + ": expected an object such as {\"webhook_url\": \"https://...\"}");
            } else {
                unknown(alerts, Set.of("webhook_url"), "alerts.");
                text(alerts, "alerts.", "webhook_url").ifPresent(v -> layer.put(Keys.WEBHOOK_URL, v,
                        src("alerts.webhook_url")));
            }
        }
        JsonNode embedded = profile.get("embedded");
        if (embedded != null) {
            unknown(embedded, Set.of("data_dir"), "embedded.");
            text(embedded, "embedded.", "data_dir").ifPresent(v -> layer.put(Keys.EMBEDDED_DATA_DIR, v, src("embedded.data_dir")));
        }
        pool(profile.get("pool"), "pool", layer);
        JsonNode primary = profile.get("primary");
        if (primary != null) {
            if (!primary.isObject()) {
                problems.add(where("primary") + ": expected an object such as {\"url\": \"postgresql://...\"}");
            } else {
                unknown(primary, ENDPOINT, "primary.");
                layer.namesPrimary = true;
                text(primary, "primary.", "url").ifPresent(u -> layer.putUrl(Keys.PRIMARY, u, src("primary.url"),
                        "primary.url", problems, warnings));
                for (String f : Keys.CONNECTION_FIELDS) {
                    text(primary, "primary.", f).ifPresent(v -> layer.put("primary." + f, v, src("primary." + f)));
                }
                if (primary.has("password")) {
                    warnings.add(where("primary.password") + " stores a password in plain text; prefer ~/.pgpass "
                            + "(mode 0600) or PGPASSWORD");
                }
                pool(primary.get("pool"), "primary.pool", layer);
            }
        }
        JsonNode replicas = profile.get("replicas");
        if (replicas != null) {
            if (!replicas.isArray()) {
                problems.add(where("replicas") + ": expected an array of URLs or {\"url\": ..., \"pool\": {...}} objects");
            } else {
                List<ConfigValue> urls = new ArrayList<>();
                for (int i = 0; i < replicas.size(); i++) {
                    JsonNode r = replicas.get(i);
                    String path = "replicas[" + i + "]";
                    if (r.isTextual()) {
                        urls.add(new ConfigValue(r.asText(), src(path)));
                    } else if (r.isObject() && r.hasNonNull("url")) {
                        unknown(r, REPLICA, path + ".");
                        urls.add(new ConfigValue(r.get("url").asText(), src(path + ".url")));
                        pool(r.get("pool"), Keys.replicaName(i) + ".pool", layer);
                    } else {
                        problems.add(where(path) + ": expected a URL string or an object with \"url\"");
                    }
                }
                layer.putReplicas(urls);
            }
        }
        return layer;
    }

    private void pool(JsonNode pool, String prefix, Layer layer) {
        if (pool == null) {
            return;
        }
        if (!pool.isObject()) {
            problems.add(where(prefix) + ": expected an object of pool settings (" + String.join(", ", Keys.POOL_FIELDS) + ")");
            return;
        }
        unknown(pool, Set.copyOf(Keys.POOL_FIELDS), prefix + ".");
        for (String f : Keys.POOL_FIELDS) {
            text(pool, prefix + ".", f).ifPresent(v -> layer.put(prefix + "." + f, v, src(prefix + "." + f)));
        }
    }

    private java.util.Optional<String> text(JsonNode node, String prefix, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return java.util.Optional.empty();
        }
        if (v.isValueNode()) {
            return java.util.Optional.of(v.asText());
        }
        problems.add(where(prefix + field) + ": expected a string or a number, not " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        return java.util.Optional.empty();
    }

    private void unknown(JsonNode node, Set<String> known, String prefix) {
        if (!node.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String f = entry.getKey();
            if (!known.contains(f)) {
                problems.add(where(prefix + f) + ": unknown field; expected one of " + sorted(known));
            }
        }
    }

    private ConfigSource src(String path) {
        return ConfigSource.profile(file, profileName, at + path);
    }

    private String where(String path) {
        return "profile " + file + " [" + profileName + "] " + at + path;
    }

    private static String names(JsonNode profiles) {
        List<String> names = new ArrayList<>();
        profiles.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    private static String sorted(Set<String> s) {
        return String.join(", ", new java.util.TreeSet<>(s));
    }
}
