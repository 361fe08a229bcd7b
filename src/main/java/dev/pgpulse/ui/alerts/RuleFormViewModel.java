package dev.pgpulse.ui.alerts;

import dev.pgpulse.config.Durations;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.MetricKeys;
import dev.pgpulse.health.alert.MetricUnit;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.Severity;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The editor of one rule, field by field, as the DBA types: each field's reason comes from the rule's own checks
 * ({@link AlertRule#idProblem} and the others, the threshold read in the metric's unit by {@link MetricUnit}), worded
 * "Name is blank; ...", and {@link #draftProperty()} is the rule the fields make while every one is valid, else
 * null. The view sets fields through the setters and shows the read-only properties; the ControlsFX validation
 * decorations in the view read {@link #problem(Field)}.
 */
public final class RuleFormViewModel {
    /** The endpoint choice meaning every endpoint ({@code *} in the metric key). */
    public static final String ANY_ENDPOINT = "any (*)";
    /** What an operation field holds for every operation. */
    public static final String ANY_OPERATION = "*";
    static final String FOR_EXPECTED = "a duration from 0s (at once) to 24h such as 30s, 5m or 1h";

    /** The fields that can be wrong. */
    public enum Field {
        ID, NAME, METRIC, THRESHOLD, FOR
    }

    private final ReadOnlyBooleanWrapper editing = new ReadOnlyBooleanWrapper(this, "editing");
    private final ReadOnlyBooleanWrapper idEditable = new ReadOnlyBooleanWrapper(this, "idEditable");
    private final ReadOnlyStringWrapper id = new ReadOnlyStringWrapper(this, "id", "");
    private final ReadOnlyStringWrapper name = new ReadOnlyStringWrapper(this, "name", "");
    private final ReadOnlyStringWrapper template = new ReadOnlyStringWrapper(this, "template");
    private final ReadOnlyStringWrapper endpoint = new ReadOnlyStringWrapper(this, "endpoint", ANY_ENDPOINT);
    private final ReadOnlyStringWrapper operation = new ReadOnlyStringWrapper(this, "operation", ANY_OPERATION);
    private final ReadOnlyBooleanWrapper endpointApplies = new ReadOnlyBooleanWrapper(this, "endpointApplies");
    private final ReadOnlyBooleanWrapper operationApplies = new ReadOnlyBooleanWrapper(this, "operationApplies");
    private final ReadOnlyStringWrapper operator = new ReadOnlyStringWrapper(this, "operator", Operator.GT.symbol());
    private final ReadOnlyStringWrapper threshold = new ReadOnlyStringWrapper(this, "threshold", "");
    private final ReadOnlyStringWrapper unit = new ReadOnlyStringWrapper(this, "unit", "");
    private final ReadOnlyStringWrapper forText = new ReadOnlyStringWrapper(this, "for", "");
    private final ReadOnlyStringWrapper severity = new ReadOnlyStringWrapper(this, "severity", Severity.WARNING.json());
    private final ReadOnlyBooleanWrapper enabled = new ReadOnlyBooleanWrapper(this, "enabled", true);
    private final ReadOnlyStringWrapper metricKey = new ReadOnlyStringWrapper(this, "metricKey", "");
    private final ReadOnlyStringWrapper idProblem = new ReadOnlyStringWrapper(this, "idProblem", "");
    private final ReadOnlyStringWrapper nameProblem = new ReadOnlyStringWrapper(this, "nameProblem", "");
    private final ReadOnlyStringWrapper metricProblem = new ReadOnlyStringWrapper(this, "metricProblem", "");
    private final ReadOnlyStringWrapper thresholdProblem = new ReadOnlyStringWrapper(this, "thresholdProblem", "");
    private final ReadOnlyStringWrapper forProblem = new ReadOnlyStringWrapper(this, "forProblem", "");
    private final ReadOnlyBooleanWrapper valid = new ReadOnlyBooleanWrapper(this, "valid");
    private final ReadOnlyObjectWrapper<AlertRule> draft = new ReadOnlyObjectWrapper<>(this, "draft");
    private final ObservableList<String> templates = FXCollections.observableArrayList(MetricKeys.DOCUMENTED);
    private final ObservableList<String> endpoints = FXCollections.observableArrayList(ANY_ENDPOINT, "primary");
    private final ObservableList<String> operations = FXCollections.observableArrayList(ANY_OPERATION);
    private final ObservableList<String> operators = FXCollections.observableArrayList(
            Arrays.stream(Operator.values()).map(Operator::symbol).toList());
    private final ObservableList<String> severities = FXCollections.observableArrayList(
            Arrays.stream(Severity.values()).map(Severity::json).toList());
    private List<String> knownEndpoints = List.of("primary");
    private List<String> knownOperations = List.of();
    private Predicate<String> idTaken = s -> false;
    /** A new rule's id follows its name until the DBA types an id of their own. */
    private boolean idFollowsName;

    /** Edits {@code rule}; a new one (not in the rules file yet) may change its id, which then follows the name. */
    public void load(AlertRule rule, boolean isNew, Predicate<String> taken) {
        idTaken = Objects.requireNonNull(taken);
        id.set(rule.id());
        name.set(rule.name());
        idEditable.set(isNew);
        idFollowsName = isNew && rule.id().equals(uniqueSlug(rule.name(), taken));
        String[] parts = split(rule.metric());
        template.set(parts[0]);
        endpoint.set(parts[1] == null ? ANY_ENDPOINT : parts[1].equals("*") ? ANY_ENDPOINT : parts[1]);
        operation.set(parts[2] == null ? ANY_OPERATION : parts[2]);
        operator.set(rule.operator().symbol());
        threshold.set(MetricUnit.of(rule.metric()).format(rule.threshold()));
        forText.set(Durations.format(rule.forDuration()));
        severity.set(rule.severity().json());
        enabled.set(rule.enabled());
        editing.set(true);
        refreshChoices();
        check();
    }

    /** Nothing selected: empty fields, no draft. */
    public void clear() {
        editing.set(false);
        idEditable.set(false);
        for (ReadOnlyStringWrapper w : List.of(id, name, threshold, forText)) {
            w.set("");
        }
        template.set(null);
        check();
    }

    public void setId(String v) {
        if (idEditable.get() && !Objects.equals(id.get(), v)) {
            idFollowsName = false;
            id.set(v);
            check();
        }
    }

    public void setName(String v) {
        if (!editing.get() || Objects.equals(name.get(), v)) {
            return;
        }
        name.set(v);
        if (idFollowsName) {
            id.set(uniqueSlug(v, idTaken));
        }
        check();
    }

    /** A documented key, with its placeholders: the endpoint or operation is chosen beside it. */
    public void setTemplate(String v) {
        if (editing.get() && v != null && !Objects.equals(template.get(), v)) {
            template.set(v);
            check();
        }
    }

    public void setEndpoint(String v) {
        if (editing.get() && v != null && !Objects.equals(endpoint.get(), v)) {
            endpoint.set(v);
            check();
        }
    }

    public void setOperation(String v) {
        if (editing.get() && v != null && !Objects.equals(operation.get(), v)) {
            operation.set(v);
            check();
        }
    }

    public void setOperator(String v) {
        if (editing.get() && v != null && Operator.fromSymbol(v).isPresent() && !Objects.equals(operator.get(), v)) {
            operator.set(v);
            check();
        }
    }

    /** The threshold in the metric's unit ({@link #unitProperty()}): 80% for a ratio, 2m for seconds. */
    public void setThreshold(String v) {
        if (editing.get() && !Objects.equals(threshold.get(), v)) {
            threshold.set(v == null ? "" : v);
            check();
        }
    }

    public void setFor(String v) {
        if (editing.get() && !Objects.equals(forText.get(), v)) {
            forText.set(v == null ? "" : v);
            check();
        }
    }

    public void setSeverity(String v) {
        if (editing.get() && v != null && Severity.fromJson(v).isPresent() && !Objects.equals(severity.get(), v)) {
            severity.set(v);
            check();
        }
    }

    public void setEnabled(boolean v) {
        if (editing.get() && enabled.get() != v) {
            enabled.set(v);
            check();
        }
    }

    /** The endpoints and operations the console knows now (from the snapshot), offered as choices. */
    void knownTargets(List<String> endpointNames, List<String> operationNames) {
        if (!endpointNames.equals(knownEndpoints) || !operationNames.equals(knownOperations)) {
            knownEndpoints = List.copyOf(endpointNames);
            knownOperations = List.copyOf(operationNames);
            refreshChoices();
        }
    }

    private void refreshChoices() {
        List<String> e = new ArrayList<>(List.of(ANY_ENDPOINT));
        e.addAll(knownEndpoints);
        if (!e.contains(endpoint.get())) {
            e.add(endpoint.get()); // a rule on an endpoint not configured now keeps it
        }
        if (!e.equals(endpoints)) {
            endpoints.setAll(e);
        }
        List<String> o = new ArrayList<>(List.of(ANY_OPERATION));
        o.addAll(knownOperations);
        if (!o.equals(operations)) {
            operations.setAll(o);
        }
    }

    /** The reason the field is wrong, ready to show under it, or empty. */
    public String problem(Field f) {
        return switch (f) {
            case ID -> idProblem.get();
            case NAME -> nameProblem.get();
            case METRIC -> metricProblem.get();
            case THRESHOLD -> thresholdProblem.get();
            case FOR -> forProblem.get();
        };
    }

    private void check() {
        String metric = metric();
        metricKey.set(metric == null ? "" : metric);
        boolean hasEndpoint = template.get() != null && template.get().contains("<endpoint>");
        boolean hasOperation = template.get() != null && template.get().contains("<operation>");
        endpointApplies.set(hasEndpoint);
        operationApplies.set(hasOperation);
        unit.set(MetricUnit.label(template.get()));
        if (!editing.get()) {
            for (ReadOnlyStringWrapper w : List.of(idProblem, nameProblem, metricProblem, thresholdProblem, forProblem)) {
                w.set("");
            }
            valid.set(false);
            draft.set(null);
            return;
        }
        String idWhy = AlertRule.idProblem(id.get());
        if (idWhy == null && idEditable.get() && idTaken.test(id.get())) {
            idWhy = "is already the id of another rule; choose another";
        }
        idProblem.set(reason("Id", id.get(), idWhy));
        nameProblem.set(reason("Name", name.get(), AlertRule.nameProblem(name.get())));
        metricProblem.set(metricReason(metric, hasOperation));
        MetricUnit u = MetricUnit.of(template.get());
        thresholdProblem.set(reason("Threshold", threshold.get(), u.problem(threshold.get())));
        Optional<Duration> d = forText.get().isBlank() ? Optional.empty() : Durations.parse(forText.get());
        String forWhy = forText.get().isBlank() ? "is missing; expected " + FOR_EXPECTED
                : d.isEmpty() ? Durations.problem(forText.get(), FOR_EXPECTED) : AlertRule.forProblem(d.get());
        forProblem.set(reason("For", forText.get(), forWhy));
        boolean ok = List.of(idProblem, nameProblem, metricProblem, thresholdProblem, forProblem).stream()
                .allMatch(p -> p.get().isEmpty());
        valid.set(ok);
        draft.set(ok ? new AlertRule(id.get(), name.get(), metric, Operator.fromSymbol(operator.get()).orElseThrow(),
                u.parse(threshold.get()).orElseThrow(), d.orElseThrow(), Severity.fromJson(severity.get()).orElseThrow(),
                enabled.get()) : null);
    }

    private String metricReason(String metric, boolean hasOperation) {
        if (template.get() == null) {
            return "Metric is missing; choose one of the documented keys";
        }
        String why = AlertRule.metricProblem(metric);
        if (why == null) {
            return "";
        }
        // the rule's own message lists every documented key: name the one part that is wrong instead
        return hasOperation ? "Operation '" + operation.get() + "' is not an operation name; expected letters, digits, "
                + "'.', '_', '-', or * for every operation" : "Metric '" + metric + "' " + why;
    }

    private static String reason(String field, String value, String why) {
        if (why == null) {
            return "";
        }
        return value == null || value.isBlank() ? field + " " + why : "'" + value + "' " + why;
    }

    /** The concrete key the fields make, or null without a template. */
    private String metric() {
        String t = template.get();
        if (t == null) {
            return null;
        }
        String e = ANY_ENDPOINT.equals(endpoint.get()) ? "*" : endpoint.get();
        return t.replace("<endpoint>", e).replace("<operation>", operation.get().trim());
    }

    /** A concrete key as {template, endpoint or null, operation or null}. */
    static String[] split(String metric) {
        for (String t : MetricKeys.DOCUMENTED) {
            int at = t.indexOf('<');
            if (at < 0) {
                if (t.equals(metric)) {
                    return new String[]{t, null, null};
                }
                continue;
            }
            String prefix = t.substring(0, at);
            String suffix = t.substring(t.indexOf('>') + 1);
            if (metric.startsWith(prefix) && metric.endsWith(suffix) && metric.length() > prefix.length() + suffix.length()) {
                String middle = metric.substring(prefix.length(), metric.length() - suffix.length());
                boolean isEndpoint = t.contains("<endpoint>");
                if (middle.matches(isEndpoint ? "primary|replica-[1-9][0-9]{0,3}|\\*" : "[A-Za-z0-9._-]+|\\*")) {
                    return isEndpoint ? new String[]{t, middle, null} : new String[]{t, null, middle};
                }
            }
        }
        return new String[]{null, null, null};
    }

    /** A slug of {@code name} that {@code taken} does not hold: "Replica lag" -> replica-lag, replica-lag-2. */
    static String uniqueSlug(String name, Predicate<String> taken) {
        String base = name == null ? "" : name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (base.isEmpty()) {
            base = "rule";
        }
        base = base.length() > 56 ? base.substring(0, 56).replaceAll("-+$", "") : base;
        String s = base;
        for (int n = 2; taken.test(s); n++) {
            s = base + "-" + n;
        }
        return s;
    }

    // --- read-only state for the view

    public ReadOnlyBooleanProperty editingProperty() {
        return editing.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty idEditableProperty() {
        return idEditable.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty idProperty() {
        return id.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty nameProperty() {
        return name.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty templateProperty() {
        return template.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty endpointProperty() {
        return endpoint.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty operationProperty() {
        return operation.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty endpointAppliesProperty() {
        return endpointApplies.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty operationAppliesProperty() {
        return operationApplies.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty operatorProperty() {
        return operator.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty thresholdProperty() {
        return threshold.getReadOnlyProperty();
    }

    /** What the threshold is in, shown beside its field: %, a duration, sessions. */
    public ReadOnlyStringProperty unitProperty() {
        return unit.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty forProperty() {
        return forText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty severityProperty() {
        return severity.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty enabledProperty() {
        return enabled.getReadOnlyProperty();
    }

    /** The concrete metric key the fields make ("pool.*.awaiting"), shown under the metric choice. */
    public ReadOnlyStringProperty metricKeyProperty() {
        return metricKey.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty idProblemProperty() {
        return idProblem.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty nameProblemProperty() {
        return nameProblem.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty metricProblemProperty() {
        return metricProblem.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty thresholdProblemProperty() {
        return thresholdProblem.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty forProblemProperty() {
        return forProblem.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty validProperty() {
        return valid.getReadOnlyProperty();
    }

    /** The rule the fields make while all are valid, else null. */
    public ReadOnlyObjectProperty<AlertRule> draftProperty() {
        return draft.getReadOnlyProperty();
    }

    public ObservableList<String> templates() {
        return FXCollections.unmodifiableObservableList(templates);
    }

    public ObservableList<String> endpoints() {
        return FXCollections.unmodifiableObservableList(endpoints);
    }

    public ObservableList<String> operations() {
        return FXCollections.unmodifiableObservableList(operations);
    }

    public ObservableList<String> operators() {
        return FXCollections.unmodifiableObservableList(operators);
    }

    public ObservableList<String> severities() {
        return FXCollections.unmodifiableObservableList(severities);
    }
}
