package dev.pgpulse.ui.shell;

import java.util.Objects;

/**
 * What views and view models may ask of the person at the console, behind one small interface so they are
 * tested without a stage: a confirmation before a destructive or production action, and a notification.
 * The console's implementation is {@code ui.fx.FxDialogs}; a test passes its own.
 */
public interface Dialogs {

    /**
     * Asks first. Cancel is the default button: Enter or Escape cancels, only an explicit click (or Space on
     * the confirm button) goes ahead. FX thread; waits for the answer.
     *
     * @return whether the person confirmed
     */
    boolean confirm(Confirmation c);

    /** Tells, without waiting: a popup that hides by itself; bursts are coalesced into one. Any thread. */
    void notify(Notice n);

    /**
     * @param header       the question, e.g. "Force the primary circuit breaker open?"
     * @param text         what will happen, in full
     * @param confirmLabel the confirm button's words, naming the action ("Force open"), never just "OK"
     */
    record Confirmation(String header, String text, String confirmLabel) {
        public Confirmation {
            Objects.requireNonNull(header);
            Objects.requireNonNull(text);
            Objects.requireNonNull(confirmLabel);
        }
    }

    /** How much a notification matters; a coalesced burst takes its most serious. */
    enum Severity {
        INFO, WARNING, ERROR
    }

    record Notice(Severity severity, String title, String text) {
        public Notice {
            Objects.requireNonNull(severity);
            Objects.requireNonNull(title);
            Objects.requireNonNull(text);
        }
    }
}
