package dev.pgpulse.ui.fx;

import dev.pgpulse.ui.shell.Dialogs.Notice;
import dev.pgpulse.ui.shell.Dialogs.Severity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a burst of notifications into few popups: the first shows at once; what arrives within {@code quiet} of
 * the last popup is held and shown as one summary when that time is up ("… (and 7 more)"). Ten quick drills
 * make two popups, not ten stacked over a third of the window; the event log keeps every one. Times are
 * {@link System#nanoTime()} readings passed in, so the rule is tested without a clock or a stage. Not
 * thread-safe: the FX thread is its only user.
 */
final class NoticeCoalescer {
    /** How many held titles a summary lists before "…". */
    static final int LISTED = 4;

    private final long quietNanos;
    private final List<Notice> held = new ArrayList<>();
    private long lastShown;
    private boolean shownAny;

    NoticeCoalescer(Duration quiet) {
        this.quietNanos = quiet.toNanos();
    }

    /** @return the notice to show now, or empty when it is held: then call {@link #flush} at {@link #flushAt}. */
    Optional<Notice> offer(Notice n, long now) {
        if (held.isEmpty() && (!shownAny || now - lastShown >= quietNanos)) {
            shown(now);
            return Optional.of(n);
        }
        held.add(n);
        return Optional.empty();
    }

    /** Whether notices are held for a flush. */
    boolean holding() {
        return !held.isEmpty();
    }

    /** When the held notices are due, as a nanoTime reading. */
    long flushAt() {
        return lastShown + quietNanos;
    }

    /** The held notices as one, or empty when none are held. */
    Optional<Notice> flush(long now) {
        if (held.isEmpty()) {
            return Optional.empty();
        }
        Notice summary = summarise(held);
        held.clear();
        shown(now);
        return Optional.of(summary);
    }

    private void shown(long now) {
        lastShown = now;
        shownAny = true;
    }

    /** One notice for several: the latest's title "(and n more)", the titles newest first, the worst severity. */
    static Notice summarise(List<Notice> notices) {
        if (notices.size() == 1) {
            return notices.getFirst();
        }
        Severity worst = Severity.INFO;
        for (Notice n : notices) {
            if (n.severity().compareTo(worst) > 0) {
                worst = n.severity();
            }
        }
        Notice latest = notices.getLast();
        StringBuilder text = new StringBuilder();
        int listed = 0;
        for (int i = notices.size() - 1; i >= 0 && listed < LISTED; i--, listed++) {
            Notice n = notices.get(i);
            text.append(n.title()).append(n.text().isEmpty() ? "" : " — " + n.text()).append('\n');
        }
        if (notices.size() > LISTED) {
            text.append("… and ").append(notices.size() - LISTED).append(" earlier; all are in the event log");
        } else {
            text.setLength(text.length() - 1);
        }
        return new Notice(worst, latest.title() + " (and " + (notices.size() - 1) + " more)", text.toString());
    }
}
