package dev.pgpulse.orchestration;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.RulePreview;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A transaction held open for real on the real server makes {@code server.longest_transaction_seconds} climb in
 * the orchestrator's metric history; the running engine fires the rule and resolves it once the transaction
 * ends. The preview of that rule over the same history shows the same pending and firing stretch, at the same
 * time stamps, and the same number of firings.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(90)
class RulePreviewOnARealServerTest {
    private static final String METRIC = "server.longest_transaction_seconds";
    @TempDir
    Path home;

    @Test
    void thePreviewOfARuleShowsTheStretchTheEngineFiredForAfterARealLongTransaction(TestDatabase db) throws Exception {
        AlertRule rule = new AlertRule("long-tx", "Long transaction", METRIC, Operator.GT, 1, Duration.ofSeconds(1),
                Severity.WARNING, true);
        Path rules = home.resolve("alert-rules.json");
        new AlertRuleStore(rules).save(List.of(rule));
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(Overrides.none());
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200), rules, false))) {
            List<Alert> live = new CopyOnWriteArrayList<>();
            o.alerts().subscribe(a -> {
                if (a.ruleId().equals(rule.id())) {
                    live.add(a);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> o.history().view().series(METRIC).size() >= 3);
            Instant heldFrom;
            Instant heldTo;
            try (Connection holder = db.connect()) {
                holder.setAutoCommit(false);
                try (var st = holder.createStatement()) {
                    st.execute("select txid_current()");
                }
                heldFrom = Instant.now();
                await().atMost(Duration.ofSeconds(20)).until(() -> live.stream().anyMatch(a -> a.state() == AlertState.FIRING));
                holder.commit();
                heldTo = Instant.now();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> live.stream().anyMatch(a -> a.state() == AlertState.RESOLVED));

            MetricHistory.View view = o.history().view();
            Instant last = view.series(METRIC).at(view.series(METRIC).size() - 1);
            // the engine evaluates a sample right after the history records it: once a later sample is recorded,
            // the engine has seen every sample of this view
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                MetricHistory.Series s = o.history().view().series(METRIC);
                return s.at(s.size() - 1).isAfter(last);
            });
            List<Alert> seen = live.stream().filter(a -> !a.at().isAfter(last)).toList();

            RulePreview p = RulePreview.of(o.rules().state().rules().stream().filter(r -> r.id().equals(rule.id()))
                    .findFirst().orElseThrow(), view);
            assertThat(p.subjects()).singleElement().satisfies(s -> assertThat(s.key()).isEqualTo(METRIC));
            RulePreview.Subject s = p.subjects().getFirst();
            assertThat(s.series().size()).isEqualTo(view.series(METRIC).size());
            assertThat(p.wouldHaveFired()).isPositive()
                    .isEqualTo((int) seen.stream().filter(a -> a.state() == AlertState.FIRING).count());
            assertThat(s.firing()).extracting(RulePreview.Stretch::from)
                    .containsExactlyElementsOf(at(seen, AlertState.FIRING));
            assertThat(s.firing()).extracting(RulePreview.Stretch::to)
                    .containsExactlyElementsOf(at(seen, AlertState.RESOLVED));
            assertThat(s.pending()).extracting(RulePreview.Stretch::from)
                    .containsExactlyElementsOf(at(seen, AlertState.PENDING));
            // the stretch lies within the time the transaction was held, and lasted for its "for" at least before
            assertThat(s.firing()).anySatisfy(f -> {
                assertThat(f.from()).isAfter(heldFrom.plus(rule.forDuration()));
                assertThat(f.from()).isBefore(heldTo);
                assertThat(f.to()).isAfter(heldTo);
                assertThat(f.open()).isFalse();
            });
            assertThat(s.firingNow()).isFalse();
        }
    }

    private static List<Instant> at(List<Alert> alerts, AlertState state) {
        return alerts.stream().filter(a -> a.state() == state).map(Alert::at).toList();
    }
}
