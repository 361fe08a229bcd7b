package dev.pgpulse.ui.shell;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.Silence;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import javafx.application.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's alert actions over a real Orchestrator on the real PostgreSQL: work on the background thread, the
 * answer on the FX thread, the window told to poll when the state changed.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(90)
class OrchestratorActionsAlertsTest {
    @TempDir
    Path home;

    private final List<String> answers = new CopyOnWriteArrayList<>();
    private final List<Dialogs.Notice> notices = new CopyOnWriteArrayList<>();
    private final AtomicInteger polls = new AtomicInteger();
    private final Dialogs dialogs = new Dialogs() {
        @Override
        public boolean confirm(Confirmation c) {
            return false;
        }

        @Override
        public void notify(Notice n) {
            notices.add(n);
        }
    };

    private void answered(String line) {
        answers.add((Platform.isFxApplicationThread() ? "fx: " : "not fx: ") + line);
    }

    @Test
    void silencesExpiryAcknowledgementAndTheWebhookTestAnswerOnTheFxThread(TestDatabase db) throws Exception {
        FxToolkit.registerPrimaryStage();
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(new Overrides(null, null, null, List.of(), null,
                Map.of()));
        ExecutorService background = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("actions-test-background").daemon().factory());
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200),
                home.resolve("alert-rules.json"), false))) {
            OrchestratorActions actions = new OrchestratorActions(o, null, background, polls::incrementAndGet, dialogs);

            actions.silence("long-transaction", Silence.ANY_SUBJECT, Duration.ofHours(1), "maintenance",
                    why -> answered(why.map(w -> "refused: " + w).orElse("silenced")));
            actions.silence("long-transaction", Silence.ANY_SUBJECT, Duration.ofSeconds(20), "",
                    why -> answered(why.map(w -> "refused: " + w).orElse("silenced")));
            await().atMost(Duration.ofSeconds(20)).until(() -> answers.size() == 2);
            assertThat(answers).containsExactly("fx: silenced", "fx: refused: a silence lasts from 1 min to 30 d, but "
                    + "this one was 20 s; choose a length in that range");
            assertThat(o.snapshot().alerting().silences()).singleElement()
                    .satisfies(s -> assertThat(s.comment()).isEqualTo("maintenance"));
            assertThat(polls.get()).as("the window polls after each").isEqualTo(2);

            String id = o.snapshot().alerting().silences().getFirst().id();
            actions.expireSilence(id);
            await().atMost(Duration.ofSeconds(20)).until(() -> o.snapshot().alerting().silences().isEmpty()
                    && polls.get() == 3);
            actions.expireSilence(id);
            await().atMost(Duration.ofSeconds(20)).until(() -> notices.size() == 1);
            assertThat(notices.getFirst().title()).isEqualTo("Silence already ended");

            actions.acknowledge(new AlertKey("long-transaction", "server.longest_transaction_seconds"));
            await().atMost(Duration.ofSeconds(20)).until(() -> notices.size() == 2);
            assertThat(notices.get(1).title()).isEqualTo("Nothing to acknowledge");
            assertThat(notices.get(1).text()).isEqualTo("long-transaction on server.longest_transaction_seconds is not "
                    + "firing any more");

            actions.sendTestAlert(this::answered);
            await().atMost(Duration.ofSeconds(20)).until(() -> answers.size() == 3);
            assertThat(answers.get(2)).startsWith("fx: No test alert sent: no webhook is configured");
            assertThat(o.silences().file()).contains(home.resolve("silences.json").toAbsolutePath());
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void aFiringAlertIsAcknowledgedInTheBackgroundAndTheWindowPolls(TestDatabase db) throws Exception {
        FxToolkit.registerPrimaryStage();
        Path rules = home.resolve("alert-rules.json");
        java.nio.file.Files.writeString(rules, """
                {"schemaVersion": 1, "rules": [
                  {"id": "tx-open", "name": "Transaction open for more than a second",
                   "metric": "server.longest_transaction_seconds", "comparator": ">", "threshold": 1, "for": "0s",
                   "severity": "warning", "enabled": true}]}
                """);
        AlertKey key = new AlertKey("tx-open", "server.longest_transaction_seconds");
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(new Overrides(null, null, null, List.of(), null,
                Map.of()));
        ExecutorService background = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("actions-test-background").daemon().factory());
        try (java.sql.Connection held = db.connect();
             Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200), rules, false))) {
            held.setAutoCommit(false);
            try (var st = held.createStatement()) {
                st.execute("select txid_current()");
            }
            OrchestratorActions actions = new OrchestratorActions(o, null, background, polls::incrementAndGet, dialogs);
            await().atMost(Duration.ofSeconds(20)).until(() -> o.snapshot().alerting().current().stream()
                    .anyMatch(a -> dev.pgpulse.health.alert.AlertKey.of(a).equals(key)
                            && a.state() == dev.pgpulse.health.alert.AlertState.FIRING));
            actions.acknowledge(key);
            await().atMost(Duration.ofSeconds(20)).until(() -> polls.get() == 1);
            assertThat(o.snapshot().alerting().acknowledged()).containsExactly(key);
            assertThat(notices).isEmpty();
            held.rollback();
        } finally {
            background.shutdownNow();
        }
    }
}
