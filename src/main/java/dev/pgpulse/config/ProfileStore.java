package dev.pgpulse.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The profile file as the console's profiles dialog edits it. Each edit reads the file again and refuses
 * ({@link Conflict}) when it changed since the listing the edit is based on, so two windows (or an editor) never
 * overwrite each other's change; it edits the file's JSON tree, so every field the dialog does not model (startup,
 * embedded, an endpoint's connection fields and pool, a password someone wrote there) stays as it was, and writes the
 * whole file atomically, owner-only ({@link AtomicFile}). A file PgPulse cannot read is never overwritten: the
 * listing carries its problems and an edit is refused until it is fixed or moved.
 *
 * <p>Edits through one store are serialised; between processes, the content check just before the write leaves only
 * the moment between that check and the rename for another writer's change to be lost.
 *
 * <p>No password is ever written: a profile whose URL holds one is refused ({@link ProfileSpec#problems()}).
 */
public final class ProfileStore {
    /** The file's content as of a listing: its SHA-256, or {@link #ABSENT}. */
    public record Stamp(String sha256) {
        public static final Stamp ABSENT = new Stamp("absent");

        public Stamp {
            Objects.requireNonNull(sha256, "sha256");
        }

        static Stamp of(byte[] content) {
            try {
                return new Stamp(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }

        public boolean exists() {
            return !equals(ABSENT);
        }
    }

    /**
     * What the file holds.
     *
     * @param profiles    in the file's order
     * @param defaultName the file's {@code "default"}, or null
     * @param stamp       what an edit must be based on
     * @param problems    why the file cannot be used or edited, one line each (edits are refused while there are any)
     * @param warnings    what works but should be fixed (a password stored in the file, a default naming no profile)
     */
    public record Listing(List<ProfileSpec> profiles, String defaultName, Stamp stamp, List<String> problems,
                          List<String> warnings) {
        public Listing {
            profiles = List.copyOf(profiles);
            Objects.requireNonNull(stamp, "stamp");
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }

        public Optional<ProfileSpec> find(String name) {
            return profiles.stream().filter(p -> p.name().equals(name)).findFirst();
        }

        public List<String> names() {
            return profiles.stream().map(ProfileSpec::name).toList();
        }
    }

    /** An edit refused because of the file: it changed on disk, a name is taken or gone, or it has problems. */
    public static final class Conflict extends Exception {
        public Conflict(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** An endpoint's connection fields that its URL (as the dialog shows it) stands for; the password is not one. */
    private static final List<String> URL_FIELDS = Keys.CONNECTION_FIELDS.stream().filter(f -> !f.equals("password"))
            .toList();

    private final Path file;

    public ProfileStore(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    /** The default profile file under a home folder, the one the configuration reads without --config. */
    public static ProfileStore forHome(Path home) {
        return new ProfileStore(home.resolve(ConfigLoader.DEFAULT_PROFILE_FILE));
    }

    public Path file() {
        return file;
    }

    /** Never throws: a missing file is an empty listing, one that cannot be read a listing with its problems. */
    public Listing load() {
        return read().listing;
    }

    /**
     * Adds a profile ({@code replacing} null) or changes one (renaming it when {@code spec}'s name differs; the file's
     * {@code "default"} follows a rename).
     *
     * @throws IllegalArgumentException when {@code spec} has problems (they are the message, one per line)
     * @throws Conflict                 when the file changed since {@code basedOn}, has problems, a new name is taken,
     *                                  or {@code replacing} is not in the file
     * @throws IOException              when the file cannot be written (it is then as it was)
     */
    public synchronized Listing save(ProfileSpec spec, String replacing, Stamp basedOn) throws Conflict, IOException {
        List<String> problems = spec.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join(System.lineSeparator(), problems));
        }
        Read current = editable(basedOn);
        ObjectNode root = current.root == null ? newRoot() : current.root;
        ObjectNode profiles = (ObjectNode) root.get("profiles");
        boolean renaming = replacing != null && !replacing.equals(spec.name());
        if ((replacing == null || renaming) && profiles.has(spec.name())) {
            throw new Conflict("a profile named '" + spec.name() + "' is already in " + file + "; choose another name, "
                    + "or edit that profile");
        }
        if (replacing == null) {
            profiles.set(spec.name(), spec.toTree());
        } else {
            JsonNode old = profiles.get(replacing);
            if (old == null) {
                throw new Conflict("profile '" + replacing + "' is no longer in " + file + "; reload the profiles");
            }
            ObjectNode node = (ObjectNode) old;
            apply(node, current.listing.find(replacing).orElseThrow(), spec);
            if (renaming) {
                ObjectNode renamed = JsonNodeFactory.instance.objectNode();
                profiles.properties().forEach(e -> renamed.set(e.getKey().equals(replacing) ? spec.name() : e.getKey(),
                        e.getValue()));
                root.set("profiles", renamed);
                if (replacing.equals(text(root.get("default")))) {
                    root.put("default", spec.name());
                }
            }
        }
        return write(root);
    }

    /**
     * Removes a profile; when it was the file's {@code "default"}, the default is removed too, and when it was the
     * last one the file is deleted (a file without profiles would stop PgPulse from starting).
     */
    public synchronized Listing delete(String name, Stamp basedOn) throws Conflict, IOException {
        Read current = editable(basedOn);
        ObjectNode profiles = current.root == null ? null : (ObjectNode) current.root.get("profiles");
        if (profiles == null || !profiles.has(name)) {
            throw new Conflict("profile '" + name + "' is not in " + file + "; reload the profiles");
        }
        profiles.remove(name);
        if (name.equals(text(current.root.get("default")))) {
            current.root.remove("default");
        }
        if (profiles.isEmpty()) {
            Files.delete(file);
            return load();
        }
        return write(current.root);
    }

    /** Makes {@code name} the profile PgPulse opens on without --profile; null removes the default. */
    public synchronized Listing setDefault(String name, Stamp basedOn) throws Conflict, IOException {
        Read current = editable(basedOn);
        if (name == null) {
            if (current.root != null) {
                current.root.remove("default");
                return write(current.root);
            }
            return current.listing;
        }
        if (current.root == null || !current.root.get("profiles").has(name)) {
            throw new Conflict("profile '" + name + "' is not in " + file + "; reload the profiles");
        }
        current.root.put("default", name);
        return write(current.root);
    }

    /** The file as it is now, if an edit based on {@code basedOn} may change it. */
    private Read editable(Stamp basedOn) throws Conflict {
        Read current = read();
        if (!current.listing.stamp().equals(basedOn)) {
            throw new Conflict("profile file " + file + " changed on disk since the profiles were read (another "
                    + "PgPulse window or an editor); reload the profiles and make the change again");
        }
        if (!current.listing.problems().isEmpty()) {
            throw new Conflict("profile file " + file + " has problems, so PgPulse does not write over it: "
                    + current.listing.problems().getFirst() + (current.listing.problems().size() > 1 ? " (and "
                    + (current.listing.problems().size() - 1) + " more)" : "") + "; fix the file or move it away");
        }
        return current;
    }

    private Listing write(ObjectNode root) throws IOException {
        byte[] bytes = (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, bytes, AtomicFile.Mode.OWNER_ONLY);
        return parse(bytes).listing;
    }

    private static ObjectNode newRoot() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("version", ProfileFile.SCHEMA_VERSION);
        root.putObject("profiles");
        return root;
    }

    /** The file's tree (null when there is none or it cannot be edited) and what it lists. */
    private record Read(ObjectNode root, Listing listing) {
    }

    private Read read() {
        byte[] bytes;
        try {
            bytes = SmallFile.read(file, SmallFile.DEFAULT_LIMIT);
        } catch (NoSuchFileException e) {
            return new Read(null, new Listing(List.of(), null, Stamp.ABSENT, List.of(), List.of()));
        } catch (SmallFile.Refused e) {
            return broken(Stamp.ABSENT, "profile file " + file + " " + e.getMessage() + "; move it away");
        } catch (IOException e) {
            return broken(Stamp.ABSENT, "profile file " + file + " cannot be read: " + e.getMessage()
                    + "; check its permissions");
        }
        return parse(bytes);
    }

    private Read parse(byte[] bytes) {
        Stamp stamp = Stamp.of(bytes);
        JsonNode tree;
        try {
            tree = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            // ProfileFile words it without echoing a value that may be a password.
            List<String> problems = new ArrayList<>();
            ProfileFile.read(file, null, null, problems, new ArrayList<>());
            return broken(stamp, problems.isEmpty() ? "profile file " + file + " is not valid JSON" : problems.getFirst());
        } catch (IOException e) {
            return broken(stamp, "profile file " + file + " cannot be read: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) {
            return broken(stamp, "profile file " + file + " must hold a JSON object with \"version\": "
                    + ProfileFile.SCHEMA_VERSION + " and \"profiles\"");
        }
        ObjectNode root = (ObjectNode) tree;
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (String f : iterable(root)) {
            if (!Set.of("version", "default", "profiles").contains(f)) {
                problems.add("profile file " + file + ": unknown field '" + f + "'; expected default, profiles, version");
            }
        }
        JsonNode version = root.get("version");
        if (version == null || !version.canConvertToInt() || version.asInt() != ProfileFile.SCHEMA_VERSION) {
            problems.add("profile file " + file + ": \"version\" is " + version + "; expected " + ProfileFile.SCHEMA_VERSION);
        }
        JsonNode profilesNode = root.get("profiles");
        if (profilesNode == null || !profilesNode.isObject()) {
            problems.add("profile file " + file + ": \"profiles\" must be an object of profiles by name");
            return new Read(root, new Listing(List.of(), null, stamp, problems, warnings));
        }
        JsonNode def = root.get("default");
        String defaultName = null;
        if (def != null && !def.isNull()) {
            if (!def.isTextual()) {
                problems.add("profile file " + file + ": \"default\" must be a profile's name in double quotes");
            } else {
                defaultName = def.asText();
                if (!profilesNode.has(defaultName)) {
                    warnings.add("profile file " + file + ": \"default\" is '" + defaultName + "', which is not one of "
                            + "its profiles; PgPulse does not start without --profile until a default is set");
                }
            }
        }
        List<ProfileSpec> profiles = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : profilesNode.properties()) {
            if (!e.getValue().isObject()) {
                problems.add("profile " + file + " [" + e.getKey() + "]: expected an object");
                continue;
            }
            // Exactly what loading the profile would find wrong in the file.
            ProfileFile.walk(e.getValue(), file.toString(), e.getKey(), problems, warnings);
            spec(e.getKey(), e.getValue(), problems).ifPresent(profiles::add);
        }
        return new Read(root, new Listing(profiles, defaultName, stamp, problems, warnings));
    }

    private static Read broken(Stamp stamp, String problem) {
        return new Read(null, new Listing(List.of(), null, stamp, List.of(problem), List.of()));
    }

    /** The profile as the dialog shows it; empty (with the problem recorded) when it holds what the dialog cannot. */
    private Optional<ProfileSpec> spec(String name, JsonNode node, List<String> problems) {
        String where = "profile " + file + " [" + name + "] ";
        Environment environment = null;
        String envText = text(node.get("environment"));
        if (envText != null) {
            environment = Environment.parse(envText).orElse(null);
            if (environment == null) {
                problems.add(where + "environment '" + envText + "': expected development, staging or production");
            }
        }
        String primaryUrl = null;
        JsonNode primary = node.get("primary");
        if (primary != null && primary.isObject()) {
            primaryUrl = endpointUrl(primary, where, problems);
        }
        List<String> replicas = new ArrayList<>();
        JsonNode r = node.get("replicas");
        if (r != null && r.isArray()) {
            for (JsonNode item : r) {
                String u = item.isTextual() ? item.asText() : text(item.get("url"));
                if (u != null) {
                    replicas.add(u);
                }
            }
        }
        Map<String, String> pool = new LinkedHashMap<>();
        JsonNode p = node.get("pool");
        if (p != null && p.isObject()) {
            p.properties().forEach(e -> {
                if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                    pool.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        JsonNode alerts = node.get("alerts");
        String webhook = alerts == null ? null : text(alerts.get("webhook_url"));
        return Optional.of(new ProfileSpec(name, primaryUrl, replicas, environment, pool, webhook));
    }

    /**
     * The primary's URL, with the connection fields the object gives beside it folded in (they win over the URL's
     * parts when the file is read), so the dialog shows where the profile connects.
     */
    private static String endpointUrl(JsonNode endpoint, String where, List<String> problems) {
        String url = text(endpoint.get("url"));
        boolean fields = URL_FIELDS.stream().anyMatch(endpoint::hasNonNull);
        if (!fields) {
            return url == null ? "postgresql://" : url;
        }
        Map<String, String> parts = new HashMap<>();
        if (url != null) {
            try {
                parts.putAll(ConnectionUri.parse(url).parts());
            } catch (IllegalArgumentException e) {
                return url; // ProfileFile has reported it
            }
        }
        parts.remove("password");
        for (String f : URL_FIELDS) {
            String v = text(endpoint.get(f));
            if (v != null) {
                parts.put(f, v);
            }
        }
        return ConnectionUri.format(parts);
    }

    /** Changes what differs between {@code before} and {@code after} in the profile's object, and nothing else. */
    private static void apply(ObjectNode node, ProfileSpec before, ProfileSpec after) {
        if (before.environment() != after.environment()) {
            if (after.environment() == null) {
                node.remove("environment");
            } else {
                node.put("environment", after.environment().label());
            }
        }
        if (!Objects.equals(before.primaryUrl(), after.primaryUrl())) {
            if (after.primaryUrl() == null) {
                // Any primary object names a server; the embedded PostgreSQL is the absence of one.
                node.remove("primary");
            } else {
                JsonNode existing = node.get("primary");
                ObjectNode primary = existing instanceof ObjectNode o ? o : node.putObject("primary");
                // The URL now says all of the connection (the dialog showed the fields folded into it).
                primary.remove(URL_FIELDS);
                primary.put("url", after.primaryUrl());
            }
        }
        if (!before.replicaUrls().equals(after.replicaUrls())) {
            if (after.replicaUrls().isEmpty()) {
                node.remove("replicas");
            } else {
                List<JsonNode> old = new ArrayList<>();
                if (node.get("replicas") instanceof ArrayNode a) {
                    a.forEach(old::add);
                }
                ArrayNode replicas = JsonNodeFactory.instance.arrayNode();
                for (String u : after.replicaUrls()) {
                    // A replica kept (by its URL) keeps its own pool settings.
                    JsonNode kept = old.stream().filter(n -> u.equals(n.isTextual() ? n.asText() : text(n.get("url"))))
                            .findFirst().orElse(null);
                    if (kept != null) {
                        old.remove(kept);
                        replicas.add(kept);
                    } else {
                        replicas.add(u);
                    }
                }
                node.set("replicas", replicas);
            }
        }
        if (!before.pool().equals(after.pool())) {
            JsonNode existing = node.get("pool");
            ObjectNode pool = existing instanceof ObjectNode o ? o : node.putObject("pool");
            before.pool().keySet().stream().filter(k -> !after.pool().containsKey(k)).toList().forEach(pool::remove);
            after.pool().forEach((k, v) -> {
                if (!v.equals(before.pool().get(k))) {
                    pool.set(k, ProfileSpec.poolValue(v));
                }
            });
            if (pool.isEmpty()) {
                node.remove("pool");
            }
        }
        if (!Objects.equals(before.webhookUrl(), after.webhookUrl())) {
            JsonNode existing = node.get("alerts");
            ObjectNode alerts = existing instanceof ObjectNode o ? o : node.putObject("alerts");
            if (after.webhookUrl() == null) {
                alerts.remove("webhook_url");
            } else {
                alerts.put("webhook_url", after.webhookUrl());
            }
            if (alerts.isEmpty()) {
                node.remove("alerts");
            }
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    private static List<String> iterable(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Override
    public String toString() {
        return "ProfileStore[" + file + "]";
    }
}
