package dev.pgpulse.health.alert;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgpulse.config.AtomicFile;
import dev.pgpulse.config.Durations;
import dev.pgpulse.config.SmallFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The silences in force, like Alertmanager's: while one lasts, the alerts it covers still reach the engine's
 * listeners (the console shows them, greyed, with the silence's end) but no notifier (log, webhook); see
 * {@link AlertEngine}. They are kept in {@code silences.json} beside the alert rules file, so a restart keeps them:
 * <pre>{@code
 * { "schemaVersion": 1,
 *   "silences": [ { "id": "...", "ruleId": "long-transaction", "subject": "*", "created": "2026-12-02T06:00:00Z",
 *                   "until": "2026-12-02T08:00:00Z", "comment": "nightly batch" } ] }
 * }</pre>
 * Every change goes file first, then memory: a silence the console shows as made survives a restart, and a write
 * that fails changes nothing. Ended silences are dropped from what {@link #active} returns at once, and from the
 * file at the next write. Nothing the user had is lost: a file that cannot be read as silences is moved aside to
 * {@code silences.json.broken-<yyyyMMdd-HHmmss>} with a warning, and the store starts empty. One that cannot be
 * read at all (permissions, a FIFO) is left alone and every change is refused with the reason, rather than
 * overwriting silences it could not read.
 *
 * <p>Thread safety: every method may be called from any thread; reads ({@link #active}, {@link #covering}, which
 * the engine calls for each alert) are a volatile read of an immutable list, never blocked by a write.
 */
public final class Silences {
    public static final String FILE_NAME = "silences.json";
    public static final int SCHEMA_VERSION = 1;
    public static final Duration MIN_LENGTH = Duration.ofMinutes(1);
    public static final Duration MAX_LENGTH = Duration.ofDays(30);
    public static final int MAX_COMMENT_LENGTH = 500;
    /** Far more than a DBA makes by hand; keeps the file and the engine's look-ups small. */
    public static final int MAX_SILENCES = 500;
    /** A file of {@link #MAX_SILENCES} silences with the longest comments is about 400 KB. */
    static final int FILE_LIMIT = SmallFile.DEFAULT_LIMIT;

    private static final Logger log = LoggerFactory.getLogger(Silences.class);
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final Comparator<Silence> SOONEST_END = Comparator.comparing(Silence::until)
            .thenComparing(Silence::created).thenComparing(Silence::id);

    private final Path file;
    private final Clock clock;
    private final List<String> warnings;
    /** Why the file cannot be written over (it could not be read); null when it can. */
    private final String unusable;
    /** Sorted soonest end first; replaced whole under this object's lock. */
    private volatile List<Silence> silences;

    private Silences(Path file, Clock clock, List<Silence> silences, List<String> warnings, String unusable) {
        this.file = file;
        this.clock = clock;
        this.silences = sorted(silences);
        this.warnings = List.copyOf(warnings);
        this.unusable = unusable;
    }

    /** Silences that last until the process ends: for a run without a rules file ({@code pgpulse validate}, tests). */
    public static Silences inMemory(Clock clock) {
        return new Silences(null, Objects.requireNonNull(clock, "clock"), List.of(), List.of(), null);
    }

    /** The silences file beside an alert rules file. */
    public static Path besideRules(Path alertRulesFile) {
        return alertRulesFile.toAbsolutePath().resolveSibling(FILE_NAME);
    }

    /**
     * Reads the file (a missing one is no silences). Never throws: what went wrong is in {@link #warnings()}.
     *
     * @param clock what "now" is for a new silence, and for dropping ended ones
     */
    public static Silences load(Path file, Clock clock) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(clock, "clock");
        Path abs = file.toAbsolutePath();
        byte[] bytes;
        try {
            bytes = SmallFile.read(abs, FILE_LIMIT);
        } catch (NoSuchFileException e) {
            return new Silences(abs, clock, List.of(), List.of(), null);
        } catch (IOException e) {
            String why = "silences file " + abs + " " + (e instanceof SmallFile.Refused ? e.getMessage()
                    : "cannot be read (" + e.getMessage() + ")")
                    + "; no silence applies and none can be made until it is fixed (check its permissions) or removed";
            return new Silences(abs, clock, List.of(), List.of(why), why);
        }
        try {
            List<Silence> read = parse(bytes);
            Instant now = clock.instant();
            return new Silences(abs, clock, read.stream().filter(s -> s.until().isAfter(now)).toList(), List.of(), null);
        } catch (IllegalArgumentException e) {
            AtomicFile.Aside aside = AtomicFile.moveAside(abs, clock);
            if (!aside.moved()) {
                String why = "silences file " + abs + " " + e.getMessage() + ", and it could not be moved aside to "
                        + aside.target() + " (" + aside.failure().getMessage() + "); fix or remove it";
                return new Silences(abs, clock, List.of(), List.of(why), why);
            }
            String why = "silences file " + abs + " " + e.getMessage() + "; moved aside to " + aside.target()
                    + " and started with no silences";
            return new Silences(abs, clock, List.of(), List.of(why), null);
        }
    }

    /** What loading found wrong with the file (for the startup warnings); empty when it was fine or missing. */
    public List<String> warnings() {
        return warnings;
    }

    /** The file, or empty for silences in memory only. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * Silences {@code rule} on {@code subject} (a concrete metric key of the rule, or {@link Silence#ANY_SUBJECT}) for
     * {@code length} from now, written to the file before it applies.
     *
     * @throws IllegalArgumentException when the subject, length or comment is not acceptable (the message says which
     *                                  and what would be)
     * @throws IOException              when the file cannot be written; nothing changed
     */
    public Silence add(AlertRule rule, String subject, Duration length, String comment) throws IOException {
        Objects.requireNonNull(rule, "rule");
        String s = subject == null ? "" : subject.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("the silence has no subject; give a metric key of rule '" + rule.id()
                    + "' such as " + rule.metric().replace("*", "primary") + ", or " + Silence.ANY_SUBJECT
                    + " for all of them");
        }
        if (!s.equals(Silence.ANY_SUBJECT) && !AlertEngine.matches(rule, s)) {
            throw new IllegalArgumentException(shown(s) + " is not a subject of rule '" + rule.id() + "' (it watches "
                    + rule.metric() + "); give a metric key it watches, or " + Silence.ANY_SUBJECT + " for all of them");
        }
        if (length == null || length.compareTo(MIN_LENGTH) < 0 || length.compareTo(MAX_LENGTH) > 0) {
            throw new IllegalArgumentException("a silence lasts from " + Durations.forPeople(MIN_LENGTH) + " to "
                    + Durations.forPeople(MAX_LENGTH) + ", but this one "
                    + (length == null ? "has no length" : "was " + Durations.forPeople(length))
                    + "; choose a length in that range");
        }
        String c = comment == null ? "" : comment.strip().replaceAll(CONTROL, " ");
        if (c.length() > MAX_COMMENT_LENGTH) {
            throw new IllegalArgumentException("the silence's comment is " + c.length() + " characters, over the "
                    + MAX_COMMENT_LENGTH + " limit; shorten it");
        }
        synchronized (this) {
            Instant now = clock.instant();
            List<Silence> next = new ArrayList<>(live(now));
            if (next.size() >= MAX_SILENCES) {
                throw new IllegalArgumentException("there are already " + next.size() + " silences, the most PgPulse "
                        + "keeps; expire some first");
            }
            Silence made = new Silence(UUID.randomUUID().toString(), rule.id(), s, now, now.plus(length), c);
            next.add(made);
            store(next);
            log.info("{} - silenced [{}] until {} (silence {}){}", rule.id(), s, made.until(), made.id(),
                    c.isEmpty() ? "" : ": " + c);
            return made;
        }
    }

    /**
     * Ends a silence now; its alerts notify again from the next sample on.
     *
     * @return false when no silence in force has that id (unknown, or already ended)
     * @throws IOException when the file cannot be written; the silence still holds
     */
    public boolean expire(String id) throws IOException {
        Objects.requireNonNull(id, "id");
        synchronized (this) {
            Instant now = clock.instant();
            List<Silence> live = live(now);
            Optional<Silence> gone = live.stream().filter(s -> s.id().equals(id)).findFirst();
            if (gone.isEmpty()) {
                return false;
            }
            store(live.stream().filter(s -> !s.id().equals(id)).toList());
            log.info("{} - silence {} on [{}] expired by hand", gone.get().ruleId(), id, gone.get().subject());
            return true;
        }
    }

    /** The silences not yet ended at {@code at}, soonest end first. */
    public List<Silence> active(Instant at) {
        return live(at);
    }

    /** The silence covering that rule and subject at that moment, the one that ends last when several do. */
    public Optional<Silence> covering(String ruleId, String subject, Instant at) {
        Silence last = null;
        for (Silence s : silences) {
            if (s.covers(ruleId, subject, at)) {
                last = s; // sorted by end: the last one found ends last
            }
        }
        return Optional.ofNullable(last);
    }

    private List<Silence> live(Instant at) {
        List<Silence> all = silences;
        int firstLive = 0;
        while (firstLive < all.size() && !all.get(firstLive).until().isAfter(at)) {
            firstLive++;
        }
        return firstLive == 0 ? all : all.subList(firstLive, all.size());
    }

    /** File first (when there is one), then memory. Call under this object's lock. */
    private void store(List<Silence> next) throws IOException {
        List<Silence> sortedNext = sorted(next);
        if (file != null) {
            if (unusable != null) {
                throw new IOException(unusable);
            }
            try {
                AtomicFile.write(writeTarget(), toJson(sortedNext), AtomicFile.Mode.OWNER_ONLY);
            } catch (IOException e) {
                throw new IOException("silences file " + file + " could not be written (" + e.getMessage()
                        + "); check that its folder is writable, then try again", e);
            }
        }
        silences = sortedNext;
    }

    /** A symbolic link's target (the link stays a link, as the rules file's does); else the file. */
    private Path writeTarget() {
        if (java.nio.file.Files.isSymbolicLink(file)) {
            try {
                return file.toRealPath();
            } catch (IOException e) {
                return file; // a link to nowhere: the file is made where the link was
            }
        }
        return file;
    }

    private static List<Silence> sorted(List<Silence> list) {
        return list.stream().sorted(SOONEST_END).toList();
    }

    static byte[] toJson(List<Silence> list) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        ArrayNode array = root.putArray("silences");
        for (Silence s : list) {
            ObjectNode o = array.addObject();
            o.put("id", s.id());
            o.put("ruleId", s.ruleId());
            o.put("subject", s.subject());
            o.put("created", s.created().toString());
            o.put("until", s.until().toString());
            o.put("comment", s.comment());
        }
        return MAPPER.writeValueAsBytes(root);
    }

    /** @throws IllegalArgumentException saying what is wrong, to follow the file's name */
    static List<Silence> parse(byte[] bytes) {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot be parsed (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("does not hold a JSON object with \"schemaVersion\": " + SCHEMA_VERSION
                    + " and \"silences\"");
        }
        JsonNode version = root.get("schemaVersion");
        if (version == null || !version.isIntegralNumber() || version.asLong() != SCHEMA_VERSION) {
            throw new IllegalArgumentException("has " + (version == null ? "no \"schemaVersion\""
                    : "\"schemaVersion\" " + version) + "; expected " + SCHEMA_VERSION);
        }
        JsonNode array = root.get("silences");
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("has no \"silences\" array");
        }
        if (array.size() > MAX_SILENCES) {
            throw new IllegalArgumentException("holds " + array.size() + " silences, more than the " + MAX_SILENCES
                    + " PgPulse keeps");
        }
        List<Silence> result = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode n = array.get(i);
            try {
                // The same bounds as a silence made in the console: the file is hand-editable, and what it holds
                // reaches log lines, the console and the engine's look-ups.
                String id = checked(n, "id", SILENCE_ID.matcher(text(n, "id")).matches() ? null
                        : "is not a silence id; expected up to 64 of [A-Za-z0-9._-]");
                String ruleId = checked(n, "ruleId", AlertRule.idProblem(text(n, "ruleId")));
                String subject = checked(n, "subject", Silence.ANY_SUBJECT.equals(text(n, "subject"))
                        || MetricKeys.isValid(text(n, "subject")) ? null
                        : "is not a metric key; expected one of the rule's keys, or " + Silence.ANY_SUBJECT);
                String comment = n.hasNonNull("comment") ? n.get("comment").asText().strip()
                        .replaceAll(CONTROL, " ") : "";
                if (comment.length() > MAX_COMMENT_LENGTH) {
                    throw new IllegalArgumentException("field 'comment' is " + comment.length()
                            + " characters, over the " + MAX_COMMENT_LENGTH + " limit");
                }
                Instant created = instant(n, "created");
                Instant until = instant(n, "until");
                if (until.isAfter(created) && Duration.between(created, until).compareTo(MAX_LENGTH) > 0) {
                    // a hand edit to a silence for years would quietly mute a rule for good
                    throw new IllegalArgumentException("lasts " + Durations.forPeople(Duration.between(created, until))
                            + ", longer than the " + Durations.forPeople(MAX_LENGTH) + " a silence may; disable the "
                            + "rule instead");
                }
                result.add(new Silence(id, ruleId, subject, created, until, comment));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("has a bad silence at index " + i + " (" + e.getMessage() + ")");
            }
        }
        return result;
    }

    private static final java.util.regex.Pattern SILENCE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** C0, DEL, C1 and the Unicode line and paragraph separators: none belongs in a one-line comment. */
    private static final String CONTROL = "[\\p{Cntrl}\\x{80}-\\x{9f}\\x{2028}\\x{2029}]+";

    private static String checked(JsonNode n, String field, String problem) {
        if (problem != null) {
            throw new IllegalArgumentException("field '" + field + "' " + shown(text(n, field)) + " " + problem);
        }
        return text(n, field);
    }

    private static Instant instant(JsonNode n, String field) {
        String t = text(n, field);
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field '" + field + "' " + shown(t)
                    + " is not a time; expected ISO-8601 UTC such as 2026-12-02T08:00:00Z");
        }
    }

    /**
     * A value from the file or the console as a message or log line may quote it: one line, at most 40 characters,
     * in single quotes.
     */
    public static String shown(String v) {
        if (v == null) {
            return "null";
        }
        String cut = v.length() <= 40 ? v : v.substring(0, 37) + "...";
        return "'" + cut.replaceAll(CONTROL, "?") + "'";
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' is missing or not a text");
        }
        return v.asText();
    }
}
