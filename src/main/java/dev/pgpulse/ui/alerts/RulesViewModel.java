package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.ui.shell.ConsoleActions;
import dev.pgpulse.ui.shell.Dialogs;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

/**
 * The rules table and the editor of the selected rule. (Skeleton: i12-rulesui builds it.)
 * {@link #draftProperty()} is the rule as the editor holds it now when every field is valid, else null: the
 * preview follows it as the DBA types.
 */
public final class RulesViewModel {
    private final ConsoleActions actions;
    private final Dialogs dialogs;
    private final ReadOnlyObjectWrapper<AlertRule> draft = new ReadOnlyObjectWrapper<>(this, "draft");

    public RulesViewModel(ConsoleActions actions, Dialogs dialogs) {
        this.actions = actions;
        this.dialogs = dialogs;
    }

    public ReadOnlyObjectProperty<AlertRule> draftProperty() {
        return draft.getReadOnlyProperty();
    }

    public void apply(Snapshot s) {
    }

    public void applyDeferred(Snapshot s) {
    }
}
