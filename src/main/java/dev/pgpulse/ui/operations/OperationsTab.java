package dev.pgpulse.ui.operations;

import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.ui.shell.ConsoleTab;
import dev.pgpulse.ui.shell.Dialogs;
import dev.pgpulse.ui.shell.OperationsActions;

/**
 * The Operations tab: Flyway migrations (info, migrate, validate, repair), backups (list, back up with progress and
 * cancel, verify, restore, delete) and {@code pgpulse validate}'s checks. It reads when shown and after each action,
 * and does nothing while hidden: none of it changes by itself often enough to poll.
 */
public final class OperationsTab implements ConsoleTab {
    private final MigrationsViewModel migrations;
    private final BackupsViewModel backups;
    private final ChecksViewModel checks;
    private OperationsView view;
    private boolean shown;

    public OperationsTab(OperationsActions actions, Dialogs dialogs) {
        this.migrations = new MigrationsViewModel(actions, dialogs);
        this.backups = new BackupsViewModel(actions, dialogs);
        this.checks = new ChecksViewModel(actions);
    }

    @Override
    public String id() {
        return "operations-tab";
    }

    @Override
    public String title() {
        return "Operations";
    }

    @Override
    public OperationsView view() {
        if (view == null) {
            view = new OperationsView(migrations, backups, checks);
        }
        return view;
    }

    @Override
    public void apply(Snapshot s) {
        if (shown) {
            checks.tick(s.at());
        }
    }

    @Override
    public void shown() {
        shown = true;
        migrations.refresh();
        backups.refresh();
        checks.run();
    }

    @Override
    public void hidden() {
        shown = false;
    }

    public MigrationsViewModel migrations() {
        return migrations;
    }

    public BackupsViewModel backups() {
        return backups;
    }

    public ChecksViewModel checks() {
        return checks;
    }
}
