package dev.pgpulse.ui.server;

import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.ui.shell.ConsoleTab;
import dev.pgpulse.ui.shell.Dialogs;
import dev.pgpulse.ui.shell.ServerActions;

import java.time.Duration;

/**
 * The Server tab: the primary's sessions live (filters, emphasis past the alert thresholds), the blocking tree,
 * and cancel / terminate on the selected sessions. Its sampler reads only while the tab is shown.
 */
public final class ServerTab implements ConsoleTab {
    private final ServerViewModel vm;
    private ServerView view;

    public ServerTab(ServerActions actions, Dialogs dialogs, Duration interval) {
        this.vm = new ServerViewModel(actions, dialogs, interval);
    }

    @Override
    public String id() {
        return "server-tab";
    }

    @Override
    public String title() {
        return "Server";
    }

    @Override
    public ServerView view() {
        if (view == null) {
            view = new ServerView(vm);
        }
        return view;
    }

    @Override
    public void apply(Snapshot s) {
    }

    @Override
    public void shown() {
        vm.start();
    }

    @Override
    public void hidden() {
        vm.stop();
    }

    @Override
    public void pollInterval(Duration interval) {
        vm.interval(interval);
    }

    @Override
    public void close() {
        vm.close();
    }

    public ServerViewModel viewModel() {
        return vm;
    }
}
