package dev.pgpulse.health.alert;

/**
 * Sends FIRING and RESOLVED alerts (and manual ones) somewhere a person will see them. Called on the thread
 * that runs {@link AlertEngine#evaluate}, so an implementation must return at once: anything slow (network,
 * disk) goes to the notifier's own thread. An exception is logged by the engine and does not stop the others.
 */
public interface AlertNotifier extends AutoCloseable {

    void send(Alert alert);

    /**
     * Tells again of an alert that is still FIRING, nobody acknowledged and nothing silences (the engine's repeat
     * interval): a FIRING alert stamped with the latest sample, its message ending with {@code "(reminder)"}. By
     * default the same as {@link #send}; a notifier whose receiver can tell the two apart marks it.
     */
    default void remind(Alert alert) {
        send(alert);
    }

    /** Releases the notifier's threads; idempotent. */
    @Override
    default void close() {
    }
}
