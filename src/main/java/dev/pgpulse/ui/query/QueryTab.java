package dev.pgpulse.ui.query;

import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.ui.shell.ConsoleTab;
import dev.pgpulse.ui.shell.Dialogs;
import dev.pgpulse.ui.shell.QueryActions;

/**
 * The Query tab: statements run on a chosen target through the core's runner, results streamed into grids
 * within a bounded window, plans as trees. It needs no snapshot: what it shows comes from its runs.
 */
public final class QueryTab implements ConsoleTab {
    private final QueryViewModel vm;
    private QueryView view;
    private boolean historyLoaded;

    public QueryTab(QueryActions actions, Dialogs dialogs) {
        this.vm = new QueryViewModel(actions, dialogs);
    }

    @Override
    public String id() {
        return "query-tab";
    }

    @Override
    public String title() {
        return "Query";
    }

    @Override
    public QueryView view() {
        if (view == null) {
            view = new QueryView(vm);
        }
        return view;
    }

    @Override
    public void apply(Snapshot s) {
    }

    @Override
    public void shown() {
        if (!historyLoaded) {
            historyLoaded = true;
            vm.loadHistory();
        }
    }

    @Override
    public void close() {
        vm.close();
        if (view != null) {
            view.close();
        }
    }

    public QueryViewModel viewModel() {
        return vm;
    }
}
