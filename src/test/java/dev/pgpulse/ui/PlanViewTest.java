package dev.pgpulse.ui;

import dev.pgpulse.query.ExplainPlan;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.query.PlanRow;
import dev.pgpulse.ui.query.PlanView;
import javafx.css.PseudoClass;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableCell;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableRow;
import javafx.scene.control.TreeTableView;
import javafx.scene.layout.StackPane;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plan tree on a stage with real plans from PostgreSQL: a join whose one side is a CTE that sleeps in a filter
 * (its scan the slowest node, marked) and whose other side has correlated columns (a 100× underestimate, highlighted); every node shown
 * expanded with its figures; a plain EXPLAIN with estimates only; an error. PNGs under target/screenshots.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PlanViewTest extends WindowTest {
    private static final String QUERY = """
            WITH d AS MATERIALIZED (SELECT id, name FROM pv_dim WHERE pg_sleep(0.005) IS NOT NULL)
            SELECT c.id, d.name FROM pv_corr c JOIN d ON d.id = c.a
            WHERE c.a = 1 AND c.b = 1 ORDER BY c.pad""";

    private static String explain(TestDatabase db, String options) throws Exception {
        db.exec("DROP TABLE IF EXISTS pv_corr, pv_dim",
                "CREATE TABLE pv_corr (id int PRIMARY KEY, a int, b int, pad text)",
                "INSERT INTO pv_corr SELECT g, g % 100, g % 100, md5(g::text) FROM generate_series(1, 10000) g",
                "CREATE TABLE pv_dim (id int PRIMARY KEY, name text)",
                "INSERT INTO pv_dim SELECT g, 'dim ' || g FROM generate_series(0, 19) g",
                "ANALYZE pv_corr", "ANALYZE pv_dim");
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("EXPLAIN (" + options + ") " + QUERY)) {
            rs.next();
            return rs.getString(1);
        } finally {
            db.exec("DROP TABLE IF EXISTS pv_corr, pv_dim");
        }
    }

    private PlanView show(String json) throws Exception {
        ExplainPlan plan = ExplainPlan.parse(json); // off the FX thread, as the tab will
        PlanView view = fx(() -> {
            PlanView v = new PlanView();
            StackPane root = new StackPane(v);
            root.getStyleClass().add("console");
            root.getStylesheets().add(ConsoleWindow.class.getResource("console.css").toExternalForm());
            stage.setScene(new Scene(root, 1500, 330));
            stage.show();
            v.show(plan);
            return v;
        });
        WaitForAsyncUtils.waitForFxEvents();
        return view;
    }

    @SuppressWarnings("unchecked")
    private TreeTableView<PlanRow> tree() {
        return (TreeTableView<PlanRow>) robot.lookup("#plan-tree").query();
    }

    /** The rows of the tree, every item in order, with how deep each is. */
    private List<String> items() throws Exception {
        return fx(() -> {
            List<String> out = new ArrayList<>();
            TreeTableView<PlanRow> t = tree();
            for (int i = 0; i < t.getExpandedItemCount(); i++) {
                TreeItem<PlanRow> item = t.getTreeItem(i);
                out.add("  ".repeat(t.getTreeItemLevel(item)) + item.getValue().node());
            }
            return out;
        });
    }

    private static String column(TreeTableView<PlanRow> t, String id, int row) {
        TreeTableColumn<PlanRow, ?> c = t.getColumns().stream().filter(x -> id.equals(x.getId())).findFirst()
                .orElseThrow();
        return String.valueOf(c.getCellData(row));
    }

    @Test
    void anAnalyzedPlanShowsEveryNodeTheMisestimateHighlightedAndTheSlowestMarked(TestDatabase db) throws Exception {
        PlanView view = show(explain(db, "ANALYZE, BUFFERS, FORMAT JSON"));
        List<String> items = items();
        assertThat(items).hasSizeGreaterThanOrEqualTo(4);
        assertThat(items.getFirst()).isEqualTo("Sort");
        assertThat(items).anySatisfy(i -> assertThat(i).matches(".*(Join|Nested Loop).*"));

        fx(() -> {
            TreeTableView<PlanRow> t = tree();
            assertThat(t.getColumns()).extracting(TreeTableColumn::getText).containsExactly("Node", "Relation",
                    "Est. rows", "Actual rows", "Misestimate", "Cost", "Own time", "Total time", "Loops",
                    "Buffers (shared)", "Conditions");
            int corr = -1;
            for (int i = 0; i < t.getExpandedItemCount(); i++) {
                if (t.getTreeItem(i).getValue().relation().equals("pv_corr c")) {
                    corr = i;
                }
            }
            assertThat(corr).isNotNegative();
            assertThat(column(t, "plan-est-rows", corr)).isEqualTo("1");
            assertThat(column(t, "plan-actual-rows", corr)).isEqualTo("100");
            assertThat(column(t, "plan-misestimate", corr)).isEqualTo("×100 under");
            assertThat(column(t, "plan-buffers", corr)).startsWith("hit ");
            assertThat(column(t, "plan-details", corr)).contains("Filter: ").contains("removed 9,900 rows");
            assertThat(column(t, "plan-loops", 0)).isEqualTo("1");
            assertThat(column(t, "plan-details", 0)).startsWith("Sort: c.pad · quicksort, ").contains(" kB Memory");
            assertThat(column(t, "plan-own-time", 0)).matches("[0-9.]+ m?s \\([0-9]+%\\)");
            return null;
        });
        // on screen: the 100x cell red, the slowest row tinted with its badge
        List<Node> severe = fx(() -> robot.lookup(".plan-misestimate-cell").queryAll().stream()
                .filter(n -> n.getPseudoClassStates().contains(PseudoClass.getPseudoClass("severe"))).toList());
        // the scan's 100x carries up to the join and the sort above it; the CTE's 20 rows were estimated right
        long severeRows = fx(() -> {
            long n = 0;
            for (int i = 0; i < tree().getExpandedItemCount(); i++) {
                n += tree().getTreeItem(i).getValue().estimate() == PlanRow.Estimate.SEVERE ? 1 : 0;
            }
            return n;
        });
        assertThat(severeRows).isBetween(1L, (long) items.size() - 1);
        assertThat(severe).hasSize((int) severeRows);
        assertThat(fx(() -> severe.stream().map(n -> ((TreeTableCell<?, ?>) n).getText()).toList()))
                .containsOnly("×100 under");
        List<TreeTableRow<PlanRow>> slowest = fx(() -> robot.lookup(".tree-table-row-cell").queryAll().stream()
                .map(n -> (TreeTableRow<PlanRow>) n)
                .filter(r -> r.getPseudoClassStates().contains(PseudoClass.getPseudoClass("slowest"))).toList());
        assertThat(slowest).hasSize(1);
        assertThat(fx(() -> slowest.getFirst().getItem().relation())).isEqualTo("pv_dim");
        List<Node> badges = fx(() -> robot.lookup(".plan-slowest-badge").queryAll().stream()
                .filter(Node::isVisible).filter(n -> n.getScene() != null).toList());
        assertThat(badges).hasSize(1);
        assertThat(fx(() -> ((Label) badges.getFirst()).getText())).isEqualTo("slowest");
        String summary = fx(() -> ((Label) robot.lookup("#plan-summary").query()).getText());
        assertThat(summary).matches("Planning [0-9.]+ ms · Execution [0-9.]+ m?s · slowest: .* on pv_dim \\([0-9.]+ m?s, "
                + "[0-9]+%\\) · worst estimate: Seq Scan on pv_corr c \\(×100 more rows than estimated\\)");
        Path png = Screenshots.save(view, "query-explain-analyze");
        assertThat(Files.size(png)).isPositive();
    }

    @Test
    void aPlainExplainShowsEstimatesOnlyAndAnErrorShowsInRed(TestDatabase db) throws Exception {
        PlanView view = show(explain(db, "FORMAT JSON"));
        assertThat(items().getFirst()).isEqualTo("Sort");
        fx(() -> {
            TreeTableView<PlanRow> t = tree();
            assertThat(column(t, "plan-est-rows", 0)).isEqualTo("1");
            assertThat(column(t, "plan-actual-rows", 0)).isEmpty();
            assertThat(column(t, "plan-misestimate", 0)).isEmpty();
            assertThat(column(t, "plan-cost", 0)).matches("[0-9]+\\.[0-9]{2}\\.\\.[0-9]+\\.[0-9]{2}");
            return null;
        });
        assertThat(fx(() -> robot.lookup(".plan-slowest-badge").queryAll().stream().filter(Node::isVisible).count()))
                .isZero();
        Label summary = fx(() -> robot.lookup("#plan-summary").queryAs(Label.class));
        assertThat(fx(summary::getText)).startsWith("Estimated cost ")
                .endsWith("EXPLAIN without ANALYZE: estimates only, nothing was run");
        Screenshots.save(view, "query-explain-tree");

        String message = fx(() -> {
            try {
                ExplainPlan.parse("QUERY PLAN\n Seq Scan on t");
                return "parsed";
            } catch (ExplainPlan.NotAPlanException e) {
                view.viewModel().showError(e.getMessage());
                return e.getMessage();
            }
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(fx(summary::getText)).isEqualTo(message).startsWith("not an EXPLAIN (FORMAT JSON) plan");
        assertThat(fx(() -> summary.getPseudoClassStates().contains(PseudoClass.getPseudoClass("error")))).isTrue();
        assertThat(fx(() -> tree().getRoot())).isNull();
    }

    @Test
    void aPlanAThousandLevelsDeepIsShownExpanded() throws Exception {
        StringBuilder b = new StringBuilder("[{\"Plan\": ");
        for (int i = 0; i < ExplainPlan.MAX_DEPTH - 1; i++) {
            b.append("{\"Node Type\": \"Limit\", \"Plan Rows\": 1, \"Plans\": [");
        }
        b.append("{\"Node Type\": \"Result\"}").append("]}".repeat(ExplainPlan.MAX_DEPTH - 1)).append("}]");
        show(b.toString());
        assertThat(fx(() -> tree().getExpandedItemCount())).isEqualTo(ExplainPlan.MAX_DEPTH);
        assertThat(fx(() -> tree().getTreeItem(ExplainPlan.MAX_DEPTH - 1).getValue().node())).isEqualTo("Result");
    }
}
