package dev.pgpulse.query;

import dev.pgpulse.config.AtomicFile;
import dev.pgpulse.config.SmallFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The last statements run from the Query tab, newest first, kept between runs in
 * {@code ~/.config/pgpulse/query-history.json} (mode 0600):
 * <pre>{@code
 * { "schemaVersion": 1,
 *   "entries": [ { "statement": "ALTER ROLE app PASSWORD '********'", "endpoint": "primary",
 *                  "ranAt": "2026-12-02T08:00:00Z", "outcome": "UPDATED", "count": 0, "durationMs": 12 } ] }
 * }</pre>
 * Nothing is kept before {@link SecretMasker} has masked its passwords, so none reaches memory, the file or the
 * console. Bounded three ways: at most {@code maxEntries} (default {@value #DEFAULT_MAX_ENTRIES}); a statement over
 * {@value #MAX_STATEMENT_CHARS} characters is kept cut, with {@link #CUT_MARKER} and its full length appended (the
 * history is for finding and re-running what was typed, and a cut script still says what it was); and the file at
 * most {@link SmallFile#DEFAULT_LIMIT}, the limit it is read back with, by dropping the oldest entries from memory
 * and file alike (so a restart shows what the history showed).
 *
 * <p>Running the same statement (as kept, ignoring leading and trailing blanks) again moves it to the top with its
 * new endpoint, time and outcome rather than adding it twice.
 *
 * <p>The history is a convenience, never a reason for a statement to fail: {@link #add} does not throw. Memory goes
 * first; a file that cannot be written is said once (logged and in {@link #problem()}) until a write works again.
 * A file that cannot be read as a history is moved aside ({@code .broken-<stamp>}) with a warning and the history
 * starts empty; one that cannot be read at all (a FIFO, a device, no permission) is left alone and never written
 * over, with the reason in {@link #problem()}.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class QueryHistory {
    public static final String FILE_NAME = "query-history.json";
    public static final int SCHEMA_VERSION = 1;
    public static final int DEFAULT_MAX_ENTRIES = 500;
    public static final int MAX_STATEMENT_CHARS = 64 * 1024;
    public static final String CUT_MARKER = "\n-- [cut by PgPulse's history: ";
    static final int FILE_LIMIT = SmallFile.DEFAULT_LIMIT;

    private static final Logger log = LoggerFactory.getLogger(QueryHistory.class);

    /** How a statement ended: rows returned, rows changed (or 0 for DDL), or the SQLSTATE it failed with. */
    public enum Kind { ROWS, UPDATED, FAILED }

    /** @param count rows returned or changed; 0 for FAILED. @param sqlState the error's SQLSTATE; null unless FAILED */
    public record Outcome(Kind kind, long count, String sqlState) {
        public Outcome {
            Objects.requireNonNull(kind, "kind");
            if (count < 0) {
                throw new IllegalArgumentException("a row count is 0 or more, not " + count);
            }
            if ((kind == Kind.FAILED) != (sqlState != null)) {
                throw new IllegalArgumentException("an outcome has a SQLSTATE exactly when it is FAILED");
            }
            if (sqlState != null && !sqlState.matches("[0-9A-Z]{5}")) {
                throw new IllegalArgumentException("a SQLSTATE is 5 characters of 0-9 and A-Z, not "
                        + (sqlState.length() > 10 ? sqlState.substring(0, 10) + "..." : sqlState));
            }
        }

        public static Outcome rows(long rows) {
            return new Outcome(Kind.ROWS, rows, null);
        }

        public static Outcome updated(long count) {
            return new Outcome(Kind.UPDATED, count, null);
        }

        public static Outcome failed(String sqlState) {
            return new Outcome(Kind.FAILED, 0, sqlState);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case ROWS -> "OK, " + count + (count == 1 ? " row" : " rows");
                case UPDATED -> "OK, " + count + " updated";
                case FAILED -> "failed, SQLSTATE " + sqlState;
            };
        }
    }

    /**
     * One statement run. Made through {@link QueryHistory#add}, its statement is already masked and bounded.
     *
     * @param endpoint the endpoint's name it ran on
     * @param masked   whether a secret in it was masked: run again as kept, {@code ALTER ROLE ... PASSWORD
     *                 '********'} would set the password to eight asterisks, so the Query tab must not re-run
     *                 such an entry without the user typing the secret again
     */
    public record Entry(String statement, String endpoint, Instant ranAt, Outcome outcome, Duration duration,
                        boolean masked) {
        /** An entry as run, before {@link QueryHistory#add} masks it. */
        public Entry(String statement, String endpoint, Instant ranAt, Outcome outcome, Duration duration) {
            this(statement, endpoint, ranAt, outcome, duration, false);
        }

        public Entry {
            Objects.requireNonNull(statement, "statement");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(ranAt, "ranAt");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(duration, "duration");
            if (statement.isBlank()) {
                throw new IllegalArgumentException("a history entry needs a statement; it was blank");
            }
            if (duration.isNegative()) {
                throw new IllegalArgumentException("a statement's duration is 0 or more, not " + duration);
            }
        }
    }

    private final Path file;
    private final int maxEntries;
    private final List<String> warnings;
    /** Why the file is never written (it could not be read); null when it can be. */
    private final String unusable;
    /** Newest first; replaced whole under this object's lock. */
    private volatile List<Entry> entries;
    /** Why the last write failed; null after one that worked. Said once per run of failures. */
    private volatile String writeProblem;

    private QueryHistory(Path file, int maxEntries, List<Entry> entries, List<String> warnings, String unusable) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a history keeps at least 1 entry, not " + maxEntries);
        }
        this.file = file;
        this.maxEntries = maxEntries;
        this.entries = List.copyOf(entries);
        this.warnings = List.copyOf(warnings);
        this.unusable = unusable;
    }

    /** {@code ~/.config/pgpulse/query-history.json} under {@code home}. */
    public static Path defaultFile(Path home) {
        return home.resolve(".config").resolve("pgpulse").resolve(FILE_NAME);
    }

    /** A history that lasts until the process ends (tests, a run with no home). */
    public static QueryHistory inMemory(int maxEntries) {
        return new QueryHistory(null, maxEntries, List.of(), List.of(), null);
    }

    public static QueryHistory load(Path file) {
        return load(file, DEFAULT_MAX_ENTRIES, Clock.systemUTC());
    }

    /**
     * Reads the file (a missing one is an empty history). Never throws: what was wrong is in {@link #warnings()}.
     *
     * @param clock for the stamp of a file moved aside
     */
    public static QueryHistory load(Path file, int maxEntries, Clock clock) {
        Path abs = file.toAbsolutePath();
        byte[] bytes;
        try {
            bytes = SmallFile.read(abs, FILE_LIMIT);
        } catch (NoSuchFileException e) {
            return new QueryHistory(abs, maxEntries, List.of(), List.of(), null);
        } catch (IOException e) {
            String why = "query history " + abs + " " + (e instanceof SmallFile.Refused ? e.getMessage()
                    : "cannot be read (" + e.getMessage() + ")")
                    + "; statements are kept for this run only until it is fixed (check its permissions) or removed";
            log.warn(why);
            return new QueryHistory(abs, maxEntries, List.of(), List.of(why), why);
        }
        try {
            List<Entry> read = HistoryJson.parse(bytes);
            return new QueryHistory(abs, maxEntries, bounded(read, maxEntries), List.of(), null);
        } catch (IllegalArgumentException e) {
            AtomicFile.Aside aside = AtomicFile.moveAside(abs, clock);
            String why;
            String unusable = null;
            if (aside.moved()) {
                why = "query history " + abs + " " + e.getMessage() + "; moved aside to " + aside.target()
                        + " and started an empty history";
            } else {
                why = "query history " + abs + " " + e.getMessage() + ", and it could not be moved aside to "
                        + aside.target() + " (" + aside.failure().getMessage() + "); fix or remove it";
                unusable = why;
            }
            log.warn(why);
            return new QueryHistory(abs, maxEntries, List.of(), List.of(why), unusable);
        }
    }

    /** What loading found wrong with the file; empty when it was fine or missing. */
    public List<String> warnings() {
        return warnings;
    }

    /** Why the history is not being saved (the file cannot be read or the last write failed); empty when it is. */
    public Optional<String> problem() {
        return Optional.ofNullable(unusable != null ? unusable : writeProblem);
    }

    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Newest first. */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * Keeps a statement run, masked and bounded, at the top (moving an earlier run of it there); then saves.
     *
     * @return the entry as kept
     */
    public Entry add(String statement, String endpoint, Instant ranAt, Outcome outcome, Duration duration) {
        return add(new Entry(statement, endpoint, ranAt, outcome, duration));
    }

    /** As {@link #add(String, String, Instant, Outcome, Duration)}; the entry's statement is masked and bounded. */
    public synchronized Entry add(Entry entry) {
        Entry kept = kept(entry);
        List<Entry> next = new ArrayList<>(entries.size() + 1);
        next.add(kept);
        String key = kept.statement().strip();
        for (Entry e : entries) {
            if (!e.statement().strip().equals(key)) {
                next.add(e);
            }
        }
        List<Entry> fitted = bounded(next, maxEntries);
        entries = List.copyOf(fitted);
        save(fitted);
        return kept;
    }

    /** Forgets every entry (and empties the file). */
    public synchronized void clear() {
        entries = List.of();
        save(List.of());
    }

    private void save(List<Entry> list) {
        if (file == null) {
            return;
        }
        if (unusable != null) {
            return; // said at load, and in problem()
        }
        try {
            AtomicFile.write(writeTarget(), HistoryJson.write(list), AtomicFile.Mode.OWNER_ONLY);
            if (writeProblem != null) {
                log.info("query history {} is saved again", file);
            }
            writeProblem = null;
        } catch (IOException e) {
            if (writeProblem == null) {
                writeProblem = "query history " + file + " could not be written (" + e.getMessage()
                        + "); statements are kept for this run only until its folder is writable";
                log.warn(writeProblem);
            }
        }
    }

    /** A symbolic link's target, so the link stays a link; else the file. */
    private Path writeTarget() {
        if (Files.isSymbolicLink(file)) {
            try {
                return file.toRealPath();
            } catch (IOException e) {
                return file;
            }
        }
        return file;
    }

    /** The entry with its statement masked, then cut to {@link #MAX_STATEMENT_CHARS}. */
    static Entry kept(Entry e) {
        String masked = SecretMasker.mask(e.statement());
        boolean hadSecret = e.masked() || !masked.equals(e.statement());
        if (masked.length() > MAX_STATEMENT_CHARS) {
            int cut = MAX_STATEMENT_CHARS;
            if (Character.isHighSurrogate(masked.charAt(cut - 1))) {
                cut--;
            }
            masked = masked.substring(0, cut) + CUT_MARKER + masked.length() + " characters in all]";
        }
        String endpoint = e.endpoint().length() > 200 ? e.endpoint().substring(0, 200) : e.endpoint();
        return new Entry(masked, endpoint, e.ranAt(), e.outcome(), e.duration(), hadSecret);
    }

    /** The newest entries, at most {@code max}, whose file is within {@link #FILE_LIMIT}. */
    private static List<Entry> bounded(List<Entry> list, int max) {
        List<Entry> result = new ArrayList<>(Math.min(list.size(), max));
        long size = 64; // the envelope: schemaVersion, "entries", brackets
        for (Entry e : list) {
            if (result.size() == max) {
                break;
            }
            long one = HistoryJson.entry(e).length + 1;
            if (size + one > FILE_LIMIT) {
                break;
            }
            size += one;
            result.add(e);
        }
        return result;
    }
}
