package dev.pgpulse.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.Silence;
import dev.pgpulse.health.alert.Silences;
import dev.pgpulse.health.alert.WebhookNotifier;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acknowledgements, reminders, silences and the webhook test on a real Orchestrator over the real PostgreSQL: a
 * transaction held open for real fires a rule on {@code server.longest_transaction_seconds}; a local HTTP server is
 * the webhook.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class OrchestratorSilencesTest {
    private static final String RULE = "tx-open";
    private static final String SUBJECT = "server.longest_transaction_seconds";
    private static final AlertKey KEY = new AlertKey(RULE, SUBJECT);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @TempDir
    Path home;

    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private HttpServer hook;

    @AfterEach
    void stopHook() {
        if (hook != null) {
            hook.stop(0);
        }
    }

    private Path rulesFile() throws Exception {
        Path rules = home.resolve("alert-rules.json");
        Files.writeString(rules, """
                {"schemaVersion": 1, "rules": [
                  {"id": "tx-open", "name": "Transaction open for more than a second",
                   "metric": "server.longest_transaction_seconds", "comparator": ">", "threshold": 1, "for": "0s",
                   "severity": "warning", "enabled": true}]}
                """);
        return rules;
    }

    private String startHook() throws Exception {
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/alerts", ex -> {
            received.add(MAPPER.readTree(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hook.start();
        return "http://127.0.0.1:" + hook.getAddress().getPort() + "/alerts/T000/s3cr3t-token";
    }

    private Orchestrator start(TestDatabase db, Path rules, String webhook) throws Exception {
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(new Overrides(null, null, null, List.of(), null,
                Map.of("alerts.webhook_url", webhook)));
        // reminders every 600 ms of sample time, three health samples: so the test sees them, and their absence
        return Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200), rules, false)
                .withRepeatInterval(Duration.ofMillis(600)));
    }

    private List<JsonNode> about(String state, boolean reminder) {
        return received.stream().filter(b -> b.get("ruleId").asText().equals(RULE)
                && b.get("state").asText().equals(state) && b.path("reminder").asBoolean(false) == reminder).toList();
    }

    /** Waits until the engine has evaluated {@code n} more samples. */
    private static void samples(Orchestrator o, int n) {
        long target = o.alerts().counts().get("evaluations") + n;
        await().atMost(Duration.ofSeconds(20)).until(() -> o.alerts().counts().get("evaluations") >= target);
    }

    private static boolean firing(Orchestrator o) {
        return o.snapshot().alerting().current().stream()
                .anyMatch(a -> AlertKey.of(a).equals(KEY) && a.state() == AlertState.FIRING);
    }

    @Test
    void aRealAlertIsAcknowledgedSilencedAcrossARestartAndTheWebhookHearsOnlyWhatItShould(TestDatabase db)
            throws Exception {
        Path rules = rulesFile();
        String webhook = startHook();
        Silence silence;
        try (Connection held = db.connect()) {
            held.setAutoCommit(false);
            try (var st = held.createStatement()) {
                st.execute("select txid_current()");
            }
            try (Orchestrator o = start(db, rules, webhook)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> firing(o));
                await().atMost(Duration.ofSeconds(20)).until(() -> !about("FIRING", false).isEmpty()
                        && !about("FIRING", true).isEmpty());
                assertThat(about("FIRING", true).getFirst().get("message").asText()).endsWith("(reminder)");
                assertThat(o.snapshot().alerting().acknowledged()).isEmpty();

                Instant ackedAt = Instant.now();
                assertThat(o.acknowledge(KEY)).isTrue();
                AlertBoard board = o.snapshot().alerting();
                assertThat(board.acknowledged()).containsExactly(KEY);
                Alert shown = board.current().stream().filter(a -> AlertKey.of(a).equals(KEY)).findFirst().orElseThrow();
                assertThat(board.isAcknowledged(shown)).isTrue();
                samples(o, 8); // more than two repeat intervals
                assertThat(about("FIRING", true)).as("no reminder from a sample after the ack")
                        .noneMatch(b -> Instant.parse(b.get("at").asText()).isAfter(ackedAt));
                assertThat(firing(o)).as("acknowledged, still firing and listed").isTrue();

                silence = o.silence(RULE, Silence.ANY_SUBJECT, Duration.ofHours(1), "batch window");
                assertThat(o.snapshot().alerting().silences()).containsExactly(silence);
                assertThat(o.snapshot().alerting().silenceOf(shown, Instant.now())).contains(silence);

                WebhookNotifier.TestSend test = o.sendTestAlert();
                assertThat(test.status()).hasValue(200);
                assertThat(test.describe()).startsWith("Test alert sent to http://127.0.0.1:").doesNotContain("s3cr3t");
                assertThat(received).anyMatch(b -> b.get("ruleId").asText().equals("pgpulse-test")
                        && b.get("state").asText().equals("TEST"));
            }
            Path file = home.resolve(Silences.FILE_NAME);
            assertThat(file).exists();
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

            received.clear();
            try (Orchestrator o = start(db, rules, webhook)) {
                assertThat(o.startupWarnings()).isEmpty();
                assertThat(o.snapshot().alerting().silences()).as("kept across the restart").containsExactly(silence);
                await().atMost(Duration.ofSeconds(20)).until(() -> firing(o));
                assertThat(o.snapshot().alerting().acknowledged()).as("an ack lives in memory only").isEmpty();
                samples(o, 8);
                assertThat(about("FIRING", false)).as("silenced: shown, but the webhook hears nothing").isEmpty();
                assertThat(about("FIRING", true)).isEmpty();

                assertThat(o.expireSilence(silence.id())).isTrue();
                assertThat(o.expireSilence(silence.id())).isFalse();
                assertThat(o.snapshot().alerting().silences()).isEmpty();
                await().atMost(Duration.ofSeconds(20)).until(() -> !about("FIRING", false).isEmpty());
                assertThat(about("FIRING", false).getFirst().get("message").asText()).endsWith("(silence ended)");

                assertThat(o.acknowledge(KEY)).isTrue();
                held.rollback(); // the transaction ends: the alert resolves and its ack goes with it
                await().atMost(Duration.ofSeconds(20)).until(() -> !firing(o));
                assertThat(o.snapshot().alerting().acknowledged()).isEmpty();
                assertThat(o.acknowledge(KEY)).isFalse();
                await().atMost(Duration.ofSeconds(20)).until(() -> !about("RESOLVED", false).isEmpty());
            }
        }
        assertThat(Silences.load(home.resolve(Silences.FILE_NAME), java.time.Clock.systemUTC()).active(Instant.now()))
                .as("the expiry was written").isEmpty();
    }

    @Test
    void eachProfilesTargetHasItsOwnSilences(TestDatabase db) throws Exception {
        Path rules = rulesFile();
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(Overrides.none());
        var base = new Orchestrator.Options(Duration.ofMillis(200), rules, false);
        var staging = base.forTarget(config).withSilencesScope("staging");
        try (Orchestrator o = Orchestrator.start(config, staging)) {
            o.silence(RULE, "*", Duration.ofHours(8), "noisy on staging");
            assertThat(o.silences().active(java.time.Instant.now())).hasSize(1);
        }
        assertThat(staging.silencesFile()).hasFileName("silences-staging.json").exists();
        // production, and the target PgPulse was started on, do not hear of staging's silence
        try (Orchestrator o = Orchestrator.start(config, base.forTarget(config).withSilencesScope("prod"))) {
            assertThat(o.silences().active(java.time.Instant.now())).isEmpty();
        }
        try (Orchestrator o = Orchestrator.start(config, base)) {
            assertThat(o.silences().active(java.time.Instant.now())).isEmpty();
        }
        // a hand-written profile name cannot lead the file out of its folder
        assertThat(base.withSilencesScope("../../etc/x").silencesFile().getParent()).isEqualTo(rules.getParent());
    }

    @Test
    void withoutAWebhookTheTestSaysSoAndBadSilencesAreRefusedInOneLine(TestDatabase db) throws Exception {
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(new Overrides(null, null, null, List.of(), null,
                Map.of()));
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200), null, false))) {
            assertThat(o.sendTestAlert().describe()).startsWith("No test alert sent: no webhook is configured; set "
                    + "alerts.webhook_url");
            assertThat(o.silences().file()).as("no rules file: silences in memory").isEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.silence("no-such-rule", "*",
                            Duration.ofHours(1), ""))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("no alert rule has the id 'no-such-rule'; silence one of [");
            // hostile input from a form: one line, cut, nothing silenced
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.silence("no-such\n12:00:00 INFO forged"
                            + "x".repeat(100_000), "*", Duration.ofHours(1), ""))
                    .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("\n")
                    .hasSizeLessThan(1_000).startsWith("no alert rule has the id 'no-such?12:00:00 INFO forged");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.silence("long-transaction",
                            "pool.primary.awaiting", Duration.ofHours(1), ""))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a subject of rule 'long-transaction'");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.silence("long-transaction", "*",
                            Duration.ofDays(-1), "")).isInstanceOf(IllegalArgumentException.class);
            assertThat(o.snapshot().alerting().silences()).isEmpty();
            Silence s = o.silence("long-transaction", "*", Duration.ofMinutes(5), "");
            assertThat(o.snapshot().alerting().silences()).containsExactly(s);
        }
    }
}
