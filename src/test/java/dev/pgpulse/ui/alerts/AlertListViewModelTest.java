package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.alert.Silences;
import dev.pgpulse.config.Environment;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.health.alert.Silence;
import dev.pgpulse.orchestration.AlertBoard;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.testing.TestSnapshots;
import dev.pgpulse.ui.shell.Dialogs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert list's view model on snapshots built by hand (acknowledgements and silences filled in as the core will):
 * what the Now and History tables say, the filters, the notifications of firing and resolving alerts (none for an
 * acknowledged or silenced one, none for what the first snapshot already held), and the calls it makes.
 */
class AlertListViewModelTest {
    private static final Instant T = Instant.parse("2026-12-02T10:00:00Z");
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());

    private final RecordingActions actions = new RecordingActions();
    private final List<Dialogs.Notice> notices = new ArrayList<>();
    private final AlertListViewModel vm = new AlertListViewModel(actions, new Dialogs() {
        @Override
        public boolean confirm(Confirmation c) {
            throw new AssertionError("the alert list asks no confirmation");
        }

        @Override
        public void notify(Notice n) {
            notices.add(n);
        }
    });

    private static Alert firing(String rule, String name, String key, Severity sev, double value, Operator op,
                                double threshold, Instant since, Instant at) {
        return new Alert(rule, name, key, sev, AlertState.FIRING, value, threshold, op, since, at,
                key + " = " + value + " " + op.symbol() + " " + threshold);
    }

    private static Alert resolved(Alert a, double value, Instant at) {
        return new Alert(a.ruleId(), a.ruleName(), a.subject(), a.severity(), AlertState.RESOLVED, value,
                a.threshold(), a.operator(), a.since(), at, a.subject() + " no longer " + a.operator().symbol());
    }

    private static final Alert LONG_TX = firing("long-tx", "Transaction open for more than 1 s",
            "server.longest_transaction_seconds", Severity.WARNING, 5, Operator.GT, 1, T.minusSeconds(185),
            T.minusSeconds(185));
    private static final Alert POOL = firing("pool-usage", "Pool nearly full", "pool.primary.usage_ratio",
            Severity.CRITICAL, 0.93, Operator.GT, 0.8, T.minusSeconds(60), T.minusSeconds(60));

    private static Snapshot snapshot(Instant at, List<Alert> current, List<Alert> history, Set<AlertKey> acked,
                                     List<Silence> silences, Optional<String> webhook, MetricHistory.View metrics) {
        AlertBoard quiet = TestSnapshots.quietAlerting();
        AlertBoard board = new AlertBoard(quiet.rules(), current, acked, silences, webhook);
        return new Snapshot(at, null, "postgresql://x", false, Environment.DEVELOPMENT, null, null,
                current.stream().filter(a -> a.state() == AlertState.FIRING).toList(), history, metrics, null, board);
    }

    private static Snapshot snapshot(Instant at, List<Alert> current, List<Alert> history) {
        return snapshot(at, current, history, Set.of(), List.of(), Optional.empty(), MetricHistory.View.EMPTY);
    }

    private void feed(Snapshot s) {
        vm.apply(s);
        vm.applyDeferred(s);
    }

    @Test
    void nowListsTheLoudestFirstThenTheOldest() {
        Alert newer = firing("pool-waiting", "Threads waiting", "pool.primary.awaiting", Severity.WARNING, 3,
                Operator.GT, 0, T.minusSeconds(10), T.minusSeconds(10));
        feed(snapshot(T, List.of(newer, LONG_TX, POOL), List.of()));
        assertThat(vm.now()).extracting(r -> r.key().ruleId()).containsExactly("pool-usage", "long-tx", "pool-waiting");
    }

    @Test
    void nowShowsTheSubjectWithItsEndpointTheValueInItsUnitAndSinceWhen() {
        MetricHistory metrics = new MetricHistory();
        metrics.record(T, Map.of("server.longest_transaction_seconds", 185.0));
        feed(snapshot(T, List.of(LONG_TX, POOL), List.of(LONG_TX, POOL), Set.of(), List.of(), Optional.empty(),
                metrics.view()));

        assertThat(vm.now()).hasSize(2);
        // the loudest first
        AlertListViewModel.NowRow pool = vm.now().get(0);
        assertThat(pool.severityText()).isEqualTo("critical");
        assertThat(pool.rule()).isEqualTo("Pool nearly full");
        assertThat(pool.subject()).isEqualTo("primary · pool.primary.usage_ratio");
        assertThat(pool.state()).isEqualTo("FIRING");
        assertThat(pool.value()).isEqualTo("93%  (> 80%)");
        assertThat(pool.since()).isEqualTo(HMS.format(T.minusSeconds(60)) + " · for 1 min");
        AlertListViewModel.NowRow tx = vm.now().get(1);
        assertThat(tx.subject()).isEqualTo("server.longest_transaction_seconds");
        // the value now (from the metric history), not the one it fired with, as a duration
        assertThat(tx.value()).isEqualTo("3 min 5 s  (> 1 s)");
        assertThat(tx.since()).endsWith(" · for 3 min 5 s");
        assertThat(vm.nowTitleProperty().get()).isEqualTo("Now: 2 firing, 0 pending");
        assertThat(tx.acknowledged()).isEmpty();
        assertThat(tx.silence()).isEmpty();
        assertThat(tx.canAcknowledge()).isTrue();
    }

    @Test
    void valuesReadInTheirMetricsUnitsAsTheCoreWritesThem() {
        // the formats themselves are pinned in MetricUnitTest; here, that the list uses them
        assertThat(AlertText.value("breaker.primary.state", 2)).isEqualTo("OPEN");
        assertThat(AlertText.value("query.bills.list.p95_ms", 1250)).isEqualTo("1.25 s");
        assertThat(AlertText.value("server.deadlocks_per_minute", 6)).isEqualTo("6/min");
        assertThat(AlertText.value("server.oldest_xid_age", 1.6e9)).isEqualTo("1.6 billion");
        assertThat(AlertText.value("pool.primary.awaiting", Double.NaN)).isEqualTo("–");
        assertThat(AlertText.subject("query.bills.list.p95_ms")).isEqualTo("operation bills.list · query.bills.list.p95_ms");
        assertThat(AlertText.subject("traffic.replica-2.p99_ms")).isEqualTo("replica-2 · traffic.replica-2.p99_ms");
    }

    @Test
    void anAcknowledgedAlertIsMarkedAndASilencedOneSaysUntilWhen() {
        Silence silence = new Silence("s1", "pool-usage", Silence.ANY_SUBJECT, T.minusSeconds(10),
                T.plusSeconds(3600), "maintenance");
        feed(snapshot(T, List.of(LONG_TX, POOL), List.of(LONG_TX, POOL), Set.of(AlertKey.of(LONG_TX)),
                List.of(silence), Optional.empty(), MetricHistory.View.EMPTY));

        AlertListViewModel.NowRow pool = vm.now().get(0);
        assertThat(pool.silenced()).isTrue();
        assertThat(pool.silence()).isEqualTo("silenced until " + HM.format(T.plusSeconds(3600)));
        assertThat(pool.silenceId()).isEqualTo("s1");
        AlertListViewModel.NowRow tx = vm.now().get(1);
        assertThat(tx.acknowledged()).isEqualTo("acknowledged");
        assertThat(tx.canAcknowledge()).as("already acknowledged").isFalse();
        assertThat(tx.marks()).isEqualTo("acknowledged");
        assertThat(pool.marks()).isEqualTo(pool.silence());
        assertThat(vm.silences()).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo("every subject");
            assertThat(r.until()).isEqualTo(HM.format(T.plusSeconds(3600)) + " (in 1 h)");
            assertThat(r.comment()).isEqualTo("maintenance");
        });
        assertThat(vm.silencesTitleProperty().get()).isEqualTo("Silences (1)");

        vm.acknowledge(tx);
        assertThat(actions.calls).as("an acknowledged alert is not acknowledged again").isEmpty();
        vm.acknowledge(pool);
        vm.expireSilence(pool.silenceId());
        assertThat(actions.calls).containsExactly("acknowledge pool-usage pool.primary.usage_ratio", "expireSilence s1");
        assertThat(vm.statusProperty().get()).startsWith("Silence ended");
    }

    @Test
    void aPendingAlertCannotBeAcknowledged() {
        Alert pending = new Alert("pool-waiting", "Threads waiting", "pool.primary.awaiting", Severity.WARNING,
                AlertState.PENDING, 2, 0, Operator.GT, T.minusSeconds(5), T.minusSeconds(5), "pending");
        feed(snapshot(T, List.of(pending), List.of()));
        AlertListViewModel.NowRow row = vm.now().getFirst();
        assertThat(row.state()).isEqualTo("PENDING");
        assertThat(row.value()).isEqualTo("2  (> 0)");
        assertThat(row.canAcknowledge()).isFalse();
        vm.acknowledge(row);
        assertThat(actions.calls).isEmpty();
        assertThat(vm.nowTitleProperty().get()).isEqualTo("Now: 0 firing, 1 pending");
    }

    @Test
    void aNewFiringAndItsResolutionNotifyOnceButNotWhatTheFirstSnapshotHeld() {
        Alert old = firing("old", "Old one", "server.rollback_ratio", Severity.WARNING, 0.2, Operator.GT, 0.1,
                T.minusSeconds(600), T.minusSeconds(600));
        feed(snapshot(T, List.of(old), List.of(old)));
        assertThat(notices).as("already firing when the console opened").isEmpty();

        feed(snapshot(T.plusSeconds(1), List.of(old, POOL), List.of(old, POOL)));
        assertThat(notices).singleElement().satisfies(n -> {
            assertThat(n.severity()).isEqualTo(Dialogs.Severity.ERROR);
            assertThat(n.title()).isEqualTo("Firing (critical): Pool nearly full");
            assertThat(n.text()).isEqualTo("primary · pool.primary.usage_ratio = 93%  (> 80%), since "
                    + HMS.format(POOL.since()));
        });
        feed(snapshot(T.plusSeconds(2), List.of(old, POOL), List.of(old, POOL)));
        assertThat(notices).as("told once").hasSize(1);

        Alert back = resolved(POOL, 0.5, T.plusSeconds(3));
        feed(snapshot(T.plusSeconds(3), List.of(old), List.of(old, POOL, back)));
        assertThat(notices).hasSize(2).last().satisfies(n -> {
            assertThat(n.severity()).isEqualTo(Dialogs.Severity.INFO);
            assertThat(n.title()).isEqualTo("Resolved: Pool nearly full");
            assertThat(n.text()).startsWith("primary · pool.primary.usage_ratio is back to 50% at ");
        });
        // and it moved from Now to History, newest first
        assertThat(vm.now()).extracting(AlertListViewModel.NowRow::rule).containsExactly("Old one");
        assertThat(vm.history()).extracting(AlertListViewModel.HistoryRow::what)
                .containsExactly("RESOLVED", "FIRING", "FIRING");
    }

    @Test
    void anAcknowledgedOrSilencedAlertNotifiesNobodyNotEvenWhenItResolves() {
        feed(snapshot(T, List.of(), List.of()));
        Silence silence = new Silence("s1", "pool-usage", "pool.primary.usage_ratio", T, T.plusSeconds(3600), "");
        feed(snapshot(T.plusSeconds(1), List.of(POOL), List.of(POOL), Set.of(), List.of(silence), Optional.empty(),
                MetricHistory.View.EMPTY));
        assertThat(notices).as("silenced").isEmpty();

        feed(snapshot(T.plusSeconds(2), List.of(LONG_TX), List.of(POOL, LONG_TX), Set.of(AlertKey.of(LONG_TX)),
                List.of(), Optional.empty(), MetricHistory.View.EMPTY));
        assertThat(notices).as("acknowledged as this snapshot was taken").isEmpty();
        Alert back = resolved(LONG_TX, 0, T.plusSeconds(3));
        // the acknowledgement ends with the alert: the core's board no longer holds it once it resolved
        feed(snapshot(T.plusSeconds(3), List.of(), List.of(POOL, LONG_TX, back)));
        assertThat(notices).as("acknowledged until it resolved").isEmpty();

        // a fresh episode after the resolution notifies again
        Alert again = firing("long-tx", LONG_TX.ruleName(), LONG_TX.subject(), Severity.WARNING, 3, Operator.GT, 1,
                T.plusSeconds(4), T.plusSeconds(4));
        feed(snapshot(T.plusSeconds(4), List.of(again), List.of(POOL, LONG_TX, back, again)));
        assertThat(notices).singleElement().extracting(Dialogs.Notice::severity).isEqualTo(Dialogs.Severity.WARNING);
    }

    @Test
    void notificationsSwitchedOffTellNobody() {
        vm.setNotifications(false);
        feed(snapshot(T, List.of(), List.of()));
        feed(snapshot(T.plusSeconds(1), List.of(POOL), List.of(POOL)));
        assertThat(notices).isEmpty();
        assertThat(vm.now()).hasSize(1);
    }

    @Test
    void historyFiltersBySeverityRuleAndTimeNewestFirst() {
        Alert oldTx = firing("long-tx", LONG_TX.ruleName(), LONG_TX.subject(), Severity.WARNING, 5, Operator.GT, 1,
                T.minus(Duration.ofHours(3)), T.minus(Duration.ofHours(3)));
        Alert oldTxBack = resolved(oldTx, 0, T.minus(Duration.ofMinutes(150)));
        Alert pool = POOL;
        Alert manual = Alert.manual("backup-failed", Severity.CRITICAL, AlertState.FIRING, T.minusSeconds(30),
                "pg_dump exited with 1");
        feed(snapshot(T, List.of(), List.of(oldTx, oldTxBack, pool, manual)));

        assertThat(vm.historyTitleProperty().get()).as("the last hour by default").isEqualTo("History: 2 of 4 transitions");
        assertThat(vm.history()).extracting(AlertListViewModel.HistoryRow::what).containsExactly("manual FIRING", "FIRING");
        assertThat(vm.history().getFirst().value()).isEqualTo("–");
        assertThat(vm.history().getFirst().message()).isEqualTo("pg_dump exited with 1");

        vm.filterWindow(AlertListViewModel.Window.ALL);
        assertThat(vm.history()).extracting(AlertListViewModel.HistoryRow::at)
                .containsExactly(manual.at(), pool.at(), oldTxBack.at(), oldTx.at());
        vm.filterSeverity("warning");
        assertThat(vm.history()).extracting(AlertListViewModel.HistoryRow::what).containsExactly("RESOLVED", "FIRING");
        vm.filterSeverity(AlertListViewModel.ALL_SEVERITIES);
        assertThat(vm.ruleChoices()).contains(AlertListViewModel.ALL_RULES, "Pool nearly full", "backup-failed",
                "Transaction open for more than 2 minutes");
        vm.filterRule("Pool nearly full");
        assertThat(vm.history()).extracting(AlertListViewModel.HistoryRow::rule).containsExactly("Pool nearly full");
        vm.filterWindow(AlertListViewModel.Window.MIN_15);
        vm.filterRule(AlertListViewModel.ALL_RULES);
        assertThat(vm.history()).hasSize(2);
        vm.filterWindow(AlertListViewModel.Window.DAY_1);
        assertThat(vm.history()).hasSize(4);
    }

    @Test
    void theSilenceFormChecksATypedLengthAndSilencesTheSubjectOrTheWholeRule() {
        feed(snapshot(T, List.of(POOL), List.of(POOL)));
        SilenceFormViewModel form = vm.silenceForm();
        assertThat(form.openProperty().get()).isFalse();
        vm.silence(vm.now().getFirst());
        assertThat(form.openProperty().get()).isTrue();
        assertThat(form.headingProperty().get()).isEqualTo("Silence \u201cPool nearly full\u201d");
        assertThat(form.subjectScopeTextProperty().get()).isEqualTo("only primary · pool.primary.usage_ratio");
        assertThat(form.canSubmitProperty().get()).as("1 h by default").isTrue();

        form.setLength(SilenceFormViewModel.Length.CUSTOM);
        assertThat(form.canSubmitProperty().get()).isFalse();
        assertThat(form.problemProperty().get()).startsWith("Type how long");
        form.setCustom("90");
        assertThat(form.problemProperty().get()).isEqualTo("'90' has no unit; write \"90s\" (seconds) or \"90ms\"");
        form.setCustom("40d");
        assertThat(form.problemProperty().get()).contains("from 1min to 30d");
        form.setCustom("soon");
        assertThat(form.problemProperty().get()).contains("is not a duration");
        form.setCustom("x".repeat(100_000) + "\nforged");
        assertThat(form.problemProperty().get()).as("a paste is quoted on one line and cut")
                .startsWith("'" + "x".repeat(37) + "...' ").doesNotContain("\n").hasSizeLessThan(300);
        form.submit();
        assertThat(actions.calls).as("nothing sent while invalid").isEmpty();
        form.setCustom("2h");
        assertThat(form.problemProperty().get()).isEmpty();
        assertThat(form.canSubmitProperty().get()).isTrue();
        form.setComment("y".repeat(Silences.MAX_COMMENT_LENGTH + 1));
        assertThat(form.canSubmitProperty().get()).as("the comment's limit, as typed").isFalse();
        assertThat(form.problemProperty().get()).isEqualTo("The comment is 501 characters long; a silence's comment "
                + "holds at most 500, shorten it");
        form.submit();
        assertThat(actions.calls).as("nothing sent over the limit").isEmpty();
        form.setComment(" reindexing ");
        assertThat(form.canSubmitProperty().get()).isTrue();
        form.submit();
        assertThat(actions.calls).containsExactly("silence pool-usage pool.primary.usage_ratio PT2H 'reindexing'");
        assertThat(form.openProperty().get()).as("closed once made").isFalse();
        assertThat(vm.statusProperty().get()).isEqualTo("Silenced \u201cPool nearly full\u201d on "
                + "pool.primary.usage_ratio for 2 h");

        actions.silenceAnswer = Optional.of("the silences file is read-only");
        vm.silence(vm.now().getFirst());
        form.setScope(SilenceFormViewModel.Scope.RULE);
        form.setLength(SilenceFormViewModel.Length.MIN_15);
        form.submit();
        assertThat(actions.calls).last().isEqualTo("silence pool-usage * PT15M ''");
        assertThat(form.openProperty().get()).as("kept open with the reason").isTrue();
        assertThat(form.failureProperty().get()).isEqualTo("Not silenced: the silences file is read-only");
        assertThat(form.canSubmitProperty().get()).isTrue();
    }

    @Test
    void theWebhookTestNeedsAWebhookAndShowsItsAnswer() {
        feed(snapshot(T, List.of(), List.of()));
        assertThat(vm.webhookAvailableProperty().get()).isFalse();
        assertThat(vm.webhookTipProperty().get()).contains("alerts.webhook_url").contains("PGPULSE_ALERTS_WEBHOOK_URL");
        vm.sendTestAlert();
        assertThat(actions.calls).isEmpty();

        feed(snapshot(T, List.of(), List.of(), Set.of(), List.of(), Optional.of("https://hooks.example.com/…"),
                MetricHistory.View.EMPTY));
        assertThat(vm.webhookAvailableProperty().get()).isTrue();
        assertThat(vm.webhookTextProperty().get()).isEqualTo("Webhook: https://hooks.example.com/…");
        vm.sendTestAlert();
        assertThat(actions.calls).containsExactly("sendTestAlert");
        assertThat(vm.testResultProperty().get()).isEqualTo("HTTP 204 from https://hooks.example.com");
        assertThat(vm.testingProperty().get()).isFalse();
    }

    @Test
    void exportGoesThroughTheActionAndAnActionNotThereYetIsToldNotThrown() {
        vm.exportPrometheus(Path.of("/tmp/rules.yml"));
        assertThat(actions.calls).containsExactly("exportPrometheus /tmp/rules.yml");
        assertThat(vm.exportResultProperty().get()).isEqualTo("wrote 15 rules");

        AlertListViewModel bare = new AlertListViewModel(new RecordingActions() {
            @Override
            public void exportPrometheus(Path file, java.util.function.Consumer<String> done) {
                throw new UnsupportedOperationException("not yet: exportPrometheus");
            }
        }, null);
        bare.exportPrometheus(Path.of("/tmp/rules.yml"));
        assertThat(bare.exportResultProperty().get()).isEqualTo("Could not export the rules: this build cannot do that yet");
    }
}
