package dev.pgpulse.ui.alerts;

import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.ui.shell.ConsoleActions;
import dev.pgpulse.ui.shell.Dialogs;

/**
 * The Alerts tab's state, as three parts that each own a pane: the alert list (now and history), the rules
 * (table and editor) and the preview. This class only feeds them the snapshots and links them: an alert picked in
 * Now or History selects its rule in the rules table, and the rule being edited, as soon as it is valid, is what the
 * preview replays (so picking a firing alert shows its rule's firing stretch). The rules table's "State now" and the
 * Now table read the same list, the snapshot's {@code alerting().current()}, in the same deferred frame.
 */
public final class AlertsViewModel {
    private final AlertListViewModel alerts;
    private final RulesViewModel rules;
    private final PreviewViewModel preview;

    public AlertsViewModel(ConsoleActions actions, Dialogs dialogs) {
        this.alerts = new AlertListViewModel(actions, dialogs);
        this.rules = new RulesViewModel(actions, dialogs);
        this.preview = new PreviewViewModel();
        rules.draftProperty().addListener((o, was, now) -> preview.show(now));
        alerts.onSelect(key -> rules.selectRule(key.ruleId()));
    }

    /** Cheap updates, every snapshot. */
    public void apply(Snapshot s) {
        alerts.apply(s);
        rules.apply(s);
        preview.apply(s);
    }

    /** Table updates, one frame later. */
    public void applyDeferred(Snapshot s) {
        alerts.applyDeferred(s);
        rules.applyDeferred(s);
    }

    public AlertListViewModel alerts() {
        return alerts;
    }

    public RulesViewModel rules() {
        return rules;
    }

    public PreviewViewModel preview() {
        return preview;
    }
}
