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
import dev.pgpulse.ui.alerts.RuleItem;
import dev.pgpulse.testing.Promtool;
import javafx.geometry.Bounds;
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
import org.junit.jupiter.api.Test;
import org.testfx.util.WaitForAsyncUtils;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
class AlertListWindowTest extends WindowTest {
    private static final String RULE_ID = "test-long-tx";
    private static final String RULE_NAME = "Transaction open for more than 1 s";
    private static final String KEY = "server.longest_transaction_seconds";
    private static final Duration WAIT = Duration.ofSeconds(60);



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
        // the tab's content joins the scene on a later pulse: a lookup right after the select may find nothing
        await().atMost(WAIT).until(() -> fx(() -> robot.lookup("#export-prometheus").tryQuery()
                .map(n -> n.getScene() != null && n.isVisible()).orElse(false)));
        WaitForAsyncUtils.waitForFxEvents();
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
        // the row's texts change every poll ("for 3.2 s"): its cells keep their one tooltip each, the text set in
        // place, where a new Tooltip per cell per poll was made before
        java.util.Set<javafx.scene.control.Tooltip> tips = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<String> sinces = new ArrayList<>();
        await().atMost(WAIT).until(() -> fx(() -> {
            for (javafx.scene.Node n : robot.lookup("#alerts-now").lookup(".table-row-cell").queryAll()) {
                if (((javafx.scene.control.TableRow<?>) n).getItem() instanceof AlertListViewModel.NowRow r
                        && r.key().ruleId().equals(RULE_ID) && !sinces.contains(r.since())) {
                    sinces.add(r.since());
                    for (javafx.scene.Node c : n.lookupAll(".table-cell")) {
                        if (c instanceof javafx.scene.control.Control k && k.getTooltip() != null) {
                            tips.add(k.getTooltip());
                        }
                    }
                }
            }
            return sinces.size() >= 6;
        }));
        int columns = fx(() -> table("#alerts-now").getColumns().size());
        assertThat(tips.size()).as("tooltips over 6 polls of a row of %d columns", columns)
                .isBetween(1, 2 * columns);
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

    private static AlertsTab alertsTab(ConsoleWindow w) {
        return w.consoleTabs().stream().filter(AlertsTab.class::isInstance).map(AlertsTab.class::cast).findFirst()
                .orElseThrow();
    }

    /** The Now table's cell showing the test rule's name, on screen; null while there is none. */
    private javafx.scene.control.TableCell<?, ?> nowRuleCell() throws Exception {
        return fx(() -> {
            TableView<?> now = robot.lookup("#alerts-now").queryAs(TableView.class);
            Bounds shown = now.localToScreen(now.getBoundsInLocal());
            return robot.from(now).lookup(".table-cell").queryAll().stream()
                    .map(n -> (javafx.scene.control.TableCell<?, ?>) n)
                    .filter(c -> RULE_NAME.equals(c.getText()) && shownOnScreen(c))
                    .filter(c -> {
                        Bounds b = c.localToScreen(c.getBoundsInLocal());
                        return b != null && shown.contains(b.getCenterX(), b.getCenterY());
                    })
                    .findFirst().orElse(null);
        });
    }

    /** Visible with every parent: a table keeps hidden cells for measuring, with texts, where no click lands. */
    private static boolean shownOnScreen(javafx.scene.Node n) {
        for (javafx.scene.Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    /** The rules table's row node showing that rule, when it is scrolled into view; null otherwise. */
    @SuppressWarnings("unchecked")
    private TableRow<RuleItem> ruleRowNode(String ruleId) throws Exception {
        return fx(() -> {
            TableView<RuleItem> rules = table("#rules-table");
            Bounds shown = rules.localToScene(rules.getBoundsInLocal());
            return robot.from(rules).lookup(".table-row-cell").queryAll().stream()
                    .map(n -> (TableRow<RuleItem>) n)
                    .filter(r -> r.getItem() != null && r.getItem().id().equals(ruleId) && shownOnScreen(r))
                    .filter(r -> shown.contains(r.localToScene(r.getBoundsInLocal()).getCenterX(),
                            r.localToScene(r.getBoundsInLocal()).getCenterY()))
                    .findFirst().orElse(null);
        });
    }

    /**
     * A click on a firing alert in Now selects its rule in the rules table, scrolled into view (the test rule is the
     * last of 17, below the table's fold), so the editor and the preview show that rule, its firing stretch shaded;
     * the rules table's "State now" says FIRING as Now does. Writes target/screenshots/alerts-overview.png.
     */
    @Test
    void clickingAFiringAlertSelectsItsRuleAndThePreviewShowsItsFiringStretch(TestDatabase db) throws Exception {
        Orchestrator o = orchestrator(db, Map.of());
        ConsoleWindow w = show(o);
        await().atMost(WAIT).until(() -> fx(() -> table("#rules-table").getItems().size())
                == DefaultRules.all().size() + 1);
        assertThat(ruleRowNode(RULE_ID)).as("below the rules table's fold before the click").isNull();
        assertThat(fx(() -> ((Label) robot.lookup("#preview-title").query()).getText())).isEqualTo("Preview");
        holdTransactionOpen(db);
        // firing for a few seconds, so that the preview's stretch is wide enough to see
        await().atMost(WAIT).until(() -> nowRow() != null && nowRow().firing()
                && nowRow().value().matches("([4-9]|\\d\\d+)(\\.\\d)? s .*"));

        // a click on the alert's rule name, away from the row's buttons; again if it landed while a poll replaced the row
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            if (fx(() -> {
                RuleItem selected = this.<RuleItem>table("#rules-table").getSelectionModel().getSelectedItem();
                return selected != null && selected.id().equals(RULE_ID);
            })) {
                return true;
            }
            javafx.scene.control.TableCell<?, ?> cell = nowRuleCell();
            if (cell != null) {
                robot.clickOn(cell);
            }
            return false;
        });
        assertThat(fx(() -> alerts(w).selectedAlertProperty().get())).isEqualTo(new AlertKey(RULE_ID, KEY));
        // the Now row stays selected through the polls that replace its texts
        long polls = fx(() -> w.poller().pollsProperty().get());
        await().atMost(WAIT).until(() -> fx(() -> w.poller().pollsProperty().get()) >= polls + 4);
        assertThat(fx(() -> this.<AlertListViewModel.NowRow>table("#alerts-now").getSelectionModel()
                .getSelectedItem().key())).isEqualTo(new AlertKey(RULE_ID, KEY));
        await().atMost(WAIT).until(() -> ruleRowNode(RULE_ID) != null);
        assertThat(fx(() -> ((TextField) robot.lookup("#rule-name").query()).getText())).isEqualTo(RULE_NAME);
        await().atMost(WAIT).until(() -> fx(() -> ((Label) robot.lookup("#preview-title").query()).getText())
                .equals("Preview: " + RULE_NAME));
        // Now and the rules table agree on the state
        assertThat(nowRow().state()).isEqualTo("FIRING");
        await().atMost(WAIT).until(() -> fx(() -> ruleRowNode(RULE_ID).getItem().stateProperty().get())
                .startsWith("FIRING"));
        // the preview replays the rule over the history so far: firing now, the stretch shaded
        await().atMost(WAIT).until(() -> fx(() -> !robot.lookup("#preview-chart").query()
                .lookupAll(".preview-firing").isEmpty()));
        assertThat(fx(() -> alertsTab(w).viewModel().preview().stateProperty().get())).isEqualTo("firing");
        Path png = Screenshots.save(stage.getScene(), "alerts-overview");
        assertThat(png).exists();
    }

