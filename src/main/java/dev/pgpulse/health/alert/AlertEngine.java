package dev.pgpulse.health.alert;

import dev.pgpulse.config.Durations;
import dev.pgpulse.health.alert.Paging.Notice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Turns metric samples into alerts. Fed by the health monitor with {@link #evaluate(Instant, Map)}; knows
 * nothing of JDBC. Each enabled rule is applied to every concrete key it matches (a {@code *} in its metric
 * matches any endpoint or operation), and each (rule id, concrete key) pair has its own state machine:
 *
 * <pre>
 *   OK ──true──> PENDING ──true, held for "for"──> FIRING ──false for the hold-down──> RESOLVED
 *    ^  <──false── (silently)                      (for = 0s: OK goes straight to FIRING)      │
 *    └──────────────────────────── next sample false ─────────────────────────────────────────┘
 *                                  (next sample true: PENDING again, or FIRING when for = 0s)
 * </pre>
 *
 * Durations are measured with the samples' time stamps, never the wall clock, so the engine is
 * deterministic under test and after a pause of the sampler.
 *
 * <p><b>Hold-down (anti-flapping).</b> A FIRING alert resolves on the false sample that makes the current
 * run of consecutive false samples <em>both</em> at least 2 samples long <em>and</em> span at least
 * {@code for / 2} (time stamp of this sample minus that of the run's first false sample). Any true sample
 * ends the run. So a {@code for = 0s} rule resolves on the second false sample in a row; a
 * {@code for = 30s} rule needs false samples spanning 15 s; and input that alternates true/false never
 * resolves a firing alert. That is max(for / 2, one evaluation interval).
 *
 * <p><b>Missing metrics.</b> A key absent from the sample, or whose value is null or NaN, leaves its state
 * exactly as it was: it neither fires, nor resolves, nor restarts a pending or hold-down period (a gap is
 * not evidence either way). States of subjects that stop reporting are kept.
 *
 * <p><b>Who sees what.</b> Listeners get every transition (PENDING too, as a preview for the UI). History
 * and notifiers get FIRING and RESOLVED transitions and every manual alert: a condition that never lasts
 * long enough leaves no trace and pages nobody. Listeners and notifiers run on the thread that called
 * {@code evaluate}/{@code raiseManual}/{@code putRule}, outside the engine's lock; one that throws
 * is logged and skipped. Notifiers must not block (see {@link AlertNotifier}).
 *
 * <p><b>Rule changes.</b> Disabled rules are skipped. Removing a rule, disabling it, or replacing it by a
 * different definition drops its states; a subject that was FIRING is closed with a RESOLVED alert (so
 * webhook receivers do not keep an incident open forever), stamped with the latest sample time.
 *
 * <p><b>Acknowledgements, reminders, silences</b> (the rules are in {@link Paging}'s comment). Listeners get every
 * transition; notifiers get what a person should be paged for. {@link #acknowledge} marks a FIRING alert: it stays
 * listed (and in {@link #acknowledged()}) but gets no reminders until it resolves or its rule changes. A FIRING
 * alert nobody acknowledged or silenced is told to the notifiers again every {@code repeatInterval}
 * ({@link #DEFAULT_REPEAT_INTERVAL}, on the samples' clock, like Alertmanager's {@code repeat_interval}) through
 * {@link AlertNotifier#remind}; listeners and the history never see reminders. An alert a {@link Silences} entry
 * covers reaches listeners and the history but no notifier (the engine logs one INFO line instead); notifiers get
 * a RESOLVED exactly when they got its FIRING, and an alert still firing when its silence ends is told then.
 *
 * <p>Thread safety: every method may be called from any thread; readers get immutable snapshots.
 */
public final class AlertEngine implements AutoCloseable {
    public static final int DEFAULT_HISTORY_CAPACITY = 500;
    /** Alertmanager's default {@code repeat_interval} is 4 h; a DBA console reminds sooner. */
    public static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofMinutes(15);

    /** A listener registration; closing it unsubscribes. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);

    private enum Phase { OK, PENDING, FIRING, RESOLVED }

    /** One (rule, subject) state machine; guarded by the engine's lock. */
    private static final class Track {
        Phase phase = Phase.OK;
        Instant since;
        double lastValue = Double.NaN;
        Alert firing;
        Alert pending;
        Instant clearSince;
        int clearSamples;
        final Paging.Page page = new Paging.Page();
    }

    /** A rule and the keys it matches; package-private so that {@link RulePreview} picks the same keys. */
    record Entry(AlertRule rule, Pattern pattern) {
        static Entry of(AlertRule rule) {
            if (!rule.metric().contains("*")) {
                return new Entry(rule, null);
            }
            StringBuilder regex = new StringBuilder();
            for (String part : rule.metric().split("\\*", -1)) {
                if (!regex.isEmpty()) {
                    regex.append("[A-Za-z0-9._-]+");
                }
                regex.append(Pattern.quote(part));
            }
            return new Entry(rule, Pattern.compile(regex.toString()));
        }

        boolean matches(String key) {
            return pattern == null ? rule.metric().equals(key)
                    : pattern.matcher(key).matches() && MetricKeys.isValid(key) && !key.contains("*");
        }
    }

    /** Whether the rule watches that concrete metric key (its metric, or a key its {@code *} matches). */
    static boolean matches(AlertRule rule, String key) {
        return key != null && Entry.of(rule).matches(key);
    }

    private final Object lock = new Object();
    private final int historyCapacity;
    private final List<AlertNotifier> notifiers;
    private final Paging paging;
    private final CopyOnWriteArrayList<Consumer<Alert>> listeners = new CopyOnWriteArrayList<>();
    // guarded by lock
    private final Map<String, Entry> rules = new LinkedHashMap<>();
    private final Map<String, Map<String, Track>> tracks = new HashMap<>();
    private final Deque<Alert> history = new ArrayDeque<>();
    private Instant lastAt;

    private final AtomicLong evaluations = new AtomicLong();
    private final AtomicLong samplesSkipped = new AtomicLong();
    private final AtomicLong pendingCount = new AtomicLong();
    private final AtomicLong firingCount = new AtomicLong();
    private final AtomicLong resolvedCount = new AtomicLong();
    private final AtomicLong manualCount = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final AtomicLong notifierFailures = new AtomicLong();

    public AlertEngine() {
        this(DEFAULT_HISTORY_CAPACITY, List.of());
    }

    /**
     * @param historyCapacity how many alerts {@link #history()} keeps, at least 1
     * @param notifiers       owned by the engine from now on: {@link #close()} closes them
     */
    public AlertEngine(int historyCapacity, List<? extends AlertNotifier> notifiers) {
        this(historyCapacity, notifiers, DEFAULT_REPEAT_INTERVAL, null);
    }

    /**
     * @param historyCapacity how many alerts {@link #history()} keeps, at least 1
     * @param notifiers       owned by the engine from now on: {@link #close()} closes them
     * @param repeatInterval  how often a FIRING alert nobody acknowledged or silenced is told again; zero: never
     * @param silences        consulted before each notification; null: nothing is ever silenced
     */
    public AlertEngine(int historyCapacity, List<? extends AlertNotifier> notifiers, Duration repeatInterval,
                       Silences silences) {
        if (historyCapacity < 1) {
            throw new IllegalArgumentException("historyCapacity must be at least 1, but was " + historyCapacity);
        }
        Objects.requireNonNull(repeatInterval, "repeatInterval");
        if (repeatInterval.isNegative()) {
            throw new IllegalArgumentException("repeatInterval must be zero (no reminders) or more, but was "
                    + repeatInterval);
        }
        this.historyCapacity = historyCapacity;
        this.notifiers = List.copyOf(notifiers);
        this.paging = new Paging(repeatInterval, silences, !this.notifiers.isEmpty());
    }

    /** Adds a rule, or replaces the rule with the same id (see the class comment for the states it drops). */
    public void putRule(AlertRule rule) {
        Objects.requireNonNull(rule, "rule");
        List<Notice> out = new ArrayList<>();
        synchronized (lock) {
            Entry old = rules.put(rule.id(), Entry.of(rule));
            if (old != null && !old.rule().equals(rule)) {
                dropTracks(old.rule(), rule.enabled() ? "rule changed" : "rule disabled", out);
            }
            record(out, false);
        }
        dispatch(out, false);
    }

    /**
     * Makes the engine hold exactly these rules, in this order, in one step: an unchanged rule keeps its states,
     * a changed, disabled or removed one drops them as {@link #putRule} and {@link #removeRule} do.
     *
     * @throws IllegalArgumentException when two rules share an id (nothing changes)
     */
    public void replaceRules(List<AlertRule> next) {
        Objects.requireNonNull(next, "next");
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (AlertRule r : next) {
            if (entries.put(r.id(), Entry.of(Objects.requireNonNull(r, "rule"))) != null) {
                throw new IllegalArgumentException("two rules have the id '" + r.id() + "'; expected each id once");
            }
        }
        List<Notice> out = new ArrayList<>();
        synchronized (lock) {
            Map<String, Entry> old = new LinkedHashMap<>(rules);
            rules.clear();
            rules.putAll(entries);
            for (Entry e : entries.values()) {
                Entry prev = old.remove(e.rule().id());
                if (prev != null && !prev.rule().equals(e.rule())) {
                    dropTracks(prev.rule(), e.rule().enabled() ? "rule changed" : "rule disabled", out);
                }
            }
            for (Entry gone : old.values()) {
                dropTracks(gone.rule(), "rule removed", out);
            }
            record(out, false);
        }
        dispatch(out, false);
    }

    /** @return whether a rule had that id */
    public boolean removeRule(String id) {
        List<Notice> out = new ArrayList<>();
        Entry old;
        synchronized (lock) {
            old = rules.remove(id);
            if (old != null) {
                dropTracks(old.rule(), "rule removed", out);
            }
            record(out, false);
        }
        dispatch(out, false);
        return old != null;
    }

    /** The rules in the order they were first registered. */
    public List<AlertRule> rules() {
        synchronized (lock) {
            return rules.values().stream().map(Entry::rule).toList();
        }
    }

    /**
     * Applies every enabled rule to one sample of metrics. A sample older than the previous one is logged
     * and ignored: durations measured backwards would fire or resolve at random.
     *
     * @param at      when the sample was taken
     * @param metrics concrete metric keys to values; NaN or null means "not measured"
     */
    public void evaluate(Instant at, Map<String, Double> metrics) {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(metrics, "metrics");
        List<Notice> out = new ArrayList<>();
        synchronized (lock) {
            if (lastAt != null && at.isBefore(lastAt)) {
                samplesSkipped.incrementAndGet();
                log.warn("alert engine - sample at {} is older than the previous one at {}; ignored", at, lastAt);
                return;
            }
            lastAt = at;
            evaluations.incrementAndGet();
            for (Entry e : rules.values()) {
                if (!e.rule().enabled()) {
                    continue;
                }
                if (e.pattern() == null) {
                    step(e.rule(), e.rule().metric(), metrics.get(e.rule().metric()), at, out);
                } else {
                    for (Map.Entry<String, Double> m : metrics.entrySet()) {
                        if (m.getKey() != null && e.matches(m.getKey())) {
                            step(e.rule(), m.getKey(), m.getValue(), at, out);
                        }
                    }
                }
            }
            record(out, false);
        }
        dispatch(out, false);
    }

    private void step(AlertRule rule, String key, Double sample, Instant at, List<Notice> out) {
        if (sample == null || sample.isNaN()) {
            return;
        }
        double value = sample;
        Map<String, Track> byKey = tracks.computeIfAbsent(rule.id(), id -> new HashMap<>());
        Track t = byKey.get(key);
        boolean holds = rule.operator().test(value, rule.threshold());
        if (t == null) {
            if (!holds) {
                return; // OK stays OK: keeps no state for the thousands of subjects that are fine
            }
            t = new Track();
            byKey.put(key, t);
        }
        t.lastValue = value;
        switch (t.phase) {
            case OK, RESOLVED -> {
                if (!holds) {
                    byKey.remove(key);
                } else {
                    t.since = at;
                    if (rule.forDuration().isZero()) {
                        fire(rule, key, t, value, at, out);
                    } else {
                        t.phase = Phase.PENDING;
                        pendingCount.incrementAndGet();
                        t.pending = alert(rule, key, AlertState.PENDING, value, t.since, at,
                                key + " = " + Alert.format(key, value) + " " + rule.operator().symbol() + " "
                                        + Alert.format(key, rule.threshold()) + ", pending (fires after "
                                        + Durations.format(rule.forDuration()) + ")");
                        out.add(Notice.transition(t.pending, false));
                    }
                }
            }
            case PENDING -> {
                if (!holds) {
                    byKey.remove(key); // back to OK without a word
                } else if (Duration.between(t.since, at).compareTo(rule.forDuration()) >= 0) {
                    fire(rule, key, t, value, at, out);
                }
            }
            case FIRING -> {
                if (holds) {
                    t.clearSince = null;
                    t.clearSamples = 0;
                } else {
                    if (t.clearSince == null) {
                        t.clearSince = at;
                    }
                    t.clearSamples++;
                    Duration holdDown = rule.forDuration().dividedBy(2);
                    if (t.clearSamples >= 2 && Duration.between(t.clearSince, at).compareTo(holdDown) >= 0) {
                        resolve(rule, key, t, value, at, out, null);
                        return;
                    }
                }
                Notice due = paging.stillFiring(t.page, rule, key, value, t.since, at);
                if (due != null) {
                    out.add(due);
                }
            }
        }
    }

    private void fire(AlertRule rule, String key, Track t, double value, Instant at, List<Notice> out) {
        t.phase = Phase.FIRING;
        t.clearSince = null;
        t.clearSamples = 0;
        Duration held = Duration.between(t.since, at);
        String message = key + " = " + Alert.format(key, value) + " " + rule.operator().symbol() + " "
                + Alert.format(key, rule.threshold()) + (held.isZero() ? "" : " for " + Durations.forPeople(held));
        t.firing = alert(rule, key, AlertState.FIRING, value, t.since, at, message);
        firingCount.incrementAndGet();
        out.add(Notice.transition(t.firing, paging.fired(t.page, rule.id(), key, at)));
    }

    private void resolve(AlertRule rule, String key, Track t, double value, Instant at, List<Notice> out, String why) {
        t.phase = Phase.RESOLVED;
        t.firing = null;
        boolean owed = paging.resolved(t.page);
        resolvedCount.incrementAndGet();
        String message = key + " = " + Alert.format(key, value) + ", no longer " + rule.operator().symbol() + " "
                + Alert.format(key, rule.threshold()) + " (was true for "
                + Durations.forPeople(Duration.between(t.since, at)) + ")" + (why == null ? "" : "; " + why);
        out.add(Notice.transition(alert(rule, key, AlertState.RESOLVED, value, t.since, at, message), owed));
    }

    private void dropTracks(AlertRule rule, String why, List<Notice> out) {
        Map<String, Track> byKey = tracks.remove(rule.id());
        if (byKey == null) {
            return;
        }
        Instant at = lastAt == null ? Instant.now() : lastAt;
        for (Map.Entry<String, Track> e : byKey.entrySet()) {
            Track t = e.getValue();
            if (t.phase == Phase.FIRING) {
                resolve(rule, e.getKey(), t, t.lastValue, at.isBefore(t.since) ? t.since : at, out, why);
            }
        }
    }

    static Alert alert(AlertRule rule, String key, AlertState state, double value, Instant since,
                               Instant at, String message) {
        return new Alert(rule.id(), rule.name(), key, rule.severity(), state, value, rule.threshold(),
                rule.operator(), since, at, message);
    }

    /**
     * Puts an earlier engine's history (oldest first) before this one's, as far as the capacity holds: a console
     * back on a target shows what fired there before. Nothing is sent to listeners or notifiers.
     */
    public void seedHistory(List<Alert> earlier) {
        synchronized (lock) {
            List<Alert> mine = List.copyOf(history);
            history.clear();
            for (Alert a : earlier) {
                history.addLast(Objects.requireNonNull(a, "alert"));
            }
            history.addAll(mine);
            while (history.size() > historyCapacity) {
                history.removeFirst();
            }
        }
    }

    /** Records a manual alert in the history and sends it to listeners and notifiers. */
    public void raiseManual(Alert alert) {
        Objects.requireNonNull(alert, "alert");
        manualCount.incrementAndGet();
        List<Notice> out = List.of(Notice.transition(alert, true));
        synchronized (lock) {
            record(out, true);
        }
        dispatch(out, true);
    }

    /** Call under the lock, so that the history's order is the order of the transitions. */
    private void record(List<Notice> out, boolean manual) {
        for (Notice n : out) {
            Alert a = n.alert();
            if (n.listeners() && (manual || a.state() != AlertState.PENDING)) {
                history.addLast(a);
                while (history.size() > historyCapacity) {
                    history.removeFirst();
                }
            }
        }
    }

    /** Call outside the lock: a listener may read the engine, or be slow. */
    private void dispatch(List<Notice> out, boolean manual) {
        for (Notice notice : out) {
            Alert a = notice.alert();
            for (Consumer<Alert> l : notice.listeners() ? listeners : List.<Consumer<Alert>>of()) {
                try {
                    l.accept(a);
                } catch (RuntimeException | LinkageError e) {
                    listenerFailures.incrementAndGet();
                    log.warn("{} - alert listener {} failed on {} {}; skipped", a.ruleId(), l, a.state(), a.subject(), e);
                }
            }
            if (!notice.notifiers()) {
                continue;
            }
            for (AlertNotifier n : notifiers) {
                try {
                    if (notice.reminder()) {
                        n.remind(a);
                    } else {
                        n.send(a);
                    }
                } catch (RuntimeException | LinkageError e) {
                    notifierFailures.incrementAndGet();
                    log.warn("{} - alert notifier {} failed on {} {}; skipped", a.ruleId(),
                            n.getClass().getSimpleName(), a.state(), a.subject(), e);
                }
            }
        }
    }

    /** Listens to every alert transition; a listener that throws is logged and skipped. */
    public Subscription subscribe(Consumer<Alert> listener) {
        Objects.requireNonNull(listener, "listener");
        // a wrapper, so that subscribing the same listener twice gives two independent subscriptions
        Consumer<Alert> wrapper = new Consumer<>() {
            @Override
            public void accept(Alert a) {
                listener.accept(a);
            }

            @Override
            public String toString() {
                return listener.toString();
            }
        };
        listeners.add(wrapper);
        return () -> listeners.remove(wrapper);
    }

    /** The alerts FIRING now, as they were when they fired; manual alerts are not tracked here. */
    public List<Alert> active() {
        synchronized (lock) {
            List<Alert> result = new ArrayList<>();
            for (Map<String, Track> byKey : tracks.values()) {
                for (Track t : byKey.values()) {
                    if (t.phase == Phase.FIRING) {
                        result.add(t.firing);
                    }
                }
            }
            result.sort(Comparator.comparing(Alert::since).thenComparing(Alert::ruleId)
                    .thenComparing(Alert::subject));
            return List.copyOf(result);
        }
    }

    /**
     * The alerts PENDING or FIRING now, each as it was when it entered that state: what a rules table shows as
     * a rule's state. Ordered like {@link #active()}.
     */
    public List<Alert> current() {
        synchronized (lock) {
            List<Alert> result = new ArrayList<>();
            for (Map<String, Track> byKey : tracks.values()) {
                for (Track t : byKey.values()) {
                    if (t.phase == Phase.FIRING) {
                        result.add(t.firing);
                    } else if (t.phase == Phase.PENDING) {
                        result.add(t.pending);
                    }
                }
            }
            result.sort(Comparator.comparing(Alert::since).thenComparing(Alert::ruleId)
                    .thenComparing(Alert::subject));
            return List.copyOf(result);
        }
    }

    /** The state of one (rule, subject); empty when it is OK or unknown. */
    public Optional<AlertState> stateOf(String ruleId, String subject) {
        synchronized (lock) {
            Track t = tracks.getOrDefault(ruleId, Map.of()).get(subject);
            if (t == null || t.phase == Phase.OK) {
                return Optional.empty();
            }
            return Optional.of(AlertState.valueOf(t.phase.name()));
        }
    }

    /**
     * Marks a FIRING alert as acknowledged: it stays FIRING and listed, and gets no reminders until it resolves.
     *
     * @return true when that rule and subject are FIRING (now acknowledged, or already were); false when they are
     *         not (pending, resolved, unknown), and nothing changed
     */
    public boolean acknowledge(AlertKey key) {
        Objects.requireNonNull(key, "key");
        synchronized (lock) {
            Track t = tracks.getOrDefault(key.ruleId(), Map.of()).get(key.subject());
            if (t == null || t.phase != Phase.FIRING) {
                return false;
            }
            paging.acknowledge(t.page, key);
            return true;
        }
    }

    /** The FIRING alerts acknowledged now. */
    public java.util.Set<AlertKey> acknowledged() {
        synchronized (lock) {
            java.util.Set<AlertKey> result = new java.util.HashSet<>();
            tracks.forEach((ruleId, byKey) -> byKey.forEach((subject, t) -> {
                if (t.phase == Phase.FIRING && t.page.acknowledged) {
                    result.add(new AlertKey(ruleId, subject));
                }
            }));
            return java.util.Set.copyOf(result);
        }
    }

    /** How often a FIRING alert is told again; zero when never. */
    public Duration repeatInterval() {
        return paging.repeatInterval();
    }

    /** FIRING, RESOLVED and manual alerts, oldest first, at most the history capacity. */
    public List<Alert> history() {
        synchronized (lock) {
            return List.copyOf(history);
        }
    }

    /** Counters for the metrics registry: transitions by kind, evaluations, failures. */
    public Map<String, Long> counts() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("evaluations", evaluations.get());
        m.put("samplesSkipped", samplesSkipped.get());
        m.put("pending", pendingCount.get());
        m.put("firing", firingCount.get());
        m.put("resolved", resolvedCount.get());
        m.put("manual", manualCount.get());
        m.put("listenerFailures", listenerFailures.get());
        m.put("notifierFailures", notifierFailures.get());
        m.put("reminders", paging.reminders.get());
        m.put("silenced", paging.silenced.get());
        m.put("acknowledged", paging.acknowledgements.get());
        return Collections.unmodifiableMap(m);
    }

    /** Drops the listeners and closes the notifiers. */
    @Override
    public void close() {
        listeners.clear();
        for (AlertNotifier n : notifiers) {
            try {
                n.close();
            } catch (RuntimeException e) {
                log.warn("alert engine - notifier {} failed to close", n.getClass().getSimpleName(), e);
            }
        }
    }
}
