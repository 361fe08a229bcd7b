package dev.pgpulse.ui.operations;

import dev.pgpulse.orchestration.Checks;
import dev.pgpulse.ui.Format;
import dev.pgpulse.ui.shell.OperationsActions;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyListProperty;
import javafx.beans.property.ReadOnlyListWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The Checks part of the Operations tab: {@code pgpulse validate}'s checks on the running target as a checklist,
 * run again every {@link #EVERY} while the tab is shown (they include Flyway validate and pg_dump --version, too
 * much for every poll), and on demand.
 */
public final class ChecksViewModel {
    static final Duration EVERY = Duration.ofSeconds(15);

    private final OperationsActions actions;
    private final ReadOnlyListWrapper<CheckRow> rows = new ReadOnlyListWrapper<>(FXCollections.observableArrayList());
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Not checked yet");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper failing = new ReadOnlyBooleanWrapper();
    private Instant last = Instant.MIN;

    public ChecksViewModel(OperationsActions actions) {
        this.actions = actions;
    }

    /** A poll while the tab is shown: checks again once {@link #EVERY} has passed since the last run. */
    public void tick(Instant now) {
        if (!busy.get() && !now.isBefore(last.plus(EVERY))) {
            run();
        }
    }

    public void run() {
        if (busy.get()) {
            return;
        }
        busy.set(true);
        last = Instant.now();
        actions.checks(this::show, why -> {
            busy.set(false);
            failing.set(true);
            summary.set("The checks could not run: " + why);
        });
    }

    private void show(List<Checks.Check> checks) {
        busy.set(false);
        rows.setAll(checks.stream().map(c -> new CheckRow(c.ok() ? "✔" : "✘", c.name(), c.detail(), c.ok())).toList());
        long failed = checks.stream().filter(c -> !c.ok()).count();
        failing.set(failed > 0);
        summary.set((failed == 0 ? "All " + checks.size() + " checks pass" : failed + " of " + checks.size()
                + " checks failed") + " (checked at " + Format.time(last) + ")");
    }

    public ReadOnlyListProperty<CheckRow> rowsProperty() {
        return rows.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** Whether the last run found a check failing, or could not run: false before the first run. */
    public ReadOnlyBooleanProperty failingProperty() {
        return failing.getReadOnlyProperty();
    }
}
