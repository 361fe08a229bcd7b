package dev.pgpulse.service;

/** Per-call bookkeeping for the attempts of one call through the {@link DatabaseService}. */
final class Attempts {
    /** When the call started ({@link System#nanoTime()}): its age on whichever endpoint it is running counts from here. */
    final long startNanos;
    int count;
    String endpoint;
    /** A write of this call was sent and its connection broke: it may have been applied. */
    boolean maybeApplied;

    Attempts(long startNanos) {
        this.startNanos = startNanos;
    }
}
