package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.orchestration.AlertBoard;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.ui.Format;
import dev.pgpulse.ui.shell.Dialogs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The notifications of alert transitions, found by comparing each snapshot's alert history with the previous one's:
 * a FIRING or RESOLVED entry that was not there before is told, once. What the first snapshot already holds is the
 * past (an alert firing when the console opens is in the table, not a popup). An acknowledged alert and a silenced
 * one tell nobody, its resolution included: someone is on it, or chose not to hear of it.
 */
final class AlertNotices {
    private Set<Alert> seen;
    private AlertBoard previous;

    /** The notices this snapshot brings, oldest first. */
    List<Dialogs.Notice> next(Snapshot s) {
        List<Alert> history = s.recentAlerts();
        List<Dialogs.Notice> out = new ArrayList<>();
        if (seen != null) {
            for (Alert a : history) {
                if (!seen.contains(a) && a.state() != AlertState.PENDING && !quiet(a, s)) {
                    out.add(notice(a));
                }
            }
        }
        seen = new HashSet<>(history);
        previous = s.alerting();
        return out;
    }

    /**
     * Acknowledged or silenced, as of this snapshot or the one before (an acknowledgement ends with the alert): a
     * silence counts when it covered the transition or covers it now (made between the transition and this poll).
     */
    private boolean quiet(Alert a, Snapshot s) {
        AlertKey key = AlertKey.of(a);
        AlertBoard now = s.alerting();
        return now.acknowledged().contains(key) || now.silenceOf(a, a.at()).isPresent()
                || now.silenceOf(a, s.at()).isPresent()
                || previous != null && (previous.acknowledged().contains(key) || previous.silenceOf(a, a.at()).isPresent());
    }

    static Dialogs.Notice notice(Alert a) {
        boolean manual = a.operator() == null;
        String subject = AlertText.subject(a.subject());
        if (a.state() == AlertState.RESOLVED) {
            String text = manual ? a.message() : subject + " is back to " + AlertText.value(a.subject(), a.value())
                    + " at " + Format.time(a.at()) + ", after " + Format.seconds(a.age().toMillis() / 1000.0);
            return new Dialogs.Notice(Dialogs.Severity.INFO, "Resolved: " + a.ruleName(), text);
        }
        String text = manual ? a.message() : subject + " = " + AlertText.valueAndCondition(a, a.value())
                + ", since " + Format.time(a.since());
        Dialogs.Severity severity = switch (a.severity()) {
            case CRITICAL -> Dialogs.Severity.ERROR;
            case WARNING -> Dialogs.Severity.WARNING;
            case INFO -> Dialogs.Severity.INFO;
        };
        return new Dialogs.Notice(severity, "Firing (" + AlertText.severity(a.severity()) + "): " + a.ruleName(), text);
    }
}
