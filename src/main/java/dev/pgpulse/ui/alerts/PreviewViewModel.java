package dev.pgpulse.ui.alerts;

import dev.pgpulse.config.Durations;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.MetricKeys;
import dev.pgpulse.health.alert.MetricUnit;
import dev.pgpulse.health.alert.RulePreview;
import dev.pgpulse.orchestration.Snapshot;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The preview of the rule being edited: its metric's current value per subject, the last 15 minutes with the
 * threshold and the stretches it would have been FIRING (or PENDING), and how often it would have fired. The
 * replay is the core's {@link RulePreview}, redone when the rule or the history changes. Measured here (2 cores): about
 * 1 ms or less for the 180 points of 15 minutes at the default 5 s interval, ~3 ms for one key's 3,600 points, ~10 ms for
 * three endpoints' (most of it the engine matching keys to the rule, as it does live). So it runs on the FX thread,
 * where the snapshots arrive, and a new sample is replayed at most once a second; an edit of the rule at once.
 */
public final class PreviewViewModel {
    /** How far back the preview replays. */
    public static final Duration WINDOW = Duration.ofMinutes(15);
    /** How many line colours console.css has ({@code preview-series-0} ..); subjects beyond reuse them. */
    static final int SERIES_COLOURS = 6;
    private static final Duration REPLAY_EVERY = Duration.ofSeconds(1);
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    /** One subject as the table lists it. */
    public record SubjectRow(String subject, String key, String current, String state, String fired, int series) {
    }

    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper(this, "title", "Preview");
    private final ReadOnlyStringWrapper caption = new ReadOnlyStringWrapper(this, "caption", "");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(this, "summary",
            "Select a rule to see its preview");
    private final ReadOnlyStringWrapper state = new ReadOnlyStringWrapper(this, "state", "");
    private final ReadOnlyStringWrapper thresholdLegend = new ReadOnlyStringWrapper(this, "thresholdLegend", "");
    private final ReadOnlyIntegerWrapper wouldHaveFired = new ReadOnlyIntegerWrapper(this, "wouldHaveFired");
    private final ReadOnlyObjectWrapper<PreviewChartData> chart = new ReadOnlyObjectWrapper<>(this, "chart");
    private final ReadOnlyObjectWrapper<RulePreview> preview = new ReadOnlyObjectWrapper<>(this, "preview");
    private final ObservableList<SubjectRow> subjects = FXCollections.observableArrayList();
    private final ObservableList<SubjectRow> subjectsView = FXCollections.unmodifiableObservableList(subjects);

    private AlertRule rule;
    private boolean shownOnce;
    private MetricHistory.View history = MetricHistory.View.EMPTY;
    /** A newer history not replayed yet (see {@link #apply}); null when there is none. */
    private MetricHistory.View newer;
    private Instant replayedAt;

    /** The rule to preview, or null for none (the editor holds an invalid rule). */
    public void show(AlertRule rule) {
        if (rule != null) {
            shownOnce = true;
        }
        this.rule = rule;
        if (newer != null) {
            history = newer;
            newer = null;
        }
        recompute();
    }

    public void apply(Snapshot s) {
        if (s.history() == history) {
            return;
        }
        // A new sample replays at most once a second of snapshot time: at a health interval under a second the
        // history changes on nearly every poll, and a replay of three endpoints' 3,600 points costs ~10 ms (most of
        // it the engine matching keys to the rule), too much for every poll on the FX thread. An edit of the rule
        // replays at once.
        if (replayedAt != null && rule != null && s.at().isAfter(replayedAt)
                && Duration.between(replayedAt, s.at()).compareTo(REPLAY_EVERY) < 0) {
            newer = s.history();
            return;
        }
        replayedAt = s.at();
        history = s.history();
        newer = null;
        recompute();
    }

