package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.query.QueryHistory;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.query.QueryTab;
import dev.pgpulse.ui.query.QueryView;
import dev.pgpulse.ui.query.QueryViewModel;
import dev.pgpulse.ui.query.ResultGrid;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Query tab in the real console window on a real orchestrator: typed rows, errors, cancel, production safety, history. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class QueryTabTest extends WindowTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Orchestrator orchestrator(Map<String, String> env) throws Exception {
        var config = new ConfigLoader(env, home, "tester", 2).load(Overrides.none());
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(500),
                Orchestrator.Options.alertRulesFile(home), false));
        closeLast.add(o);
        return o;
    }

    /** The window on the Query tab, its view built and in the scene. */
    private QueryTab show(Orchestrator o) throws Exception {
        ConsoleWindow w = TestWindows.show(stage, o, Duration.ofMillis(500));
        closeLast.add(w);
        QueryTab tab = fx(() -> {
            Tab t = w.tabs.getTabs().stream().filter(x -> "query-tab".equals(x.getId())).findFirst().orElseThrow();
            w.tabs.getSelectionModel().select(t);
            return (QueryTab) w.consoleTabs().stream().filter(QueryTab.class::isInstance).findFirst().orElseThrow();
        });
        await().atMost(WAIT).until(() -> fx(() -> robot.lookup("#query-run").tryQuery()
                .map(n -> n.getScene() != null).orElse(false)));
        WaitForAsyncUtils.waitForFxEvents();
        return tab;
    }

    private void type(QueryTab tab, String script, int caret) throws Exception {
        fx(() -> {
            tab.view().editor().setText(script);
            tab.view().editor().area().moveTo(caret);
            tab.view().editor().area().requestFocus();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private String status() throws Exception {
        return fx(() -> ((Label) robot.lookup("#query-status").query()).getText());
    }

    private List<String> messages(QueryTab tab) throws Exception {
        return fx(() -> tab.viewModel().messages().stream().map(QueryViewModel.Message::text).toList());
    }

    private ResultGrid grid(QueryTab tab, int n) throws Exception {
        return fx(() -> tab.view().results().getTabs().stream().map(Tab::getContent)
                .filter(ResultGrid.class::isInstance).map(ResultGrid.class::cast).skip(n).findFirst().orElse(null));
    }

    private boolean idle(QueryTab tab) throws Exception {
        return fx(() -> !tab.viewModel().runningProperty().get());
    }

    @Test
    void ctrlEnterRunsTheStatementAtTheCaretAndTheGridShowsItsTypedRows(TestDatabase db) throws Exception {
        QueryTab tab = show(orchestrator(Map.of("DATABASE_URL", db.url())));
        String script = """
                select 'not me';

                select 1 as id, null::text as "null", '' as empty, 12.50::numeric as amount,
                       timestamptz '2026-12-02 10:00:00+00' as at, '{"a": [1, 2]}'::jsonb as doc,
                       array[1, 2, 3] as tags, '\\x00ff'::bytea as raw
                union all
                select 2, 'text', 'x', -3, null, null, '{}', null;

                select 'nor me';
                """;
        type(tab, script, script.indexOf("union all"));
        robot.press(KeyCode.CONTROL).type(KeyCode.ENTER).release(KeyCode.CONTROL);
        await().atMost(WAIT).until(() -> grid(tab, 0) != null && idle(tab));
        ResultGrid g = grid(tab, 0);
        await().atMost(WAIT).until(() -> fx(() -> g.viewModel().completeProperty().get()));
        assertThat(fx(() -> g.viewModel().rows().size())).isEqualTo(2);
        assertThat(grid(tab, 1)).as("only the statement at the caret ran").isNull();
        assertThat(fx(() -> g.viewModel().columns().stream().map(c -> c.name() + " " + c.displayType()).toList()))
                .containsExactly("id int4", "null text", "empty text", "amount numeric", "at timestamptz",
                        "doc jsonb", "tags int4[]", "raw bytea");
        // what the cells show: NULL apart from the empty string, numbers on the right
        TableView<String[]> table = g.table();
        List<String> cells = fx(() -> robot.from(table).lookup(".table-cell").queryAll().stream()
                .map(n -> ((javafx.scene.control.Labeled) n).getText()).filter(t -> t != null).toList());
        assertThat(cells).contains("NULL", "12.50", "{\"a\": [1, 2]}", "{1,2,3}");
        assertThat(fx(() -> robot.from(table).lookup(".null-value").queryAll().size())).isGreaterThanOrEqualTo(2);
        assertThat(fx(() -> robot.from(table).lookup(".numeric-value").queryAll().size())).isGreaterThanOrEqualTo(2);
        assertThat(status()).startsWith("Done in ");
        Screenshots.save(stage.getScene(), "query-results");
    }

    @Test
    void aSyntaxErrorShowsItsSqlstateAndTheEditorMarksItsPosition(TestDatabase db) throws Exception {
        QueryTab tab = show(orchestrator(Map.of("DATABASE_URL", db.url())));
        String script = "select 1;\n-- the second one is wrong\nselect relname\n  frm pg_class;\nselect 3;\n";
        type(tab, script, 0);
        robot.clickOn("#query-run-script");
        await().atMost(WAIT).until(() -> idle(tab) && !messages(tab).isEmpty());
        assertThat(messages(tab)).anyMatch(m -> m.startsWith("ERROR 42601: syntax error at or near \"pg_class\"")
                || m.startsWith("ERROR 42601"));
        assertThat(status()).startsWith("ERROR 42601");
        int marked = fx(() -> tab.view().editor().markedError());
        assertThat(marked).isGreaterThan(script.indexOf("relname"));
        assertThat(fx(() -> tab.view().results().getSelectionModel().getSelectedItem().getId()))
                .isEqualTo("query-messages-tab");
        Screenshots.save(stage.getScene(), "query-error");
    }

    @Test
    void cancelStopsPgSleepOnTheServerWithinASecondAndTheTabSaysSo(TestDatabase db) throws Exception {
        QueryTab tab = show(orchestrator(Map.of("DATABASE_URL", db.url())));
        type(tab, "select /* query-tab-cancel */ pg_sleep(30)", 3);
        robot.clickOn("#query-run");
        String sleeping = "select count(*) from pg_stat_activity where state = 'active'"
                + " and query like '%query-tab-cancel%' and pid <> pg_backend_pid()";
        await().atMost(WAIT).until(() -> db.queryLong(sleeping) == 1);
        await().atMost(WAIT).until(() -> fx(() -> !((Label) robot.lookup("#query-elapsed").query()).getText().isEmpty()));
        assertThat(fx(() -> ((Button) robot.lookup("#query-cancel").query()).isDisabled())).isFalse();
        robot.clickOn("#query-cancel");
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() -> db.queryLong(sleeping) == 0);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        await().atMost(WAIT).until(() -> idle(tab));
        assertThat(status()).startsWith("Cancelled on the server: statement 1 stopped after");
    }

    @Test
    void onProductionAWriteIsRefusedUntilTheConfirmedSwitchWhichEndsWhenTheTargetChanges(TestDatabase db)
            throws Exception {
        String table = "qt_prod_" + Math.abs(ThreadLocalRandom.current().nextInt());
        db.exec("CREATE TABLE " + table + " (id int)");
        try {
            QueryTab tab = show(orchestrator(Map.of("DATABASE_URL", db.url(), "DATABASE_READ_URLS", db.url(),
                    "PGPULSE_ENV", "production")));
            assertThat(fx(() -> robot.lookup("#query-read-only").query().isVisible())).isTrue();
            type(tab, "insert into " + table + " values (1)", 0);
            robot.clickOn("#query-run");
            await().atMost(WAIT).until(() -> idle(tab) && !messages(tab).isEmpty());
            assertThat(messages(tab)).anyMatch(m -> m.startsWith("ERROR 25006"));
            assertThat(db.queryLong("select count(*) from " + table)).isZero();

            robot.clickOn("#query-read-write");
            await().atMost(WAIT).until(() -> fx(() -> robot.lookup(".dialog-pane").tryQuery().isPresent()));
            assertThat(fx(() -> ((javafx.scene.control.DialogPane) robot.lookup(".dialog-pane").query())
                    .getHeaderText())).isEqualTo("Allow writes on production primary?");
            robot.clickOn((Button) fx(() -> robot.lookup(".dialog-pane .button").queryAll().stream()
                    .filter(b -> ((Button) b).getText().equals("Allow writes")).findFirst().orElseThrow()));
            await().atMost(WAIT).until(() -> fx(() -> robot.lookup("#query-banner").query().isVisible()));
            assertThat(fx(() -> ((Label) robot.lookup("#query-banner").query()).getText()))
                    .startsWith("READ-WRITE on production primary");
            robot.clickOn("#query-run");
            await().atMost(WAIT).until(() -> idle(tab) && status().startsWith("Done"));
            assertThat(db.queryLong("select count(*) from " + table)).isEqualTo(1);
            assertThat(messages(tab)).contains("INSERT 1");
            Screenshots.save(stage.getScene(), "query-read-write");

            // another target ends the switch
            fx(() -> {
                ((ChoiceBox<String>) robot.lookup("#query-target").query()).setValue("replica-1");
                return null;
            });
            await().atMost(WAIT).until(() -> fx(() -> !robot.lookup("#query-banner").query().isVisible()));
            assertThat(fx(() -> tab.viewModel().readWriteProperty().get())).isFalse();
        } finally {
            db.exec("DROP TABLE IF EXISTS " + table);
        }
    }

    @Test
    void theHistorySurvivesARestartWithThePasswordMasked(TestDatabase db) throws Exception {
        String role = "qt_hist_" + Math.abs(ThreadLocalRandom.current().nextInt());
        try {
            Orchestrator first = orchestrator(Map.of("DATABASE_URL", db.url()));
            QueryTab tab = show(first);
            type(tab, "create role " + role + " password 'tab-Secret-1'", 0);
            robot.clickOn("#query-run");
            await().atMost(WAIT).until(() -> idle(tab) && status().startsWith("Done"));
            await().atMost(WAIT).until(() -> fx(() -> !tab.viewModel().history().isEmpty()));
            Path file = home.resolve(".config").resolve("pgpulse").resolve(QueryHistory.FILE_NAME);
            await().atMost(WAIT).until(() -> Files.exists(file));
            assertThat(Files.readString(file, StandardCharsets.UTF_8)).contains(role).doesNotContain("tab-Secret-1");
            // closed and started again on the same home: the history is back, masked
            for (int i = closeLast.size() - 1; i >= 0; i--) {
                closeLast.remove(i).close();
            }
            QueryTab again = show(orchestrator(Map.of("DATABASE_URL", db.url())));
            await().atMost(WAIT).until(() -> fx(() -> !again.viewModel().history().isEmpty()));
            QueryHistory.Entry e = fx(() -> again.viewModel().history().getFirst());
            assertThat(e.statement()).isEqualTo("create role " + role + " password '********'");
            assertThat(e.masked()).isTrue();
            fx(() -> {
                ((javafx.scene.control.TabPane) robot.lookup("#query-results").query()).getSelectionModel()
                        .select(again.view().results().getTabs().stream()
                                .filter(t -> "query-history-tab".equals(t.getId())).findFirst().orElseThrow());
                return null;
            });
            WaitForAsyncUtils.waitForFxEvents();
            Screenshots.save(stage.getScene(), "query-history");
        } finally {
            db.exec("DROP ROLE IF EXISTS " + role);
        }
    }

    @Test
    void exportCsvWritesTheWholeResultStreamedToTheChosenFile(TestDatabase db) throws Exception {
        QueryTab tab = show(orchestrator(Map.of("DATABASE_URL", db.url())));
        Path file = home.resolve("export").resolve("series.csv");
        Files.createDirectories(file.getParent());
        fx(() -> {
            tab.view().setExportChooser(owner -> java.util.Optional.of(file));
            return null;
        });
        type(tab, "select g, md5(g::text) as hash, case when g % 2 = 0 then null else '' end as odd"
                + " from generate_series(1, 300000) g", 0);
        robot.clickOn("#query-export");
        await().atMost(WAIT).until(() -> idle(tab));
        assertThat(status()).startsWith("Exported 300,000 rows to " + file);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(300_001);
        assertThat(lines.get(0)).isEqualTo("g,hash,odd");
        assertThat(lines.get(1)).startsWith("1,c4ca4238a0b923820dcc509a6f75849b,\"\"");
        assertThat(lines.get(2)).isEqualTo("2,c81e728d9d4c2f636f067f89cc14862c,");
        assertThat(java.nio.file.Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        // a failing statement leaves the file as it was
        type(tab, "select 1/0", 0);
        robot.clickOn("#query-export");
        await().atMost(WAIT).until(() -> idle(tab) && status().startsWith("Not exported"));
        assertThat(status()).contains("22012");
        assertThat(Files.readAllLines(file)).hasSize(300_001);
    }

    @Test
    void explainAnalyzeShowsThePlanAsATreeAndOfAWriteAsksFirst(TestDatabase db) throws Exception {
        String table = "qt_explain_" + Math.abs(ThreadLocalRandom.current().nextInt());
        db.exec("CREATE TABLE " + table + " AS SELECT g AS id, g % 10 AS a, g % 10 AS b FROM generate_series(1, 10000) g",
                "ANALYZE " + table);
        try {
            QueryTab tab = show(orchestrator(Map.of("DATABASE_URL", db.url())));
            type(tab, "select * from " + table + " t join pg_class c on c.relname = t.id::text where a = 1 and b = 1", 0);
            robot.clickOn("#query-explain-analyze");
            await().atMost(WAIT).until(() -> idle(tab));
            dev.pgpulse.ui.query.PlanView plan = fx(() -> tab.view().results().getSelectionModel().getSelectedItem()
                    .getContent() instanceof dev.pgpulse.ui.query.PlanView p ? p : null);
            assertThat(plan).as(status()).isNotNull();
            assertThat(fx(() -> tab.view().results().getSelectionModel().getSelectedItem().getText()))
                    .isEqualTo("Plan (analyzed)");
            assertThat(fx(() -> plan.viewModel().summaryProperty().get())).contains("Execution", "slowest");
            Screenshots.save(stage.getScene(), "query-explain");

            // EXPLAIN ANALYZE of a DELETE executes it: asked first, and not run when the DBA says no
            type(tab, "delete from " + table, 0);
            robot.clickOn("#query-explain-analyze");
            await().atMost(WAIT).until(() -> fx(() -> robot.lookup(".dialog-pane").tryQuery().isPresent()));
            assertThat(fx(() -> ((javafx.scene.control.DialogPane) robot.lookup(".dialog-pane").query())
                    .getHeaderText())).isEqualTo("EXPLAIN ANALYZE executes the statement");
            robot.clickOn((Button) fx(() -> robot.lookup(".dialog-pane .button").queryAll().stream()
                    .filter(b -> ((Button) b).getText().equals("Cancel")).findFirst().orElseThrow()));
            await().atMost(WAIT).until(() -> status().startsWith("Not run: EXPLAIN ANALYZE of a write"));
            assertThat(db.queryLong("select count(*) from " + table)).isEqualTo(10_000);
        } finally {
            db.exec("DROP TABLE IF EXISTS " + table);
        }
    }
}
