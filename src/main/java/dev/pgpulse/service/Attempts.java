package dev.pgpulse.service;

/** Per-call bookkeeping for the attempts of one call through the {@link DatabaseService}. */
final class Attempts {
    int count;
    String endpoint;
    /** A write of this call was sent and its connection broke: it may have been applied. */
    boolean maybeApplied;
}
