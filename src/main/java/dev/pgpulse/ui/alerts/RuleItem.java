package dev.pgpulse.ui.alerts;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

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

    void state(String text, String kind) {
        state.set(text);
        stateKind.set(kind);
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
