package dev.pgpulse.health.alert;

import dev.pgpulse.health.MetricHistory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a rule would have done over the recent past: the metric history replayed through a fresh
 * {@link AlertEngine} that holds only this rule (enabled, whatever the rule says, since a preview of a disabled
 * rule is still asked for). The preview is the engine's own run, not a second implementation of its semantics, so
 * the two cannot disagree on pending, "for", the hold-down or missing samples.
 *
 * <p>The replay starts in the OK state at the first point it is given: a condition that was already pending or
 * firing before the history's window shows as starting at the window's start.
 *
 * @param rule           the rule as replayed (enabled)
 * @param subjects       one per concrete key the rule's metric matches and the history holds, in natural order
 *                       ({@code replica-2} before {@code replica-10})
 * @param wouldHaveFired FIRING transitions over every subject
 * @param from           the first sample replayed; null when there was none
 * @param to             the last sample replayed; null when there was none
 */
public record RulePreview(AlertRule rule, List<Subject> subjects, int wouldHaveFired, Instant from, Instant to) {

    public RulePreview {
        Objects.requireNonNull(rule, "rule");
        subjects = List.copyOf(subjects);
    }

    /**
     * A stretch of time [from, to) in one state. One still open at the last sample ends there ({@code open}).
     */
    public record Stretch(Instant from, Instant to, boolean open) {
        public Stretch {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (to.isBefore(from)) {
                throw new IllegalArgumentException("a stretch must not end (" + to + ") before it starts (" + from + ")");
            }
        }

        public Duration length() {
            return Duration.between(from, to);
        }
    }

    /**
     * One concrete key the rule watches.
     *
     * @param key     such as {@code pool.primary.usage_ratio}
     * @param current the newest value in the history; NaN when it was not measured then
     * @param series  its points as replayed
     * @param state   where the engine left it at the last sample: empty when OK
     * @param firing  the stretches it was FIRING
     * @param pending the stretches it was PENDING (the condition held, not yet for "for")
     * @param fires   how many times it went FIRING
     */
    public record Subject(String key, double current, MetricHistory.Series series, Optional<AlertState> state,
                          List<Stretch> firing, List<Stretch> pending, int fires) {
        public Subject {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(series, "series");
            Objects.requireNonNull(state, "state");
            firing = List.copyOf(firing);
            pending = List.copyOf(pending);
        }

        public boolean firingNow() {
            return state.filter(s -> s == AlertState.FIRING).isPresent();
        }

        public boolean pendingNow() {
            return state.filter(s -> s == AlertState.PENDING).isPresent();
        }
    }

    /** Whether the history holds any point of a key the rule watches. */
    public boolean hasData() {
        return !subjects.isEmpty();
    }

    /** The subjects FIRING at the last sample, in order. */
    public List<Subject> firingNow() {
        return subjects.stream().filter(Subject::firingNow).toList();
    }

    /** The subjects PENDING at the last sample, in order. */
    public List<Subject> pendingNow() {
        return subjects.stream().filter(Subject::pendingNow).toList();
    }

    /** The whole of {@code history} replayed. */
    public static RulePreview of(AlertRule rule, MetricHistory.View history) {
        return of(rule, history, null);
    }