    private void recompute() {
        if (rule == null) {
            clear(shownOnce ? "Fix the rule to see a preview" : "Select a rule to see its preview");
            return;
        }
        RulePreview p = RulePreview.of(rule, history, WINDOW);
        String key = rule.metric();
        String condition = MetricUnit.condition(key, rule.operator(), rule.threshold());
        title.set("Preview: " + rule.name());
        thresholdLegend.set("threshold " + condition);
        preview.set(p);
        wouldHaveFired.set(p.wouldHaveFired());
        if (!p.hasData()) {
            caption.set(rule.metric() + " " + condition
                    + (rule.forDuration().isZero() ? "" : " for " + Durations.forPeople(rule.forDuration())));
            summary.set("No data for this metric yet: " + rule.metric() + " has no sample in the last "
                    + Durations.forPeople(WINDOW));
            state.set("");
            chart.set(null);
            setSubjects(List.of());
            return;
        }
        Duration span = Duration.between(p.from(), p.to());
        boolean whole = span.compareTo(WINDOW.minusSeconds(30)) >= 0;
        String last = Durations.forPeople(whole ? WINDOW : span);
        caption.set(rule.metric() + " " + condition
                + (rule.forDuration().isZero() ? "" : " for " + Durations.forPeople(rule.forDuration()))
                + MetricUnit.states(key).map(d -> " · " + d).orElse("") + " · last " + last);
        String window = whole ? last : last + " (the history so far)";
        summary.set(summary(p, window));
        state.set(!p.firingNow().isEmpty() ? "firing" : !p.pendingNow().isEmpty() ? "pending" : "ok");
        List<SubjectRow> rows = new ArrayList<>();
        for (int i = 0; i < p.subjects().size(); i++) {
            RulePreview.Subject s = p.subjects().get(i);
            rows.add(new SubjectRow(subjectName(s.key()), s.key(), MetricUnit.forPeople(s.key(), s.current()),
                    s.state().filter(st -> st != AlertState.RESOLVED).map(Enum::name).orElse("OK"),
                    s.fires() == 0 ? "never" : times(s.fires()), i % SERIES_COLOURS));
        }
        setSubjects(rows);
        chart.set(chartData(p, condition));
    }

    private static String summary(RulePreview p, String window) {
        StringBuilder sb = new StringBuilder("Would have fired ").append(times(p.wouldHaveFired()))
                .append(" in the last ").append(window);
        if (!p.firingNow().isEmpty()) {
            sb.append("; FIRING now on ").append(names(p.firingNow()));
        } else if (!p.pendingNow().isEmpty()) {
            sb.append("; PENDING now on ").append(names(p.pendingNow()));
        } else {
            sb.append("; OK now");
        }
        return sb.toString();
    }

    private static String names(List<RulePreview.Subject> subjects) {
        return subjects.stream().map(s -> subjectName(s.key())).collect(Collectors.joining(", "));
    }

    private static String times(int n) {
        return n == 1 ? "1 time" : n + " times";
    }

    /**
     * What a DBA calls the subject of a key: the endpoint or operation of a key that has one
     * ({@code pool.replica-1.awaiting} is {@code replica-1}), else the part it belongs to ({@code server}).
     */
    static String subjectName(String key) {
        for (String documented : MetricKeys.DOCUMENTED) {
            for (String placeholder : List.of("<endpoint>", "<operation>")) {
                int at = documented.indexOf(placeholder);
                if (at < 0) {
                    continue;
                }
                String prefix = documented.substring(0, at);
                String suffix = documented.substring(at + placeholder.length());
                if (key.length() > prefix.length() + suffix.length() && key.startsWith(prefix) && key.endsWith(suffix)) {
                    return key.substring(prefix.length(), key.length() - suffix.length());
                }
            }
        }
        int dot = key.indexOf('.');
        return dot < 0 ? key : key.substring(0, dot);
    }

    private void clear(String why) {
        title.set("Preview");
        caption.set("");
        summary.set(why);
        state.set("");
        thresholdLegend.set("");
        wouldHaveFired.set(0);
        preview.set(null);
        chart.set(null);
        setSubjects(List.of());
    }

    private void setSubjects(List<SubjectRow> rows) {
        if (!subjects.equals(rows)) {
            subjects.setAll(rows);
        }
    }

