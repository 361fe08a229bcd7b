package dev.pgpulse.ui.alerts;

import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.ui.shell.ConsoleActions;
import dev.pgpulse.ui.shell.ConsoleTab;
import dev.pgpulse.ui.shell.Dialogs;

/**
 * The Alerts tab: the alerts firing and pending now and their history (acknowledge, silence), the rules with an
 * editor, and a preview of the edited rule over the last 15 minutes. It applies every snapshot while hidden too:
 * the alert notifications come from it.
 */
public final class AlertsTab implements ConsoleTab {
    private final AlertsViewModel vm;
    private AlertsView view;

    public AlertsTab(ConsoleActions actions, Dialogs dialogs) {
        this.vm = new AlertsViewModel(actions, dialogs);
    }

    @Override
    public String id() {
        return "alerts-tab";
    }

    @Override
    public String title() {
        return "Alerts";
    }

    @Override
    public AlertsView view() {
        if (view == null) {
            view = new AlertsView(vm);
        }
        return view;
    }

    @Override
    public void apply(Snapshot s) {
        vm.apply(s);
    }

    @Override
    public void applyDeferred(Snapshot s) {
        vm.applyDeferred(s);
    }

    public AlertsViewModel viewModel() {
        return vm;
    }
}
