package dev.pgpulse.ui.query;

import dev.pgpulse.query.QueryNotice;
import dev.pgpulse.query.QueryOutcome;
import dev.pgpulse.query.QueryRun;
import dev.pgpulse.query.SqlScript;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.Screenshots;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ListView;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TextArea;
import javafx.scene.input.Clipboard;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.pgpulse.ui.query.QueryUi.fx;
import static dev.pgpulse.ui.query.QueryUi.fxRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Result grids on a real PostgreSQL through QueryRunner, the way the Query tab will put them together: a grid per
 * result set in a tab of its own, update counts and notices in a messages list.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ResultGridTest {
    private static Stage stage;
    private final FxRobot robot = new FxRobot();
    private QueryUi ui;
    private TabPane results;
    private ListView<String> messages;
    private final List<ResultGrid> grids = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void toolkit() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
    }

    @BeforeEach
    void scene() throws Exception {
        fxRun(() -> {
            results = new TabPane();
            messages = new ListView<>();
            messages.setPrefHeight(110);
            BorderPane root = new BorderPane(results);
            root.setBottom(messages);
            root.getStyleClass().add("console");
            root.getStylesheets().add(QueryUi.STYLESHEET);
            stage.setScene(new Scene(root, 1100, 520));
            stage.show();
        });
    }

    @AfterEach
    void close() throws Exception {
        if (ui != null) {
            ui.close();
        }
        fxRun(() -> grids.forEach(g -> g.viewModel().close()));
    }

    /** The tab's part: a grid in a tab per result set, messages for the rest. */
    private FxResultSink sink(int window) {
        return new FxResultSink(new FxResultSink.Listener() {
            @Override
            public void resultStarted(ResultGridViewModel result) {
                ResultGrid g = new ResultGrid(result);
                grids.add(g);
                Tab t = new Tab("Result " + (grids.size()), g);
                t.setClosable(false);
                results.getTabs().add(t);
                results.getSelectionModel().select(t);
            }

            @Override
            public void updated(int index, String command, long count) {
                messages.getItems().add("statement " + (index + 1) + ": " + command + (count >= 0 ? ", " + count
                        + (count == 1 ? " row" : " rows") : ""));
            }

            @Override
            public void notice(QueryNotice n) {
                messages.getItems().add(n.severity() + ": " + n.message());
            }
        }, window, Duration.ofMinutes(2), javafx.application.Platform::runLater);
    }

    private static TableCell<?, ?> cell(ResultGrid g, int row, int col) {
        for (Node n : g.table().lookupAll(".table-cell")) {
            if (n instanceof TableCell<?, ?> c && c.getTableColumn() != null
                    && ("col-" + col).equals(c.getTableColumn().getId()) && c.getIndex() == row) {
                return c;
            }
        }
        throw new AssertionError("no cell at row " + row + ", column " + col);
    }

    private static final String TYPED = """
            SET TIME ZONE 'UTC';
            CREATE TEMP TABLE rg (id int, note text, amount numeric, at timestamptz, doc jsonb, tags int[], raw bytea,
                                  memo text);
            INSERT INTO rg VALUES
              (1, NULL, 1.50, '2026-12-02 10:00:00+00', '{"plan": {"node": "Seq Scan", "rows": [1, 2]}}', '{1,2,3}',
               decode(repeat('ab', 100), 'hex'), E'tab\\there\\nnext line'),
              (2, '', -3, NULL, NULL, '{}', '\\x00ff', repeat('long text ', 60)),
              (3, 'plain', 12345678.9, '2026-01-31 23:59:59.5+00', '[]', NULL, NULL, '');
            DO $$ BEGIN RAISE NOTICE 'checked % rows', 3; END $$;
            SELECT * FROM rg ORDER BY id;
            """;

    @Test
    void aQueryShowsItsRowsTypedWithNullApartFromEmptyNumbersRightAndTheTotal(TestDatabase db) throws Exception {
        ui = new QueryUi(db);
        QueryRun run = ui.prepare(SqlScript.split(TYPED), 1000);
        assertThat(QueryUi.start(run, sink(1000)).get(60, TimeUnit.SECONDS)).isInstanceOf(QueryOutcome.Completed.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> !grids.isEmpty() && fx(() -> grids.getFirst().viewModel()
                .endedProperty().get()));
        ResultGrid g = grids.getFirst();
        fxRun(() -> g.table().layout());
        fx(() -> {
            ResultGridViewModel vm = g.viewModel();
            assertThat(vm.statusProperty().get()).isEqualTo("3 rows");
            assertThat(vm.rows()).hasSize(3);
            assertThat(messages.getItems()).contains("statement 3: INSERT, 3 rows", "NOTICE: checked 3 rows");
            // note: NULL in row 1, '' in row 2
            TableCell<?, ?> nul = cell(g, 0, 1);
            TableCell<?, ?> empty = cell(g, 1, 1);
            assertThat(nul.getText()).isEqualTo("NULL");
            assertThat(nul.getStyleClass()).contains("null-value");
            assertThat(empty.getText()).isEmpty();
            assertThat(empty.getStyleClass()).doesNotContain("null-value");
            // numbers on the right, text on the left
            assertThat(cell(g, 0, 2).getText()).isEqualTo("1.50");
            assertThat(cell(g, 0, 2).getAlignment()).isEqualTo(Pos.CENTER_RIGHT);
            assertThat(cell(g, 0, 0).getAlignment()).isEqualTo(Pos.CENTER_RIGHT);
            assertThat(cell(g, 2, 1).getAlignment()).isEqualTo(Pos.CENTER_LEFT);
            // the server's text for timestamptz, arrays, jsonb; bytea cut to 32 bytes and its size
            assertThat(cell(g, 0, 3).getText()).isEqualTo("2026-12-02 10:00:00+00");
            assertThat(cell(g, 2, 3).getText()).isEqualTo("2026-01-31 23:59:59.5+00");
            assertThat(cell(g, 0, 5).getText()).isEqualTo("{1,2,3}");
            assertThat(cell(g, 0, 4).getText()).isEqualTo("{\"plan\": {\"node\": \"Seq Scan\", \"rows\": [1, 2]}}");
            assertThat(cell(g, 0, 6).getText()).isEqualTo("\\x" + "ab".repeat(32) + "… (100 bytes)");
            assertThat(cell(g, 1, 6).getText()).isEqualTo("\\x00ff");
            assertThat(cell(g, 0, 7).getText()).isEqualTo("tab here↵next line");
            // headers: name and type as a DBA writes it
            assertThat(g.table().getColumns().get(6).getGraphic().lookupAll(".label").stream()
                    .map(n -> ((javafx.scene.control.Label) n).getText())).containsExactly("tags", "int4[]");
            return null;
        });
        Screenshots.save(stage.getScene(), "query-results");
    }

    @Test
    void ctrlCCopiesTheSelectedCellsAsTsvAndEnterOpensTheCellViewerWithPrettyJson(TestDatabase db) throws Exception {
        ui = new QueryUi(db);
        QueryRun run = ui.prepare(SqlScript.split(TYPED), 1000);
        assertThat(QueryUi.start(run, sink(1000)).get(60, TimeUnit.SECONDS)).isInstanceOf(QueryOutcome.Completed.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> !grids.isEmpty() && fx(() -> grids.getFirst().viewModel()
                .endedProperty().get()));
        ResultGrid g = grids.getFirst();
        // id, note and amount of the first two rows
        fxRun(() -> {
            var sm = g.table().getSelectionModel();
            sm.clearSelection();
            sm.selectRange(0, g.table().getColumns().get(1), 1, g.table().getColumns().get(3));
            g.table().requestFocus();
        });
        robot.press(KeyCode.CONTROL).type(KeyCode.C).release(KeyCode.CONTROL);
        assertThat(fx(() -> Clipboard.getSystemClipboard().getString())).isEqualTo("1\t\t1.50\n2\t\t-3\n");
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT).type(KeyCode.C).release(KeyCode.SHIFT, KeyCode.CONTROL);
        assertThat(fx(() -> Clipboard.getSystemClipboard().getString()))
                .isEqualTo("id\tnote\tamount\n1\t\t1.50\n2\t\t-3\n");
        // a tab and a line break stay inside their field
        fxRun(() -> {
            g.table().getSelectionModel().clearAndSelect(0, g.table().getColumns().get(8));
        });
        assertThat(fx(() -> g.selectionAsTsv(false))).isEqualTo("tab\\there\\nnext line\n");

        // the jsonb cell of row 1: Enter opens the viewer
        fxRun(() -> {
            g.table().getSelectionModel().clearAndSelect(0, g.table().getColumns().get(5));
            g.table().getFocusModel().focus(0, g.table().getColumns().get(5));
            g.table().requestFocus();
        });
        robot.type(KeyCode.ENTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> viewer() != null));
        Stage viewer = fx(this::viewer);
        fx(() -> {
            TextArea text = (TextArea) viewer.getScene().lookup(".cell-viewer-text");
            assertThat(text.isEditable()).isFalse();
            assertThat(text.getText()).isEqualTo("""
                    {
                      "plan" : {
                        "node" : "Seq Scan",
                        "rows" : [ 1, 2 ]
                      }
                    }""");
            text.selectAll(); // read-only, still selectable
            assertThat(text.getSelectedText()).isEqualTo(text.getText());
            assertThat(((javafx.scene.control.Label) viewer.getScene().lookup(".cell-viewer-title")).getText())
                    .isEqualTo("row 1 · doc (jsonb): 46 characters");
            return null;
        });
        Screenshots.save(viewer.getScene(), "query-cell-viewer");
        fxRun(viewer::close);
    }

    private Stage viewer() {
        return javafx.stage.Window.getWindows().stream().filter(w -> w instanceof Stage s && s != stage
                        && s.getScene() != null && s.getScene().lookup(".cell-viewer") != null)
                .map(w -> (Stage) w).findFirst().orElse(null);
    }

    @Test
    void aMillionRowsShowTheFirstPageHoldAtMostTheWindowLoadMoreOnScrollAndCancelEndsTheHeldCursor(TestDatabase db)
            throws Exception {
        ui = new QueryUi(db);
        int window = 2_000;
        QueryRun run = ui.prepare(SqlScript.split("select g, md5(g::text) /* rg-window */ as hash "
                + "from generate_series(1, 1000000) g"), 500);
        CompletableFuture<QueryOutcome> outcome = QueryUi.start(run, sink(window));
        await().atMost(Duration.ofSeconds(30)).until(() -> !grids.isEmpty()
                && fx(() -> grids.getFirst().viewModel().rows().size()) > 0);
        ResultGrid g = grids.getFirst();
        ResultGridViewModel vm = g.viewModel();
        // the runner waits for the user with the window full, the cursor held on the server
        await().atMost(Duration.ofSeconds(30)).until(vm::holdingCursor);
        fx(() -> {
            assertThat(vm.endedProperty().get()).isFalse();
            assertThat(vm.rows().size()).isLessThanOrEqualTo(window);
            assertThat(vm.readProperty().get()).isEqualTo(window);
            assertThat(vm.rows().getFirst()[0]).isEqualTo("1");
            assertThat(vm.statusProperty().get()).isEqualTo("rows 1–2,000 of 2,000+ loaded; scroll on for more");
            return null;
        });
        assertThat(outcome).isNotDone();
        // scrolled to the last held row: the next rows come, the oldest go, the window holds
        fxRun(() -> g.table().scrollTo(vm.rows().size() - 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> vm.readProperty().get()) > window);
        await().atMost(Duration.ofSeconds(30)).until(vm::holdingCursor);
        fx(() -> {
            assertThat(vm.rows().size()).isLessThanOrEqualTo(window);
            assertThat(vm.droppedProperty().get()).isPositive();
            assertThat(vm.rowNumber(0)).isEqualTo(vm.droppedProperty().get() + 1);
            assertThat(vm.rows().getFirst()[0]).isEqualTo(Long.toString(vm.rowNumber(0)));
            assertThat(vm.statusProperty().get()).matches("rows [0-9,]+–[0-9,]+ of [0-9,]+\\+ loaded; scroll on for more");
            return null;
        });
        Screenshots.save(stage.getScene(), "query-results-window");
        String idleInTx = "select count(*) from pg_stat_activity where query like '%rg-window%'"
                + " and state like 'idle in transaction%' and pid <> pg_backend_pid()";
        run.cancel();
        assertThat(outcome.get(20, TimeUnit.SECONDS)).isInstanceOf(QueryOutcome.Cancelled.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> vm.endedProperty().get()));
        assertThat(fx(() -> vm.completeProperty().get())).isFalse();
        assertThat(fx(() -> vm.statusProperty().get())).startsWith("stopped after");
        await().atMost(Duration.ofSeconds(10)).until(() -> db.queryLong(idleInTx) == 0);
    }
}
