package dev.pgpulse.ui.alerts;

import dev.pgpulse.config.Environment;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.RulePreview;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.orchestration.Status;
import dev.pgpulse.testing.TestSnapshots;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The preview's view model over metric histories built sample by sample as the orchestrator records them: the
 * threshold line, the shading and the count follow an edit of the rule at once; values are in the metric's unit.
 * The same on a real server, through the console window: ui.AlertsPreviewTest.
 */
class PreviewViewModelTest {
    private static final Instant T0 = Instant.parse("2026-12-02T06:00:00Z");
    private static final String LONGEST = "server.longest_transaction_seconds";

    private static Snapshot snapshot(MetricHistory.View history) {
        return snapshot(history, T0);
    }

    private static Snapshot snapshot(MetricHistory.View history, Instant at) {
        return new Snapshot(at, new Status(Status.State.RUNNING, List.of(), T0), "postgresql://x", false,
                Environment.DEVELOPMENT, null, null, List.of(), List.of(), history, null, TestSnapshots.quietAlerting());
    }

    /** A sample every 5 s for {@code n} samples, the values of each key given by its function of the index. */
    private static MetricHistory history(int n, Map<String, IntFunction<Double>> keys) {
        MetricHistory h = new MetricHistory();
        for (int i = 0; i < n; i++) {
            Map<String, Double> sample = new HashMap<>();
            for (var e : keys.entrySet()) {
                Double v = e.getValue().apply(i);
                if (v != null) {
                    sample.put(e.getKey(), v);
                }
            }
            h.record(T0.plusSeconds(5L * i), sample);
        }
        return h;
    }

    private static AlertRule rule(String metric, Operator op, double threshold, Duration forDuration) {
        return new AlertRule("edited", "Long transactions", metric, op, threshold, forDuration, Severity.WARNING, true);
    }

    /** Two spikes of the longest transaction: 40 s of 30 s and later 20 s of 90 s; quiet (2 s) otherwise. */
    private static MetricHistory twoSpikes() {
        return history(60, Map.of(LONGEST, i -> i >= 10 && i < 18 ? 30.0 : i >= 40 && i < 44 ? 90.0 : 2.0));
    }

    @Test
    void changingTheThresholdMovesTheLineAndTheShadingAndTheCountAtOnce() {
        PreviewViewModel vm = new PreviewViewModel();
        vm.apply(snapshot(twoSpikes().view()));
        vm.show(rule(LONGEST, Operator.GT, 10, Duration.ofSeconds(10)));

        assertThat(vm.wouldHaveFiredProperty().get()).isEqualTo(2);
        assertThat(vm.summaryProperty().get()).isEqualTo(
                "Would have fired 2 times in the last 4 min 55 s (the history so far); OK now");
        PreviewChartData c = vm.chartProperty().get();
        assertThat(c.threshold()).isEqualTo(10);
        assertThat(c.thresholdLabel()).isEqualTo("threshold > 10 s");
        assertThat(vm.thresholdLegendProperty().get()).isEqualTo("threshold > 10 s");
        // first spike: true from 50 s, FIRING from 60 s (for 10 s), resolved on the 2nd false sample 5 s apart
        long t0 = T0.toEpochMilli();
        assertThat(c.firing()).containsExactly(new PreviewChartData.Band("server", t0 + 60_000, t0 + 95_000),
                new PreviewChartData.Band("server", t0 + 210_000, t0 + 225_000));
        assertThat(c.pending()).containsExactly(new PreviewChartData.Band("server", t0 + 50_000, t0 + 60_000),
                new PreviewChartData.Band("server", t0 + 200_000, t0 + 210_000));
        assertThat(c.high()).as("the axis reaches the highest value").isGreaterThanOrEqualTo(90);

        // the DBA types a higher threshold: only the second spike is over it
        vm.show(rule(LONGEST, Operator.GT, 60, Duration.ofSeconds(10)));
        assertThat(vm.wouldHaveFiredProperty().get()).isEqualTo(1);
        assertThat(vm.summaryProperty().get()).startsWith("Would have fired 1 time in the last");
        PreviewChartData moved = vm.chartProperty().get();
        assertThat(moved.threshold()).isEqualTo(60);
        assertThat(moved.thresholdLabel()).isEqualTo("threshold > 1 min");
        assertThat(moved.firing()).containsExactly(new PreviewChartData.Band("server", t0 + 210_000, t0 + 225_000));

        // and a longer "for" than the second spike lasts: pending only, nothing fired
        vm.show(rule(LONGEST, Operator.GT, 60, Duration.ofSeconds(30)));
        assertThat(vm.wouldHaveFiredProperty().get()).isZero();
        assertThat(vm.chartProperty().get().firing()).isEmpty();
        assertThat(vm.chartProperty().get().pending()).containsExactly(
                new PreviewChartData.Band("server", t0 + 200_000, t0 + 220_000));
        assertThat(vm.summaryProperty().get()).startsWith("Would have fired 0 times in the last");
    }

