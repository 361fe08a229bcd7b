package dev.pgpulse.ui.shell;

import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.RuleBook;
import dev.pgpulse.resilience.Guard;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

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

    /**
     * Saves the alert rules: the rules file first (atomically), then the running engine. {@code basedOn} is the
     * rules revision the edit started from; a hand edit of the file since then comes back as a conflict.
     * {@code done} is told on the FX thread.
     */
    void saveRules(List<AlertRule> rules, long basedOn, Consumer<RuleBook.Outcome> done);

    /** {@link #saveRules} of the default rules (the tab confirms first). */
    void resetRules(long basedOn, Consumer<RuleBook.Outcome> done);

    /** Acknowledges a FIRING alert: it stays listed, marked, and stops notifying until it resolves. */
    void acknowledge(AlertKey alert);

    /**
     * Silences a rule on a subject ({@code dev.pgpulse.health.alert.Silence#ANY_SUBJECT} for all) for a while;
     * kept across restarts. {@code done} is told on the FX thread, with why not when it could not.
     */
    void silence(String ruleId, String subject, Duration length, String comment, Consumer<Optional<String>> done);

    /** Ends a silence now. */
    void expireSilence(String silenceId);

    /**
     * Sends a test alert to the configured webhook; {@code done} gets a line for people with the HTTP status
     * (or why there was none), on the FX thread.
     */
    void sendTestAlert(Consumer<String> done);

    /**
     * Writes the rules in force as a Prometheus alerting rules file; {@code done} gets, on the FX thread, a line
     * saying what was written or why not.
     */
    void exportPrometheus(Path file, Consumer<String> done);

    /** The Query tab's face of the core: targets, runs, history. */
    QueryActions queries();

    /** The Server tab's face of the core: the primary's sessions and signals to them. */
    default ServerActions server() {
        throw new UnsupportedOperationException("these console actions have no server face");
    }

    /** The Operations tab's face of the core: migrations and backups of the primary. */
    default OperationsActions operations() {
        throw new UnsupportedOperationException("these actions have no operations");
    }
}
