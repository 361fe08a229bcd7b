package dev.pgpulse.ui.shell;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.RuleBook;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.Promtool;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's actions on alert rules, on a real orchestrator over the real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class OrchestratorActionsTest {
    @TempDir
    Path home;

    @BeforeAll
    static void fx() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    private static final Dialogs QUIET = new Dialogs() {
        @Override
        public boolean confirm(Confirmation c) {
            return false;
        }

        @Override
        public void notify(Notice n) {
        }
    };

    @Test
    void aFailureWithoutAMessageIsToldByItsKindNeverAsNull() {
        assertThat(OrchestratorActions.why(new NullPointerException())).isEqualTo("NullPointerException");
        assertThat(OrchestratorActions.why(new java.io.IOException(" "))).isEqualTo("IOException");
        assertThat(OrchestratorActions.why(new java.io.IOException("disk full"))).isEqualTo("disk full");
    }

    @Test
    void savedRulesReachTheEngineAndTheFileAndTheExportPassesPromtool(TestDatabase db) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url()), home, "tester", 2).load(Overrides.none());
        Path rulesFile = home.resolve("alert-rules.json");
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(500), rulesFile, false))) {
            OrchestratorActions actions = new OrchestratorActions(o, null, background, () -> { }, QUIET);
            List<AlertRule> rules = new ArrayList<>(DefaultRules.all());
            AlertRule disabled = new AlertRule("cache-hit-low", "Cache hit ratio below 98%", "server.cache_hit_ratio",
                    Operator.LT, 0.98, Duration.ofMinutes(10), Severity.INFO, false);
            rules.set(rules.indexOf(DefaultRules.all().get(4)), disabled);

            CompletableFuture<RuleBook.Outcome> saved = new CompletableFuture<>();
            actions.saveRules(rules, o.rules().state().revision(), saved::complete);
            assertThat(saved.get(30, TimeUnit.SECONDS)).isInstanceOf(RuleBook.Outcome.Saved.class);
            assertThat(o.alerts().rules()).isEqualTo(rules);
            assertThat(Files.readString(rulesFile)).contains("\"enabled\" : false");

            Path out = home.resolve("pgpulse-rules.yml");
            CompletableFuture<String> exported = new CompletableFuture<>();
            actions.exportPrometheus(out, exported::complete);
            assertThat(exported.get(30, TimeUnit.SECONDS)).isEqualTo("Exported " + (rules.size() - 1) + " rules to " + out
                    + " for Prometheus (1 rule left out: cache-hit-low)");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
            Promtool.Run check = Promtool.require().checkRules(out);
            assertThat(check.ok()).as(check.output()).isTrue();
            assertThat(check.output()).contains("SUCCESS: " + (rules.size() - 1) + " rules found");

            CompletableFuture<String> refused = new CompletableFuture<>();
            actions.exportPrometheus(home, refused::complete); // a folder
            assertThat(refused.get(30, TimeUnit.SECONDS)).startsWith("Not exported: " + home + " is a folder; ");
            // a FIFO (someone's reader) is refused, never replaced by a regular file
            Path fifo = dev.pgpulse.testing.OddFiles.fifo(home.resolve("rules.pipe"));
            CompletableFuture<String> piped = new CompletableFuture<>();
            actions.exportPrometheus(fifo, piped::complete);
            assertThat(piped.get(30, TimeUnit.SECONDS)).isEqualTo("Not exported: " + fifo + " is not a regular file "
                    + "(a device, FIFO or socket), which an export would replace; give a regular file instead");
            assertThat(Files.exists(fifo)).isTrue();
            assertThat(Files.isRegularFile(fifo)).as("still the FIFO").isFalse();
        } finally {
            background.shutdownNow();
        }
    }
}
