package dev.pgpulse.health.alert;

import dev.pgpulse.testing.ReadOnlyFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RuleBookTest {
    private static final Instant T = Instant.parse("2026-12-02T06:00:00Z");
    private static final AlertRule WAITING = new AlertRule("pool-waiting", "Waiting", "pool.*.awaiting", Operator.GT, 0,
            Duration.ZERO, Severity.WARNING, true);
    private static final AlertRule LONG_TX = new AlertRule("long-tx", "Long transaction",
            "server.longest_transaction_seconds", Operator.GT, 60, Duration.ZERO, Severity.CRITICAL, true);

    @TempDir
    Path dir;

    private final AlertEngine engine = new AlertEngine();

    private Path file() {
        return dir.resolve("alert-rules.json");
    }

    private RuleBook book() throws AlertRuleException {
        AlertRuleStore store = new AlertRuleStore(file());
        return new RuleBook(store, engine, store.load());
    }

    @Test
    void aSaveWritesTheFileThenTheEngineAndSurvivesARestart() throws Exception {
        RuleBook book = book();
        assertThat(book.state().defaults()).isTrue();
        assertThat(engine.rules()).isEqualTo(DefaultRules.all());

        RuleBook.Outcome out = book.save(List.of(WAITING, LONG_TX), book.state().revision());

        assertThat(out).isInstanceOf(RuleBook.Outcome.Saved.class);
        assertThat(out.state().rules()).containsExactly(WAITING, LONG_TX);
        assertThat(out.state().revision()).isEqualTo(2);
        assertThat(out.state().defaults()).isFalse();
        assertThat(engine.rules()).containsExactly(WAITING, LONG_TX);
        assertThat(new AlertRuleStore(file()).read().rules()).containsExactly(WAITING, LONG_TX);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
        // a restart: a new book on a new engine reads what was saved
        AlertEngine next = new AlertEngine();
        AlertRuleStore store = new AlertRuleStore(file());
        RuleBook again = new RuleBook(store, next, store.load());
        assertThat(next.rules()).containsExactly(WAITING, LONG_TX);
        assertThat(again.checkFile()).isFalse();
    }

    @Test
    void removingAFiringRuleResolvesItsAlertAndResetBringsTheDefaultsBack() throws Exception {
        RuleBook book = book();
        book.save(List.of(WAITING, LONG_TX), 1);
        engine.evaluate(T, Map.of("server.longest_transaction_seconds", 300.0));
        assertThat(engine.active()).extracting(Alert::ruleId).containsExactly("long-tx");

        book.save(List.of(WAITING), 2);

        assertThat(engine.active()).isEmpty();
        assertThat(engine.history()).last().satisfies(a -> {
            assertThat(a.state()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.message()).contains("rule removed");
        });
        RuleBook.Outcome reset = book.resetToDefaults(3);
        assertThat(reset).isInstanceOf(RuleBook.Outcome.Saved.class);
        assertThat(reset.state().defaults()).isTrue();
        assertThat(engine.rules()).isEqualTo(DefaultRules.all());
        assertThat(new AlertRuleStore(file()).read().rules()).isEqualTo(DefaultRules.all());
    }

    @Test
    void anUnchangedRuleKeepsFiringThroughASaveThatReordersAndChangesOthers() throws Exception {
        RuleBook book = book();
        book.save(List.of(WAITING, LONG_TX), 1);
        engine.evaluate(T, Map.of("server.longest_transaction_seconds", 300.0, "pool.primary.awaiting", 2.0));
        assertThat(engine.active()).hasSize(2);
        AlertRule lenient = new AlertRule("pool-waiting", "Waiting", "pool.*.awaiting", Operator.GT, 5, Duration.ZERO,
                Severity.WARNING, true);

        book.save(List.of(LONG_TX, lenient), 2);

        assertThat(engine.rules()).containsExactly(LONG_TX, lenient);
        assertThat(engine.active()).extracting(Alert::ruleId).containsExactly("long-tx");
        assertThat(engine.history()).filteredOn(a -> a.state() == AlertState.RESOLVED)
                .singleElement().satisfies(a -> {
                    assertThat(a.ruleId()).isEqualTo("pool-waiting");
                    assertThat(a.message()).contains("rule changed");
                });
    }

    @Test
    void aSaveBasedOnAnOlderRevisionIsAConflictAndWritesNothing() throws Exception {
        RuleBook book = book();
        book.save(List.of(WAITING), 1);
        String before = Files.readString(file());

        RuleBook.Outcome out = book.save(List.of(LONG_TX), 1);

        assertThat(out).isInstanceOfSatisfying(RuleBook.Outcome.Conflict.class,
                c -> assertThat(c.message()).contains("changed on disk while you were editing").contains("save again"));
        assertThat(Files.readString(file())).isEqualTo(before);
        assertThat(engine.rules()).containsExactly(WAITING);
    }

    @Test
    void aValidHandEditIsTakenInAndAnEditorBasedOnTheOldRulesGetsAConflict() throws Exception {
        RuleBook book = book();
        book.save(List.of(WAITING), 1);
        new AlertRuleStore(dir.resolve("other.json")).save(List.of(LONG_TX));
        handEdit(Files.readString(dir.resolve("other.json")));

        assertThat(book.checkFile()).isTrue();

        assertThat(book.state().rules()).containsExactly(LONG_TX);
        assertThat(book.state().revision()).isEqualTo(3);
        assertThat(book.state().problem()).isEmpty();
        assertThat(engine.rules()).containsExactly(LONG_TX);
        assertThat(book.checkFile()).isFalse();
        // the console's editor started from revision 2: its save is refused, the hand edit kept
        assertThat(book.save(List.of(WAITING), 2)).isInstanceOf(RuleBook.Outcome.Conflict.class);
        assertThat(new AlertRuleStore(file()).read().rules()).containsExactly(LONG_TX);
        // saving again on the new revision is the deliberate overwrite
        assertThat(book.save(List.of(WAITING), 3)).isInstanceOf(RuleBook.Outcome.Saved.class);
        assertThat(new AlertRuleStore(file()).read().rules()).containsExactly(WAITING);
    }

    @Test
    void aSaveNoticesAHandEditTheSamplerHasNotSeenYet() throws Exception {
        RuleBook book = book();
        book.save(List.of(WAITING), 1);
        new AlertRuleStore(dir.resolve("other.json")).save(List.of(LONG_TX));
        handEdit(Files.readString(dir.resolve("other.json")));

        // no checkFile in between: save looks at the file itself
        assertThat(book.save(List.of(WAITING, LONG_TX), 2)).isInstanceOf(RuleBook.Outcome.Conflict.class);
        assertThat(new AlertRuleStore(file()).read().rules()).containsExactly(LONG_TX);
    }

    @Test
    void anInvalidHandEditKeepsTheRulesInForceAndSaysWhyUntilASaveReplacesIt() throws Exception {
        RuleBook book = book();
        book.save(List.of(WAITING), 1);
        handEdit(Files.readString(file()).replace("\"pool.*.awaiting\"", "\"pool.*.waiting\""));

        assertThat(book.checkFile()).isTrue();

        assertThat(book.state().rules()).containsExactly(WAITING);
        assertThat(engine.rules()).containsExactly(WAITING);
        assertThat(book.state().problem()).hasValueSatisfying(p -> assertThat(p)
                .startsWith("alert-rules.json was edited and is not valid: ")
                .contains("\"pool.*.waiting\"").contains("not a known metric key")
                .endsWith("Fix the file, or save from the console to replace it"));
        assertThat(book.checkFile()).isFalse(); // said once, not every sample
        String edited = Files.readString(file());
        assertThat(edited).contains("pool.*.waiting"); // never moved aside or rewritten behind the user's back

        RuleBook.Outcome out = book.save(List.of(WAITING, LONG_TX), book.state().revision());
        assertThat(out).isInstanceOf(RuleBook.Outcome.Saved.class);
        assertThat(out.state().problem()).isEmpty();
        assertThat(new AlertRuleStore(file()).read().rules()).containsExactly(WAITING, LONG_TX);
    }

    @Test
    void aTouchedFileIsNotAChangeAndARemovedOneIsSaidOnce() throws Exception {
        RuleBook book = book();
        book.save(List.of(WAITING), 1);
        Files.setLastModifiedTime(file(), FileTime.from(Instant.now().plusSeconds(5)));

        assertThat(book.checkFile()).isFalse();
        assertThat(book.state().revision()).isEqualTo(2);

        Files.delete(file());
        assertThat(book.checkFile()).isTrue();
        assertThat(book.state().problem()).hasValueSatisfying(p -> assertThat(p).contains("was removed")
                .contains("save them to write the file again"));
        assertThat(engine.rules()).containsExactly(WAITING);
        assertThat(book.checkFile()).isFalse();
    }

    @Test
    void aFailedSaveChangesNothingAndSaysWhy() throws Exception {
        RuleBook book = book();
        book.save(List.of(WAITING), 1);
        try (ReadOnlyFolder ro = ReadOnlyFolder.of(dir)) {
            RuleBook.Outcome out = book.save(List.of(WAITING, LONG_TX), 2);
            assertThat(out).isInstanceOfSatisfying(RuleBook.Outcome.Failed.class, f -> assertThat(f.message())
                    .startsWith("could not write " + file()).endsWith("the rules in force are unchanged and your edit is kept"));
        }
        assertThat(book.state().revision()).isEqualTo(2);
        assertThat(engine.rules()).containsExactly(WAITING);
        assertThat(new AlertRuleStore(file()).read().rules()).containsExactly(WAITING);
    }

    @Test
    void twoRulesWithOneIdAreRefused() throws Exception {
        RuleBook book = book();
        List<AlertRule> twice = new ArrayList<>(List.of(WAITING, WAITING));
        assertThat(book.save(twice, 1)).isInstanceOfSatisfying(RuleBook.Outcome.Failed.class,
                f -> assertThat(f.message()).isEqualTo("two rules have the id 'pool-waiting'; give each rule its own id"));
        assertThat(Files.exists(file())).isFalse();
    }

    @Test
    void withoutAFileTheRulesLiveInMemory() {
        RuleBook book = new RuleBook(null, engine, new AlertRuleStore.LoadResult(DefaultRules.all(), List.of(), true));
        assertThat(book.save(List.of(WAITING), 1)).isInstanceOf(RuleBook.Outcome.Saved.class);
        assertThat(engine.rules()).containsExactly(WAITING);
        assertThat(book.state().file()).isEmpty();
        assertThat(book.checkFile()).isFalse();
    }

    /** What an editor does: write the file in place, later than the book's own write. */
    private void handEdit(String content) throws Exception {
        Files.writeString(file(), content);
        Files.setLastModifiedTime(file(), FileTime.from(Instant.now().plusSeconds(2)));
    }

    @Test
    void aHandEditOfTheTargetOfALinkedRulesFileIsTakenInAndASaveKeepsTheLink() throws Exception {
        Path real = Files.createDirectories(dir.resolve("dotfiles")).resolve("alert-rules.json");
        new AlertRuleStore(real).save(List.of(WAITING));
        dev.pgpulse.testing.OddFiles.link(file(), real);
        RuleBook book = book();
        assertThat(engine.rules()).containsExactly(WAITING);

        new AlertRuleStore(real).save(List.of(WAITING, LONG_TX)); // the hand edit, in the checkout

        assertThat(book.checkFile()).as("the edit of the link's target is noticed").isTrue();
        assertThat(engine.rules()).containsExactly(WAITING, LONG_TX);
        RuleBook.Outcome out = book.save(List.of(LONG_TX), book.state().revision());
        assertThat(out).isInstanceOf(RuleBook.Outcome.Saved.class);
        assertThat(Files.isSymbolicLink(file())).as("still a link").isTrue();
        assertThat(new AlertRuleStore(real).read().rules()).containsExactly(LONG_TX);
        assertThat(book.checkFile()).as("its own save is no hand edit").isFalse();
    }

    @Test
    void savingOverABadHandEditMovesTheEditAsideInsteadOfOverwritingIt() throws Exception {
        RuleBook book = book();
        book.save(List.of(WAITING), 1);
        Files.writeString(file(), "{ \"schemaVersion\": 1, \"rules\": [ half typed");
        assertThat(book.checkFile()).isTrue();
        assertThat(book.state().problem()).isPresent();

        RuleBook.Outcome out = book.save(List.of(LONG_TX), book.state().revision());

        assertThat(out).isInstanceOf(RuleBook.Outcome.Saved.class);
        assertThat(new AlertRuleStore(file()).read().rules()).containsExactly(LONG_TX);
        try (var files = Files.list(dir)) {
            List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("alert-rules.json.broken-"))
                    .toList();
            assertThat(aside).as("the hand edit is kept").singleElement()
                    .satisfies(p -> assertThat(Files.readString(p)).isEqualTo("{ \"schemaVersion\": 1, \"rules\": [ half typed"));
        }
    }

    @Test
    void aFifoInTheRulesFilesPlaceIsNotReplacedByASave() throws Exception {
        RuleBook book = book();
        book.save(List.of(WAITING), 1);
        Files.delete(file());
        dev.pgpulse.testing.OddFiles.fifo(file());
        book.checkFile();

        RuleBook.Outcome out = book.save(List.of(LONG_TX), book.state().revision());

        assertThat(out).isInstanceOfSatisfying(RuleBook.Outcome.Failed.class, f -> assertThat(f.message())
                .contains("is not a regular file").contains("your edit is kept"));
        assertThat(Files.isRegularFile(file())).as("still the FIFO").isFalse();
        assertThat(Files.exists(file())).isTrue();
        assertThat(engine.rules()).containsExactly(WAITING);
    }
}
