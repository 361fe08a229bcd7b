package dev.pgpulse.health;

/** UP: all well. DEGRADED: working, with something a DBA should look at. DOWN: the primary cannot be used. */
public enum HealthStatus {
    UP, DEGRADED, DOWN;

    static HealthStatus worst(HealthStatus a, HealthStatus b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
