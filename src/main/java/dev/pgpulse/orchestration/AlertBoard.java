package dev.pgpulse.orchestration;

import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.RuleBook;
import dev.pgpulse.health.alert.Silence;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The alerting side of a {@link Snapshot}: what the Alerts tab shows.
 *
 * @param rules        the rules in force, their revision and any problem with the rules file
 * @param current      the alerts PENDING or FIRING now (the rules table's "state now")
 * @param acknowledged the FIRING alerts someone acknowledged (cleared when they resolve)
 * @param silences     the silences not yet ended, soonest end first
 * @param webhook      the webhook alerts go to, as it may be shown (scheme, host, port), if one is configured
 */
public record AlertBoard(RuleBook.State rules, List<Alert> current, Set<AlertKey> acknowledged,
                         List<Silence> silences, Optional<String> webhook) {
    public AlertBoard {
        Objects.requireNonNull(rules, "rules");
        current = List.copyOf(current);
        acknowledged = Set.copyOf(acknowledged);
        silences = List.copyOf(silences);
        Objects.requireNonNull(webhook, "webhook");
    }

    /** The silence covering that alert at {@code at}, the one that ends last when several do (its end is the alert's). */
    public Optional<Silence> silenceOf(Alert a, java.time.Instant at) {
        return silences.stream().filter(s -> s.covers(a.ruleId(), a.subject(), at))
                .max(java.util.Comparator.comparing(Silence::until));
    }

    /** Whether someone acknowledged that alert (it is FIRING, and gets no reminders until it resolves). */
    public boolean isAcknowledged(Alert a) {
        return acknowledged.contains(AlertKey.of(a));
    }
}
