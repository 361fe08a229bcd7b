package dev.pgpulse.health.alert;

/**
 * Where an alert stands when it is published. A rule's subject that is fine has no alert at all (the engine
 * calls that state OK internally and never publishes it).
 */
public enum AlertState {
    /** The condition is true but has not yet held for the rule's {@code for} duration. */
    PENDING,
    /** The condition has held for at least {@code for}. */
    FIRING,
    /** The condition was firing and has been false for the hold-down. */
    RESOLVED
}
