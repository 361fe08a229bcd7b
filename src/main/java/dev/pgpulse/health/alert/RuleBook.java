package dev.pgpulse.health.alert;

import dev.pgpulse.config.SmallFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The alert rules in force: what the engine evaluates, what the rules file holds, and the one way to change
 * either. Every change goes file first (atomically, through {@link AlertRuleStore}), then engine, so a rule the
 * console shows as saved survives a restart; a save that fails changes nothing.
 *
 * <p><b>Revisions.</b> Each change (a save, a reset, a reload of a hand edit) bumps {@link State#revision()}.
 * An editor saves "based on" the revision it started from; when the rules changed meanwhile (someone edited the
 * file by hand and {@link #checkFile()} took it in) the save is refused as a {@link Outcome.Conflict}, never a
 * silent overwrite. Saving again based on the new revision is the deliberate overwrite.
 *
 * <p><b>Hand edits.</b> {@link #checkFile()}, called on every health sample, compares the file's size and
 * modification time with what this book last read or wrote, and its SHA-256 when those differ. A changed file
 * that holds valid rules is taken in at once; one that does not is left alone, the rules in force stay, and
 * {@link State#problem()} says what is wrong until the file is fixed or a save from the console replaces it.
 *
 * <p>Thread safety: every method may be called from any thread; {@link #state()} is a volatile read.
 */
public final class RuleBook {
    private static final Logger log = LoggerFactory.getLogger(RuleBook.class);

    /**
     * The rules in force at one revision.
     *
     * @param defaults whether they are {@link DefaultRules#all()} exactly
     * @param file     the rules file, empty when there is none (the rules live in memory only)
     * @param problem  why the file on disk is not what is in force (a bad hand edit), else empty
     */
    public record State(List<AlertRule> rules, long revision, boolean defaults, Optional<Path> file,
                        Optional<String> problem) {
        public State {
            rules = List.copyOf(rules);
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(problem, "problem");
        }

        public Optional<AlertRule> rule(String id) {
            return rules.stream().filter(r -> r.id().equals(id)).findFirst();
        }
    }

    /** What a save or a reset came to. */
    public sealed interface Outcome {
        /** The state after it: the new one when saved, the unchanged one otherwise. */
        State state();

        record Saved(State state) implements Outcome {
        }

        /** The rules changed since the editor's revision (a hand edit of the file); nothing was written. */
        record Conflict(String message, State state) implements Outcome {
        }

        /** The rules were refused or the file could not be written; nothing changed. */
        record Failed(String message, State state) implements Outcome {
        }
    }

    private record Stamp(long size, long modified, String sha256) {
        static final Stamp NONE = new Stamp(-1, Long.MIN_VALUE, "");
    }

    private final AlertRuleStore store;
    private final AlertEngine engine;
    private volatile State state;
    /** What the file held when this book last read or wrote it; guarded by this. */
    private Stamp stamp = Stamp.NONE;

    /**
     * Puts the loaded rules into the engine.
     *
     * @param store  the rules file, or null for rules in memory only (nothing is ever written)
     * @param loaded what {@code store.load()} returned (or the defaults)
     */
    public RuleBook(AlertRuleStore store, AlertEngine engine, AlertRuleStore.LoadResult loaded) {
        this.store = store;
        this.engine = Objects.requireNonNull(engine, "engine");
        List<AlertRule> rules = loaded.rules();
        apply(rules);
        synchronized (this) {
            stamp = store == null ? Stamp.NONE : stampOf(store.file(), Stamp.NONE).orElse(Stamp.NONE);
            state = new State(rules, 1, rules.equals(DefaultRules.all()),
                    store == null ? Optional.empty() : Optional.of(store.file()), Optional.empty());
        }
    }

    public State state() {
        return state;
    }

    /**
     * Replaces every rule: writes the file, then the engine (rules no longer listed are removed, which resolves
     * their firing alerts; changed ones restart their state).
     *
     * @param basedOn the revision the edit started from
     */
    public synchronized Outcome save(List<AlertRule> rules, long basedOn) {
        Objects.requireNonNull(rules, "rules");
        checkFile();
        State now = state;
        if (basedOn != now.revision()) {
            return new Outcome.Conflict(conflictMessage(now), now);
        }
        Set<String> ids = new HashSet<>();
        for (AlertRule r : rules) {
            if (!ids.add(r.id())) {
                return new Outcome.Failed("two rules have the id '" + r.id() + "'; give each rule its own id", now);
            }
        }
        if (store != null) {
            Optional<String> refused = keepHandEdit(now);
            if (refused.isPresent()) {
                return new Outcome.Failed(refused.get(), now);
            }
            try {
                store.save(rules);
            } catch (IOException | RuntimeException e) {
                log.warn("alert rules - could not save {}: {}", store.file(), e.toString());
                return new Outcome.Failed("could not write " + store.file() + ": " + reason(e)
                        + "; the rules in force are unchanged and your edit is kept", now);
            }
            stamp = stampOf(store.file(), Stamp.NONE).orElse(Stamp.NONE);
        }
        apply(rules);
        state = new State(rules, now.revision() + 1, rules.equals(DefaultRules.all()), now.file(), Optional.empty());
        log.info("alert rules - saved {} rule(s){}", rules.size(), store == null ? "" : " to " + store.file());
        return new Outcome.Saved(state);
    }

    /** {@link #save} of {@link DefaultRules#all()}. */
    public Outcome resetToDefaults(long basedOn) {
        return save(DefaultRules.all(), basedOn);
    }

    /**
     * Takes in a hand edit of the rules file, if there was one since this book last read or wrote it.
     *
     * @return whether the state changed (new rules, or a new or cleared problem)
     */
    public synchronized boolean checkFile() {
        if (store == null) {
            return false;
        }
        Path file = store.file();
        Optional<Stamp> seen = stampOf(file, stamp);
        State now = state;
        if (seen.isEmpty()) {
            if (stamp == Stamp.NONE) {
                return false;
            }
            stamp = Stamp.NONE;
            return problem(now, file.getFileName() + " was removed; the console keeps the " + now.rules().size()
                    + " rules in force; save them to write the file again");
        }
        Stamp disk = seen.get();
        if (disk.equals(stamp)) {
            return false;
        }
        boolean sameContent = disk.sha256().equals(stamp.sha256());
        stamp = disk;
        if (sameContent) {
            return false; // touched, not changed
        }
        AlertRuleStore.LoadResult read;
        try {
            read = store.read();
        } catch (AlertRuleException e) {
            List<String> problems = e.problems();
            return problem(now, file.getFileName() + " was edited and is not valid: " + problems.getFirst()
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problem(s))" : "")
                    + "; the console keeps the rules in force. Fix the file, or save from the console to replace it");
        }
        apply(read.rules());
        state = new State(read.rules(), now.revision() + 1, read.rules().equals(DefaultRules.all()), now.file(),
                Optional.empty());
        log.info("alert rules - {} was edited; loaded its {} rule(s)", file, read.rules().size());
        return true;
    }

    private boolean problem(State now, String problem) {
        if (now.problem().filter(problem::equals).isPresent()) {
            return false;
        }
        log.warn("alert rules - {}", problem);
        state = new State(now.rules(), now.revision() + 1, now.defaults(), now.file(), Optional.of(problem));
        return true;
    }

    /**
     * Before a save replaces the file: a bad hand edit (the state's problem) is the user's text, so it is moved aside
     * to {@code .broken-<time>} rather than overwritten; a FIFO or device in the file's place is refused (replacing it
     * with a regular file is not ours to do, as {@link AlertRuleStore} does not move one aside either).
     *
     * @return why the save must not go ahead, else empty
     */
    private Optional<String> keepHandEdit(State now) {
        Path file = store.file();
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // the save itself reports what is wrong with the folder
        }
        if (!a.isRegularFile()) {
            return Optional.of(file + " is not a regular file (a folder, device or FIFO); move it away, then save "
                    + "again; the rules in force are unchanged and your edit is kept");
        }
        if (now.problem().isEmpty()) {
            return Optional.empty();
        }
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            real = file;
        }
        dev.pgpulse.config.AtomicFile.Aside aside = dev.pgpulse.config.AtomicFile.moveAside(real,
                java.time.Clock.systemDefaultZone());
        if (!aside.moved()) {
            return Optional.of("could not move the hand-edited " + file.getFileName() + " aside to " + aside.target()
                    + " (" + aside.failure().getMessage() + "), so it was not overwritten; move it away yourself, then "
                    + "save again");
        }
        log.warn("alert rules - the hand-edited {}, which was not valid, was moved aside to {} before saving over it",
                file, aside.target());
        return Optional.empty();
    }

    private static String conflictMessage(State now) {
        return now.problem().orElse(now.file().map(f -> f.getFileName() + " changed on disk").orElse("the rules changed")
                + " while you were editing; reload to see the rules in force, or save again to overwrite them with yours");
    }

    private void apply(List<AlertRule> rules) {
        engine.replaceRules(rules);
    }

    /** The file's stamp; {@code known} itself, without reading the file, when its size and time are unchanged. */
    private static Optional<Stamp> stampOf(Path file, Stamp known) {
        try {
            // Through a symbolic link (a rules file linked from a dotfiles checkout): the link's own attributes never
            // change when its target is edited, so a hand edit would go unnoticed and a save would overwrite it.
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (a.size() == known.size() && nanos(a) == known.modified()) {
                return Optional.of(known);
            }
            if (!a.isRegularFile()) {
                return Optional.of(new Stamp(a.size(), nanos(a), "not a regular file"));
            }
            byte[] bytes = SmallFile.read(file, SmallFile.DEFAULT_LIMIT);
            return Optional.of(new Stamp(a.size(), nanos(a), sha256(bytes)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(new Stamp(-2, Long.MIN_VALUE, "unreadable: " + e.getMessage()));
        }
    }

    private static long nanos(BasicFileAttributes a) {
        java.time.Instant t = a.lastModifiedTime().toInstant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
