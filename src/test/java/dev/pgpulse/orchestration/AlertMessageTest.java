package dev.pgpulse.orchestration;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real long transaction fires a rule on a duration metric, and the alert says the durations as people do. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class AlertMessageTest {
    @TempDir
    Path home;

    @Test
    void aRuleOnADurationMetricPrintsDurationsForPeople(TestDatabase db) throws Exception {
        Path rules = home.resolve("alert-rules.json");
        Files.writeString(rules, """
                {"schemaVersion": 1, "rules": [
                  {"id": "tx-open", "name": "Transaction open for more than 1 s",
                   "metric": "server.longest_transaction_seconds", "comparator": ">", "threshold": 1.5, "for": "2s",
                   "severity": "warning", "enabled": true}]}
                """);
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(Overrides.none());
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200), rules, false));
             Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("select 1");
            }
            Alert fired = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> o.snapshot().activeAlerts().stream().filter(a -> a.ruleId().equals("tx-open"))
                            .findFirst().orElse(null), a -> a != null);
            // e.g. "server.longest_transaction_seconds = 3.6 s > 1.5 s for 2 s", never "3612ms" or "3.612"
            assertThat(fired.message()).matches(
                    "server\\.longest_transaction_seconds = \\d+(\\.\\d{1,2})? s > 1\\.5 s for \\d+(\\.\\d)? s");
            c.rollback();
            Alert resolved = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> o.snapshot().recentAlerts().stream().filter(a -> a.ruleId().equals("tx-open")
                            && a.state() == AlertState.RESOLVED).findFirst().orElse(null), a -> a != null);
            assertThat(resolved.message()).matches("server\\.longest_transaction_seconds = \\S+( ms| s), no longer > 1\\.5 s"
                    + " \\(was true for \\d+(\\.\\d)? s\\)");
        }
    }
}
