package dev.pgpulse.health.alert;

import dev.pgpulse.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who of the {@link AlertEngine}'s notifiers is told what, and when: acknowledgements, reminders and silences, kept
 * apart from the engine's state machine (which decides what is FIRING) so the paging rules read in one place.
 *
 * <p><b>Acknowledgements.</b> An acknowledged FIRING alert stays FIRING and listed, but gets no more reminders. The
 * mark is cleared when the alert resolves, or when its rule is changed, disabled or removed (the engine drops the
 * page with the track); it lives in memory only (after a restart a condition that still holds fires anew, and
 * deserves a fresh look).
 *
 * <p><b>Reminders.</b> Like Alertmanager's {@code repeat_interval}: while an alert stays FIRING, is not
 * acknowledged and not silenced, the notifiers are told again every {@code repeatInterval} (measured on the
 * samples' time stamps, checked at each sample that carries the alert's key) through {@link AlertNotifier#remind}:
 * a FIRING alert whose {@code at} is that sample's and whose message ends with
 * {@code "still firing after ... (reminder)"}. Reminders are not transitions: listeners and the history never see
 * them, so the console lists an alert once and notifies a person on screen once. Zero turns them off.
 *
 * <p><b>Silences.</b> Before an alert goes to the notifiers the {@link Silences} are asked (by the sample's time
 * stamp). A silenced alert still reaches the listeners and the history (the console shows it, greyed) but no
 * notifier; one INFO line of the engine's log says so, so the log tells why no alert line follows. The notifiers
 * only hear the end of what they heard the start of: a RESOLVED goes to them exactly when they were told of that
 * alert's FIRING, whatever silences or acknowledgements came in between (a receiver never keeps an incident open
 * forever, and never gets a resolution out of nowhere). An alert that fired while silenced and still fires when its
 * silence ends is told to the notifiers then, on the first sample after the end, as a FIRING alert whose message
 * ends with {@code "(silence ended)"}; unless it was acknowledged meanwhile.
 *
 * <p>Not thread-safe: the engine calls it under its lock.
 */
final class Paging {
    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);

    /** The paging side of one (rule, subject) track. */
    static final class Page {
        boolean acknowledged;
        /** Whether the notifiers were told of this FIRING (so are owed its RESOLVED), and when they were last told. */
        boolean notified;
        Instant lastNotified;
    }

    /** What to do with one alert once the engine's lock is released. */
    record Notice(Alert alert, boolean listeners, boolean notifiers, boolean reminder) {
        static Notice transition(Alert alert, boolean notifiers) {
            return new Notice(alert, true, notifiers, false);
        }
    }

    private final Duration repeatInterval;
    private final Silences silences;
    private final boolean anyNotifier;
    final AtomicLong reminders = new AtomicLong();
    final AtomicLong silenced = new AtomicLong();
    final AtomicLong acknowledgements = new AtomicLong();

    /** @param silences null: nothing is ever silenced */
    Paging(Duration repeatInterval, Silences silences, boolean anyNotifier) {
        this.repeatInterval = repeatInterval;
        this.silences = silences;
        this.anyNotifier = anyNotifier;
    }

    Duration repeatInterval() {
        return repeatInterval;
    }

    /** A FIRING transition: whether the notifiers hear it. */
    boolean fired(Page p, String ruleId, String key, Instant at) {
        p.acknowledged = false;
        Optional<Silence> silence = silenceOf(ruleId, key, at);
        p.notified = silence.isEmpty();
        p.lastNotified = p.notified ? at : null;
        if (silence.isPresent()) {
            silenced.incrementAndGet();
            log.info("{} - FIRING [{}] silenced until {} (silence {}): shown, not notified", ruleId, key,
                    silence.get().until(), silence.get().id());
        }
        return p.notified;
    }

    /** A RESOLVED transition: whether the notifiers hear it (exactly when they heard the FIRING). */
    boolean resolved(Page p) {
        boolean owed = p.notified;
        p.acknowledged = false;
        p.notified = false;
        p.lastNotified = null;
        return owed;
    }

    /** A FIRING alert at a later sample: the reminder or the news after a silence when one is due, else null. */
    Notice stillFiring(Page p, AlertRule rule, String key, double value, Instant since, Instant at) {
        if (p.acknowledged || !anyNotifier || silenceOf(rule.id(), key, at).isPresent()) {
            return null;
        }
        String now = key + " = " + Alert.format(key, value) + " " + rule.operator().symbol() + " "
                + Alert.format(key, rule.threshold());
        if (!p.notified) {
            p.notified = true;
            p.lastNotified = at;
            return new Notice(AlertEngine.alert(rule, key, AlertState.FIRING, value, since, at,
                    now + " for " + Durations.forPeople(Duration.between(since, at)) + " (silence ended)"),
                    false, true, false);
        }
        if (!repeatInterval.isZero() && Duration.between(p.lastNotified, at).compareTo(repeatInterval) >= 0) {
            p.lastNotified = at;
            reminders.incrementAndGet();
            return new Notice(AlertEngine.alert(rule, key, AlertState.FIRING, value, since, at,
                    now + ", still firing after " + Durations.forPeople(Duration.between(since, at)) + " (reminder)"),
                    false, true, true);
        }
        return null;
    }

    /** Marks a FIRING alert's page acknowledged. */
    void acknowledge(Page p, AlertKey key) {
        if (!p.acknowledged) {
            p.acknowledged = true;
            acknowledgements.incrementAndGet();
            log.info("{} - FIRING [{}] acknowledged: no reminders until it resolves", key.ruleId(), key.subject());
        }
    }

    private Optional<Silence> silenceOf(String ruleId, String subject, Instant at) {
        return silences == null ? Optional.empty() : silences.covering(ruleId, subject, at);
    }
}
