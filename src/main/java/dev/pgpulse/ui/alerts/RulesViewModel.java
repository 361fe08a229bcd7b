package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.RuleBook;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.service.OperationStats;
import dev.pgpulse.ui.shell.ConsoleActions;
import dev.pgpulse.ui.shell.Dialogs;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules table and the editor of the selected rule. The tab edits a working copy of the whole rule list (add,
 * duplicate, delete with undo, enable/disable, the form's edits as soon as they are valid); Save writes it through
 * {@link ConsoleActions#saveRules} based on the revision it started from, so a hand edit of the file meanwhile is a
 * conflict the DBA resolves (Reload or Overwrite), never a silent overwrite. Without unsaved edits a new revision is
 * taken in at once. {@link #draftProperty()} is the rule as the editor holds it now when every field is valid,
 * else null: the preview follows it as the DBA types.
 */
public final class RulesViewModel {
    /** What the status line says: a plain report or a failure. */
    public enum StatusKind {
        INFO, ERROR
    }

    private record Deleted(AlertRule rule, int index) {
    }

    private final ConsoleActions actions;
    private final Dialogs dialogs;
    private final RuleFormViewModel form = new RuleFormViewModel();
    private final ObservableList<RuleItem> rows = FXCollections.observableArrayList();
    private final List<AlertRule> working = new ArrayList<>();
    private final Deque<Deleted> deleted = new ArrayDeque<>();
    private final ReadOnlyObjectWrapper<AlertRule> draft = new ReadOnlyObjectWrapper<>(this, "draft");
    private final ReadOnlyObjectWrapper<RuleItem> selected = new ReadOnlyObjectWrapper<>(this, "selected");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyObjectWrapper<StatusKind> statusKind = new ReadOnlyObjectWrapper<>(this, "statusKind",
            StatusKind.INFO);
    private final ReadOnlyStringWrapper conflict = new ReadOnlyStringWrapper(this, "conflict", "");
    private final ReadOnlyStringWrapper fileProblem = new ReadOnlyStringWrapper(this, "fileProblem", "");
    private final ReadOnlyStringWrapper undoText = new ReadOnlyStringWrapper(this, "undoText", "");
    private final ReadOnlyStringWrapper toggleText = new ReadOnlyStringWrapper(this, "toggleText", "Disable");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(this, "summary", "");
    private final ReadOnlyStringWrapper saveHint = new ReadOnlyStringWrapper(this, "saveHint", "");
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper(this, "dirty");
    private final ReadOnlyBooleanWrapper canSave = new ReadOnlyBooleanWrapper(this, "canSave");
    private final ReadOnlyBooleanWrapper saving = new ReadOnlyBooleanWrapper(this, "saving");
    private RuleBook.State saved;
    /** The newer state a conflict is against: what Reload takes and Overwrite saves over. */
    private RuleBook.State conflictState;
    private List<Alert> current = List.of();
    private Instant at = Instant.EPOCH;
    /** Set while the form is loaded from the working list, so its changes are not taken as edits. */
    private boolean loading;

    public RulesViewModel(ConsoleActions actions, Dialogs dialogs) {
        this.actions = actions;
        this.dialogs = dialogs;
        draft.bind(form.draftProperty());
        form.draftProperty().addListener((o, was, now) -> formEdited(now));
        form.validProperty().addListener((o, was, now) -> recompute());
    }

    public RuleFormViewModel form() {
        return form;
    }

    public ReadOnlyObjectProperty<AlertRule> draftProperty() {
        return draft.getReadOnlyProperty();
    }

    /** Cheap: the rules in force (a reload or a conflict), the endpoints and operations to choose from. */
    public void apply(Snapshot s) {
        List<String> endpoints = s.health() == null ? List.of()
                : s.health().endpoints().stream().map(EndpointStatus::endpoint).toList();
        List<String> operations = s.service() == null ? List.of()
                : s.service().operations().stream().map(OperationStats::operation).sorted().toList();
        if (!endpoints.isEmpty()) {
            form.knownTargets(endpoints, operations);
        }
        rulesInForce(s.alerting().rules());
    }

    /** The table's "state now" column, one frame later. */
    public void applyDeferred(Snapshot s) {
        current = s.alerting().current();
        at = s.at();
        for (int i = 0; i < rows.size(); i++) {
            updateState(rows.get(i), working.get(i));
        }
    }

    private void rulesInForce(RuleBook.State st) {
        if (saved == null) {
            take(st);
            return;
        }
        if (st.revision() <= saved.revision() || saving.get()) {
            return; // older than what this tab knows, or its own save on its way back
        }
        fileProblem.set(st.problem().orElse(""));
        if (st.rules().equals(saved.rules())) {
            saved = st; // only the file's problem changed: an edit here may still replace the file
            // a hand edit that made a conflict was undone by hand: the edit here is based on the file again
            conflictState = null;
            conflict.set("");
            recompute();
            return;
        }
        if (!dirty.get()) {
            deleted.clear();
            take(st);
            say("Reloaded: the rules file was edited (" + count(st.rules().size()) + " now)", StatusKind.INFO);
            return;
        }
        conflictState = st;
        conflict.set("The rules file was edited outside the console while you have unsaved changes here ("
                + count(st.rules().size()) + " in the file now). Reload takes the file's rules and discards your "
                + "changes; Overwrite saves yours over it.");
        recompute();
    }

    /** Makes {@code st} the rules here: no unsaved edit, the same rule selected when it is still there. */
    private void take(RuleBook.State st) {
        String keep = selected.get() == null ? null : selected.get().id();
        saved = st;
        conflictState = null;
        conflict.set("");
        fileProblem.set(st.problem().orElse(""));
        working.clear();
        working.addAll(st.rules());
        rebuildRows();
        int index = keep == null ? -1 : indexOf(keep);
        show(index < 0 ? null : rows.get(index));
        recompute();
    }

    private void rebuildRows() {
        List<RuleItem> items = new ArrayList<>();
        for (int i = 0; i < working.size(); i++) {
            RuleItem item = i < rows.size() ? rows.get(i) : new RuleItem();
            items.add(item);
        }
        for (int i = 0; i < items.size(); i++) {
            describe(items.get(i), working.get(i));
        }
        if (!items.equals(rows)) {
            rows.setAll(items);
        }
    }

    /** The table selected {@code item} (null: none). Loads it into the form; the one selected already stays as is. */
    public void select(RuleItem item) {
        if (item != selected.get()) {
            show(item);
        }
    }

    /**
     * Selects the rule with this id, as when the DBA picks one of its alerts above: the editor and the preview show
     * it, the table scrolls to it. A rule not in the list here (deleted and not saved yet, or a manual alert's) is
     * told on the status line.
     *
     * @return whether the list has that rule
     */
    public boolean selectRule(String ruleId) {
        int i = ruleId == null ? -1 : indexOf(ruleId);
        if (i < 0) {
            if (ruleId != null && saved != null) {
                say("No rule '" + ruleId + "' in this list: it was deleted here (Revert brings it back) or the alert "
                        + "was sent by hand", StatusKind.INFO);
            }
            return false;
        }
        select(rows.get(i));
        return true;
    }

    private void show(RuleItem item) {
        int i = item == null ? -1 : rows.indexOf(item);
        selected.set(i < 0 ? null : item);
        loading = true;
        try {
            if (i < 0) {
                form.clear();
            } else {
                AlertRule r = working.get(i);
                form.load(r, saved.rule(r.id()).isEmpty(), idTakenExcept(i));
            }
        } finally {
            loading = false;
        }
        toggleText.set(i >= 0 && !working.get(i).enabled() ? "Enable" : "Disable");
        recompute();
    }

    private java.util.function.Predicate<String> idTakenExcept(int index) {
        return id -> {
            for (int j = 0; j < working.size(); j++) {
                if (j != index && working.get(j).id().equals(id)) {
                    return true;
                }
            }
            return false;
        };
    }

    private void formEdited(AlertRule now) {
        int i = selectedIndex();
        if (loading || now == null || i < 0 || working.get(i).equals(now)) {
            recompute();
            return;
        }
        working.set(i, now);
        describe(rows.get(i), now);
        updateState(rows.get(i), now);
        toggleText.set(now.enabled() ? "Disable" : "Enable");
        recompute();
    }

    /** A new rule after the selected one (or at the end), selected, its id following its name. */
    public void add() {
        if (saved == null) {
            return;
        }
        String id = RuleFormViewModel.uniqueSlug("New rule", idTakenExcept(-1));
        insert(new AlertRule(id, "New rule", "server.longest_transaction_seconds", Operator.GT, 300,
                Duration.ZERO, Severity.WARNING, true));
        say("Added a rule: name it, choose its metric and threshold, then Save", StatusKind.INFO);
    }

    /** A copy of the selected rule, with its own id, after it. */
    public void duplicate() {
        int i = selectedIndex();
        if (i < 0) {
            return;
        }
        AlertRule r = working.get(i);
        String name = r.name().length() > AlertRule.MAX_NAME_LENGTH - 7 ? r.name().substring(0, AlertRule.MAX_NAME_LENGTH - 7)
                : r.name();
        String id = RuleFormViewModel.uniqueSlug(r.id() + "-copy", idTakenExcept(-1));
        insert(new AlertRule(id, name + " (copy)", r.metric(), r.operator(), r.threshold(), r.forDuration(),
                r.severity(), r.enabled()));
        say("Duplicated '" + r.name() + "'", StatusKind.INFO);
    }

    private void insert(AlertRule r) {
        int at = selectedIndex() < 0 ? working.size() : selectedIndex() + 1;
        working.add(at, r);
        RuleItem item = new RuleItem();
        describe(item, r);
        updateState(item, r);
        rows.add(at, item);
        show(item);
    }

    /** Deletes the selected rule from the working list; {@link #undoDelete()} puts it back. */
    public void delete() {
        int i = selectedIndex();
        if (i < 0) {
            return;
        }
        AlertRule r = working.remove(i);
        deleted.push(new Deleted(r, i));
        rows.remove(i);
        show(rows.isEmpty() ? null : rows.get(Math.min(i, rows.size() - 1)));
        say("Deleted '" + r.name() + "' (not saved yet)", StatusKind.INFO);
    }

    /** Puts the last deleted rule back where it was. */
    public void undoDelete() {
        Deleted d = deleted.peek();
        if (d == null) {
            return;
        }
        if (indexOf(d.rule().id()) >= 0) {
            say("Cannot undo the delete of '" + d.rule().name() + "': another rule has its id '" + d.rule().id()
                    + "' now; change that rule's id first", StatusKind.ERROR);
            return;
        }
        deleted.pop();
        int at = Math.min(d.index(), working.size());
        working.add(at, d.rule());
        RuleItem item = new RuleItem();
        describe(item, d.rule());
        updateState(item, d.rule());
        rows.add(at, item);
        show(item);
        say("Restored '" + d.rule().name() + "' (not saved yet)", StatusKind.INFO);
    }

    /** Enables the selected rule when it is disabled, else disables it. */
    public void toggleEnabled() {
        if (selectedIndex() >= 0) {
            form.setEnabled(!form.enabledProperty().get());
        }
    }

    /** Writes the working list, based on the revision the edit started from. */
    public void save() {
        if (!canSave.get()) {
            return;
        }
        write(saved.revision(), "Saved");
    }

    /** After a conflict: saves the edits here over the file's newer rules. */
    public void overwrite() {
        if (conflictState == null || !form.validProperty().get() && form.editingProperty().get()) {
            return;
        }
        long basedOn = conflictState.revision();
        conflict.set("");
        write(basedOn, "Overwrote the file's rules: saved");
    }

    private void write(long basedOn, String verb) {
        List<AlertRule> rules = List.copyOf(working);
        saving.set(true);
        recompute();
        say("Saving " + count(rules.size()) + "…", StatusKind.INFO);
        actions.saveRules(rules, basedOn, outcome -> saved(outcome, verb, rules));
    }

    /** After a conflict: the file's rules, the edits here discarded. */
    public void reload() {
        RuleBook.State st = conflictState != null ? conflictState : saved;
        // a delete made before is no edit of the rules reloaded: its undo would add back a rule the file dropped
        deleted.clear();
        take(st);
        say("Reloaded the rules file; your unsaved changes were discarded", StatusKind.INFO);
    }

    /** Discards every unsaved change. */
    public void revert() {
        deleted.clear(); // the deleted rules are back: their undo would only say their id is taken
        take(saved);
        say("Reverted to the saved rules", StatusKind.INFO);
    }

    /** Asks first, then saves the default rules over everything. FX thread. */
    public void resetToDefaults() {
        if (saved == null || saving.get()) {
            return;
        }
        String where = saved.file().map(RulesViewModel::shown).orElse("memory");
        boolean yes = dialogs.confirm(new Dialogs.Confirmation("Reset the alert rules to the defaults?",
                "This replaces the " + count(saved.rules().size()) + " in " + where + " with the "
                        + count(DefaultRules.all().size()) + " PgPulse ships"
                        + (dirty.get() ? ", and discards your unsaved changes" : "")
                        + ". Rules you added are removed, and the running engine takes the defaults at once.",
                "Reset to defaults"));
        if (!yes) {
            return;
        }
        saving.set(true);
        recompute();
        actions.resetRules(saved.revision(), outcome -> saved(outcome, "Reset to the defaults: saved", null));
    }

    /** @param sent the rules this tab sent, null for a reset (which discards the edits here) */
    private void saved(RuleBook.Outcome outcome, String verb, List<AlertRule> sent) {
        saving.set(false);
        boolean editedMeanwhile = sent != null && (!working.equals(sent)
                || form.editingProperty().get() && !form.validProperty().get());
        switch (outcome) {
            case RuleBook.Outcome.Saved s when editedMeanwhile -> {
                // typed while the save was on its way: kept, as unsaved changes over what was just saved
                saved = s.state();
                conflictState = null;
                conflict.set("");
                fileProblem.set(s.state().problem().orElse(""));
                say(verb + " " + count(s.state().rules().size()) + "; your edits made since are not saved yet",
                        StatusKind.INFO);
            }
            case RuleBook.Outcome.Saved s -> {
                take(s.state());
                say(verb + " " + count(s.state().rules().size())
                        + s.state().file().map(f -> " to " + shown(f)).orElse(" (in memory only: no rules file)"),
                        StatusKind.INFO);
            }
            case RuleBook.Outcome.Failed f -> say("Not saved: " + f.message(), StatusKind.ERROR);
            case RuleBook.Outcome.Conflict c -> {
                conflictState = c.state();
                fileProblem.set(c.state().problem().orElse(""));
                conflict.set("Not saved: " + c.message());
                say("Not saved: the rules file changed meanwhile; choose Reload or Overwrite", StatusKind.ERROR);
            }
        }
        recompute();
    }

    private void recompute() {
        boolean invalid = form.editingProperty().get() && !form.validProperty().get();
        dirty.set(saved != null && (invalid || !working.equals(saved.rules())));
        canSave.set(dirty.get() && !invalid && !saving.get() && conflict.get().isEmpty());
        saveHint.set(invalid ? "Save is off until the fields in red are fixed (Revert drops the edit)"
                : conflict.get().isEmpty() ? "" : "Save is off: choose Reload or Overwrite above");
        undoText.set(deleted.isEmpty() ? "" : "Undo delete of '" + deleted.peek().rule().name() + "'");
        long off = working.stream().filter(r -> !r.enabled()).count();
        summary.set(saved == null ? "" : count(working.size()) + (off == 0 ? "" : ", " + off + " disabled")
                + (dirty.get() ? " · unsaved changes" : ""));
        Set<AlertRule> savedRules = saved == null ? Set.of() : new HashSet<>(saved.rules());
        for (int i = 0; i < rows.size(); i++) {
            rows.get(i).unsaved(!savedRules.contains(working.get(i)));
        }
    }

    private static void describe(RuleItem item, AlertRule r) {
        item.describe(r);
    }

    private void updateState(RuleItem item, AlertRule r) {
        item.showState(r, current, at);
    }

    private void say(String text, StatusKind kind) {
        status.set(text);
        statusKind.set(kind);
    }

    private int selectedIndex() {
        return selected.get() == null ? -1 : rows.indexOf(selected.get());
    }

    private int indexOf(String id) {
        for (int i = 0; i < working.size(); i++) {
            if (working.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static String count(int n) {
        return n + (n == 1 ? " rule" : " rules");
    }

    /** The file as a DBA reads it: under the home folder as ~/... */
    static String shown(Path file) {
        String home = System.getProperty("user.home");
        String f = file.toAbsolutePath().toString();
        return home != null && !home.isEmpty() && f.startsWith(home + "/") ? "~" + f.substring(home.length()) : f;
    }

    /** The rules as the tab holds them now (the table's order), the form's valid edit included. */
    public List<AlertRule> rules() {
        return List.copyOf(working);
    }

    public ObservableList<RuleItem> rows() {
        return FXCollections.unmodifiableObservableList(rows);
    }

    public ReadOnlyObjectProperty<RuleItem> selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<StatusKind> statusKindProperty() {
        return statusKind.getReadOnlyProperty();
    }

    /** The conflict with a hand edit of the file, with what Reload and Overwrite do; empty when there is none. */
    public ReadOnlyStringProperty conflictProperty() {
        return conflict.getReadOnlyProperty();
    }

    /** Why the rules file on disk is not what is in force (a bad hand edit); empty when it is. */
    public ReadOnlyStringProperty fileProblemProperty() {
        return fileProblem.getReadOnlyProperty();
    }

    /** "Undo delete of 'X'", empty when nothing was deleted in this session. */
    public ReadOnlyStringProperty undoTextProperty() {
        return undoText.getReadOnlyProperty();
    }

    /** "Enable" or "Disable", for the selected rule. */
    public ReadOnlyStringProperty toggleTextProperty() {
        return toggleText.getReadOnlyProperty();
    }

    /** Why Save is off while there are changes, empty otherwise. */
    public ReadOnlyStringProperty saveHintProperty() {
        return saveHint.getReadOnlyProperty();
    }

    /** "16 rules, 1 disabled · unsaved changes". */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canSaveProperty() {
        return canSave.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty savingProperty() {
        return saving.getReadOnlyProperty();
    }

    /** The revision of the rules this edit is based on (tests). */
    long basedOn() {
        return saved == null ? -1 : saved.revision();
    }
}
