package dev.pgpulse.ui.alerts;

import dev.pgpulse.config.Environment;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.RuleBook;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.orchestration.AlertBoard;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.orchestration.Status;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.testing.TestSnapshots;
import dev.pgpulse.ui.shell.ConsoleActions;
import dev.pgpulse.ui.shell.Dialogs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules tab's state without a stage: validation through the rule's own checks as the DBA types, Save only
 * when valid and changed, undo of deletes, and hand edits of the file taken in or reported as a conflict.
 */
class RulesViewModelTest {
    private static final Instant T = Instant.parse("2026-12-02T06:00:00Z");
    private static final Path FILE = Path.of("/tmp/pgpulse-test/alert-rules.json");

    /** Records what the tab asked; {@link #answer} tells the last save what it came to. */
    private static final class Recording implements ConsoleActions {
        final List<List<AlertRule>> saves = new ArrayList<>();
        final List<Long> basedOn = new ArrayList<>();
        Consumer<RuleBook.Outcome> pending;

        void answer(RuleBook.Outcome o) {
            Consumer<RuleBook.Outcome> p = pending;
            pending = null;
            p.accept(o);
        }

        @Override
        public void saveRules(List<AlertRule> rules, long basedOn, Consumer<RuleBook.Outcome> done) {
            saves.add(rules);
            this.basedOn.add(basedOn);
            pending = done;
        }

        @Override
        public void resetRules(long basedOn, Consumer<RuleBook.Outcome> done) {
            saveRules(DefaultRules.all(), basedOn, done);
        }

        @Override public void drill(String endpoint, Guard.Drill drill) { }
        @Override public void demoWorkload(boolean on) { }
        @Override public boolean demoAvailable() { return false; }
        @Override public boolean demoRunning() { return false; }
        @Override public void restartEmbedded(Consumer<Optional<String>> done) { }
        @Override public void acknowledge(AlertKey alert) { }
        @Override public void silence(String r, String s, Duration l, String c, Consumer<Optional<String>> d) { }
        @Override public void expireSilence(String silenceId) { }
        @Override public void sendTestAlert(Consumer<String> done) { }
        @Override public void exportPrometheus(Path file, Consumer<String> done) { }
        @Override public dev.pgpulse.ui.shell.QueryActions queries() { throw new UnsupportedOperationException(); }
    }

    private static final class Answering implements Dialogs {
        final List<Confirmation> asked = new ArrayList<>();
        boolean yes = true;

        @Override
        public boolean confirm(Confirmation c) {
            asked.add(c);
            return yes;
        }

        @Override
        public void notify(Notice n) {
        }
    }

    private final Recording actions = new Recording();
    private final Answering dialogs = new Answering();
    private final RulesViewModel vm = new RulesViewModel(actions, dialogs);

    private static RuleBook.State state(List<AlertRule> rules, long revision, String problem) {
        return new RuleBook.State(rules, revision, rules.equals(DefaultRules.all()), Optional.of(FILE),
                Optional.ofNullable(problem));
    }

    private static Snapshot snapshot(RuleBook.State rules, List<Alert> current) {
        AlertBoard quiet = TestSnapshots.quietAlerting();
        AlertBoard board = new AlertBoard(rules, current, quiet.acknowledged(), quiet.silences(), quiet.webhook());
        return new Snapshot(T, new Status(Status.State.RUNNING, List.of(), T), "postgresql://x", false,
                Environment.DEVELOPMENT, null, null, List.of(), List.of(), MetricHistory.View.EMPTY, null, board);
    }

    private void feed(RuleBook.State st, List<Alert> current) {
        Snapshot s = snapshot(st, current);
        vm.apply(s);
        vm.applyDeferred(s);
    }