    @Test
    void aNewSampleInTheHistoryIsReplayedAndTheSameOneIsNot() {
        PreviewViewModel vm = new PreviewViewModel();
        vm.show(rule(LONGEST, Operator.GT, 10, Duration.ZERO));
        MetricHistory h = history(3, Map.of(LONGEST, i -> 2.0));
        vm.apply(snapshot(h.view()));
        RulePreview first = vm.previewProperty().get();
        assertThat(vm.subjects()).singleElement().satisfies(r -> assertThat(r.current()).isEqualTo("2 s"));
        vm.apply(snapshot(h.view()));
        assertThat(vm.previewProperty().get()).as("the same history is not replayed again").isSameAs(first);

        h.record(T0.plusSeconds(15), Map.of(LONGEST, 75.0));
        vm.apply(snapshot(h.view()));
        assertThat(vm.subjects()).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo("server");
            assertThat(r.current()).isEqualTo("1 min 15 s");
            assertThat(r.state()).isEqualTo("FIRING");
            assertThat(r.fired()).isEqualTo("1 time");
        });
        assertThat(vm.summaryProperty().get()).endsWith("; FIRING now on server");
        assertThat(vm.stateProperty().get()).isEqualTo("firing");
    }

    @Test
    void newSamplesReplayAtMostOnceASecondButAnEditOfTheRuleAtOnceOverTheNewestHistory() {
        PreviewViewModel vm = new PreviewViewModel();
        vm.show(rule(LONGEST, Operator.GT, 10, Duration.ZERO));
        MetricHistory h = history(3, Map.of(LONGEST, i -> 2.0));
        vm.apply(snapshot(h.view(), T0));
        h.record(T0.plusSeconds(15), Map.of(LONGEST, 75.0));
        vm.apply(snapshot(h.view(), T0.plusMillis(400)));
        assertThat(vm.wouldHaveFiredProperty().get()).as("within the second: not yet").isZero();
        vm.apply(snapshot(h.view(), T0.plusMillis(1_000)));
        assertThat(vm.wouldHaveFiredProperty().get()).as("a second later").isEqualTo(1);

        h.record(T0.plusSeconds(20), Map.of(LONGEST, 2.0));
        h.record(T0.plusSeconds(25), Map.of(LONGEST, 2.0));
        h.record(T0.plusSeconds(30), Map.of(LONGEST, 80.0));
        vm.apply(snapshot(h.view(), T0.plusMillis(1_300)));
        assertThat(vm.wouldHaveFiredProperty().get()).isEqualTo(1);
        vm.show(rule(LONGEST, Operator.GT, 50, Duration.ZERO));
        assertThat(vm.wouldHaveFiredProperty().get()).as("an edit replays the newest history at once").isEqualTo(2);
    }

    /** In the pane as wide as the window gives it, the summary of a rule firing on three endpoints wraps, uncut. */
    @Test
    void aLongSummaryWrapsInThePaneInsteadOfBeingCut() throws Exception {
        MetricHistory h = history(20, Map.of(
                "pool.primary.usage_ratio", i -> 0.95,
                "pool.replica-1.usage_ratio", i -> 0.97,
                "pool.replica-2.usage_ratio", i -> 0.99));
        Stage stage = FxToolkit.registerPrimaryStage();
        Label summary = WaitForAsyncUtils.asyncFx(() -> {
            PreviewViewModel vm = new PreviewViewModel();
            vm.show(rule("pool.*.usage_ratio", Operator.GE, 0.9, Duration.ofSeconds(15)));
            vm.apply(snapshot(h.view()));
            PreviewPane pane = new PreviewPane(vm);
            Scene scene = new Scene(pane, 560, 440);
            scene.getStylesheets().add(dev.pgpulse.ui.Screenshots.class.getResource("/dev/pgpulse/ui/console.css")
                    .toExternalForm());
            stage.setScene(scene);
            stage.show();
            return (Label) pane.lookup("#preview-summary");
        }).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        String full = "Would have fired 3 times in the last 1 min 35 s (the history so far); "
                + "FIRING now on primary, replica-1, replica-2";
        assertThat(WaitForAsyncUtils.asyncFx(summary::getText).get(60, TimeUnit.SECONDS)).isEqualTo(full);
        assertThat(WaitForAsyncUtils.asyncFx(() -> ((Text) summary.lookup(".text")).getText()).get(60, TimeUnit.SECONDS))
                .as("what is drawn: every word, no ellipsis").isEqualTo(full);
        dev.pgpulse.ui.Screenshots.save(stage.getScene(), "alerts-preview-summary");
    }

    @Test
    void aPatternRuleListsEveryEndpointWithItsValueInPercentAndSaysWhichFiresNow() {
        MetricHistory h = history(20, Map.of(
                "pool.primary.usage_ratio", i -> i >= 12 ? 0.95 : 0.30,
                "pool.replica-1.usage_ratio", i -> 0.125,
                "pool.replica-2.usage_ratio", i -> i >= 18 ? 0.99 : 0.5,
                "pool.primary.awaiting", i -> 4.0));
        PreviewViewModel vm = new PreviewViewModel();
        vm.show(rule("pool.*.usage_ratio", Operator.GE, 0.9, Duration.ofSeconds(15)));
        vm.apply(snapshot(h.view()));

        assertThat(vm.subjects()).extracting(PreviewViewModel.SubjectRow::subject)
                .containsExactly("primary", "replica-1", "replica-2");
        assertThat(vm.subjects()).extracting(PreviewViewModel.SubjectRow::current)
                .containsExactly("95%", "12.5%", "99%");
        assertThat(vm.subjects()).extracting(PreviewViewModel.SubjectRow::state)
                .containsExactly("FIRING", "OK", "PENDING");
        assertThat(vm.subjects()).extracting(PreviewViewModel.SubjectRow::series).containsExactly(0, 1, 2);
        assertThat(vm.summaryProperty().get()).isEqualTo(
                "Would have fired 1 time in the last 1 min 35 s (the history so far); FIRING now on primary");
        assertThat(vm.captionProperty().get())
                .isEqualTo("pool.*.usage_ratio >= 90% for 15 s · last 1 min 35 s");
        PreviewChartData c = vm.chartProperty().get();
        assertThat(c.lines()).extracting(PreviewChartData.Line::subject).containsExactly("primary", "replica-1", "replica-2");
        assertThat(c.lines().getFirst().size()).isEqualTo(20);
        assertThat(c.high()).as("a ratio's axis stops at 100 %").isEqualTo(1.0);
        assertThat(c.valueTicks()).extracting(PreviewChartData.Tick::label).containsExactly("0%", "25%", "50%", "75%", "100%");
        assertThat(c.timeTicks()).isNotEmpty().allSatisfy(t -> assertThat(t.at()).isBetween((double) c.from(), (double) c.to()));
    }

    @Test
    void withoutDataOrWithoutAValidRuleItSaysSo() {
        PreviewViewModel vm = new PreviewViewModel();
        assertThat(vm.summaryProperty().get()).isEqualTo("Select a rule to see its preview");
        vm.apply(snapshot(history(5, Map.of(LONGEST, i -> 1.0)).view()));
        vm.show(rule("replication.lag_bytes", Operator.GT, 1_048_576, Duration.ZERO));
        assertThat(vm.summaryProperty().get())
                .isEqualTo("No data for this metric yet: replication.lag_bytes has no sample in the last 15 min");
        assertThat(vm.chartProperty().get()).isNull();
        assertThat(vm.subjects()).isEmpty();
        assertThat(vm.thresholdLegendProperty().get()).isEqualTo("threshold > 1 MB");

        vm.show(null); // the editor holds an invalid rule
        assertThat(vm.summaryProperty().get()).isEqualTo("Fix the rule to see a preview");
        assertThat(vm.previewProperty().get()).isNull();
        assertThat(vm.chartProperty().get()).isNull();
        assertThat(vm.titleProperty().get()).isEqualTo("Preview");
    }

    @Test
    void subjectsAreNamedAsADbaCallsThem() {
        assertThat(PreviewViewModel.subjectName("pool.replica-1.awaiting")).isEqualTo("replica-1");
        assertThat(PreviewViewModel.subjectName("query.bills.find.p95_ms")).isEqualTo("bills.find");
        assertThat(PreviewViewModel.subjectName("server.connections.used_ratio")).isEqualTo("server");
        assertThat(PreviewViewModel.subjectName("replication.lag_seconds")).isEqualTo("replication");
    }

    @Test
    void axisStepsAreRoundInTheMetricsUnit() {
        assertThat(PreviewAxis.step("server.longest_transaction_seconds", 3600)).isEqualTo(900);
        assertThat(PreviewAxis.step("replication.lag_seconds", 3)).isEqualTo(1);
        assertThat(PreviewAxis.step("query.bills.find.p95_ms", 400)).isEqualTo(100);
        assertThat(PreviewAxis.step("query.bills.find.p95_ms", 120_000)).as("30 s, a clock's step").isEqualTo(30_000);
        assertThat(PreviewAxis.step("server.cache_hit_ratio", 1)).isEqualTo(0.25);
        assertThat(PreviewAxis.step("pool.primary.awaiting", 2)).isEqualTo(1);
        assertThat(PreviewAxis.step("server.deadlocks_per_minute", 2)).as("whole deadlocks").isEqualTo(1);
        assertThat(PreviewAxis.step("traffic.primary.calls_per_second", 2)).as("a rate has fractions").isEqualTo(0.5);
        assertThat(PreviewAxis.step("endpoint.replica-1.health", 2)).isEqualTo(1);
        assertThat(PreviewAxis.step("breaker.primary.state", 0.5)).as("a state is whole").isEqualTo(1);
        assertThat(PreviewAxis.ticks(0, 1, 0.25)).containsExactly(0.0, 0.25, 0.5, 0.75, 1.0);
        long from = Instant.parse("2026-12-02T06:00:07Z").toEpochMilli();
        assertThat(PreviewViewModel.timeTicks(from, from + 15 * 60_000)).as("every 5 min").hasSize(3)
                .allSatisfy(t -> assertThat(t.label()).matches("\\d\\d:\\d\\d"));
    }
}
