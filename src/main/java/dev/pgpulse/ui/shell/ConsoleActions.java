package dev.pgpulse.ui.shell;

import dev.pgpulse.resilience.Guard;

/**
 * Everything a view may ask the core to do, in one place: views and view models get this, never the
 * orchestrator. Each call returns at once; the work runs off the FX thread.
 */
public interface ConsoleActions {

    /** Drills the endpoint's circuit breaker (force open, force closed, back to normal). */
    void drill(String endpoint, Guard.Drill drill);

    /** Switches the demo workload on or off; ignored when there is none (an external server). */
    void demoWorkload(boolean on);

    /** Whether there is a demo workload to switch (only on the embedded server). */
    boolean demoAvailable();

    /** Whether the demo workload runs now. */
    boolean demoRunning();

    /**
     * Starts the embedded server again on its data folder after it exited; {@code done} is told on the FX thread,
     * with why it could not when it could not (empty when it is back).
     */
    void restartEmbedded(java.util.function.Consumer<java.util.Optional<String>> done);
}
