package dev.pgpulse.ui;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgpulse.config.AtomicFile;
import dev.pgpulse.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import static dev.pgpulse.ui.ConsolePrefs.DEFAULT_DEMO;
import static dev.pgpulse.ui.ConsolePrefs.DEFAULT_HEIGHT;
import static dev.pgpulse.ui.ConsolePrefs.DEFAULT_HISTORY;
import static dev.pgpulse.ui.ConsolePrefs.DEFAULT_POLL;
import static dev.pgpulse.ui.ConsolePrefs.DEFAULT_WIDTH;
import static dev.pgpulse.ui.ConsolePrefs.MAX_HEIGHT_PX;
import static dev.pgpulse.ui.ConsolePrefs.MAX_HISTORY;
import static dev.pgpulse.ui.ConsolePrefs.MAX_WIDTH_PX;
import static dev.pgpulse.ui.ConsolePrefs.MIN_HEIGHT_PX;
import static dev.pgpulse.ui.ConsolePrefs.MIN_HISTORY;
import static dev.pgpulse.ui.ConsolePrefs.MIN_WIDTH_PX;
import static dev.pgpulse.ui.ConsolePrefs.POLL_INTERVALS;
import static dev.pgpulse.ui.ConsolePrefs.nearestPollInterval;

/**
 * Where the {@link ConsolePrefs} are remembered between runs,
 * {@link #defaultFile(Path) ~/.config/pgpulse/console.json}:
 * <pre>{@code
 * { "windowWidth": 1280, "windowHeight": 800, "pollInterval": "1s", "demoWorkload": true, "historyWindow": "15m" }
 * }</pre>
 * {@link #load} never fails: whatever is wrong becomes a problem in the {@link Loaded} it returns (each also logged
 * at WARN), so the console can show it, and a usable value. Nothing the user wrote is deleted: a file that cannot
 * be read or is not a JSON object is moved aside to {@code console.json.broken-<yyyyMMdd-HHmmss>}.
 */
public final class ConsolePrefsStore {
    public static final String FILE_NAME = "console.json";
    private static final Logger log = LoggerFactory.getLogger(ConsolePrefsStore.class);
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final String OFFERED = POLL_INTERVALS.stream().map(Durations::format)
            .collect(Collectors.joining(", "));

    /**
     * What {@link #load} found: the preferences to use and one line per problem (empty when all is well): the file
     * was unreadable or corrupt and moved aside, a value was replaced or clamped, or the folder cannot be written.
     */
    /**
     * @param summary the problems in one short line for a status bar (empty when there are none); the terminal
     *                and the status bar's tooltip get {@code problems} in full
     */
    public record Loaded(ConsolePrefs prefs, List<String> problems, String summary) {
        public Loaded {
            Objects.requireNonNull(prefs, "prefs");
            problems = List.copyOf(problems);
            Objects.requireNonNull(summary, "summary");
        }

        /** Preferences read without a problem. */
        public Loaded(ConsolePrefs prefs) {
            this(prefs, List.of(), "");
        }
    }

    private final Clock clock;

    public ConsolePrefsStore() {
        this(Clock.systemDefaultZone());
    }

    /** @param clock for the time stamp of a file moved aside */
    ConsolePrefsStore(Clock clock) {
        this.clock = clock;
    }

    /** {@code <home>/.config/pgpulse/console.json}. */
    public static Path defaultFile(Path home) {
        return home.resolve(".config").resolve("pgpulse").resolve(FILE_NAME);
    }

    /**
     * The preferences in {@code file}: the defaults, without a problem, when it does not exist; the defaults,
     * with a problem, when it cannot be read or is not a JSON object (it is then moved aside); otherwise each
     * field it holds, with one problem per value that had to be replaced. Unknown fields are ignored, missing
     * ones take their default. One more problem when the file could not be saved: its folder (or the nearest
     * one that exists, as saving creates the rest) is not writable, or is not a folder.
     */
    public Loaded load(Path file) {
        Path abs = file.toAbsolutePath();
        Loaded read = read(abs);
        String unsaveable = unsaveable(abs);
        if (unsaveable == null) {
            return read;
        }
        log.warn("{}", unsaveable);
        List<String> problems = new ArrayList<>(read.problems());
        problems.add(unsaveable);
        String cannotSave = abs.getFileName() + " cannot be saved: its folder is not writable";
        return new Loaded(read.prefs(), problems, read.summary().isEmpty() ? cannotSave
                : read.summary() + "; " + cannotSave);
    }

