package dev.pgpulse.health.alert;

import dev.pgpulse.health.MetricHistory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The preview replays a real metric history (built here sample by sample, as the orchestrator records it) through
 * the engine: the stretches, the count and the state now are the engine's. The run on a real server is in
 * orchestration.RulePreviewOnARealServerTest.
 */
class RulePreviewTest {
    private static final Instant T0 = Instant.parse("2026-12-02T06:00:00Z");
    private static final String LONGEST = "server.longest_transaction_seconds";

    private static AlertRule rule(String metric, Operator op, double threshold, Duration forDuration) {
        return new AlertRule("preview-me", "Preview me", metric, op, threshold, forDuration, Severity.WARNING, true);
    }

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    /** One key, a sample every 5 s, the values given. */
    private static MetricHistory history(String key, double... values) {
        MetricHistory h = new MetricHistory();
        for (int i = 0; i < values.length; i++) {
            h.record(at(5L * i), Map.of(key, values[i]));
        }
        return h;
    }

    @Test
    void aSpikeLongerThanForIsPendingThenFiringUntilTheHoldDownResolvesIt() {
        // 0..25 s quiet, 30..70 s over the threshold (9 samples), then quiet again
        double[] v = {1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1, 1, 1, 1, 1, 1};
        RulePreview p = RulePreview.of(rule(LONGEST, Operator.GT, 5, Duration.ofSeconds(20)), history(LONGEST, v).view());

        assertThat(p.hasData()).isTrue();
        assertThat(p.wouldHaveFired()).isEqualTo(1);
        assertThat(p.from()).isEqualTo(at(0));
        assertThat(p.to()).isEqualTo(at(100));
        RulePreview.Subject s = p.subjects().getFirst();
        assertThat(s.key()).isEqualTo(LONGEST);
        assertThat(s.current()).isEqualTo(1);
        assertThat(s.series().size()).isEqualTo(v.length);
        // pending from the first true sample until "for" has held; firing from then on
        assertThat(s.pending()).containsExactly(new RulePreview.Stretch(at(30), at(50), false));
        // the first false sample is at 75 s; the hold-down (2 samples spanning for/2 = 10 s) resolves at 85 s
        assertThat(s.firing()).containsExactly(new RulePreview.Stretch(at(50), at(85), false));
        assertThat(s.fires()).isEqualTo(1);
        assertThat(s.state()).isEmpty();
        assertThat(p.firingNow()).isEmpty();
    }

    @Test
    void aSpikeShorterThanForIsOnlyPendingAndFiresNothing() {
        double[] v = {1, 9, 9, 9, 1, 1};
        RulePreview p = RulePreview.of(rule(LONGEST, Operator.GT, 5, Duration.ofSeconds(30)), history(LONGEST, v).view());
        assertThat(p.wouldHaveFired()).isZero();
        assertThat(p.subjects().getFirst().firing()).isEmpty();
        assertThat(p.subjects().getFirst().pending()).containsExactly(new RulePreview.Stretch(at(5), at(20), false));
    }

    @Test
    void aStretchStillFiringEndsAtTheLastSampleAndTheRuleIsFiringNow() {
        double[] v = {1, 9, 9, 9};
        AlertRule disabled = new AlertRule("off", "Off", LONGEST, Operator.GE, 9, Duration.ZERO, Severity.CRITICAL, false);
        RulePreview p = RulePreview.of(disabled, history(LONGEST, v).view());
        assertThat(p.rule().enabled()).as("a disabled rule is previewed as if enabled").isTrue();
        RulePreview.Subject s = p.subjects().getFirst();
        assertThat(s.pending()).as("for = 0s goes straight to FIRING").isEmpty();
        assertThat(s.firing()).containsExactly(new RulePreview.Stretch(at(5), at(15), true));
        assertThat(s.state()).contains(AlertState.FIRING);
        assertThat(p.firingNow()).containsExactly(s);
        assertThat(p.wouldHaveFired()).isEqualTo(1);
    }

