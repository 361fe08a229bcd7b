package dev.pgpulse.ui.alerts;

import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.ui.shell.ConsoleActions;
import dev.pgpulse.ui.shell.Dialogs;

/**
 * The alerts firing and pending now and the history of alerts, with filters; acknowledge and silence; a
 * notification when an alert fires or resolves; the webhook's test and the Prometheus export.
 * (Skeleton: i12-alertsui builds it.)
 */
public final class AlertListViewModel {
    private final ConsoleActions actions;
    private final Dialogs dialogs;

    public AlertListViewModel(ConsoleActions actions, Dialogs dialogs) {
        this.actions = actions;
        this.dialogs = dialogs;
    }

    public void apply(Snapshot s) {
    }

    public void applyDeferred(Snapshot s) {
    }
}