    private static PreviewChartData chartData(RulePreview p, String condition) {
        String key = p.rule().metric();
        long to = p.to().toEpochMilli();
        // at least ten seconds wide: one sample alone still has a place
        long from = Math.min(p.from().toEpochMilli(), to - 10_000);
        double min = Math.min(0, p.rule().threshold());
        double max = Math.max(0, p.rule().threshold());
        List<PreviewChartData.Line> lines = new ArrayList<>();
        List<PreviewChartData.Band> firing = new ArrayList<>();
        List<PreviewChartData.Band> pending = new ArrayList<>();
        for (int i = 0; i < p.subjects().size(); i++) {
            RulePreview.Subject s = p.subjects().get(i);
            MetricHistory.Series series = s.series();
            long[] times = new long[series.size()];
            double[] values = new double[series.size()];
            for (int j = 0; j < series.size(); j++) {
                times[j] = series.at(j).toEpochMilli();
                values[j] = series.value(j);
                if (Double.isFinite(values[j])) {
                    min = Math.min(min, values[j]);
                    max = Math.max(max, values[j]);
                }
            }
            String name = subjectName(s.key());
            lines.add(new PreviewChartData.Line(name, i % SERIES_COLOURS, times, values));
            s.firing().forEach(f -> firing.add(band(name, f)));
            s.pending().forEach(f -> pending.add(band(name, f)));
        }
        if (MetricUnit.of(key) == MetricUnit.RATIO && max <= 1 && min >= 0) {
            max = Math.max(max, Math.min(1, max * 1.1)); // a little room above the line, never past 100 %
        }
        double step = PreviewAxis.step(key, max - min);
        double low = Math.floor(min / step) * step;
        double high = Math.ceil(max / step) * step;
        if (high <= low) {
            high = low + step;
        }
        List<PreviewChartData.Tick> valueTicks = PreviewAxis.ticks(low, high, step).stream()
                .map(v -> new PreviewChartData.Tick(v, MetricUnit.forPeople(key, v))).toList();
        return new PreviewChartData(from, to, low, high, valueTicks, timeTicks(from, to), p.rule().threshold(),
                "threshold " + condition, lines, firing, pending);
    }

    private static PreviewChartData.Band band(String subject, RulePreview.Stretch s) {
        return new PreviewChartData.Band(subject, s.from().toEpochMilli(), s.to().toEpochMilli());
    }

    /** Clock times at round steps, about five over the span. */
    static List<PreviewChartData.Tick> timeTicks(long from, long to) {
        long[] steps = {1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
                1_800_000, 3_600_000};
        long step = steps[steps.length - 1];
        for (long s : steps) {
            if ((to - from) / s <= 5) {
                step = s;
                break;
            }
        }
        DateTimeFormatter f = step >= 60_000 ? MINUTES : SECONDS;
        List<PreviewChartData.Tick> ticks = new ArrayList<>();
        for (long t = Math.floorDiv(from + step - 1, step) * step; t <= to; t += step) {
            ticks.add(new PreviewChartData.Tick(t, f.format(Instant.ofEpochMilli(t))));
        }
        return ticks;
    }

    /** "Preview: <rule name>". */
    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** The rule's condition, the unit and the time shown: {@code server.longest_transaction_seconds > 2 s for 5 s · last 2 min}. */
    public ReadOnlyStringProperty captionProperty() {
        return caption.getReadOnlyProperty();
    }

    /** "Would have fired 2 times in the last 15 min; FIRING now on primary", or why there is nothing to show. */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** "firing", "pending", "ok", or "" without a preview: a pseudo-class for the summary. */
    public ReadOnlyStringProperty stateProperty() {
        return state.getReadOnlyProperty();
    }

    /** The threshold line's legend: "threshold > 2 s". */
    public ReadOnlyStringProperty thresholdLegendProperty() {
        return thresholdLegend.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty wouldHaveFiredProperty() {
        return wouldHaveFired.getReadOnlyProperty();
    }

    /** What the chart draws; null when there is nothing (no rule, or no data). */
    public ReadOnlyObjectProperty<PreviewChartData> chartProperty() {
        return chart.getReadOnlyProperty();
    }

    /** The core's replay behind everything shown; null without a rule. */
    public ReadOnlyObjectProperty<RulePreview> previewProperty() {
        return preview.getReadOnlyProperty();
    }

    /** The subjects with their current values, in the chart's order; read-only. */
    public ObservableList<SubjectRow> subjects() {
        return subjectsView;
    }
}
