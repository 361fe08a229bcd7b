package dev.pgpulse.server;

import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.DefaultRules;

import java.time.Duration;

/**
 * When a session deserves attention, from the default alert rules so the Server tab highlights what the alerts
 * warn of: a transaction or query older than {@code long-transaction}'s threshold, a session idle in a
 * transaction longer than {@code idle-in-transaction}'s.
 */
public record ActivityThresholds(Duration longRunning, Duration idleInTransaction) {

    public static ActivityThresholds defaults() {
        return new ActivityThresholds(threshold("long-transaction"), threshold("idle-in-transaction"));
    }

    private static Duration threshold(String ruleId) {
        AlertRule rule = DefaultRules.all().stream().filter(r -> r.id().equals(ruleId)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no default alert rule " + ruleId));
        return Duration.ofMillis((long) (rule.threshold() * 1000));
    }

    /** Whether the session has run its query or transaction too long. */
    public boolean longRunning(Session s) {
        return s.active() && (over(s.queryAge(), longRunning) || over(s.xactAge(), longRunning));
    }

    /** Whether the session has sat idle in its transaction too long. */
    public boolean idleTooLong(Session s) {
        return s.idleInTransaction() && over(s.duration(), idleInTransaction);
    }

    private static boolean over(Duration d, Duration limit) {
        return d != null && d.compareTo(limit) > 0;
    }
}