    /** Why {@link #save} to {@code file} would fail for want of a writable folder, or null. */
    private static String unsaveable(Path file) {
        Path dir = file.getParent();
        while (dir != null && !Files.exists(dir)) {
            dir = dir.getParent();
        }
        if (dir == null) {
            return null;
        }
        if (!Files.isDirectory(dir)) {
            return "console preferences cannot be saved to " + file + ": " + dir + " is not a folder";
        }
        return Files.isWritable(dir) ? null
                : "console preferences cannot be saved to " + file + ": the folder " + dir + " is not writable";
    }

    private Loaded read(Path abs) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(abs);
        } catch (NoSuchFileException e) {
            return new Loaded(ConsolePrefs.defaults());
        } catch (IOException e) {
            return moveAside(abs, "cannot be read (" + describe(e) + ")");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            var loc = e.getLocation();
            return moveAside(abs, "is not valid JSON"
                    + (loc == null || loc.getLineNr() < 0 ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + " (" + oneLine(e.getOriginalMessage()) + ")");
        } catch (IOException e) {
            return moveAside(abs, "cannot be parsed (" + describe(e) + ")");
        }
        if (root == null || root.isMissingNode()) {
            return moveAside(abs, "is empty");
        }
        if (!root.isObject()) {
            return moveAside(abs, "holds " + render(root) + " instead of a JSON object of preferences");
        }
        FieldReader r = new FieldReader(abs, root);
        ConsolePrefs prefs = new ConsolePrefs(
                r.dimension("windowWidth", MIN_WIDTH_PX, MAX_WIDTH_PX, DEFAULT_WIDTH),
                r.dimension("windowHeight", MIN_HEIGHT_PX, MAX_HEIGHT_PX, DEFAULT_HEIGHT),
                r.pollInterval(),
                r.bool("demoWorkload", DEFAULT_DEMO),
                r.historyWindow());
        r.warnings.forEach(w -> log.warn("{}", w));
        return new Loaded(prefs, r.warnings, r.summary());
    }

    /**
     * Writes {@code prefs} so that {@code file} holds either its old content or all of the new: the parent
     * folders are created and the file is replaced through {@link AtomicFile} (user-only, {@code 0600}: the
     * preferences are the user's own).
     *
     * @throws IOException with a one-line message naming the file; the old file is then left as it was
     */
    public void save(Path file, ConsolePrefs prefs) throws IOException {
        Objects.requireNonNull(prefs, "prefs");
        Path abs = file.toAbsolutePath();
        byte[] bytes = toJson(prefs);
        try {
            AtomicFile.write(abs, bytes, AtomicFile.Mode.OWNER_ONLY);
        } catch (IOException e) {
            throw new IOException("cannot save console preferences to " + abs + ": " + describe(e), e);
        }
    }

    private Loaded moveAside(Path file, String reason) {
        AtomicFile.Aside aside = AtomicFile.moveAside(file, clock);
        String warning = aside.moved()
                ? "console preferences file " + file + " " + reason + "; moved it to " + aside.target()
                        + " and using the default preferences"
                : "console preferences file " + file + " " + reason + "; it could not be moved aside to "
                        + aside.target() + " (" + describe(aside.failure()) + "); using the default preferences";
        log.warn("{}", warning);
        String summary = file.getFileName() + " was unreadable and "
                + (aside.moved() ? "moved aside to " + aside.target().getFileName() : "could not be moved aside")
                + "; using the default preferences";
        return new Loaded(ConsolePrefs.defaults(), List.of(warning), summary);
    }

    private static byte[] toJson(ConsolePrefs p) throws IOException {
        ObjectNode o = MAPPER.createObjectNode();
        putNumber(o, "windowWidth", p.windowWidth());
        putNumber(o, "windowHeight", p.windowHeight());
        o.put("pollInterval", Durations.format(p.pollInterval()));
        o.put("demoWorkload", p.demoWorkload());
        o.put("historyWindow", Durations.format(p.historyWindow()));
        byte[] json = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
        byte[] out = new byte[json.length + 1];
        System.arraycopy(json, 0, out, 0, json.length);
        out[json.length] = '\n';
        return out;
    }

    /** 1280 rather than 1280.0: the file is meant to be readable by hand. */
    private static void putNumber(ObjectNode o, String field, double v) {
        if (v == Math.rint(v)) {
            o.put(field, (long) v);
        } else {
            o.put(field, v);
        }
    }

    /** Reads the fields of the root object, adding one warning per value it had to replace. */
    private static final class FieldReader {
        private final Path file;
        private final JsonNode root;
        private final List<String> warnings = new ArrayList<>();
        private final List<String> fields = new ArrayList<>();

        FieldReader(Path file, JsonNode root) {
            this.file = file;
            this.root = root;
        }

        double dimension(String field, int min, int max, double dflt) {
            JsonNode v = root.get(field);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                warn(field, render(v) + " is not a number of pixels; using the default " + num(dflt));
                return dflt;
            }
            double d = v.doubleValue();
            if (d < min) {
                warn(field, render(v) + " is below the minimum " + min + "; using " + min);
                return min;
            }
            if (d > max) {
                warn(field, render(v) + " is above the maximum " + max + "; using " + max);
                return max;
            }
            return d;
        }

        Duration pollInterval() {
            Optional<Duration> d = duration("pollInterval", "a poll interval, one of " + OFFERED, DEFAULT_POLL);
            if (d.isEmpty()) {
                return DEFAULT_POLL;
            }
            Duration nearest = nearestPollInterval(d.get());
            if (!nearest.equals(d.get())) {
                warn("pollInterval", render(root.get("pollInterval")) + " is not one of the offered intervals ("
                        + OFFERED + "); using the nearest, " + Durations.format(nearest));
            }
            return nearest;
        }

        Duration historyWindow() {
            Optional<Duration> d = duration("historyWindow", Durations.EXPECTED + ", from " + Durations.format(MIN_HISTORY)
                    + " to " + Durations.format(MAX_HISTORY), DEFAULT_HISTORY);
            if (d.isEmpty()) {
                return DEFAULT_HISTORY;
            }
            String shown = render(root.get("historyWindow"));
            if (d.get().compareTo(MIN_HISTORY) < 0) {
                warn("historyWindow", shown + " is below the minimum " + Durations.format(MIN_HISTORY)
                        + "; using " + Durations.format(MIN_HISTORY));
                return MIN_HISTORY;
            }
            if (d.get().compareTo(MAX_HISTORY) > 0) {
                warn("historyWindow", shown + " is above the maximum " + Durations.format(MAX_HISTORY)
                        + "; using " + Durations.format(MAX_HISTORY));
                return MAX_HISTORY;
            }
            return d.get();
        }

        boolean bool(String field, boolean dflt) {
            JsonNode v = root.get(field);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isBoolean()) {
                warn(field, render(v) + " is not true or false; using the default " + dflt);
                return dflt;
            }
            return v.booleanValue();
        }

        /** The parsed duration; empty when the field is absent (silently) or not a duration (with a warning). */
        private Optional<Duration> duration(String field, String expected, Duration dflt) {
            JsonNode v = root.get(field);
            if (v == null || v.isNull()) {
                return Optional.empty();
            }
            Optional<Duration> d = v.isTextual() || v.isNumber() ? Durations.parse(v.asText()) : Optional.empty();
            if (d.isEmpty()) {
                warn(field, render(v) + " " + Durations.problem(v.asText(), expected) + "; using the default "
                        + Durations.format(dflt));
            }
            return d;
        }

        private void warn(String field, String text) {
            warnings.add("console preferences file " + file + " field '" + field + "': " + text);
            fields.add(field);
        }

        /** One problem in full (without the folder), several by their fields; empty when none. */
        String summary() {
            String name = file.getFileName().toString();
            if (fields.isEmpty()) {
                return "";
            }
            return fields.size() == 1 ? name + " " + warnings.getFirst().substring(warnings.getFirst().indexOf("field '"))
                    : name + ": " + fields.size() + " values replaced (" + String.join(", ", fields) + ")";
        }
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String render(JsonNode v) {
        String s = v.isNumber() ? v.asText() : v.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        String what = e.getClass().getSimpleName();
        return oneLine(m == null ? what : what + ": " + m);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