    private RuleItem row(String id) {
        return vm.rows().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void theTableShowsEachRuleInItsUnitAndItsStateNow() {
        Alert firing = new Alert("pool-waiting", "Threads waiting", "pool.primary.awaiting", Severity.WARNING,
                AlertState.FIRING, 3, 0, Operator.GT, T.minusSeconds(40), T, "m");
        Alert firing2 = new Alert("pool-waiting", "Threads waiting", "pool.replica-1.awaiting", Severity.WARNING,
                AlertState.FIRING, 3, 0, Operator.GT, T.minusSeconds(40), T, "m");
        Alert pending = new Alert("connections-high", "c", "server.connections.used_ratio", Severity.WARNING,
                AlertState.PENDING, 0.9, 0.8, Operator.GT, T.minusSeconds(20), T, "m");
        feed(state(DefaultRules.all(), 1, null), List.of(firing, firing2, pending));
        assertThat(vm.rows()).hasSize(DefaultRules.all().size());
        assertThat(row("connections-high").conditionProperty().get()).isEqualTo("> 80%");
        assertThat(row("connections-high").forProperty().get()).isEqualTo("5 min");
        assertThat(row("long-transaction").conditionProperty().get()).isEqualTo("> 2 min");
        assertThat(row("long-transaction").forProperty().get()).isEqualTo("at once");
        assertThat(row("pool-waiting").stateProperty().get()).isEqualTo("FIRING on primary, replica-1 (2)");
        assertThat(row("pool-waiting").stateKindProperty().get()).isEqualTo("firing");
        assertThat(row("connections-high").stateProperty().get())
                .isEqualTo("PENDING for 20 s");
        assertThat(row("xid-wraparound").conditionProperty().get()).isEqualTo("> 1.5 billion");
        assertThat(row("deadlocks").stateProperty().get()).isEqualTo("OK");
    }

    @Test
    void eachFieldIsCheckedAsTypedWithTheReasonAndSaveWaitsForAValidChange() {
        feed(state(DefaultRules.all(), 1, null), List.of());
        vm.select(row("long-transaction"));
        RuleFormViewModel f = vm.form();
        assertThat(f.thresholdProperty().get()).isEqualTo("2 min");
        assertThat(f.unitProperty().get()).startsWith("duration");
        assertThat(vm.canSaveProperty().get()).as("nothing changed").isFalse();

        f.setThreshold("soon");
        assertThat(f.thresholdProblemProperty().get()).startsWith("'soon' is not a duration; expected a duration");
        assertThat(f.validProperty().get()).isFalse();
        assertThat(f.draftProperty().get()).isNull();
        assertThat(vm.canSaveProperty().get()).as("invalid").isFalse();
        assertThat(vm.saveHintProperty().get()).startsWith("Save is off until the fields in red are fixed");
        assertThat(vm.dirtyProperty().get()).isTrue();

        f.setThreshold("5m");
        assertThat(f.thresholdProblemProperty().get()).isEmpty();
        assertThat(vm.draftProperty().get().threshold()).isEqualTo(300.0);
        assertThat(vm.canSaveProperty().get()).isTrue();

        f.setName("  ");
        assertThat(f.nameProblemProperty().get()).isEqualTo("Name is blank; expected 1 to 120 characters");
        assertThat(vm.canSaveProperty().get()).isFalse();
        f.setName("x".repeat(121));
        assertThat(f.nameProblemProperty().get()).endsWith("is 121 characters long; expected at most 120");
        f.setName("Long transaction");
        f.setFor("90");
        assertThat(f.forProblemProperty().get()).isEqualTo("'90' has no unit; write \"90s\" (seconds) or \"90ms\"");
        f.setFor("25h");
        assertThat(f.forProblemProperty().get()).isEqualTo("'25h' is longer than 24h; expected a duration from 0s to 24h");
        f.setFor("30s");
        // a ratio is typed in %
        f.setTemplate("server.cache_hit_ratio");
        assertThat(f.thresholdProblemProperty().get()).as("5m is no percentage").contains("is not a number");
        f.setThreshold("95%");
        assertThat(vm.draftProperty().get().metric()).isEqualTo("server.cache_hit_ratio");
        assertThat(vm.draftProperty().get().threshold()).isEqualTo(0.95);
        // an operation name is checked by the metric key's own rule
        f.setTemplate("query.<operation>.p95_ms");
        f.setThreshold("250");
        f.setOperation("bad name");
        assertThat(f.metricProblemProperty().get()).startsWith("Operation 'bad name' is not an operation name");
        f.setOperation("bills.report");
        assertThat(vm.draftProperty().get().metric()).isEqualTo("query.bills.report.p95_ms");
        assertThat(vm.draftProperty().get().threshold()).isEqualTo(250.0);
        assertThat(vm.canSaveProperty().get()).isTrue();
        assertThat(vm.rules()).as("the valid edit is in the list to save").contains(vm.draftProperty().get());
    }

    @Test
    void aNewRulesIdFollowsItsNameAndMustBeUnique() {
        feed(state(DefaultRules.all(), 1, null), List.of());
        vm.add();
        RuleFormViewModel f = vm.form();
        assertThat(f.idEditableProperty().get()).isTrue();
        f.setName("Replica lag");
        assertThat(f.idProperty().get()).as("replica-lag is a default rule's").isEqualTo("replica-lag-2");
        f.setName("Replica lag bytes");
        assertThat(f.idProperty().get()).isEqualTo("replica-lag-bytes");
        f.setId("deadlocks");
        assertThat(f.idProblemProperty().get()).isEqualTo("'deadlocks' is already the id of another rule; choose another");
        f.setId("Bad Id");
        assertThat(f.idProblemProperty().get()).startsWith("'Bad Id' is not a valid id");
        f.setId("my-lag");
        f.setName("Replica lag again");
        assertThat(f.idProperty().get()).as("typed by hand, it stays").isEqualTo("my-lag");
        f.setTemplate("pool.<endpoint>.awaiting");
        assertThat(f.endpointAppliesProperty().get()).isTrue();
        f.setEndpoint("primary");
        f.setThreshold("0");
        assertThat(vm.draftProperty().get().metric()).isEqualTo("pool.primary.awaiting");
        vm.select(row("deadlocks"));
        assertThat(f.idEditableProperty().get()).as("a saved rule keeps its id").isFalse();
    }

    @Test
    void deletesAreUndoneInOrderAndDuplicateMakesItsOwnId() {
        feed(state(DefaultRules.all(), 1, null), List.of());
        vm.select(row("deadlocks"));
        vm.delete();
        vm.select(row("replica-lag"));
        vm.delete();
        assertThat(vm.rows()).extracting(RuleItem::id).doesNotContain("deadlocks", "replica-lag");
        assertThat(vm.undoTextProperty().get()).isEqualTo("Undo delete of 'Replica more than 30 s behind'");
        assertThat(vm.canSaveProperty().get()).isTrue();
        vm.undoDelete();
        vm.undoDelete();
        assertThat(vm.rules()).isEqualTo(DefaultRules.all());
        assertThat(vm.undoTextProperty().get()).isEmpty();
        assertThat(vm.dirtyProperty().get()).isFalse();

        vm.select(row("deadlocks"));
        vm.duplicate();
        assertThat(vm.selectedProperty().get().id()).isEqualTo("deadlocks-copy");
        assertThat(vm.rules()).hasSize(DefaultRules.all().size() + 1);
        vm.toggleEnabled();
        assertThat(vm.rules()).filteredOn(r -> r.id().equals("deadlocks-copy")).singleElement()
                .satisfies(r -> assertThat(r.enabled()).isFalse());
        assertThat(vm.rules()).filteredOn(r -> r.id().equals("deadlocks")).singleElement()
                .satisfies(r -> assertThat(r.enabled()).isTrue());
        assertThat(vm.selectedProperty().get().enabledProperty().get()).isEqualTo("off");
    }

    @Test
    void aSaveThatFailsKeepsTheEditAndSaysWhy() {
        feed(state(DefaultRules.all(), 1, null), List.of());
        vm.select(row("deadlocks"));
        vm.form().setThreshold("10");
        vm.save();
        assertThat(actions.basedOn).containsExactly(1L);
        assertThat(vm.canSaveProperty().get()).as("while saving").isFalse();
        actions.answer(new RuleBook.Outcome.Failed("could not write " + FILE + ": disk full; the rules in force are "
                + "unchanged and your edit is kept", state(DefaultRules.all(), 1, null)));
        assertThat(vm.statusProperty().get()).startsWith("Not saved: could not write").contains("disk full");
        assertThat(vm.statusKindProperty().get()).isEqualTo(RulesViewModel.StatusKind.ERROR);
        assertThat(vm.form().thresholdProperty().get()).isEqualTo("10");
        assertThat(vm.canSaveProperty().get()).isTrue();

        vm.save();
        List<AlertRule> sent = actions.saves.getLast();
        actions.answer(new RuleBook.Outcome.Saved(state(sent, 2, null)));
        assertThat(vm.statusProperty().get()).isEqualTo("Saved " + DefaultRules.all().size() + " rules to " + FILE);
        assertThat(vm.dirtyProperty().get()).isFalse();
        assertThat(vm.form().thresholdProperty().get()).isEqualTo("10");
    }

    @Test
    void whatIsTypedWhileASaveIsOnItsWayIsKept() {
        feed(state(DefaultRules.all(), 1, null), List.of());
        vm.select(row("deadlocks"));
        vm.form().setThreshold("10");
        vm.save();
        vm.form().setThreshold("11");
        actions.answer(new RuleBook.Outcome.Saved(state(actions.saves.getLast(), 2, null)));
        assertThat(vm.form().thresholdProperty().get()).isEqualTo("11");
        assertThat(vm.rules()).filteredOn(r -> r.id().equals("deadlocks")).singleElement()
                .satisfies(r -> assertThat(r.threshold()).isEqualTo(11.0));
        assertThat(vm.dirtyProperty().get()).isTrue();
        assertThat(vm.canSaveProperty().get()).isTrue();
        assertThat(vm.basedOn()).isEqualTo(2L);

        // an invalid field typed meanwhile stays too
        vm.save();
        vm.form().setThreshold("eleven");
        actions.answer(new RuleBook.Outcome.Saved(state(actions.saves.getLast(), 3, null)));
        assertThat(vm.form().thresholdProperty().get()).isEqualTo("eleven");
        assertThat(vm.canSaveProperty().get()).isFalse();
        assertThat(vm.dirtyProperty().get()).isTrue();
    }

    @Test
    void aHandEditIsTakenInWithoutUnsavedEditsAndIsAConflictWithThem() {
        feed(state(DefaultRules.all(), 1, null), List.of());
        vm.select(row("deadlocks"));
        List<AlertRule> edited = new ArrayList<>(DefaultRules.all());
        edited.removeLast();
        feed(state(edited, 2, null), List.of());
        assertThat(vm.statusProperty().get()).isEqualTo("Reloaded: the rules file was edited (" + (DefaultRules.all().size() - 1) + " rules now)");
        assertThat(vm.rows()).hasSize(DefaultRules.all().size() - 1);
        assertThat(vm.selectedProperty().get().id()).as("the selection stays").isEqualTo("deadlocks");

        vm.form().setThreshold("7");
        List<AlertRule> again = new ArrayList<>(edited);
        again.removeLast();
        feed(state(again, 3, null), List.of());
        assertThat(vm.conflictProperty().get()).contains("edited outside the console while you have unsaved changes")
                .contains("Reload").contains("Overwrite");
        assertThat(vm.form().thresholdProperty().get()).as("the edit is kept").isEqualTo("7");
        assertThat(vm.canSaveProperty().get()).as("Reload or Overwrite first").isFalse();
        vm.overwrite();
        assertThat(actions.basedOn.getLast()).isEqualTo(3L);
        assertThat(actions.saves.getLast()).hasSize(DefaultRules.all().size() - 1);
        actions.answer(new RuleBook.Outcome.Saved(state(actions.saves.getLast(), 4, null)));
        assertThat(vm.conflictProperty().get()).isEmpty();

        // a conflict from the save itself, then Reload takes the file's rules
        vm.form().setThreshold("8");
        vm.save();
        actions.answer(new RuleBook.Outcome.Conflict("alert-rules.json changed on disk while you were editing; reload "
                + "to see the rules in force, or save again to overwrite them with yours", state(again, 5, null)));
        assertThat(vm.conflictProperty().get()).startsWith("Not saved: alert-rules.json changed on disk");
        vm.reload();
        assertThat(vm.rules()).isEqualTo(again);
        assertThat(vm.dirtyProperty().get()).isFalse();
        assertThat(vm.conflictProperty().get()).isEmpty();
    }

    @Test
    void aConflictClearsWhenTheFileGoesBackToTheRulesTheEditStartedFrom() {
        feed(state(DefaultRules.all(), 1, null), List.of());
        vm.select(row("deadlocks"));
        vm.form().setThreshold("7");
        List<AlertRule> edited = new ArrayList<>(DefaultRules.all());
        edited.removeLast();
        feed(state(edited, 2, null), List.of());
        assertThat(vm.conflictProperty().get()).isNotEmpty();
        // the hand edit is undone by hand: nothing is in conflict with the edit here any more
        feed(state(DefaultRules.all(), 3, null), List.of());
        assertThat(vm.conflictProperty().get()).isEmpty();
        assertThat(vm.form().thresholdProperty().get()).as("the edit is kept").isEqualTo("7");
        assertThat(vm.canSaveProperty().get()).isTrue();
        vm.save();
        assertThat(actions.basedOn.getLast()).isEqualTo(3L);
    }

    @Test
    void aRevertOrReloadEndsTheUndoOfDeletesMadeBefore() {
        feed(state(DefaultRules.all(), 1, null), List.of());
        vm.select(row("deadlocks"));
        vm.delete();
        vm.revert();
        assertThat(vm.undoTextProperty().get()).as("deadlocks is back: nothing to undo").isEmpty();
        vm.undoDelete();
        assertThat(vm.statusKindProperty().get()).isEqualTo(RulesViewModel.StatusKind.INFO);
        assertThat(vm.rules()).isEqualTo(DefaultRules.all());

        vm.select(row("deadlocks"));
        vm.delete();
        List<AlertRule> edited = new ArrayList<>(DefaultRules.all());
        edited.removeIf(r -> r.id().equals("deadlocks"));
        edited.removeLast();
        feed(state(edited, 2, null), List.of());
        vm.reload();
        assertThat(vm.undoTextProperty().get()).isEmpty();
        vm.undoDelete();
        assertThat(vm.rules()).as("the file's rules, not a rule deleted before the reload").isEqualTo(edited);
    }

    @Test
    void aBadHandEditIsABannerAndAnEditMayStillReplaceTheFile() {
        feed(state(DefaultRules.all(), 1, null), List.of());
        vm.select(row("deadlocks"));
        vm.form().setThreshold("9");
        feed(state(DefaultRules.all(), 2, "alert-rules.json was edited and is not valid: rule 'x': threshold NaN"),
                List.of());
        assertThat(vm.fileProblemProperty().get()).startsWith("alert-rules.json was edited and is not valid");
        assertThat(vm.conflictProperty().get()).as("the rules in force did not change").isEmpty();
        vm.save();
        assertThat(actions.basedOn.getLast()).isEqualTo(2L);
    }

    @Test
    void resetAsksFirstNamingTheAction() {
        List<AlertRule> mine = new ArrayList<>(DefaultRules.all());
        mine.removeFirst();
        feed(state(mine, 4, null), List.of());
        dialogs.yes = false;
        vm.resetToDefaults();
        assertThat(dialogs.asked).singleElement().satisfies(c -> {
            assertThat(c.confirmLabel()).isEqualTo("Reset to defaults");
            assertThat(c.text()).contains("replaces the " + (DefaultRules.all().size() - 1) + " rules in " + FILE + " with the " + DefaultRules.all().size());
        });
        assertThat(actions.saves).as("cancelled").isEmpty();
        dialogs.yes = true;
        vm.resetToDefaults();
        assertThat(actions.basedOn).containsExactly(4L);
        actions.answer(new RuleBook.Outcome.Saved(state(DefaultRules.all(), 5, null)));
        assertThat(vm.rows()).hasSize(DefaultRules.all().size());
        assertThat(vm.statusProperty().get()).startsWith("Reset to the defaults: saved " + DefaultRules.all().size() + " rules");
    }
}
