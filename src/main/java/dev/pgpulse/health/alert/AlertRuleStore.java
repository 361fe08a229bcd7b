package dev.pgpulse.health.alert;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import dev.pgpulse.config.AtomicFile;
import dev.pgpulse.config.Durations;
import dev.pgpulse.config.SmallFile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and writes the alert rules file (the app uses {@code ~/.config/pgpulse/alert-rules.json}). Format:
 * <pre>{@code
 * { "schemaVersion": 1,
 *   "rules": [ { "id": "connections-high", "name": "...", "metric": "server.connections.used_ratio",
 *                "comparator": ">", "threshold": 0.8, "for": "5m", "severity": "warning", "enabled": true } ] }
 * }</pre>
 * {@code "for"} is a duration in {@link Durations}' syntax (README, "Durations"), a JSON string such as
 * {@code "30s"}, and defaults to {@code 0s}; {@code "enabled"} defaults to {@code true}; every other field is required.
 *
 * <p>Nothing the user wrote is ever deleted: a file that is not JSON, or of another schema version, is moved
 * aside to {@code alert-rules.json.broken-<yyyyMMdd-HHmmss>} and the defaults load; a file that is JSON
 * but holds bad rules stays where it is and {@link #load} throws, so the user can fix it.
 */
public final class AlertRuleStore {
    public static final int SCHEMA_VERSION = 1;

    /** What {@link #load} found. {@code defaultsUsed} is true when the rules are {@link DefaultRules#all()}. */
    public record LoadResult(List<AlertRule> rules, List<String> warnings, boolean defaultsUsed) {
        public LoadResult {
            rules = List.copyOf(rules);
            warnings = List.copyOf(warnings);
        }
    }

    private static final Set<String> TOP_FIELDS = Set.of("schemaVersion", "rules");
    private static final Set<String> RULE_FIELDS = Set.of("id", "name", "metric", "comparator", "threshold", "for",
            "severity", "enabled");
    private static final Map<String, String> EXPECTED = Map.of(
            "id", "a slug matching " + AlertRule.ID_FORMAT,
            "name", "1 to " + AlertRule.MAX_NAME_LENGTH + " characters",
            "metric", "one of " + MetricKeys.describe(),
            "comparator", "one of " + Operator.describe(),
            "threshold", "a finite number such as 0.8",
            "for", Durations.EXPECTED + ", from 0s to 24h",
            "severity", "one of " + Severity.describe(),
            "enabled", "true or false");
    private static final JsonMapper MAPPER = JsonMapper.builder()
            // NaN and Infinity then reach the threshold check, which names the rule, instead of failing the file.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path file;
    private final Clock clock;

    public AlertRuleStore(Path file) {
        this(file, Clock.systemDefaultZone());
    }

    /** @param clock for the time stamp of a file moved aside */
    AlertRuleStore(Path file, Clock clock) {
        this.file = file.toAbsolutePath();
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    /**
     * @throws AlertRuleException when the file is JSON of the right version but some rule is bad (every
     *                            problem is listed), or when it cannot be read or moved aside; the file is left as it is
     */
    public LoadResult load() throws AlertRuleException {
        return parse(true);
    }

    /**
     * Reads the file without touching it: what {@code pgpulse validate} does. A file {@link #load()} would move
     * aside is an {@link AlertRuleException} here.
     */
    public LoadResult read() throws AlertRuleException {
        return parse(false);
    }

    private LoadResult unusable(boolean moveAside, String why) throws AlertRuleException {
        if (moveAside) {
            return moveAside(why);
        }
        throw new AlertRuleException(List.of("alert rules file " + file + " " + why));
    }

    private LoadResult parse(boolean moveAside) throws AlertRuleException {
        byte[] bytes;
        try {
            bytes = SmallFile.read(file, SmallFile.DEFAULT_LIMIT);
        } catch (NoSuchFileException e) {
            return new LoadResult(DefaultRules.all(), List.of(), true);
        } catch (SmallFile.Refused e) {
            // Not moved aside: a device or FIFO put there on purpose is not ours to move.
            throw new AlertRuleException(List.of("alert rules file " + file + " " + e.getMessage()
                    + "; replace it with a JSON rules file or remove it for the default rules"));
        } catch (IOException e) {
            throw new AlertRuleException(List.of("alert rules file " + file + " cannot be read: " + e.getMessage()
                    + "; check its permissions"));
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            var loc = e.getLocation();
            return unusable(moveAside, "is not valid JSON"
                    + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + " (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            return unusable(moveAside, "cannot be parsed (" + e.getMessage() + ")");
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            return unusable(moveAside, "does not hold a JSON object with \"schemaVersion\": " + SCHEMA_VERSION + " and \"rules\"");
        }
        JsonNode version = root.get("schemaVersion");
        if (version == null || !version.isIntegralNumber() || !version.canConvertToInt()
                || version.intValue() != SCHEMA_VERSION) {
            return unusable(moveAside, (version == null ? "has no \"schemaVersion\"" : "has \"schemaVersion\" " + render(version))
                    + "; expected " + SCHEMA_VERSION);
        }
        return new LoadResult(readRules(root), List.of(), false);
    }

    private List<AlertRule> readRules(JsonNode root) throws AlertRuleException {
        String name = fileName();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!TOP_FIELDS.contains(e.getKey())) {
                problems.add(name + " field '" + e.getKey() + "': unknown field; expected one of " + sorted(TOP_FIELDS));
            }
        }
        JsonNode rules = root.get("rules");
        if (rules == null || !rules.isArray()) {
            problems.add(name + " field 'rules' " + (rules == null ? "is missing" : "is " + render(rules))
                    + "; expected an array of rule objects");
            throw new AlertRuleException(problems);
        }
        List<AlertRule> result = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            JsonNode r = rules.get(i);
            if (!r.isObject()) {
                problems.add(name + " rule at index " + i + ": " + render(r) + " is not an object; expected "
                        + "{\"id\": ..., \"name\": ..., \"metric\": ..., \"comparator\": ..., \"threshold\": ..., "
                        + "\"for\": ..., \"severity\": ..., \"enabled\": ...}");
                continue;
            }
            AlertRule rule = new RuleReader(r, i, seen, problems).read();
            if (rule != null) {
                result.add(rule);
            }
        }
        if (!problems.isEmpty()) {
            throw new AlertRuleException(problems);
        }
        return result;
    }

    /** Checks one rule object, adding one problem per bad field. */
    private final class RuleReader {
        private final JsonNode node;
        private final int index;
        private final Map<String, Integer> seen;
        private final List<String> problems;
        private final int problemsBefore;
        private String label;

        RuleReader(JsonNode node, int index, Map<String, Integer> seen, List<String> problems) {
            this.node = node;
            this.index = index;
            this.seen = seen;
            this.problems = problems;
            this.problemsBefore = problems.size();
        }

        AlertRule read() {
            label = "rule at index " + index;
            String id = text("id", AlertRule::idProblem);
            if (id != null) {
                Integer first = seen.putIfAbsent(id, index);
                if (first != null) {
                    problem("id", render(node.get("id")) + " is already the id of the rule at index " + first
                            + "; expected each id once");
                } else {
                    label = "rule '" + id + "'";
                }
            }
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!RULE_FIELDS.contains(e.getKey())) {
                    problem(e.getKey(), "unknown field; expected one of " + sorted(RULE_FIELDS));
                }
            }
            String name = text("name", AlertRule::nameProblem);
            String metric = text("metric", AlertRule::metricProblem);
            Operator operator = choice("comparator", Operator::fromSymbol, "is not a comparator");
            Double threshold = threshold();
            Duration forDuration = forDuration();
            Severity severity = choice("severity", Severity::fromJson, "is not a severity");
            Boolean enabled = enabled();
            if (problems.size() > problemsBefore) {
                return null;
            }
            try {
                return new AlertRule(id, name, metric, operator, threshold, forDuration, severity, enabled);
            } catch (IllegalArgumentException e) {
                // The checks above mirror the record's; this only guards against the two drifting apart.
                problems.add(fileName() + " " + label + ": " + e.getMessage());
                return null;
            }
        }

        private String text(String field, java.util.function.Function<String, String> check) {
            JsonNode v = present(field);
            if (v == null) {
                return null;
            }
            if (!v.isTextual()) {
                problem(field, render(v) + " is not a string; expected " + EXPECTED.get(field));
                return null;
            }
            String reason = check.apply(v.textValue());
            if (reason != null) {
                problem(field, render(v) + " " + reason);
                return null;
            }
            return v.textValue();
        }

        private <T> T choice(String field, java.util.function.Function<String, Optional<T>> parse, String what) {
            JsonNode v = present(field);
            if (v == null) {
                return null;
            }
            Optional<T> parsed = v.isTextual() ? parse.apply(v.textValue()) : Optional.empty();
            if (parsed.isEmpty()) {
                problem(field, render(v) + " " + what + "; expected " + EXPECTED.get(field));
                return null;
            }
            return parsed.get();
        }

        private Double threshold() {
            JsonNode v = present("threshold");
            if (v == null) {
                return null;
            }
            if (!v.isNumber()) {
                problem("threshold", render(v) + " is not a number; expected " + EXPECTED.get("threshold"));
                return null;
            }
            double d = v.doubleValue();
            String reason = AlertRule.thresholdProblem(d);
            if (reason != null) {
                problem("threshold", render(v) + " " + reason);
                return null;
            }
            return d;
        }

        private Duration forDuration() {
            JsonNode v = node.get("for");
            if (v == null) {
                return Duration.ZERO;
            }
            // A JSON number is read as its text, so 90 and "90" get the same fix (it used to mean seconds here).
            Optional<Duration> parsed = v.isTextual() || v.isNumber() ? Durations.parse(v.asText()) : Optional.empty();
            if (parsed.isEmpty()) {
                problem("for", render(v) + " " + Durations.problem(v.asText(), EXPECTED.get("for")));
                return null;
            }
            String reason = AlertRule.forProblem(parsed.get());
            if (reason != null) {
                problem("for", render(v) + " " + reason);
                return null;
            }
            return parsed.get();
        }

        private Boolean enabled() {
            JsonNode v = node.get("enabled");
            if (v == null) {
                return true;
            }
            if (!v.isBoolean()) {
                problem("enabled", render(v) + " is not a boolean; expected " + EXPECTED.get("enabled"));
                return null;
            }
            return v.booleanValue();
        }

        /** The field's value, or null after reporting it missing (a JSON null counts as missing). */
        private JsonNode present(String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                problems.add(fileName() + " " + label + " field '" + field + "' is missing; expected "
                        + EXPECTED.get(field));
                return null;
            }
            return v;
        }

        private void problem(String field, String text) {
            problems.add(fileName() + " " + label + " field '" + field + "': " + text);
        }
    }

    private LoadResult moveAside(String reason) throws AlertRuleException {
        AtomicFile.Aside aside = AtomicFile.moveAside(file, clock);
        if (!aside.moved()) {
            throw new AlertRuleException(List.of("alert rules file " + file + " " + reason
                    + "; it could not be moved aside to " + aside.target() + " (" + aside.failure().getMessage()
                    + "); fix the file or move it away yourself"));
        }
        List<AlertRule> defaults = DefaultRules.all();
        String warning = "alert rules file " + file + " " + reason + "; moved it to " + aside.target() + " and loaded the "
                + defaults.size() + " default rules";
        return new LoadResult(defaults, List.of(warning), true);
    }

    /**
     * Writes the rules through {@link AtomicFile}, user-only ({@code 0600}: a rules file sits beside settings that
     * may hold a webhook token), so the file holds either the old content or all of the new.
     *
     * @throws IllegalArgumentException when two rules share an id (the file would not load again)
     */
    public void save(List<AlertRule> rules) throws IOException {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            Integer first = ids.putIfAbsent(rules.get(i).id(), i);
            if (first != null) {
                throw new IllegalArgumentException("cannot save alert rules: rule id '" + rules.get(i).id()
                        + "' is used at index " + first + " and " + i + "; expected each id once");
            }
        }
        AtomicFile.write(writeTarget(), toJson(rules), AtomicFile.Mode.OWNER_ONLY);
    }

    /**
     * The file a save replaces: a symbolic link's target, so a rules file linked from elsewhere stays a link (the
     * atomic rename would otherwise put a regular file in the link's place and leave the target stale).
     */
    private Path writeTarget() {
        if (java.nio.file.Files.isSymbolicLink(file)) {
            try {
                return file.toRealPath();
            } catch (IOException e) {
                return file; // a link to nowhere: the rules file is made where the link was
            }
        }
        return file;
    }

    private static byte[] toJson(List<AlertRule> rules) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        ArrayNode array = root.putArray("rules");
        for (AlertRule r : rules) {
            ObjectNode o = array.addObject();
            o.put("id", r.id());
            o.put("name", r.name());
            o.put("metric", r.metric());
            o.put("comparator", r.operator().symbol());
            double t = r.threshold();
            // 1500000000 rather than 1.5E9: the file is meant to be read and edited by hand.
            if (t == Math.rint(t) && Math.abs(t) < 1e15 && Double.doubleToRawLongBits(t) != Double.doubleToRawLongBits(-0.0)) {
                o.put("threshold", (long) t);
            } else {
                o.put("threshold", t);
            }
            o.put("for", Durations.format(r.forDuration()));
            o.put("severity", r.severity().json());
            o.put("enabled", r.enabled());
        }
        byte[] json = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        byte[] out = new byte[json.length + 1];
        System.arraycopy(json, 0, out, 0, json.length);
        out[json.length] = '\n';
        return out;
    }

    private String fileName() {
        return file.getFileName().toString();
    }

    private static String render(JsonNode v) {
        // asText for numbers: toString would quote NaN and Infinity, which the file holds unquoted.
        String s = v.isNumber() ? v.asText() : v.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static String sorted(Set<String> s) {
        return String.join(", ", new TreeSet<>(s));
    }
}
