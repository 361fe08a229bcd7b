package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.health.alert.Silence;
import dev.pgpulse.orchestration.AlertBoard;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.ui.Format;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The alerts firing and pending now and the history of alerts, with filters; acknowledge and silence; a
 * notification when an alert fires or resolves; the webhook's test and the Prometheus export.
 * Fed snapshots on the FX thread; everything it shows is formatted here, the pane only binds.
 */
public final class AlertListViewModel {
    private static final Logger LOG = LoggerFactory.getLogger(AlertListViewModel.class);
    private static final java.time.format.DateTimeFormatter HOUR_MINUTE =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm", java.util.Locale.ROOT);
    static final String ALL_SEVERITIES = "all severities";
    static final String ALL_RULES = "all rules";
    static final String NO_WEBHOOK = "No webhook is configured, so alerts go to the log only. Set alerts.webhook_url "
            + "(in the profile file, as PGPULSE_ALERTS_WEBHOOK_URL, or --set alerts.webhook_url=https://…) and restart.";

    /** How far back the history shows. */
    public enum Window {
        MIN_15("last 15 min", Duration.ofMinutes(15)), HOUR_1("last hour", Duration.ofHours(1)),
        DAY_1("last 24 h", Duration.ofDays(1)), ALL("all kept", null);

        private final String label;
        private final Duration length;

