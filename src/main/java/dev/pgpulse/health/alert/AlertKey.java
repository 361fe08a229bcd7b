package dev.pgpulse.health.alert;

import java.util.Objects;

/** One rule on one subject (a concrete metric key): what an acknowledgement or a silence is about. */
public record AlertKey(String ruleId, String subject) {
    public AlertKey {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(subject, "subject");
    }

    public static AlertKey of(Alert a) {
        return new AlertKey(a.ruleId(), a.subject());
    }
}
