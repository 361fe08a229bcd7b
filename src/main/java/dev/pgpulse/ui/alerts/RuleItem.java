package dev.pgpulse.ui.alerts;

import dev.pgpulse.config.Durations;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.MetricUnit;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One line of the rules table, every text ready to show. The same object stays in the table while its rule is
 * edited and across snapshots (only its texts change), so the table keeps its selection. Set by
 * {@link RulesViewModel} alone.
 */
public final class RuleItem {
    private final ReadOnlyStringWrapper id = new ReadOnlyStringWrapper(this, "id", "");
    private final ReadOnlyStringWrapper name = new ReadOnlyStringWrapper(this, "name", "");
    private final ReadOnlyStringWrapper metric = new ReadOnlyStringWrapper(this, "metric", "");
    private final ReadOnlyStringWrapper condition = new ReadOnlyStringWrapper(this, "condition", "");
    private final ReadOnlyStringWrapper forText = new ReadOnlyStringWrapper(this, "for", "");
    private final ReadOnlyStringWrapper severity = new ReadOnlyStringWrapper(this, "severity", "");
    private final ReadOnlyStringWrapper enabled = new ReadOnlyStringWrapper(this, "enabled", "");
    private final ReadOnlyStringWrapper state = new ReadOnlyStringWrapper(this, "state", "");
    /** ok, pending, firing or off: the state column's pseudo-class. */
    private final ReadOnlyStringWrapper stateKind = new ReadOnlyStringWrapper(this, "stateKind", "ok");
    private final ReadOnlyBooleanWrapper unsaved = new ReadOnlyBooleanWrapper(this, "unsaved");

    void set(String id, String name, String metric, String condition, String forText, String severity,
             String enabled) {
        this.id.set(id);
        this.name.set(name);
        this.metric.set(metric);
        this.condition.set(condition);
        this.forText.set(forText);
        this.severity.set(severity);
        this.enabled.set(enabled);
    }

    void unsaved(boolean v) {
        unsaved.set(v);
    }

    private void state(String text, String kind) {
        stateKind.set(kind); // first: the state cell reads the kind when its text changes
        state.set(text);
    }

    /** Name, metric, condition in the metric's unit ("> 80%", "> 2 min"), for, severity, on/off. */
    void describe(AlertRule r) {
        set(r.id(), r.name(), r.metric(), MetricUnit.condition(r.metric(), r.operator(), r.threshold()),
                r.forDuration().isZero() ? "at once" : Durations.forPeople(r.forDuration()), r.severity().json(),
                r.enabled() ? "on" : "off");
    }

    /**
     * OK, PENDING on X, FIRING on primary, replica-1 (2), from the engine's alerts now; a rule on one subject (a
     * server key) says for how long instead.
     */
    void showState(AlertRule r, List<Alert> current, Instant at) {
        List<Alert> mine = current.stream().filter(a -> a.ruleId().equals(r.id())).toList();
        List<Alert> firing = mine.stream().filter(a -> a.state() == AlertState.FIRING).toList();
        List<Alert> pending = mine.stream().filter(a -> a.state() == AlertState.PENDING).toList();
        if (mine.isEmpty()) {
            state(r.enabled() ? "OK" : "off", r.enabled() ? "ok" : "off");
            return;
        }
        String text = (firing.isEmpty() ? "" : "FIRING " + subjects(r, firing, at))
                + (firing.isEmpty() || pending.isEmpty() ? "" : " · ")
                + (pending.isEmpty() ? "" : "PENDING " + subjects(r, pending, at));
        state(text, firing.isEmpty() ? "pending" : "firing");
    }

    private static String subjects(AlertRule r, List<Alert> alerts, Instant at) {
        if (!r.metric().contains("*")) {
            // whole seconds: the table is redrawn each poll, and "for 22 ms" is noise
            long s = Duration.between(alerts.getFirst().since(), at).toSeconds();
            return s < 1 ? "just now" : "for " + Durations.forPeople(Duration.ofSeconds(s));
        }
        String names = alerts.stream().map(a -> subjectOf(r.metric(), a.subject())).collect(Collectors.joining(", "));
        return "on " + names + (alerts.size() > 1 ? " (" + alerts.size() + ")" : "");
    }

    /** The part of the subject the rule's {@code *} stands for: "primary" of pool.primary.awaiting. */
    static String subjectOf(String metric, String subject) {
        int star = metric.indexOf('*');
        String prefix = metric.substring(0, star);
        String suffix = metric.substring(star + 1);
        if (subject.length() > prefix.length() + suffix.length() && subject.startsWith(prefix) && subject.endsWith(suffix)) {
            return subject.substring(prefix.length(), subject.length() - suffix.length());
        }
        return subject;
    }


    public String id() {
        return id.get();
    }

    public ReadOnlyStringProperty nameProperty() {
        return name.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty metricProperty() {
        return metric.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty conditionProperty() {
        return condition.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty forProperty() {
        return forText.getReadOnlyProperty();
    }

    /** info, warning or critical: the text and the severity column's pseudo-class. */
    public ReadOnlyStringProperty severityProperty() {
        return severity.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty enabledProperty() {
        return enabled.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty stateKindProperty() {
        return stateKind.getReadOnlyProperty();
    }

    /** Changed, added or moved here and not saved yet. */
    public ReadOnlyBooleanProperty unsavedProperty() {
        return unsaved.getReadOnlyProperty();
    }

    @Override
    public String toString() {
        return id.get() + " " + state.get();
    }
}