    @Test
    void moreThresholdMeansFewerFirings() {
        double[] v = {1, 6, 1, 1, 8, 1, 1, 12, 1, 1};
        MetricHistory.View h = history(LONGEST, v).view();
        assertThat(RulePreview.of(rule(LONGEST, Operator.GT, 5, Duration.ZERO), h).wouldHaveFired()).isEqualTo(3);
        assertThat(RulePreview.of(rule(LONGEST, Operator.GT, 7, Duration.ZERO), h).wouldHaveFired()).isEqualTo(2);
        assertThat(RulePreview.of(rule(LONGEST, Operator.GT, 10, Duration.ZERO), h).wouldHaveFired()).isEqualTo(1);
        assertThat(RulePreview.of(rule(LONGEST, Operator.GT, 20, Duration.ZERO), h).wouldHaveFired()).isZero();
        assertThat(RulePreview.of(rule(LONGEST, Operator.LT, 2, Duration.ZERO), h).wouldHaveFired())
                .as("the comparator counts too: below 2 from the start").isEqualTo(1);
    }

    @Test
    void aPatternWatchesEveryEndpointThatReportsInNaturalOrderAndNothingElse() {
        MetricHistory h = new MetricHistory();
        for (int i = 0; i < 6; i++) {
            Map<String, Double> sample = new HashMap<>();
            sample.put("pool.primary.usage_ratio", i >= 2 ? 0.95 : 0.1);
            sample.put("pool.replica-10.usage_ratio", 0.2);
            sample.put("pool.replica-2.usage_ratio", 0.99);
            sample.put("pool.primary.awaiting", 5.0);
            sample.put("server.connections.used_ratio", 0.99);
            h.record(at(5L * i), sample);
        }
        RulePreview p = RulePreview.of(rule("pool.*.usage_ratio", Operator.GT, 0.9, Duration.ZERO), h.view());
        assertThat(p.subjects()).extracting(RulePreview.Subject::key).containsExactly("pool.primary.usage_ratio",
                "pool.replica-2.usage_ratio", "pool.replica-10.usage_ratio");
        assertThat(p.subjects()).extracting(RulePreview.Subject::fires).containsExactly(1, 1, 0);
        assertThat(p.wouldHaveFired()).isEqualTo(2);
        assertThat(p.firingNow()).extracting(RulePreview.Subject::key)
                .containsExactly("pool.primary.usage_ratio", "pool.replica-2.usage_ratio");
        assertThat(p.subjects().get(0).firing()).containsExactly(new RulePreview.Stretch(at(10), at(25), true));

        RulePreview one = RulePreview.of(rule("pool.replica-2.usage_ratio", Operator.GT, 0.9, Duration.ZERO), h.view());
        assertThat(one.subjects()).extracting(RulePreview.Subject::key).containsExactly("pool.replica-2.usage_ratio");
    }

    @Test
    void noPointOfTheMetricMeansNoDataAndNothingFired() {
        RulePreview p = RulePreview.of(rule("replication.lag_bytes", Operator.GT, 1, Duration.ZERO),
                history(LONGEST, 9, 9).view());
        assertThat(p.hasData()).isFalse();
        assertThat(p.subjects()).isEmpty();
        assertThat(p.wouldHaveFired()).isZero();
        assertThat(p.from()).isNull();
        assertThat(RulePreview.of(rule(LONGEST, Operator.GT, 1, Duration.ZERO), MetricHistory.View.EMPTY).hasData())
                .isFalse();
    }

    @Test
    void aWindowReplaysOnlyTheLastStretchOfALongerHistory() {
        MetricHistory h = new MetricHistory(Duration.ofMinutes(30), 3_600);
        // a spike 25 minutes ago, another 5 minutes ago; the sample every 10 s
        for (int i = 0; i <= 180; i++) {
            boolean spike = i >= 30 && i < 36 || i >= 150 && i < 156;
            h.record(at(10L * i), Map.of(LONGEST, spike ? 100.0 : 0.0));
        }
        AlertRule r = rule(LONGEST, Operator.GT, 50, Duration.ofSeconds(20));
        assertThat(RulePreview.of(r, h.view()).wouldHaveFired()).isEqualTo(2);
        RulePreview last15 = RulePreview.of(r, h.view(), Duration.ofMinutes(15));
        assertThat(last15.wouldHaveFired()).isEqualTo(1);
        assertThat(last15.from()).isEqualTo(at(1800 - 900));
        assertThat(last15.to()).isEqualTo(at(1800));
        assertThat(last15.subjects().getFirst().firing())
                .containsExactly(new RulePreview.Stretch(at(1520), at(1570), false));
    }

