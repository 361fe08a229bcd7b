package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.RulePreview;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.alerts.AlertsTab;
import dev.pgpulse.ui.alerts.PreviewChartData;
import dev.pgpulse.ui.alerts.PreviewViewModel;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.shape.Line;
import javafx.scene.shape.Polyline;
import javafx.scene.shape.Rectangle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Alerts tab's preview in the console window, headless, on a real orchestrator and a real PostgreSQL: two
 * transactions held open for real make {@code server.longest_transaction_seconds} spike twice; the preview of the
 * rule shows the threshold as a dashed line and the two stretches the rule was FIRING, shaded, where the running
 * engine fired it, and says it would have fired twice. Writes target/screenshots/alerts-preview.png.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(180)
class AlertsPreviewTest extends WindowTest {
    private static final String METRIC = "server.longest_transaction_seconds";


    @Test
    void thePreviewOfARuleAfterARealSpikeShowsTheThresholdAndTheFiringStretches(TestDatabase db) throws Exception {
        AlertRule rule = new AlertRule("long-transaction-preview", "Transaction open longer than 2 s", METRIC,
                Operator.GT, 2, Duration.ofSeconds(1), Severity.WARNING, true);
        Path rules = home.resolve("alert-rules.json");
        List<AlertRule> all = new ArrayList<>(DefaultRules.all());
        all.add(rule);
        new AlertRuleStore(rules).save(all);
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(Overrides.none());
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250), rules, false));
        closeLast.add(o);
        List<Alert> live = new CopyOnWriteArrayList<>();
        o.alerts().subscribe(a -> {
            if (a.ruleId().equals(rule.id())) {
                live.add(a);
            }
        });
        ConsoleWindow w = TestWindows.show(stage, o, Duration.ofMillis(250));
        closeLast.add(0, w);
        AlertsTab tab = fx(() -> w.consoleTabs().stream().filter(AlertsTab.class::isInstance)
                .map(AlertsTab.class::cast).findFirst().orElseThrow());
        PreviewViewModel vm = tab.viewModel().preview();
        fx(() -> {
            Tab alerts = w.tabs.getTabs().stream().filter(t -> "alerts-tab".equals(t.getId())).findFirst().orElseThrow();
            w.tabs.getSelectionModel().select(alerts);
            // until the rules editor drives it, the preview is told the rule as the editor would
            vm.show(rule);
            return null;
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> o.history().view().series(METRIC).size() >= 8);

        List<Instant[]> held = new ArrayList<>();
        for (int spike = 1; spike <= 2; spike++) {
            int firings = spike;
            try (Connection holder = db.connect()) {
                holder.setAutoCommit(false);
                try (var st = holder.createStatement()) {
                    st.execute("select txid_current()");
                }
                Instant from = Instant.now();
                await().atMost(Duration.ofSeconds(30)).until(() -> live.stream()
                        .filter(a -> a.state() == AlertState.FIRING).count() == firings);
                // the spike goes on a while FIRING, so that the stretch shows: until the transaction is 4.5 s old
                await().atMost(Duration.ofSeconds(20)).until(() -> o.history().view().series(METRIC).last() > 4.5);
                holder.commit();
                held.add(new Instant[]{from, Instant.now()});
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> live.stream()
                    .filter(a -> a.state() == AlertState.RESOLVED).count() == firings);
            // quiet between and after the spikes
            Instant quietFrom = Instant.now();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                var s = o.history().view().series(METRIC);
                return s.at(s.size() - 1).isAfter(quietFrom.plusSeconds(3));
            });
        }

        // the preview as the window shows it: the engine had seen every sample of the view it replayed
        await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> {
            RulePreview p = vm.previewProperty().get();
            return p != null && p.wouldHaveFired() == 2 && o.history().view().series(METRIC).at(
                    o.history().view().series(METRIC).size() - 1).isAfter(p.to());
        }));
        RulePreview p = fx(() -> vm.previewProperty().get());
        List<Alert> seen = live.stream().filter(a -> !a.at().isAfter(p.to())).toList();
        assertThat(p.wouldHaveFired()).as("the engine fired it as often")
                .isEqualTo(seen.stream().filter(a -> a.state() == AlertState.FIRING).count());
        assertThat(p.subjects().getFirst().firing()).extracting(RulePreview.Stretch::from)
                .containsExactlyElementsOf(seen.stream().filter(a -> a.state() == AlertState.FIRING).map(Alert::at).toList());
        assertThat(fx(() -> vm.summaryProperty().get())).startsWith("Would have fired 2 times in the last ")
                .endsWith("; OK now");
        PreviewChartData chart = fx(() -> vm.chartProperty().get());
        assertThat(chart.threshold()).isEqualTo(2);
        assertThat(chart.thresholdLabel()).isEqualTo("threshold > 2 s");
        assertThat(chart.firing()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            PreviewChartData.Band b = chart.firing().get(i);
            assertThat(b.from()).as("firing %d starts while the transaction is held", i)
                    .isBetween(held.get(i)[0].toEpochMilli(), held.get(i)[1].toEpochMilli());
            assertThat(b.to()).isGreaterThan(held.get(i)[1].toEpochMilli());
        }
        assertThat(fx(() -> vm.subjects().stream().map(PreviewViewModel.SubjectRow::subject).toList()))
                .containsExactly("server");

        // what was drawn: the dashed threshold across the plot at 2 s, two red stretches, the line
        Node chartNode = fx(() -> robot.lookup("#preview-chart").query());
        Rectangle plot = fx(() -> (Rectangle) chartNode.lookup(".preview-plot"));
        Line threshold = fx(() -> (Line) chartNode.lookup(".preview-threshold"));
        Set<Node> firing = fx(() -> chartNode.lookupAll(".preview-firing"));
        Set<Node> lines = fx(() -> chartNode.lookupAll(".preview-line"));
        assertThat(firing).hasSize(2).allSatisfy(r -> assertThat(((Rectangle) r).getWidth()).isGreaterThan(2));
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(((Polyline) l).getPoints()).hasSizeGreaterThan(4));
        assertThat(threshold.getStartX()).isEqualTo(plot.getX());
        assertThat(threshold.getEndX()).isEqualTo(plot.getX() + plot.getWidth());
        double expectedY = plot.getY() + plot.getHeight() * (1 - (2 - chart.low()) / (chart.high() - chart.low()));
        assertThat(threshold.getStartY()).isCloseTo(expectedY, org.assertj.core.data.Offset.offset(0.5));
        assertThat(fx(() -> threshold.getStrokeDashArray())).as("dashed (console.css)").isNotEmpty();
        Bounds shown = fx(() -> chartNode.localToScreen(chartNode.getBoundsInLocal()));
        assertThat(shown.getWidth()).isGreaterThan(300);
        assertThat(shown.getHeight()).isGreaterThan(140);
        assertThat(fx(() -> ((Label) robot.lookup("#preview-summary").query()).getText()))
                .isEqualTo(fx(() -> vm.summaryProperty().get()));
        assertThat(fx(() -> ((Label) robot.lookup("#preview-threshold-legend").query()).getText()))
                .isEqualTo("threshold > 2 s");

        Path png = Screenshots.save(stage.getScene(), "alerts-preview");
        Screenshots.save(fx(() -> robot.lookup(".preview-pane").query()), "alerts-preview-pane");
        assertThat(Files.size(png)).isPositive();

        // The DBA raises the threshold to just under the highest peak: the metric (growing a second per second)
        // stays over it for less than the rule's 1 s, so nothing fires; the line moves up at once.
        var series = p.subjects().getFirst().series();
        double peak = 0;
        for (int i = 0; i < series.size(); i++) {
            peak = Math.max(peak, series.value(i));
        }
        double raised = Math.floor((peak - 0.4) * 10) / 10;
        AlertRule higher = new AlertRule(rule.id(), rule.name(), METRIC, Operator.GT, raised, rule.forDuration(),
                rule.severity(), true);
        fx(() -> {
            vm.show(higher);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(fx(() -> vm.summaryProperty().get())).startsWith("Would have fired 0 times in the last ");
        PreviewChartData moved = fx(() -> vm.chartProperty().get());
        assertThat(moved.threshold()).isEqualTo(raised);
        Line movedLine = fx(() -> (Line) chartNode.lookup(".preview-threshold"));
        double movedY = plot.getY() + plot.getHeight() * (1 - (raised - moved.low()) / (moved.high() - moved.low()));
        assertThat(movedLine.getStartY()).isCloseTo(movedY, org.assertj.core.data.Offset.offset(0.5))
                .isLessThan(threshold.getStartY());
        assertThat(fx(() -> chartNode.lookupAll(".preview-firing"))).isEmpty();
        assertThat(fx(() -> chartNode.lookupAll(".preview-pending"))).hasSizeBetween(1, 2);
        assertThat(fx(() -> ((Label) robot.lookup("#preview-threshold-legend").query()).getText()))
                .isEqualTo(fx(() -> vm.thresholdLegendProperty().get()))
                .isEqualTo("threshold > " + (raised == Math.rint(raised) ? (long) raised + " s"
                        : String.format(java.util.Locale.ROOT, "%.1f s", raised)));
    }
}
