package dev.pgpulse.health;

/**
 * UP: all well. DEGRADED: working, with something a DBA should look at. DOWN: the primary cannot be used (for one
 * endpoint: that endpoint cannot be used). {@link #metricValue()} is the number alert rules compare for
 * {@code endpoint.<endpoint>.health}.
 */
public enum HealthStatus {
    UP, DEGRADED, DOWN;

    /** UP 0, DEGRADED 1, DOWN 2: so {@code >= 2} means "the endpoint cannot be used". */
    public double metricValue() {
        return switch (this) {
            case UP -> 0;
            case DEGRADED -> 1;
            case DOWN -> 2;
        };
    }

    static HealthStatus worst(HealthStatus a, HealthStatus b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