    /**
     * Noisy samples with gaps (a key missing from a sample, or NaN) on three endpoints: the preview's stretches
     * and counts are exactly what an engine running the same rule saw live, transition by transition.
     */
    @Test
    void thePreviewAgreesWithAnEngineFedTheSameSamplesLive() {
        Random random = new Random(12);
        AlertRule r = rule("traffic.*.p95_ms", Operator.GE, 50, Duration.ofSeconds(15));
        List<String> keys = List.of("traffic.primary.p95_ms", "traffic.replica-1.p95_ms", "traffic.replica-2.p95_ms");
        MetricHistory h = new MetricHistory();
        List<Alert> live = new ArrayList<>();
        try (AlertEngine engine = new AlertEngine()) {
            engine.subscribe(live::add);
            engine.putRule(r);
            for (int i = 0; i < 180; i++) {
                Map<String, Double> sample = new HashMap<>();
                for (int k = 0; k < keys.size(); k++) {
                    double roll = random.nextDouble();
                    if (roll < 0.05) {
                        continue; // missing from this sample
                    }
                    // runs of high latency, more often on the replicas
                    boolean high = Math.sin(i / (4.0 + k)) > 0.6 - 0.3 * k || roll > 0.9;
                    sample.put(keys.get(k), roll < 0.08 ? Double.NaN : high ? 60 + 40 * roll : 10 * roll);
                }
                Instant t = T0.plusMillis(5_000L * i + random.nextInt(50));
                h.record(t, sample);
                engine.evaluate(t, sample);
            }
            RulePreview p = RulePreview.of(r, h.view());
            long fired = live.stream().filter(a -> a.state() == AlertState.FIRING).count();
            assertThat(fired).as("the sequence exercises firing").isGreaterThan(3);
            assertThat(p.wouldHaveFired()).isEqualTo(fired);
            assertThat(live).as("and pending that never fired").anySatisfy(a -> assertThat(a.state()).isEqualTo(AlertState.PENDING));
            for (RulePreview.Subject s : p.subjects()) {
                List<Alert> mine = live.stream().filter(a -> a.subject().equals(s.key())).toList();
                List<Instant> firedAt = mine.stream().filter(a -> a.state() == AlertState.FIRING).map(Alert::at).toList();
                List<Instant> resolvedAt = mine.stream().filter(a -> a.state() == AlertState.RESOLVED).map(Alert::at).toList();
                assertThat(s.firing()).extracting(RulePreview.Stretch::from).containsExactlyElementsOf(firedAt);
                assertThat(s.firing()).filteredOn(st -> !st.open()).extracting(RulePreview.Stretch::to)
                        .containsExactlyElementsOf(resolvedAt);
                assertThat(s.pending()).extracting(RulePreview.Stretch::from).containsExactlyElementsOf(mine.stream()
                        .filter(a -> a.state() == AlertState.PENDING).map(Alert::at).toList());
                assertThat(s.state()).isEqualTo(engine.stateOf(r.id(), s.key()));
            }
        }
    }

    @Test
    void naturalOrderComparesNumbersAsNumbers() {
        List<String> keys = new ArrayList<>(List.of("pool.replica-10.awaiting", "pool.replica-2.awaiting",
                "pool.primary.awaiting", "pool.replica-1.awaiting"));
        keys.sort(RulePreview.NATURAL);
        assertThat(keys).containsExactly("pool.primary.awaiting", "pool.replica-1.awaiting", "pool.replica-2.awaiting",
                "pool.replica-10.awaiting");
    }

    @Test
    void aHugeWindowIsAllOfTheHistoryAndANegativeOneIsRefused() {
        MetricHistory.View h = history(LONGEST, 1, 9, 9, 9).view();
        AlertRule r = rule(LONGEST, Operator.GT, 5, Duration.ZERO);

        RulePreview all = RulePreview.of(r, h, Duration.ofSeconds(Long.MAX_VALUE));

        assertThat(all.wouldHaveFired()).isEqualTo(1);
        assertThat(all.from()).isEqualTo(at(0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RulePreview.of(r, h, Duration.ofMinutes(-15)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a preview's window must be zero or more, but was -15m; give the last stretch of time to replay");
    }
}