    /**
     * "Export to Prometheus…" clicked for real, the file chosen by the test instead of the save dialog (which cannot
     * be driven headless): the real action writes the rules in force, the line beside the button says so, and
     * promtool accepts the file. A cancelled choice writes nothing.
     */
    @Test
    void theExportButtonWritesTheRulesInForceToTheChosenFileAndPromtoolAcceptsIt(TestDatabase db) throws Exception {
        Promtool promtool = Promtool.require();
        Orchestrator o = orchestrator(db, Map.of());
        ConsoleWindow w = show(o);
        Path file = home.resolve("exported").resolve("pgpulse-alerts.rules.yml");
        java.nio.file.Files.createDirectories(file.getParent());
        List<javafx.stage.Window> owners = new java.util.concurrent.CopyOnWriteArrayList<>();
        fx(() -> {
            alertsTab(w).view().setExportChooser(owner -> {
                owners.add(owner);
                return java.util.Optional.empty();
            });
            return null;
        });
        robot.clickOn("#export-prometheus");
        await().atMost(WAIT).until(() -> owners.size() == 1);
        assertThat(owners.getFirst()).as("the dialog's owner is the console window").isSameAs(stage);
        assertThat(fx(() -> ((Label) robot.lookup("#export-result").query()).getText())).as("cancelled").isEmpty();
        assertThat(file).doesNotExist();

        fx(() -> {
            alertsTab(w).view().setExportChooser(owner -> java.util.Optional.of(file));
            return null;
        });
        robot.clickOn("#export-prometheus");
        int rules = DefaultRules.all().size() + 1;
        await().atMost(WAIT).until(() -> fx(() -> ((Label) robot.lookup("#export-result").query()).getText())
                .startsWith("Exported "));
        assertThat(fx(() -> ((Label) robot.lookup("#export-result").query()).getText()))
                .isEqualTo("Exported " + rules + " rules to " + file + " for Prometheus");
        assertThat(java.nio.file.Files.readString(file)).contains(RULE_NAME);
        // a refusal naming a long path is cut to the window, whole on hover; the buttons stay in the window
        Path deep = home.resolve("d".repeat(200)).resolve("missing").resolve("r".repeat(100) + ".rules.yml");
        fx(() -> {
            alertsTab(w).view().setExportChooser(owner -> java.util.Optional.of(deep));
            return null;
        });
        robot.clickOn("#export-prometheus");
        await().atMost(WAIT).until(() -> fx(() -> ((Label) robot.lookup("#export-result").query()).getText())
                .contains(deep.getFileName().toString()));
        await().atMost(WAIT).until(() -> fx(() -> {
            Label result = robot.lookup("#export-result").query();
            double edge = stage.getScene().getWidth();
            return result.localToScene(result.getBoundsInLocal()).getMaxX() <= edge + 1
                    && robot.lookup("#export-prometheus").queryButton().localToScene(
                            robot.lookup("#export-prometheus").queryButton().getBoundsInLocal()).getMaxX() <= edge + 1
                    && result.getTooltip() != null && result.getTooltip().getText().equals(result.getText());
        }));
        Promtool.Run check = promtool.checkRules(file);
        assertThat(check.ok()).as(check.output()).isTrue();
        assertThat(check.output()).contains("SUCCESS: " + rules + " rules found");
    }
}
