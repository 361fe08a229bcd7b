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
 * much for every poll), and on demand. A run that takes longer than {@link #STALE_AFTER} (a server or network that
 * stopped answering) marks the list stale in its summary rather than letting it go on saying what an earlier run
 * found.
 */
public final class ChecksViewModel {
    static final Duration EVERY = Duration.ofSeconds(15);
    /**
     * How long a run may take before the list is marked stale: more than Flyway's bounded validate and info
     * together would ever take on a server that answers ({@link dev.pgpulse.orchestration.MigrationRunner}).
     */
    public static final Duration STALE_AFTER = Duration.ofSeconds(30);

    private final OperationsActions actions;
    private final ReadOnlyListWrapper<CheckRow> rows = new ReadOnlyListWrapper<>(FXCollections.observableArrayList());
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Not checked yet");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper failing = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper stale = new ReadOnlyBooleanWrapper();
    private Instant last = Instant.MIN;
    /** What the last finished run found, for the stale line: "passed" or "found 1 of 5 failing". */
    private String lastVerdict;
    private Instant lastFinished;

    public ChecksViewModel(OperationsActions actions) {
        this.actions = actions;
    }

    /**
     * A poll while the tab is shown: checks again once {@link #EVERY} has passed since the last run; while a run
     * has taken longer than {@link #STALE_AFTER}, says so.
     */
    public void tick(Instant now) {
        if (busy.get()) {
            Duration taken = Duration.between(last, now);
            if (taken.compareTo(STALE_AFTER) > 0) {
                stale.set(true);
                summary.set((lastFinished == null ? "Not checked yet"
                        : "Checks last " + lastVerdict + " at " + Format.time(lastFinished))
                        + "; the current run has taken over " + taken.toSeconds() + " s");
            }
            return;
        }
        if (!now.isBefore(last.plus(EVERY))) {
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
            stale.set(false);
            failing.set(true);
            summary.set("The checks could not run: " + why);
        });
    }

    private void show(List<Checks.Check> checks) {
        busy.set(false);
        stale.set(false);
        rows.setAll(checks.stream().map(c -> new CheckRow(c.ok() ? "✔" : "✘", c.name(), c.detail(), c.ok())).toList());
        long failed = checks.stream().filter(c -> !c.ok()).count();
        failing.set(failed > 0);
        lastFinished = Instant.now();
        lastVerdict = failed == 0 ? "passed" : "found " + failed + " of " + checks.size() + " failing";
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

    /** Whether the running check has taken over {@link #STALE_AFTER}: the rows are an earlier run's. */
    public ReadOnlyBooleanProperty staleProperty() {
        return stale.getReadOnlyProperty();
    }

    /** Whether the last run found a check failing, or could not run: false before the first run. */
    public ReadOnlyBooleanProperty failingProperty() {
        return failing.getReadOnlyProperty();
    }
}
