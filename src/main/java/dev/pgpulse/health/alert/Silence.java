package dev.pgpulse.health.alert;

import java.time.Instant;
import java.util.Objects;

/**
 * A silence, like Alertmanager's: while it lasts, the alerts of a rule (on one subject, or on all of them) still
 * show, but notify nobody.
 *
 * @param id      a stable id, for expiring it
 * @param subject a concrete metric key, or {@link #ANY_SUBJECT} for every subject of the rule
 * @param comment why, as the person who made it wrote it (may be empty)
 */
public record Silence(String id, String ruleId, String subject, Instant created, Instant until, String comment) {
    public static final String ANY_SUBJECT = "*";

    public Silence {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(until, "until");
        comment = comment == null ? "" : comment;
        if (!until.isAfter(created)) {
            throw new IllegalArgumentException("silence " + id + " ends at " + until + ", not after it starts at "
                    + created + "; expected an end after the start");
        }
    }

    /** Whether it silences that rule on that subject at that moment. */
    public boolean covers(String ruleId, String subject, Instant at) {
        return this.ruleId.equals(ruleId) && (ANY_SUBJECT.equals(this.subject) || this.subject.equals(subject))
                && !at.isBefore(created) && at.isBefore(until);
    }
}
