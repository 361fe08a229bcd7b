package dev.pgpulse.ui.shell;

import dev.pgpulse.orchestration.Snapshot;
import javafx.scene.Node;

/**
 * One tab of the console. The window ({@code ConsoleWindow}) builds a {@code Tab} per entry of the tab list,
 * forwards every snapshot and tells a tab when it is selected or left. All calls but {@link #close} come on
 * the FX thread.
 * A tab reaches the core only through the {@link ConsoleActions} it was built with, never the orchestrator.
 */
public interface ConsoleTab {

    /** A stable id, also the JavaFX id of its {@code Tab} (CSS, tests). */
    String id();

    /** What the tab header says. */
    String title();

    /** The tab's content, built on the first call and the same node afterwards. */
    Node view();

    /** Each snapshot, as the poller delivers it (also while hidden: a tab keeps its state current). */
    void apply(Snapshot s);

    /** The same snapshot one frame later, for updates that cost layout (tables): spread over two pulses. */
    default void applyDeferred(Snapshot s) {
    }

    /** The tab became the selected one (also once at start for the first tab). */
    default void shown() {
    }

    /** Another tab was selected: stop any work only a visible tab needs. */
    default void hidden() {
    }

    /** The DBA chose another poll interval (FX thread): a tab that reads on its own follows it. */
    default void pollInterval(java.time.Duration interval) {
    }

    /** The window is closing (on the thread that closes it, often not the FX thread); release what it holds. */
    default void close() {
    }
}