    /**
     * The last {@code window} of {@code history} replayed, counted back from the newest point of a key the rule
     * watches; null for all of it.
     */
    public static RulePreview of(AlertRule rule, MetricHistory.View history, Duration window) {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(history, "history");
        AlertRule enabled = rule.enabled() ? rule : new AlertRule(rule.id(), rule.name(), rule.metric(),
                rule.operator(), rule.threshold(), rule.forDuration(), rule.severity(), true);
        AlertEngine.Entry entry = AlertEngine.Entry.of(enabled);
        Map<String, MetricHistory.Series> watched = new TreeMap<>(NATURAL);
        for (String key : history.keys()) {
            if (entry.matches(key) && history.series(key).size() > 0) {
                watched.put(key, history.series(key));
            }
        }
        if (window != null && window.isNegative()) {
            throw new IllegalArgumentException("a preview's window must be zero or more, but was "
                    + dev.pgpulse.config.Durations.format(window) + "; give the last stretch of time to replay");
        }
        if (window != null && !watched.isEmpty()) {
            Instant newest = watched.values().stream().map(s -> s.at(s.size() - 1)).max(Comparator.naturalOrder())
                    .orElseThrow();
            Instant oldest = watched.values().stream().map(s -> s.at(0)).min(Comparator.naturalOrder()).orElseThrow();
            // a window longer than the history (up to Duration.ofSeconds(Long.MAX_VALUE)) is all of it, untrimmed:
            // the start it would give is past what an Instant, or the history's nanosecond clock, can hold
            if (window.compareTo(Duration.between(oldest, newest)) < 0) {
                Instant start = newest.minus(window);
                watched.replaceAll((k, s) -> s.since(start));
                watched.values().removeIf(s -> s.size() == 0);
            }
        }
        if (watched.isEmpty()) {
            return new RulePreview(enabled, List.of(), 0, null, null);
        }
        // The engine evaluates one map per health sample; the history kept each key's point of that sample at the
        // sample's time stamp, so grouping the points by time stamp gives back the samples (of these keys).
        TreeMap<Instant, Map<String, Double>> samples = new TreeMap<>();
        watched.forEach((key, s) -> {
            for (int i = 0; i < s.size(); i++) {
                samples.computeIfAbsent(s.at(i), t -> new HashMap<>()).put(key, s.value(i));
            }
        });
        return replay(enabled, watched, samples);
    }

    private static RulePreview replay(AlertRule rule, Map<String, MetricHistory.Series> watched,
                                      TreeMap<Instant, Map<String, Double>> samples) {
        Map<String, Track> tracks = new LinkedHashMap<>();
        watched.keySet().forEach(k -> tracks.put(k, new Track()));
        Instant last = samples.lastKey();
        try (AlertEngine engine = new AlertEngine(1, List.of())) {
            engine.subscribe(a -> {
                if (a.state() == AlertState.FIRING) {
                    tracks.get(a.subject()).fires++;
                }
            });
            engine.putRule(rule);
            for (Map.Entry<Instant, Map<String, Double>> sample : samples.entrySet()) {
                Instant at = sample.getKey();
                engine.evaluate(at, sample.getValue());
                for (String key : sample.getValue().keySet()) {
                    tracks.get(key).step(engine.stateOf(rule.id(), key).orElse(null), at);
                }
            }
            List<Subject> subjects = new ArrayList<>();
            int total = 0;
            for (Map.Entry<String, Track> e : tracks.entrySet()) {
                Track t = e.getValue();
                t.close(last);
                MetricHistory.Series s = watched.get(e.getKey());
                subjects.add(new Subject(e.getKey(), s.last(), s, engine.stateOf(rule.id(), e.getKey()),
                        t.firing, t.pending, t.fires));
                total += t.fires;
            }
            return new RulePreview(rule, subjects, total, samples.firstKey(), last);
        }
    }

    /** One subject's state from sample to sample, turned into stretches. */
    private static final class Track {
        final List<Stretch> firing = new ArrayList<>();
        final List<Stretch> pending = new ArrayList<>();
        AlertState was;
        Instant since;
        int fires;

        /** The engine's state of this subject after the sample at {@code at}; null for OK. */
        void step(AlertState now, Instant at) {
            // RESOLVED is not FIRING any more: for the stretches it is OK
            AlertState state = now == AlertState.RESOLVED ? null : now;
            if (state == was) {
                return;
            }
            end(at, false);
            was = state;
            since = at;
        }

        void close(Instant last) {
            end(last, true);
            was = null;
        }

        private void end(Instant at, boolean open) {
            if (was == AlertState.FIRING) {
                firing.add(new Stretch(since, at, open));
            } else if (was == AlertState.PENDING) {
                pending.add(new Stretch(since, at, open));
            }
        }
    }

    /** Key order with the numbers in them compared as numbers: replica-2 before replica-10. */
    static final Comparator<String> NATURAL = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    };
}
