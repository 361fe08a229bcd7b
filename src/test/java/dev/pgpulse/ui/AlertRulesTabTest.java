package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.alerts.AlertsTab;
import dev.pgpulse.ui.alerts.RuleItem;
import dev.pgpulse.ui.alerts.RulesViewModel;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Alerts tab's rules, in the real console window on a real orchestrator and PostgreSQL: a rule made and edited
 * in the GUI (an invalid edit disables Save and says why) is saved to the file and the running engine, survives a
 * restart, FIRES when a transaction is really held open and resolves when it ends; hand edits of the file while the
 * console runs are taken in, or a conflict with unsaved edits offers Reload and Overwrite; reset asks first.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(180)
class AlertRulesTabTest extends WindowTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Path rulesFile() {
        return home.resolve("alert-rules.json");
    }

    private Orchestrator orchestrator(TestDatabase db) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url()), home, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of("pool.max_size", "3")));
        // a short health interval: each sample evaluates the rules and checks the rules file
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250), rulesFile(), false));
        closeLast.add(o);
        return o;
    }

    private ConsoleWindow show(Orchestrator o) throws Exception {
        ConsoleWindow w = TestWindows.show(stage, o, Duration.ofMillis(250));
        closeLast.add(closeLast.indexOf(o) + 1, w);
        fx(() -> {
            TabPane tabs = (TabPane) robot.lookup("#tabs").query();
            tabs.getSelectionModel().select(tabs.getTabs().stream().filter(t -> "alerts-tab".equals(t.getId()))
                    .findFirst().orElseThrow());
            return null;
        });
        await().atMost(WAIT).until(() -> fx(() -> table().getItems().size()) >= 14);
        return w;
    }

    private static RulesViewModel rules(ConsoleWindow w) {
        return w.consoleTabs().stream().filter(AlertsTab.class::isInstance).map(AlertsTab.class::cast).findFirst()
                .orElseThrow().viewModel().rules();
    }


    @SuppressWarnings("unchecked")
    private TableView<RuleItem> table() {
        return (TableView<RuleItem>) robot.lookup("#rules-table").query();
    }

    private String label(String id) throws Exception {
        return fx(() -> robot.lookup(id).tryQuery().filter(Node::isVisible).map(n -> ((Label) n).getText()).orElse(""));
    }

    private boolean disabled(String id) throws Exception {
        return fx(() -> robot.lookup(id).query().isDisabled());
    }

    /** Types into a text field as the DBA does: click, select all, type. */
    private void type(String id, String text) {
        robot.clickOn(id);
        robot.press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL);
        robot.write(text);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private String stateOf(String ruleId) throws Exception {
        return fx(() -> table().getItems().stream().filter(r -> r.id().equals(ruleId)).findFirst()
                .map(r -> r.stateProperty().get()).orElse(""));
    }

    private void selectRow(String ruleId) throws Exception {
        String name = fx(() -> table().getItems().stream().filter(r -> r.id().equals(ruleId)).findFirst().orElseThrow()
                .nameProperty().get());
        fx(() -> {
            table().scrollTo(table().getItems().stream().filter(r -> r.id().equals(ruleId)).findFirst().orElseThrow());
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn(name);
        await().atMost(WAIT).until(() -> fx(() -> {
            RuleItem s = table().getSelectionModel().getSelectedItem();
            return s != null && s.id().equals(ruleId);
        }));
    }

    private static AlertRule rule(List<AlertRule> rules, String id) {
        return rules.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aRuleMadeInTheGuiIsSavedFiresOnAHeldTransactionResolvesAndSurvivesARestart(TestDatabase db) throws Exception {
        Orchestrator o = orchestrator(db);
        ConsoleWindow w = show(o);
        robot.clickOn("#rule-add");
        type("#rule-name", "Transaction held open (test)");
        assertThat(fx(() -> ((javafx.scene.control.TextField) robot.lookup("#rule-id").query()).getText()))
                .as("a new rule's id follows its name").isEqualTo("transaction-held-open-test");
        fx(() -> {
            ((ComboBox<String>) robot.lookup("#rule-metric").query()).setValue("server.longest_transaction_seconds");
            ((ComboBox<String>) robot.lookup("#rule-severity").query()).setValue("critical");
            return null;
        });
        assertThat(label("#rule-unit")).startsWith("duration");

        // an invalid edit: Save is disabled and the reason is under the field
        type("#rule-threshold", "two seconds");
        await().atMost(WAIT).until(() -> label("#rule-threshold-problem").startsWith("'two seconds' is not a duration"));
        assertThat(disabled("#rules-save")).as("Save while the threshold is invalid").isTrue();
        assertThat(label("#rules-save-hint")).startsWith("Save is off until the fields in red are fixed");
        Screenshots.save(stage.getScene(), "alerts-editor-invalid");

        type("#rule-threshold", "2s");
        type("#rule-for", "0s");
        await().atMost(WAIT).until(() -> label("#rule-threshold-problem").isEmpty() && !disabled("#rules-save"));
        robot.clickOn("#rules-save");
        await().atMost(WAIT).until(() -> label("#rules-status").startsWith("Saved " + (DefaultRules.all().size() + 1) + " rules to "));
        assertThat(label("#rules-status")).endsWith("alert-rules.json");

        // on disk, and in the running engine
        AlertRule onDisk = rule(new AlertRuleStore(rulesFile()).load().rules(), "transaction-held-open-test");
        assertThat(onDisk.metric()).isEqualTo("server.longest_transaction_seconds");
        assertThat(onDisk.threshold()).isEqualTo(2.0);
        assertThat(onDisk.severity().json()).isEqualTo("critical");
        assertThat(rule(o.alerts().rules(), "transaction-held-open-test")).isEqualTo(onDisk);
        await().atMost(WAIT).until(() -> stateOf("transaction-held-open-test").equals("OK"));

        // a second rule, duplicated from it, on every endpoint's pool: its state names the endpoint
        robot.clickOn("#rule-duplicate");
        type("#rule-name", "Pool more than 30% in use (test)");
        fx(() -> {
            ((ComboBox<String>) robot.lookup("#rule-metric").query()).setValue("pool.<endpoint>.usage_ratio");
            return null;
        });
        assertThat(fx(() -> ((ComboBox<String>) robot.lookup("#rule-endpoint").query()).getValue())).isEqualTo("any (*)");
        assertThat(label("#rule-unit")).isEqualTo("%");
        type("#rule-threshold", "30%");
        await().atMost(WAIT).until(() -> !disabled("#rules-save"));
        robot.clickOn("#rules-save");
        await().atMost(WAIT).until(() -> label("#rules-status").startsWith("Saved " + (DefaultRules.all().size() + 2) + " rules to "));
        AlertRule pool = rule(o.alerts().rules(), "pool-more-than-30-in-use-test");
        assertThat(pool.metric()).isEqualTo("pool.*.usage_ratio");
        assertThat(pool.threshold()).isEqualTo(0.3);
        await().atMost(WAIT).until(() -> stateOf("pool-more-than-30-in-use-test").equals("OK"));

        // made true for real: a transaction held open on the server, and one of the primary's three connections
        try (Connection c = db.connect(); Statement st = c.createStatement();
             Connection held = o.service().endpoints().primary().connection()) {
            c.setAutoCommit(false);
            st.execute("select txid_current()");
            await().atMost(WAIT).until(() -> o.alerts().active().stream().map(Alert::ruleId).toList()
                    .containsAll(List.of("transaction-held-open-test", "pool-more-than-30-in-use-test")));
            await().atMost(WAIT).until(() -> stateOf("transaction-held-open-test").matches("FIRING (for \\d+ s|just now)")
                    && stateOf("pool-more-than-30-in-use-test").equals("FIRING on primary"));
            fx(() -> {
                table().scrollTo(table().getItems().size() - 6);
                return null;
            });
            await().atMost(WAIT).until(() -> stateOf("transaction-held-open-test").matches("FIRING for \\d+ s"));
            Screenshots.save(stage.getScene(), "alerts-rules-firing");
            // one threshold reads the same in the rules table, the editor, the preview and the alert list
            assertThat(fx(() -> table().getItems().stream().filter(r -> r.id().equals("pool-more-than-30-in-use-test"))
                    .findFirst().orElseThrow().conditionProperty().get())).isEqualTo("> 30%");
            assertThat(fx(() -> ((javafx.scene.control.TextField) robot.lookup("#rule-threshold").query()).getText()))
                    .isEqualTo("30%");
            assertThat(label("#preview-threshold-legend")).isEqualTo("threshold > 30%");
            assertThat(fx(() -> table().getItems().stream().filter(r -> r.id().equals("transaction-held-open-test"))
                    .findFirst().orElseThrow().conditionProperty().get())).isEqualTo("> 2 s");
            List<String> now = fx(() -> robot.lookup("#alerts-now").lookup(".table-cell").queryAll().stream()
                    .map(n -> ((Labeled) n).getText()).filter(t -> t != null).toList());
            assertThat(now).anyMatch(t -> t.matches("\\d+(\\.\\d)?%  \\(> 30%\\)"))
                    .anyMatch(t -> t.matches("\\d+(\\.\\d{1,2})? s  \\(> 2 s\\)"));
            c.rollback();
            assertThat(held.isValid(1)).isTrue();
        }
        await().atMost(WAIT).until(() -> o.alerts().history().stream().anyMatch(a ->
                a.ruleId().equals("transaction-held-open-test") && a.state() == AlertState.RESOLVED));
        await().atMost(WAIT).until(() -> stateOf("transaction-held-open-test").equals("OK")
                && stateOf("pool-more-than-30-in-use-test").equals("OK"));

        // a restart reads it back from the file
        w.close();
        o.close();
        closeLast.clear();
        Orchestrator again = orchestrator(db);
        assertThat(rule(again.alerts().rules(), "transaction-held-open-test")).isEqualTo(onDisk);
    }

    @Test
    void handEditsAreTakenInOrAreAConflictAndResetAsksFirst(TestDatabase db) throws Exception {
        Orchestrator o = orchestrator(db);
        ConsoleWindow w = show(o);
        AlertRuleStore store = new AlertRuleStore(rulesFile());

        // no unsaved edit: a hand edit is taken in at once
        List<AlertRule> fewer = new ArrayList<>(DefaultRules.all());
        fewer.removeIf(r -> r.id().equals("deadlocks"));
        store.save(fewer);
        await().atMost(WAIT).until(() -> label("#rules-status").equals("Reloaded: the rules file was edited (" + (DefaultRules.all().size() - 1) + " rules now)"));
        assertThat(fx(() -> table().getItems().stream().map(RuleItem::id).toList())).doesNotContain("deadlocks");

        // delete and undo, disable and revert: nothing reaches the file until Save
        selectRow("rollback-ratio");
        robot.clickOn("#rule-delete");
        await().atMost(WAIT).until(() -> fx(() -> robot.lookup("#rule-undo").query().isVisible()));
        assertThat(fx(() -> ((javafx.scene.control.Hyperlink) robot.lookup("#rule-undo").query()).getText()))
                .isEqualTo("Undo delete of 'Rollback ratio above 10%'");
        assertThat(fx(() -> table().getItems().stream().map(RuleItem::id).toList())).doesNotContain("rollback-ratio");
        assertThat(disabled("#rules-save")).as("a delete is a change to save").isFalse();
        robot.clickOn("#rule-undo");
        await().atMost(WAIT).until(() -> fx(() -> table().getItems().stream().map(RuleItem::id).toList())
                .contains("rollback-ratio") && disabled("#rules-save"));
        selectRow("rollback-ratio");
        robot.clickOn("#rule-toggle");
        await().atMost(WAIT).until(() -> stateOf("rollback-ratio").equals("off") && !disabled("#rules-save"));
        assertThat(fx(() -> ((Button) robot.lookup("#rule-toggle").query()).getText())).isEqualTo("Enable");
        robot.clickOn("#rules-revert");
        await().atMost(WAIT).until(() -> stateOf("rollback-ratio").equals("OK") && disabled("#rules-save"));
        assertThat(store.load().rules()).isEqualTo(fewer);

        // an unsaved edit, then a hand edit: the conflict is said, nothing is overwritten until Overwrite
        selectRow("replica-lag");
        type("#rule-threshold", "45s");
        List<AlertRule> byHand = new ArrayList<>(fewer);
        byHand.removeIf(r -> r.id().equals("cache-hit-low"));
        store.save(byHand);
        await().atMost(WAIT).until(() -> label("#rules-conflict-text").contains("edited outside the console"));
        assertThat(store.load().rules()).as("the hand edit is not overwritten").isEqualTo(byHand);
        assertThat(disabled("#rules-save")).isTrue();
        robot.clickOn("#rules-overwrite");
        await().atMost(WAIT).until(() -> label("#rules-status").startsWith("Overwrote the file's rules: saved " + (DefaultRules.all().size() - 1) + " rules"));
        assertThat(rule(store.load().rules(), "replica-lag").threshold()).isEqualTo(45.0);
        assertThat(rule(o.alerts().rules(), "replica-lag").threshold()).isEqualTo(45.0);

        // again, and this time Reload: the file's rules win, the edit is gone
        selectRow("replica-lag");
        type("#rule-threshold", "50s");
        List<AlertRule> third = new ArrayList<>(store.load().rules());
        third.removeIf(r -> r.id().equals("rollback-ratio"));
        store.save(third);
        await().atMost(WAIT).until(() -> label("#rules-conflict-text").contains("edited outside the console"));
        robot.clickOn("#rules-reload");
        await().atMost(WAIT).until(() -> fx(() -> rules(w).rules()).equals(third));
        assertThat(label("#rules-conflict-text")).isEmpty();
        assertThat(rule(store.load().rules(), "replica-lag").threshold()).isEqualTo(45.0);

        // a hand edit that is not valid: a warning, the rules in force kept
        Files.writeString(rulesFile(), "{ \"version\": 1, \"rules\": [ { \"id\": \"Bad Id\" } ] }");
        await().atMost(WAIT).until(() -> label("#rules-file-problem").contains("alert-rules.json was edited and is not valid"));
        assertThat(o.alerts().rules()).hasSize(DefaultRules.all().size() - 2);

        // reset to defaults: asked first, naming the action; then the file and the engine hold the defaults
        robot.clickOn("#rules-reset");
        await().atMost(WAIT).until(() -> fx(() -> robot.lookup(".dialog-pane").tryQuery().isPresent()));
        assertThat(fx(() -> ((javafx.scene.control.DialogPane) robot.lookup(".dialog-pane").query()).getHeaderText()))
                .isEqualTo("Reset the alert rules to the defaults?");
        robot.clickOn((Button) fx(() -> robot.lookup(".dialog-pane .button").queryAll().stream()
                .filter(b -> ((Button) b).getText().equals("Reset to defaults")).findFirst().orElseThrow()));
        await().atMost(WAIT).until(() -> label("#rules-status").startsWith("Reset to the defaults: saved " + DefaultRules.all().size() + " rules"));
        assertThat(store.load().rules()).isEqualTo(DefaultRules.all());
        assertThat(o.rules().state().defaults()).isTrue();
        assertThat(label("#rules-file-problem")).isEmpty();
    }
}
