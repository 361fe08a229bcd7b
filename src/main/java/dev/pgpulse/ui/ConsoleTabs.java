package dev.pgpulse.ui;

import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.ui.alerts.AlertsTab;
import dev.pgpulse.ui.dashboard.DashboardTab;
import dev.pgpulse.ui.shell.ConsoleActions;
import dev.pgpulse.ui.shell.ConsoleTab;
import dev.pgpulse.ui.shell.Dialogs;

import java.util.List;
import java.util.function.Consumer;

/**
 * The console's tabs, in the order they show: the one place a tab is added, a line per tab. The tab packages
 * ({@code ui.dashboard}, ...) never know each other; this class and {@link ConsoleWindow} compose them.
 */
public final class ConsoleTabs {

    /**
     * What a tab may be built with: the preferences, the actions (confirmed first where they must be), the
     * window's confirmations and notifications, and where breaker transitions go.
     */
    public record Context(ConsolePrefs prefs, ConsoleActions actions, Dialogs dialogs,
                          Consumer<ResilienceEvent.BreakerTransition> transitions) {
    }

    private ConsoleTabs() {
    }

    public static List<ConsoleTab> standard(Context c) {
        return List.of(
                new DashboardTab(c.prefs().historyWindow(), c.actions(), c.transitions()),
                new AlertsTab(c.actions(), c.dialogs()),
                new dev.pgpulse.ui.query.QueryTab(c.actions().queries(), c.dialogs()),
                new dev.pgpulse.ui.server.ServerTab(c.actions().server(), c.dialogs(), c.prefs().pollInterval()),
                new dev.pgpulse.ui.operations.OperationsTab(c.actions().operations(), c.dialogs()));
    }
}