        Window(String label, Duration length) {
            this.label = label;
            this.length = length;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One alert pending or firing now, ready to show.
     *
     * @param state        PENDING or FIRING
     * @param since        "14:02:11 · for 3 min"
     * @param acknowledged "acknowledged" or ""
     * @param silence      "silenced until 14:05" or ""
     * @param silenceId    the covering silence's id, for Expire; null when none
     */
    public record NowRow(AlertKey key, Severity severity, String severityText, String rule, String subject,
                         String state, String value, String since, String acknowledged, String silence,
                         String silenceId) {
        public boolean firing() {
            return state.equals(AlertState.FIRING.name());
        }

        public boolean isAcknowledged() {
            return !acknowledged.isEmpty();
        }

        public boolean silenced() {
            return silenceId != null;
        }

        /** "acknowledged", "silenced until 14:05", both, or "". */
        public String marks() {
            return acknowledged.isEmpty() ? silence : silence.isEmpty() ? acknowledged : acknowledged + ", " + silence;
        }

        /** Only a FIRING alert not yet acknowledged. */
        public boolean canAcknowledge() {
            return firing() && !isAcknowledged();
        }
    }

    /** One transition of the history: FIRING, RESOLVED, or a manual alert. */
    public record HistoryRow(AlertKey key, Instant at, Severity severity, String time, String severityText, String rule,
                             String subject, String what, String value, String message) {
    }

    /** One silence not yet ended. */
    public record SilenceRow(String id, String rule, String subject, String until, String comment) {
    }

    private final ConsoleActions actions;
    private final Dialogs dialogs;
    private final SilenceFormViewModel silenceForm;
    private final AlertNotices notices = new AlertNotices();
    private final ObservableList<NowRow> now = FXCollections.observableArrayList();
    private final ObservableList<HistoryRow> history = FXCollections.observableArrayList();
    private final ObservableList<SilenceRow> silences = FXCollections.observableArrayList();
    private final ObservableList<String> ruleChoices = FXCollections.observableArrayList(ALL_RULES);
    // one read-only view each: a view's listeners live as long as it does, and the list holds its views weakly
    private final ObservableList<NowRow> nowView = FXCollections.unmodifiableObservableList(now);
    private final ObservableList<HistoryRow> historyView = FXCollections.unmodifiableObservableList(history);
    private final ObservableList<SilenceRow> silencesView = FXCollections.unmodifiableObservableList(silences);
    private final ObservableList<String> ruleChoicesView = FXCollections.unmodifiableObservableList(ruleChoices);
    private final ReadOnlyStringWrapper nowTitle = new ReadOnlyStringWrapper(this, "nowTitle", "Now");
    private final ReadOnlyStringWrapper historyTitle = new ReadOnlyStringWrapper(this, "historyTitle", "History");
    private final ReadOnlyStringWrapper silencesTitle = new ReadOnlyStringWrapper(this, "silencesTitle", "Silences");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyBooleanWrapper webhookAvailable = new ReadOnlyBooleanWrapper(this, "webhookAvailable");
    private final ReadOnlyStringWrapper webhookText = new ReadOnlyStringWrapper(this, "webhookText", "");
    private final ReadOnlyStringWrapper webhookTip = new ReadOnlyStringWrapper(this, "webhookTip", NO_WEBHOOK);
    private final ReadOnlyBooleanWrapper testing = new ReadOnlyBooleanWrapper(this, "testing");
    private final ReadOnlyStringWrapper testResult = new ReadOnlyStringWrapper(this, "testResult", "");
    private final ReadOnlyStringWrapper exportResult = new ReadOnlyStringWrapper(this, "exportResult", "");
    private final ReadOnlyObjectWrapper<AlertKey> selectedAlert = new ReadOnlyObjectWrapper<>(this, "selectedAlert");
    private Consumer<AlertKey> onSelect = key -> { };
    private boolean notifications = true;
    private String severityFilter = ALL_SEVERITIES;
    private String ruleFilter = ALL_RULES;
    private Window window = Window.HOUR_1;
    private Snapshot last;

    public AlertListViewModel(ConsoleActions actions, Dialogs dialogs) {
        this.actions = actions;
        this.dialogs = dialogs;
        this.silenceForm = new SilenceFormViewModel(actions, status::set);
    }

    /** Notifications of alerts firing and resolving; on unless switched off (a headless run). */
    public void setNotifications(boolean on) {
        notifications = on;
    }

    /** Cheap: the notifications and the webhook line. */
    public void apply(Snapshot s) {
        for (Dialogs.Notice n : notices.next(s)) {
            if (notifications) {
                dialogs.notify(n);
            }
        }
        Optional<String> hook = s.alerting().webhook();
        webhookAvailable.set(hook.isPresent());
        webhookText.set(hook.map(h -> "Webhook: " + h).orElse("No webhook"));
        webhookTip.set(hook.map(h -> "Sends a test alert to " + h + " and shows the HTTP status it answered")
                .orElse(NO_WEBHOOK));
    }

    /** The tables, one frame later. */
    public void applyDeferred(Snapshot s) {
        last = s;
        AlertBoard board = s.alerting();
        // the loudest first, then the oldest (the engine lists them by rule)
        List<Alert> current = new ArrayList<>(board.current());
        current.sort(Comparator.comparing(Alert::severity).reversed().thenComparing(Alert::since));
        List<NowRow> rows = new ArrayList<>();
        for (Alert a : current) {
            rows.add(nowRow(a, s));
        }
        setIfChanged(now, rows);
        long firing = rows.stream().filter(NowRow::firing).count();
        nowTitle.set(rows.isEmpty() ? "Now: nothing pending or firing" : "Now: " + firing + " firing, "
                + (rows.size() - firing) + " pending");
        setIfChanged(silences, board.silences().stream().map(x -> silenceRow(x, s)).toList());
        silencesTitle.set("Silences (" + board.silences().size() + ")");
        TreeSet<String> names = new TreeSet<>();
        board.rules().rules().stream().map(AlertRule::name).forEach(names::add);
        s.recentAlerts().stream().map(Alert::ruleName).forEach(names::add);
        List<String> choices = new ArrayList<>(List.of(ALL_RULES));
        choices.addAll(names);
        setIfChanged(ruleChoices, choices);
        refilter();
    }

    private NowRow nowRow(Alert a, Snapshot s) {
        // the value now, from the metric history; the engine keeps the one it had when it entered the state
        double value = s.history().series(a.subject()).last();
        if (Double.isNaN(value)) {
            value = a.value();
        }
        AlertKey key = AlertKey.of(a);
        Optional<Silence> silence = s.alerting().silenceOf(a, s.at());
        return new NowRow(key, a.severity(), AlertText.severity(a.severity()), a.ruleName(),
                AlertText.subject(a.subject()), a.state().name(), AlertText.valueAndCondition(a, value),
                AlertText.since(a.since(), s.at()), s.alerting().acknowledged().contains(key) ? "acknowledged" : "",
                silence.map(x -> "silenced until " + until(x.until(), s.at())).orElse(""),
                silence.map(Silence::id).orElse(null));
    }

    private static SilenceRow silenceRow(Silence x, Snapshot s) {
        String rule = s.alerting().rules().rule(x.ruleId()).map(AlertRule::name).orElse(x.ruleId());
        String subject = Silence.ANY_SUBJECT.equals(x.subject()) ? "every subject" : AlertText.subject(x.subject());
        return new SilenceRow(x.id(), rule, subject, until(x.until(), s.at()) + " (in "
                + Format.seconds(Math.max(0, Duration.between(s.at(), x.until()).toSeconds())) + ")", x.comment());
    }

    /** 14:05 today, else with its date (a silence is chosen to the minute; its seconds are noise). */
    static String until(Instant end, Instant now) {
        ZoneId zone = ZoneId.systemDefault();
        LocalDate day = end.atZone(zone).toLocalDate();
        String time = HOUR_MINUTE.format(end.atZone(zone));
        return day.equals(now.atZone(zone).toLocalDate()) ? time : day + " " + time;
    }

    public void filterSeverity(String choice) {
        severityFilter = choice == null ? ALL_SEVERITIES : choice;
        refilter();
    }

    public void filterRule(String choice) {
        ruleFilter = choice == null ? ALL_RULES : choice;
        refilter();
    }

    public void filterWindow(Window w) {
        window = w == null ? Window.ALL : w;
        refilter();
    }

    private void refilter() {
        if (last == null) {
            return;
        }
        Instant from = window.length == null ? Instant.MIN : last.at().minus(window.length);
        List<Alert> all = last.recentAlerts();
        List<HistoryRow> rows = new ArrayList<>();
        // newest first
        for (int i = all.size() - 1; i >= 0; i--) {
            Alert a = all.get(i);
            if (a.at().isBefore(from) || !severityFilter.equals(ALL_SEVERITIES)
                    && !severityFilter.equals(AlertText.severity(a.severity()))
                    || !ruleFilter.equals(ALL_RULES) && !ruleFilter.equals(a.ruleName())) {
                continue;
            }
            boolean manual = a.operator() == null;
            rows.add(new HistoryRow(AlertKey.of(a), a.at(), a.severity(), Format.time(a.at()), AlertText.severity(a.severity()),
                    a.ruleName(), AlertText.subject(a.subject()), (manual ? "manual " : "") + a.state().name(),
                    AlertText.valueAndCondition(a, a.value()), a.message()));
        }
        setIfChanged(history, rows);
        historyTitle.set("History: " + rows.size() + (rows.size() == all.size() ? "" : " of " + all.size())
                + (all.size() == 1 ? " transition" : " transitions"));
    }

    /**
     * Replaces only the rows that changed: the Now rows change every poll ("for 3 min 5 s"), and a table whose items
     * are all replaced rebuilds its cells, dropping a click on a row's button that lands in between.
     */
    private static <T> void setIfChanged(ObservableList<T> list, List<T> rows) {
        if (list.size() != rows.size()) {
            list.setAll(rows);
            return;
        }
        for (int i = 0; i < rows.size(); i++) {
            if (!list.get(i).equals(rows.get(i))) {
                list.set(i, rows.get(i));
            }
        }
    }

    /**
     * The DBA picked this alert in Now or History (a click, or the keys moving the selection): the tab shows its rule.
     * Told on every pick, the same alert again too, so a click brings its rule back after another was chosen below.
     */
    public void select(AlertKey key) {
        if (key == null) {
            return; // a table's selection cleared (its rows changed): what was picked stays picked
        }
        selectedAlert.set(key);
        onSelect.accept(key);
    }

    /** Who hears each {@link #select}: the tab's view model, which selects the alert's rule. */
    void onSelect(Consumer<AlertKey> listener) {
        onSelect = listener;
    }

    /** The alert picked last in Now or History; null before the first pick. */
    public ReadOnlyObjectProperty<AlertKey> selectedAlertProperty() {
        return selectedAlert.getReadOnlyProperty();
    }

    /** Acknowledges a FIRING alert: it stays listed, marked, and notifies nobody until it resolves. */
    public void acknowledge(NowRow row) {
        if (row == null || !row.canAcknowledge()) {
            return;
        }
        if (attempt(status::set, "acknowledge", () -> actions.acknowledge(row.key()))) {
            status.set("Acknowledged \u201c" + row.rule() + "\u201d on " + row.key().subject());
        }
    }

    /** Opens the silence form on this row's alert. */
    public void silence(NowRow row) {
        if (row != null) {
            silenceForm.open(row.key(), row.rule(), row.subject());
        }
    }

    public void expireSilence(String silenceId) {
        if (silenceId != null && attempt(status::set, "expire the silence", () -> actions.expireSilence(silenceId))) {
            status.set("Silence ended: the alert notifies again");
        }
    }

    /** Sends a test alert to the webhook; the line it answers shows beside the button. */
    public void sendTestAlert() {
        if (!webhookAvailable.get() || testing.get()) {
            return;
        }
        testing.set(true);
        testResult.set("Sending…");
        if (!attempt(testResult::set, "send a test alert", () -> actions.sendTestAlert(line -> {
            testing.set(false);
            testResult.set(line);
        }))) {
            testing.set(false);
        }
    }

    /** Writes the rules in force as a Prometheus rules file (the pane picks the file). */
    public void exportPrometheus(Path file) {
        if (file == null) {
            return;
        }
        exportResult.set("Exporting…");
        attempt(exportResult::set, "export the rules", () -> actions.exportPrometheus(file, exportResult::set));
    }

    /**
     * Runs an action call; one that throws (an action not available in this build) is told on {@code why} in a
     * line and logged, never thrown at the FX thread.
     *
     * @return whether the call went through
     */
    static boolean attempt(Consumer<String> why, String what, Runnable call) {
        try {
            call.run();
            return true;
        } catch (RuntimeException e) {
            LOG.warn("could not {}: {}", what, e.toString());
            why.accept("Could not " + what + ": " + (e instanceof UnsupportedOperationException
                    ? "this build cannot do that yet"
                    : e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage()));
            return false;
        }
    }

    public SilenceFormViewModel silenceForm() {
        return silenceForm;
    }

    public ObservableList<NowRow> now() {
        return nowView;
    }

    public ObservableList<HistoryRow> history() {
        return historyView;
    }

    public ObservableList<SilenceRow> silences() {
        return silencesView;
    }

    public List<String> severityChoices() {
        List<String> out = new ArrayList<>(List.of(ALL_SEVERITIES));
        for (int i = Severity.values().length - 1; i >= 0; i--) {
            out.add(AlertText.severity(Severity.values()[i]));
        }
        return out;
    }

    public ObservableList<String> ruleChoices() {
        return ruleChoicesView;
    }

    public String initialSeverity() {
        return severityFilter;
    }

    public Window initialWindow() {
        return window;
    }

    public ReadOnlyStringProperty nowTitleProperty() {
        return nowTitle.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty historyTitleProperty() {
        return historyTitle.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty silencesTitleProperty() {
        return silencesTitle.getReadOnlyProperty();
    }

    /** What the last acknowledge, silence or expire did, or why not. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty webhookAvailableProperty() {
        return webhookAvailable.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty webhookTextProperty() {
        return webhookText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty webhookTipProperty() {
        return webhookTip.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty testingProperty() {
        return testing.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty testResultProperty() {
        return testResult.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty exportResultProperty() {
        return exportResult.getReadOnlyProperty();
    }
}
