package dev.pgpulse.ui;

import com.sun.net.httpserver.HttpServer;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.health.alert.RuleBook;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.health.alert.Silence;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.alerts.AlertListViewModel;
import dev.pgpulse.ui.alerts.AlertsTab;
import dev.pgpulse.ui.alerts.SilenceFormViewModel;
import dev.pgpulse.ui.shell.Dialogs;
import javafx.css.PseudoClass;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Alerts tab's alert list in the real console window on a real orchestrator and PostgreSQL: a rule with a low
 * threshold ({@code server.longest_transaction_seconds > 1}) fires for real while a transaction is held open, shows
 * in Now with its subject and value and notifies, and once the transaction ends resolves into History. Then the
 * row's buttons acknowledge it, silence its rule (the inline form) and expire the silence through the real
 * actions, and the webhook's test reaches a local receiver and shows its HTTP status.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(180)
class AlertListWindowTest {
    private static final String RULE_ID = "test-long-tx";
    private static final String RULE_NAME = "Transaction open for more than 1 s";
    private static final String KEY = "server.longest_transaction_seconds";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path home;
    private static Stage stage;
    private final FxRobot robot = new FxRobot();
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @BeforeAll
    static void toolkit() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(30, TimeUnit.SECONDS);
    }

    /** An orchestrator sampling every 250 ms with the default rules plus one that fires after a second's transaction. */
    private Orchestrator orchestrator(TestDatabase db, Map<String, String> settings) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url()), home, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, settings));
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                home.resolve("alert-rules.json"), false));
        closeLast.add(o);
        List<AlertRule> rules = new ArrayList<>(DefaultRules.all());
        rules.add(new AlertRule(RULE_ID, RULE_NAME, KEY, Operator.GT, 1, Duration.ZERO, Severity.WARNING, true));
        RuleBook.Outcome saved = o.rules().save(rules, o.rules().state().revision());
        assertThat(saved).isInstanceOf(RuleBook.Outcome.Saved.class);
        return o;
    }

    /** The window on the Alerts tab. */
    private ConsoleWindow show(Orchestrator o) throws Exception {
        ConsoleWindow w = TestWindows.show(stage, o, Duration.ofMillis(250));
        closeLast.add(w);
        fx(() -> {
            Tab alerts = w.tabs.getTabs().stream().filter(t -> "alerts-tab".equals(t.getId())).findFirst().orElseThrow();
            w.tabs.getSelectionModel().select(alerts);
            return null;
        });
        return w;
    }

    private static AlertListViewModel alerts(ConsoleWindow w) {
        return w.consoleTabs().stream().filter(AlertsTab.class::isInstance).map(AlertsTab.class::cast).findFirst()
                .orElseThrow().viewModel().alerts();
    }

    @SuppressWarnings("unchecked")
    private <R> TableView<R> table(String id) {
        return (TableView<R>) robot.lookup(id).query();
    }

    /** The Now table's row of the test rule, as the table holds it; null while there is none. */
    private AlertListViewModel.NowRow nowRow() throws Exception {
        return fx(() -> this.<AlertListViewModel.NowRow>table("#alerts-now").getItems().stream()
                .filter(r -> r.key().ruleId().equals(RULE_ID)).findFirst().orElse(null));
    }

    /** Every text the table's cells show on screen now. */
    private List<String> cellTexts(String table) throws Exception {
        return fx(() -> robot.from(robot.lookup(table).queryAs(TableView.class)).lookup(".table-cell").queryAll()
                .stream().map(n -> ((javafx.scene.control.Labeled) n).getText()).filter(t -> t != null && !t.isEmpty())
                .toList());
    }

    /** A visible button of the row with that key (the row's Acknowledge, Silence… or Expire silence). */
    private Button rowButton(String styleClass) throws Exception {
        AlertKey key = new AlertKey(RULE_ID, KEY);
        return fx(() -> robot.lookup("." + styleClass).queryAllAs(Button.class).stream()
                .filter(b -> b.isVisible() && key.equals(b.getUserData())).findFirst().orElse(null));
    }

    /**
     * Clicks the row's button, as a DBA would; the table refreshes every poll, so a button found may have left the
     * scene by the time the click lands: then it is found again.
     */
    private void click(String styleClass) {
        await().atMost(WAIT).until(() -> {
            Button b = rowButton(styleClass);
            if (b == null || fx(() -> b.getScene() == null)) {
                return false;
            }
            try {
                robot.clickOn(b);
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    private Connection holdTransactionOpen(TestDatabase db) throws Exception {
        Connection c = db.connect();
        closeLast.add(c);
        c.setAutoCommit(false);
        c.createStatement().execute("select txid_current()");
        return c;
    }

    @Test
    void aTransactionHeldOpenFiresTheRuleIntoNowWithItsValueAndItsEndMovesItToHistory(TestDatabase db) throws Exception {
        Orchestrator o = orchestrator(db, Map.of());
        ConsoleWindow w = show(o);
        await().atMost(WAIT).until(() -> fx(() -> o.snapshot().health() != null));
        Connection tx = holdTransactionOpen(db);

        await().atMost(WAIT).until(() -> nowRow() != null && nowRow().firing());
        AlertListViewModel.NowRow row = nowRow();
        assertThat(row.rule()).isEqualTo(RULE_NAME);
        assertThat(row.severityText()).isEqualTo("warning");
        assertThat(row.subject()).isEqualTo(KEY);
        assertThat(row.value()).as("seconds, in the metric's unit").matches("\\d+(\\.\\d{1,2})? s  \\(> 1 s\\)");
        assertThat(row.since()).matches("\\d\\d:\\d\\d:\\d\\d · for .+");
        // on screen too, the severity cell coloured through its pseudo-class
        await().atMost(WAIT).until(() -> cellTexts("#alerts-now").containsAll(List.of(RULE_NAME, KEY, "FIRING",
                "warning")));
        assertThat(fx(() -> robot.lookup("#alerts-now").lookup(".table-cell").queryAll().stream()
                .anyMatch(n -> n.getPseudoClassStates().contains(PseudoClass.getPseudoClass("warning")))))
                .isTrue();
        assertThat(fx(() -> ((TabPane) robot.lookup("#alert-list-tabs").query()).getTabs().getFirst().getText()))
                .startsWith("Now: 1 firing");
        assertThat(rowButton("alert-ack")).as("a firing alert can be acknowledged").isNotNull();
        // a notification was told (the test window keeps popups off: FxDialogs records it)
        await().atMost(WAIT).until(() -> fx(() -> w.dialogs().shown().stream()
                .anyMatch(n -> n.title().equals("Firing (warning): " + RULE_NAME))));
        // the value grows with the transaction's age
        await().atMost(WAIT).until(() -> nowRow().value().matches("[2-9](\\.\\d)? s .*|\\d\\d+ s .*"));
        Path png = Screenshots.save(stage.getScene(), "alerts-firing");
        assertThat(png).exists();

        tx.commit();
        await().atMost(WAIT).until(() -> nowRow() == null);
        await().atMost(WAIT).until(() -> fx(() -> w.dialogs().shown().stream()
                .anyMatch(n -> n.title().equals("Resolved: " + RULE_NAME) && n.severity() == Dialogs.Severity.INFO)));
        fx(() -> {
            TabPane tabs = (TabPane) robot.lookup("#alert-list-tabs").query();
            tabs.getSelectionModel().select(1);
            return null;
        });
        await().atMost(WAIT).until(() -> fx(() -> this.<AlertListViewModel.HistoryRow>table("#alerts-history")
                .getItems().stream().filter(r -> r.rule().equals(RULE_NAME)).map(AlertListViewModel.HistoryRow::what)
                .toList()).equals(List.of("RESOLVED", "FIRING")));
        await().atMost(WAIT).until(() -> cellTexts("#alerts-history").containsAll(List.of("RESOLVED", "FIRING")));
        // the rule filter still reads "all rules" after the choices were filled in from the rules and the history
        assertThat(fx(() -> ((ChoiceBox<String>) robot.lookup("#history-rule").query()).getValue()))
                .isEqualTo("all rules");
        // the severity filter hides the warning, and shows it again
        fx(() -> {
            ((ChoiceBox<String>) robot.lookup("#history-severity").query()).setValue("critical");
            return null;
        });
        assertThat(fx(() -> table("#alerts-history").getItems())).isEmpty();
        fx(() -> {
            ((ChoiceBox<String>) robot.lookup("#history-severity").query()).setValue("warning");
            return null;
        });
        assertThat(fx(() -> this.<AlertListViewModel.HistoryRow>table("#alerts-history").getItems().size()))
                .isGreaterThanOrEqualTo(2);
        Screenshots.save(stage.getScene(), "alerts-history");
        // the webhook test needs a webhook: none here, and the tooltip says how to set one
        assertThat(fx(() -> robot.lookup("#send-test-alert").queryButton().isDisabled())).isTrue();
        assertThat(fx(() -> robot.lookup("#send-test-alert").queryButton().getTooltip().getText()))
                .contains("alerts.webhook_url");
    }

    /**
     * Acknowledge, silence and expire through the row's buttons and the real actions, and the webhook's test
     * against a local receiver. Needs the core side of issue 12 (i12-silence): acknowledgements, silences and the
     * webhook test in the orchestrator.
     */
    @Test
    void theRowsButtonsAcknowledgeSilenceAndExpireThroughTheRealActionsAndTheWebhookTestShowsItsStatus(TestDatabase db)
            throws Exception {
        AtomicInteger posts = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            posts.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        closeLast.add(() -> receiver.stop(0));
        Orchestrator o = orchestrator(db, Map.of("alerts.webhook_url",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
        ConsoleWindow w = show(o);
        holdTransactionOpen(db);
        await().atMost(WAIT).until(() -> nowRow() != null && nowRow().firing() && rowButton("alert-ack") != null);
        AlertKey key = new AlertKey(RULE_ID, KEY);

        click("alert-ack");
        await().atMost(WAIT).until(() -> o.snapshot().alerting().acknowledged().contains(key));
        await().atMost(WAIT).until(() -> nowRow().acknowledged().equals("acknowledged"));
        await().atMost(WAIT).until(() -> cellTexts("#alerts-now").contains("acknowledged"));
        assertThat(rowButton("alert-ack")).as("acknowledged once").isNull();

        click("alert-silence");
        await().atMost(WAIT).until(() -> fx(() -> robot.lookup("#silence-form").query().isVisible()));
        // the key as it is, its underscores not taken for mnemonics
        assertThat(fx(() -> ((javafx.scene.control.RadioButton) robot.lookup("#silence-scope-subject").query())
                .getText())).isEqualTo("only " + KEY);
        robot.clickOn("#silence-scope-rule");
        fx(() -> {
            ((ChoiceBox<SilenceFormViewModel.Length>) robot.lookup("#silence-length").query())
                    .setValue(SilenceFormViewModel.Length.CUSTOM);
            ((TextField) robot.lookup("#silence-custom").query()).setText("90");
            return null;
        });
        // a length without a unit: refused beside the field, Silence disabled
        assertThat(fx(() -> ((Label) robot.lookup("#silence-problem").query()).getText())).contains("has no unit");
        assertThat(fx(() -> robot.lookup("#silence-submit").queryButton().isDisabled())).isTrue();
        fx(() -> {
            ((TextField) robot.lookup("#silence-custom").query()).setText("2h");
            ((TextField) robot.lookup("#silence-comment").query()).setText("reindexing tonight");
            return null;
        });
        Screenshots.save(stage.getScene(), "alerts-silence-form");
        robot.clickOn("#silence-submit");
        await().atMost(WAIT).until(() -> o.snapshot().alerting().silences().stream()
                .anyMatch(s -> s.ruleId().equals(RULE_ID) && s.subject().equals(Silence.ANY_SUBJECT)
                        && s.comment().equals("reindexing tonight")));
        await().atMost(WAIT).until(() -> nowRow().silenced() && nowRow().silence().startsWith("silenced until "));
        // both marks show: acknowledged, and the silence's end
        await().atMost(WAIT).until(() -> cellTexts("#alerts-now").stream()
                .anyMatch(t -> t.matches("acknowledged, silenced until .*\\d\\d:\\d\\d")));
        assertThat(fx(() -> robot.lookup("#silence-form").query().isVisible())).as("closed once made").isFalse();
        // greyed: the row carries :silenced, which console.css dims
        await().atMost(WAIT).until(() -> fx(() -> robot.lookup("#alerts-now").lookup(".table-row-cell").queryAll()
                .stream().anyMatch(n -> n instanceof TableRow<?> r && r.getItem() != null
                        && n.getPseudoClassStates().contains(PseudoClass.getPseudoClass("silenced")))));
        // and console.css greys it indeed: its cells' text as the rule says, not the table's white
        await().atMost(WAIT).until(() -> fx(() -> robot.lookup("#alerts-now").lookup(".table-row-cell").queryAll()
                .stream().filter(n -> n.getPseudoClassStates().contains(PseudoClass.getPseudoClass("silenced")))
                .flatMap(n -> n.lookupAll(".table-cell").stream())
                .anyMatch(c -> c instanceof javafx.scene.control.Labeled l && l.getText() != null
                        && l.getText().equals(RULE_NAME) && javafx.scene.paint.Color.web("#9e9e9e").equals(l.getTextFill()))));
        Screenshots.save(stage.getScene(), "alerts-silenced");

        click("alert-expire");
        await().atMost(WAIT).until(() -> o.snapshot().alerting().silences().isEmpty());
        await().atMost(WAIT).until(() -> !nowRow().silenced());

        assertThat(fx(() -> robot.lookup("#send-test-alert").queryButton().isDisabled())).isFalse();
        int before = posts.get();
        robot.clickOn("#send-test-alert");
        await().atMost(WAIT).until(() -> fx(() -> ((Label) robot.lookup("#webhook-test-result").query()).getText())
                .contains("204"));
        assertThat(posts.get()).isGreaterThan(before);
        assertThat(fx(() -> alerts(w).testResultProperty().get())).doesNotContain("/hook");
    }
}
