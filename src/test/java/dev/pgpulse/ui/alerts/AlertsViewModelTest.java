package dev.pgpulse.ui.alerts;

import dev.pgpulse.config.Environment;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.RuleBook;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.orchestration.AlertBoard;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.orchestration.Status;
import dev.pgpulse.testing.TestSnapshots;
import dev.pgpulse.ui.shell.Dialogs;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The links between the Alerts tab's parts, without a stage: an alert picked in Now or History selects its rule in
 * the rules table, which loads it into the editor and the preview; the same alert picked again after another rule
 * was chosen below brings its rule back; the rules table's "State now" says what the Now table says.
 */
class AlertsViewModelTest {
    private static final Instant T = Instant.parse("2026-12-02T06:00:00Z");
    private static final Alert LONG_TX = new Alert("long-transaction", "Transaction open for more than 2 minutes",
            "server.longest_transaction_seconds", Severity.WARNING, AlertState.FIRING, 150, 120, Operator.GT,
            T.minusSeconds(30), T.minusSeconds(30), "server.longest_transaction_seconds = 150 > 120");
    private static final Alert POOL = new Alert("pool-waiting", "Threads waiting for a connection",
            "pool.primary.awaiting", Severity.WARNING, AlertState.PENDING, 3, 0, Operator.GT, T.minusSeconds(5),
            T.minusSeconds(5), "pool.primary.awaiting = 3 > 0");

    private final AlertsViewModel vm = new AlertsViewModel(new RecordingActions(), new Dialogs() {
        @Override
        public boolean confirm(Confirmation c) {
            return false;
        }

        @Override
        public void notify(Notice n) {
        }
    });

    private void feed(List<Alert> current, List<Alert> history) {
        RuleBook.State rules = new RuleBook.State(DefaultRules.all(), 1, true, Optional.empty(), Optional.empty());
        AlertBoard quiet = TestSnapshots.quietAlerting();
        AlertBoard board = new AlertBoard(rules, current, quiet.acknowledged(), quiet.silences(), quiet.webhook());
        Snapshot s = new Snapshot(T, new Status(Status.State.RUNNING, List.of(), T), "postgresql://x", false,
                Environment.DEVELOPMENT, null, null, current.stream().filter(a -> a.state() == AlertState.FIRING)
                .toList(), history, MetricHistory.View.EMPTY, null, board);
        vm.alerts().setNotifications(false);
        vm.apply(s);
        vm.applyDeferred(s);
    }

    private RuleItem rule(String id) {
        return vm.rules().rows().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    private String selectedRule() {
        RuleItem r = vm.rules().selectedProperty().get();
        return r == null ? null : r.id();
    }

    @Test
    void pickingAnAlertSelectsItsRuleForTheEditorAndThePreview() {
        feed(List.of(LONG_TX, POOL), List.of(LONG_TX));
        assertThat(selectedRule()).isNull();
        assertThat(vm.preview().titleProperty().get()).isEqualTo("Preview");

        AlertListViewModel.NowRow firing = vm.alerts().now().stream().filter(AlertListViewModel.NowRow::firing)
                .findFirst().orElseThrow();
        vm.alerts().select(firing.key());
        assertThat(vm.alerts().selectedAlertProperty().get()).isEqualTo(AlertKey.of(LONG_TX));
        assertThat(selectedRule()).isEqualTo("long-transaction");
        assertThat(vm.rules().form().nameProperty().get()).isEqualTo(LONG_TX.ruleName());
        assertThat(vm.preview().titleProperty().get()).isEqualTo("Preview: " + LONG_TX.ruleName());

        // another rule chosen below, then the same alert picked again: its rule comes back
        vm.rules().select(rule("deadlocks"));
        assertThat(vm.preview().titleProperty().get()).startsWith("Preview: ").doesNotContain(LONG_TX.ruleName());
        vm.alerts().select(firing.key());
        assertThat(selectedRule()).isEqualTo("long-transaction");

        // a History row picks its rule the same way
        AlertListViewModel.HistoryRow past = vm.alerts().history().getFirst();
        vm.rules().select(rule("deadlocks"));
        vm.alerts().select(past.key());
        assertThat(selectedRule()).isEqualTo("long-transaction");

        // the pending one too; a pick cleared by new rows keeps what was picked
        vm.alerts().select(AlertKey.of(POOL));
        assertThat(selectedRule()).isEqualTo("pool-waiting");
        vm.alerts().select(null);
        assertThat(selectedRule()).isEqualTo("pool-waiting");
    }

    @Test
    void anAlertWhoseRuleIsNotInTheListSaysSoAndKeepsTheSelection() {
        feed(List.of(LONG_TX), List.of());
        vm.rules().select(rule("deadlocks"));
        vm.alerts().select(new AlertKey("gone-rule", "server.x"));
        assertThat(selectedRule()).isEqualTo("deadlocks");
        assertThat(vm.rules().statusProperty().get()).startsWith("No rule 'gone-rule' in this list");
    }

    @Test
    void theRulesStateNowAndTheNowTableAgree() {
        feed(List.of(LONG_TX, POOL), List.of());
        for (AlertListViewModel.NowRow row : vm.alerts().now()) {
            RuleItem r = rule(row.key().ruleId());
            assertThat(r.stateProperty().get()).as(row.rule()).startsWith(row.state());
            assertThat(r.stateKindProperty().get()).isEqualTo(row.state().toLowerCase(java.util.Locale.ROOT));
        }
        assertThat(rule("deadlocks").stateProperty().get()).isEqualTo("OK");
        feed(List.of(), List.of(LONG_TX));
        assertThat(vm.alerts().now()).isEmpty();
        assertThat(vm.rules().rows()).allSatisfy(r -> assertThat(r.stateProperty().get()).isIn("OK", "off"));
    }
}
