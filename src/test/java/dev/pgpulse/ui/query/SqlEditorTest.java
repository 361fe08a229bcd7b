package dev.pgpulse.ui.query;

import dev.pgpulse.query.QueryError;
import dev.pgpulse.query.QueryOutcome;
import dev.pgpulse.query.QueryRequest;
import dev.pgpulse.query.SqlStatement;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.Screenshots;
import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.pgpulse.ui.query.QueryUi.fx;
import static dev.pgpulse.ui.query.QueryUi.fxRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The SQL editor with real keystrokes, and what it hands on run against a real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SqlEditorTest {
    private static Stage stage;
    private final FxRobot robot = new FxRobot();
    private SqlEditor editor;
    private QueryUi ui;
    private final List<List<SqlStatement>> runs = new CopyOnWriteArrayList<>();
    private final List<List<SqlStatement>> scripts = new CopyOnWriteArrayList<>();

    private static final String SCRIPT = """
            -- a plpgsql function: its body holds ; and quotes
            CREATE OR REPLACE FUNCTION pg_temp.se_add(a int, b int) RETURNS int LANGUAGE plpgsql AS $body$
            DECLARE
              note text := 'sum; of two';
            BEGIN
              RETURN a + b; -- ; in a comment
            END
            $body$;
            SELECT pg_temp.se_add(2, 3) AS five, E'it\\'s' AS quoted;
            SELECT 42 AS answer;
            """;

    @BeforeAll
    static void toolkit() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
    }

    @BeforeEach
    void show() throws Exception {
        fxRun(() -> {
            editor = new SqlEditor();
            editor.setOnRun(runs::add);
            editor.setOnRunScript(scripts::add);
            BorderPane root = new BorderPane(editor);
            root.getStyleClass().add("console");
            root.getStylesheets().add(QueryUi.STYLESHEET);
            stage.setScene(new Scene(root, 900, 320));
            stage.show();
            editor.setText(SCRIPT);
            editor.area().requestFocus();
        });
    }

    @AfterEach
    void close() throws Exception {
        fxRun(() -> editor.close());
        if (ui != null) {
            ui.close();
        }
    }

    @Test
    void ctrlEnterRunsTheStatementAtTheCaretOrTheSelectionAndCtrlShiftEnterTheWholeScript(TestDatabase db)
            throws Exception {
        int inBody = SCRIPT.indexOf("RETURN a + b");
        fxRun(() -> editor.area().moveTo(inBody));
        robot.press(KeyCode.CONTROL).type(KeyCode.ENTER).release(KeyCode.CONTROL);
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.size() == 1);
        // the caret in the dollar-quoted body: the whole CREATE FUNCTION is one statement
        assertThat(runs.getFirst()).hasSize(1);
        assertThat(runs.getFirst().getFirst().text()).startsWith("CREATE OR REPLACE FUNCTION").endsWith("$body$");
        assertThat(fx(() -> editor.getText())).isEqualTo(SCRIPT); // Enter added no line break

        int answer = SCRIPT.indexOf("42");
        fxRun(() -> editor.area().moveTo(answer));
        robot.press(KeyCode.CONTROL).type(KeyCode.ENTER).release(KeyCode.CONTROL);
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.size() == 2);
        assertThat(runs.get(1)).extracting(SqlStatement::text).containsExactly("SELECT 42 AS answer");

        // a selection from the middle of the second SELECT list to the end: both SELECTs, the first cut where selected
        int from = SCRIPT.indexOf("SELECT pg_temp");
        fxRun(() -> editor.area().selectRange(from, SCRIPT.length()));
        robot.press(KeyCode.CONTROL).type(KeyCode.ENTER).release(KeyCode.CONTROL);
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.size() == 3);
        assertThat(runs.get(2)).extracting(SqlStatement::text).containsExactly(
                "SELECT pg_temp.se_add(2, 3) AS five, E'it\\'s' AS quoted", "SELECT 42 AS answer");
        assertThat(scripts).isEmpty();

        robot.press(KeyCode.CONTROL, KeyCode.SHIFT).type(KeyCode.ENTER).release(KeyCode.SHIFT, KeyCode.CONTROL);
        await().atMost(Duration.ofSeconds(10)).until(() -> scripts.size() == 1);
        assertThat(scripts.getFirst()).hasSize(3);
        assertThat(runs).hasSize(3);

        // what the editor handed on runs on the server as it is: the function is created and answers
        ui = new QueryUi(db);
        RecordingResults out = new RecordingResults();
        QueryOutcome o = ui.runner.prepare(QueryRequest.run("primary", scripts.getFirst())).execute(out);
        assertThat(o).isInstanceOf(QueryOutcome.Completed.class);
        assertThat(out.rows).containsExactly("[5, it's]", "[42]");
    }

    @Test
    void theScriptIsHighlightedAndMarkErrorMarksTheServersPositionUntilTheNextEdit(TestDatabase db) throws Exception {
        String bad = "SELECT 1 AS one;\n-- the next one is wrong\nSELECT 'text', count(*) FRM pg_class;\nSELECT $$ a ; b $$;";
        fxRun(() -> editor.setText(bad));
        ui = new QueryUi(db);
        QueryOutcome o = ui.runner.prepare(QueryRequest.run("primary", fx(editor::scriptStatements)))
                .execute(new RecordingResults());
        assertThat(o).isInstanceOf(QueryOutcome.Failed.class);
        QueryError e = ((QueryOutcome.Failed) o).error();
        assertThat(e.sqlState()).isEqualTo("42601");
        fxRun(() -> editor.markError(e.position()));
        fx(() -> {
            assertThat(bad.substring(e.position())).startsWith("pg_class"); // the server stops after FRM
            assertThat(editor.area().getCaretPosition()).isEqualTo(e.position());
            // the token the server stopped at, and only it
            for (int i = 0; i < "pg_class".length(); i++) {
                assertThat(editor.area().getStyleAtPosition(e.position() + i + 1)).contains(SqlEditor.ERROR);
            }
            assertThat(editor.area().getStyleAtPosition(e.position())).doesNotContain(SqlEditor.ERROR);
            assertThat(editor.area().getStyleAtPosition(e.position() + "pg_class".length() + 1))
                    .doesNotContain(SqlEditor.ERROR);
            assertThat(editor.area().getStyleAtPosition(bad.indexOf("SELECT 'text'") + 1))
                    .containsExactly(SqlHighlighter.KEYWORD);
            assertThat(editor.area().getStyleAtPosition(bad.indexOf("'text'") + 2))
                    .containsExactly(SqlHighlighter.STRING);
            assertThat(editor.area().getStyleAtPosition(bad.indexOf(" a ; b") + 2))
                    .containsExactly(SqlHighlighter.DOLLAR);
            assertThat(editor.area().getStyleAtPosition(bad.indexOf("wrong") + 1))
                    .containsExactly(SqlHighlighter.COMMENT);
            return null;
        });
        Screenshots.save(stage.getScene(), "query-editor");
        // typing ends the mark; the highlighting after the debounce covers the new text
        long before = fx(editor::highlightsApplied);
        robot.type(KeyCode.X);
        fx(() -> {
            assertThat(editor.markedError()).isEqualTo(-1);
            for (int i = 0; i <= "xpg_class;".length(); i++) {
                assertThat(editor.area().getStyleAtPosition(e.position() + i)).doesNotContain(SqlEditor.ERROR);
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(editor::highlightsApplied) > before);
        assertThat(fx(() -> editor.getText())).contains("xpg_class");
        assertThat(fx(() -> editor.area().getStyleAtPosition(bad.length() + 1 - 2))).containsExactly(SqlHighlighter.DOLLAR);
    }

    @Test
    void typingRestylesWhatTheEditChangedAQuoteOpensAStringToTheEndAndClosingItRestoresTheRest() throws Exception {
        String script = "SELECT 1;\n" + "SELECT 2 AS n;\n".repeat(2_000) + "SELECT 3 FROM t;";
        fxRun(() -> editor.setText(script));
        int from = script.lastIndexOf("FROM");
        assertThat(fx(() -> editor.area().getStyleAtPosition(from + 1))).containsExactly(SqlHighlighter.KEYWORD);
        long n0 = fx(editor::highlightsApplied);
        fxRun(() -> editor.area().moveTo(script.indexOf("1;")));
        robot.type(KeyCode.QUOTE);
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(editor::highlightsApplied) > n0);
        // the quote opened on line 1 runs to the end: the last line's FROM is inside a string now
        assertThat(fx(() -> editor.area().getStyleAtPosition(from + 2))).containsExactly(SqlHighlighter.STRING);
        long n1 = fx(editor::highlightsApplied);
        robot.type(KeyCode.BACK_SPACE);
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(editor::highlightsApplied) > n1);
        assertThat(fx(editor::getText)).isEqualTo(script);
        assertThat(fx(() -> editor.area().getStyleAtPosition(from + 1))).containsExactly(SqlHighlighter.KEYWORD);
        assertThat(fx(() -> editor.area().getStyleAtPosition(script.indexOf("1;") + 1)))
                .containsExactly(SqlHighlighter.NUMBER);
    }

    /** The rows of every result as lines. */
    private static final class RecordingResults implements dev.pgpulse.query.QuerySink {
        final List<String> rows = new CopyOnWriteArrayList<>();

        @Override
        public void columns(int index, List<dev.pgpulse.query.QueryColumn> columns) {
        }

        @Override
        public boolean rows(List<String[]> batch) {
            batch.forEach(r -> rows.add(java.util.Arrays.toString(r)));
            return true;
        }

        @Override
        public void resultEnded(long n, boolean complete) {
        }

        @Override
        public void updated(int index, String command, long count) {
        }
    }
}
