package dev.pgpulse.ui.dashboard;

import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.ui.shell.ConsoleActions;
import dev.pgpulse.ui.shell.ConsoleTab;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The Dashboard as a console tab. It keeps applying snapshots while hidden: its 15-minute history must not
 * have a gap, and breaker notifications come from its event log. Its view is built on first use.
 */
public final class DashboardTab implements ConsoleTab {
    private final DashboardViewModel vm;
    private final ConsoleActions actions;
    private DashboardView view;
    private boolean visible;

    /** @param transitions told (FX thread) of each breaker transition after the first snapshot */
    public DashboardTab(Duration historyWindow, ConsoleActions actions,
                        Consumer<ResilienceEvent.BreakerTransition> transitions) {
        this.vm = new DashboardViewModel(historyWindow);
        this.actions = actions;
        vm.onBreakerTransition(transitions);
    }

    @Override
    public String id() {
        return "dashboard-tab";
    }

    @Override
    public String title() {
        return "Dashboard";
    }

    @Override
    public DashboardView view() {
        if (view == null) {
            view = new DashboardView(vm, actions);
        }
        return view;
    }

    @Override
    public void apply(Snapshot s) {
        vm.apply(s);
    }

    @Override
    public void applyDeferred(Snapshot s) {
        vm.applyTables(s);
    }

    @Override
    public void shown() {
        visible = true;
    }

    @Override
    public void hidden() {
        visible = false;
    }

    /** Whether it is the selected tab now (tests). */
    public boolean visible() {
        return visible;
    }

    public DashboardViewModel viewModel() {
        return vm;
    }
}
