package dev.pgpulse.pool;

/** Where a unit of work may run. */
public enum Route {
    /** The primary, always: writes and anything that must see its own writes. */
    WRITE,
    /** Replicas in turn, falling back to the primary when none is configured or none is usable. */
    READ,
    /** The primary while it is usable, otherwise a usable replica: work that can run anywhere. */
    ANY
}
