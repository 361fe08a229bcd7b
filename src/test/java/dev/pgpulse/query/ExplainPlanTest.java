package dev.pgpulse.query;

import dev.pgpulse.config.Environment;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Real plans from PostgreSQL, through the QueryRunner as the Query tab gets them, parsed into trees: the shape, the
 * folded node types, a deliberate misestimate (correlated columns the planner takes as independent), the slowest
 * node where a {@code pg_sleep} filter puts it (inside a join, a CTE, a subplan), buffers, a write with its
 * trigger; and text that is not a plan, or is too deep or too large, refused with a clear message.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExplainPlanTest {
    private static final String DB = "pgpulse_explain";
    private static TestDatabase server;
    private static TestDatabase plans;
    private QueryFixture fixture;

    /** A database of its own (a test makes parallel plans cheap in it for a while), its tables set up once. */
    private QueryFixture fixture(TestDatabase db) throws Exception {
        if (plans == null) {
            server = db;
            plans = db.freshDatabase(DB);
            plans.exec("ALTER DATABASE " + DB + " SET jit = off",
                    // a = b always: the planner multiplies 1/100 by 1/100 and expects 1 row of 10 000, 100 come
                    "CREATE TABLE pe_corr (id int PRIMARY KEY, a int, b int, pad text)",
                    "INSERT INTO pe_corr SELECT g, g % 100, g % 100, md5(g::text) FROM generate_series(1, 10000) g",
                    "CREATE TABLE pe_dim (id int PRIMARY KEY, name text)",
                    "INSERT INTO pe_dim SELECT g, 'dim ' || g FROM generate_series(0, 19) g",
                    "CREATE TABLE pe_child (id serial PRIMARY KEY, dim int REFERENCES pe_dim (id))",
                    "INSERT INTO pe_child (dim) SELECT g % 20 FROM generate_series(1, 100) g",
                    "ANALYZE pe_corr", "ANALYZE pe_dim", "ANALYZE pe_child");
        }
        fixture = new QueryFixture(plans.env(), Environment.DEVELOPMENT, Map.of("pool.max_size", "2"));
        return fixture;
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @AfterAll
    static void drop() throws Exception {
        if (server != null) {
            server.dropDatabase(DB);
        }
    }

    private ExplainPlan explain(TestDatabase db, QueryRequest.Mode mode, String sql) throws Exception {
        QueryFixture f = fixture(db);
        RecordingSink sink = new RecordingSink();
        QueryOutcome o = f.run(QueryRequest.run("primary", SqlScript.split(sql)).withMode(mode)
                .withConfirmedWrite(true), sink);
        assertThat(o).as(sql).isInstanceOf(QueryOutcome.Completed.class);
        assertThat(sink.results).hasSize(1);
        assertThat(sink.results.getFirst()).hasSize(1);
        return ExplainPlan.parse(sink.results.getFirst().getFirst()[0]);
    }

    private static List<String> types(ExplainPlan p) {
        return p.nodes().stream().map(n -> "  ".repeat(n.depth()) + n.nodeType()).toList();
    }

    @Test
    void correlatedColumnsGiveAHundredfoldUnderestimateOnTheScanWithBuffersAndTheFilterThatRemovedRows(
            TestDatabase db) throws Exception {
        ExplainPlan p = explain(db, QueryRequest.Mode.EXPLAIN_ANALYZE,
                "SELECT * FROM pe_corr WHERE a = 1 AND b = 1");
        assertThat(p.analyzed()).isTrue();
        PlanNode scan = p.root();
        assertThat(scan.label()).isEqualTo("Seq Scan on pe_corr");
        assertThat(scan.planRows()).isEqualTo(1);
        assertThat(scan.actualRows()).isEqualTo(100);
        assertThat(scan.misestimate()).hasValue(new PlanNode.Misestimate(100, PlanNode.Direction.UNDER));
        assertThat(scan.misestimate().orElseThrow().severe()).isTrue();
        assertThat(scan.filter()).contains("a = 1").contains("b = 1");
        assertThat(scan.rowsRemovedByFilter()).isEqualTo(9900);
        assertThat(scan.buffers()).isNotNull();
        assertThat(scan.buffers().sharedHit() + scan.buffers().sharedRead()).isPositive();
        assertThat(p.planningMs()).isPositive();
        assertThat(p.executionMs()).isPositive();
        assertThat(p.slowest()).hasValue(scan);
        assertThat(scan.exclusiveMs()).isEqualTo(scan.inclusiveMs());
    }

    @Test
    void aPlainExplainHasEstimatesAndNoActualsNoSlowestNode(TestDatabase db) throws Exception {
        ExplainPlan p = explain(db, QueryRequest.Mode.EXPLAIN,
                "SELECT * FROM pe_corr c JOIN pe_dim d ON d.id = c.a ORDER BY c.pad");
        assertThat(p.analyzed()).isFalse();
        assertThat(types(p)).containsExactly("Sort", "  Hash Join (Inner)", "    Seq Scan", "    Hash",
                "      Seq Scan");
        assertThat(p.nodes().get(2).relation()).isEqualTo("pe_corr");
        assertThat(p.nodes().get(2).alias()).isEqualTo("c");
        assertThat(p.nodes().get(1).joinCond()).contains("c.a = d.id");
        assertThat(p.root().totalCost()).isGreaterThan(p.root().startupCost()).isPositive();
        assertThat(p.root().planRows()).isEqualTo(2000); // a in 0..99 meets id in 0..19: a fifth
        assertThat(p.slowest()).isEmpty();
        assertThat(p.nodes()).allSatisfy(n -> {
            assertThat(n.misestimate()).isEmpty();
            assertThat(n.exclusiveMs()).isNaN();
            assertThat(n.buffers()).isNull();
        });
        assertThat(p.executionMs()).isNaN();
        assertThat(p.nodeCount()).isEqualTo(5);
    }

    @Test
    void theSlowestNodeIsTheScanThatSleepsNotTheJoinAboveIt(TestDatabase db) throws Exception {
        ExplainPlan p = explain(db, QueryRequest.Mode.EXPLAIN_ANALYZE, """
                SELECT count(*) FROM pe_corr c
                JOIN (SELECT id FROM pe_dim WHERE pg_sleep(0.01) IS NOT NULL) d ON d.id = c.a""");
        PlanNode slowest = p.slowest().orElseThrow();
        assertThat(slowest.label()).isEqualTo("Seq Scan on pe_dim");
        assertThat(slowest.exclusiveMs()).isGreaterThan(150); // 20 rows × 10 ms
        PlanNode join = p.nodes().stream().filter(n -> n.nodeType().contains("Join")).findFirst().orElseThrow();
        assertThat(join.inclusiveMs()).isGreaterThan(150);
        assertThat(join.exclusiveMs()).isLessThan(join.inclusiveMs() / 2);
        assertThat(p.root().nodeType()).contains("Aggregate");
        double sum = p.nodes().stream().mapToDouble(PlanNode::exclusiveMs).sum();
        assertThat(sum).isCloseTo(p.root().inclusiveMs(), within(1.0));
    }

    @Test
    void aMaterializedCtesTimeIsItsOwnNotItsScansNorTheParents(TestDatabase db) throws Exception {
        ExplainPlan p = explain(db, QueryRequest.Mode.EXPLAIN_ANALYZE, """
                WITH x AS MATERIALIZED (SELECT id FROM pe_dim WHERE pg_sleep(0.01) IS NOT NULL)
                SELECT count(*) FROM x""");
        assertThat(types(p)).containsExactly("Aggregate", "  Seq Scan", "  CTE Scan");
        PlanNode cte = p.nodes().get(1);
        assertThat(cte.subplanName()).isEqualTo("CTE x");
        assertThat(cte.parentRelationship()).isEqualTo("InitPlan");
        PlanNode scan = p.nodes().get(2);
        assertThat(scan.relation()).isEqualTo("x");
        assertThat(p.slowest()).hasValue(cte);
        assertThat(cte.exclusiveMs()).isGreaterThan(150);
        assertThat(scan.exclusiveMs()).isLessThan(50);
        assertThat(p.root().exclusiveMs()).isLessThan(50);
    }

    @Test
    void aSubplanRunsOncePerOuterRowAndItsTimeIsCountedOverItsLoops(TestDatabase db) throws Exception {
        ExplainPlan p = explain(db, QueryRequest.Mode.EXPLAIN_ANALYZE,
                "SELECT d.id, (SELECT count(*) FROM pe_corr c WHERE c.a = d.id) FROM pe_dim d");
        assertThat(types(p)).containsExactly("Seq Scan", "  Aggregate", "    Seq Scan");
        PlanNode sub = p.nodes().get(1);
        assertThat(sub.parentRelationship()).isEqualTo("SubPlan");
        assertThat(sub.subplanName()).startsWith("SubPlan");
        assertThat(sub.actualLoops()).isEqualTo(20);
        assertThat(sub.inclusiveMs()).isCloseTo(sub.actualTotalMs() * 20, within(1e-9));
        PlanNode inner = p.nodes().get(2);
        assertThat(inner.actualLoops()).isEqualTo(20);
        assertThat(inner.planRows()).isEqualTo(100);
        assertThat(inner.actualRows()).isEqualTo(100);
        assertThat(inner.misestimate().orElseThrow().direction()).isEqualTo(PlanNode.Direction.EXACT);
        // the scan of pe_corr, 20 times, is the work: not the 20-row scan the subplan hangs on
        assertThat(p.slowest()).hasValue(inner);
        assertThat(p.root().exclusiveMs()).isLessThan(p.root().inclusiveMs());
    }

    @Test
    void aParallelPlanCountsTheWorkersTimeOnceNotOncePerProcess(TestDatabase db) throws Exception {
        fixture(db).close();
        List<String> settings = List.of("parallel_setup_cost = 0", "parallel_tuple_cost = 0",
                "min_parallel_table_scan_size = 0", "max_parallel_workers_per_gather = 2");
        ExplainPlan p;
        try {
            for (String s : settings) {
                plans.exec("ALTER DATABASE " + DB + " SET " + s); // the fixture's new sessions take them
            }
            p = explain(db, QueryRequest.Mode.EXPLAIN_ANALYZE, "SELECT count(*) FROM pe_corr WHERE pad LIKE '%ab%'");
        } finally {
            plans.exec("ALTER DATABASE " + DB + " RESET ALL", "ALTER DATABASE " + DB + " SET jit = off");
        }
        assertThat(types(p)).containsExactly("Finalize Aggregate", "  Gather", "    Partial Aggregate",
                "      Parallel Seq Scan");
        PlanNode gather = p.nodes().get(1);
        assertThat(gather.workersPlanned()).isEqualTo(2);
        PlanNode partial = p.nodes().get(2);
        assertThat(partial.actualLoops()).isEqualTo(gather.workersLaunched() + 1);
        // each process's own time, averaged: never more than the Gather that waited for them all
        assertThat(partial.inclusiveMs()).isLessThanOrEqualTo(gather.inclusiveMs() + 0.01);
        double sum = p.nodes().stream().mapToDouble(PlanNode::exclusiveMs).sum();
        assertThat(sum).isLessThanOrEqualTo(p.root().inclusiveMs() + 0.05);
    }

    @Test
    void aWriteIsAModifyTableWithItsForeignKeyTrigger(TestDatabase db) throws Exception {
        ExplainPlan p = explain(db, QueryRequest.Mode.EXPLAIN_ANALYZE,
                "INSERT INTO pe_child (dim) SELECT g % 20 FROM generate_series(1, 50) g");
        assertThat(p.root().nodeType()).isEqualTo("ModifyTable (Insert)");
        assertThat(p.root().relation()).isEqualTo("pe_child");
        assertThat(p.triggers()).isNotEmpty();
        assertThat(p.triggers().getFirst().calls()).isEqualTo(50);
        assertThat(p.triggers().getFirst().relation()).isEqualTo("pe_child");
        assertThat(p.jit()).isNull();
        ExplainPlan delete = explain(db, QueryRequest.Mode.EXPLAIN, "DELETE FROM pe_corr WHERE id = 5");
        assertThat(delete.root().nodeType()).isEqualTo("ModifyTable (Delete)");
        assertThat(delete.nodes().get(1).indexName()).isEqualTo("pe_corr_pkey");
        assertThat(delete.nodes().get(1).indexCond()).contains("id = 5");
    }

    @Test
    void textThatIsNotAPlanIsRefusedWithAMessageThatSaysWhy() {
        assertThatThrownBy(() -> ExplainPlan.parse("1")).isInstanceOf(ExplainPlan.NotAPlanException.class)
                .hasMessage("not an EXPLAIN (FORMAT JSON) plan: no \"Plan\" object in it");
        assertThatThrownBy(() -> ExplainPlan.parse("Seq Scan on t  (cost=0.00..35.50 rows=2550 width=4)"))
                .hasMessageStartingWith("not an EXPLAIN (FORMAT JSON) plan: not JSON");
        assertThatThrownBy(() -> ExplainPlan.parse("[{\"Plan\": {\"Node Type\": \"Seq Scan\""))
                .hasMessageStartingWith("not an EXPLAIN (FORMAT JSON) plan: not JSON");
        assertThatThrownBy(() -> ExplainPlan.parse("[{\"Plan\": {\"Plans\": []}}]"))
                .hasMessage("not an EXPLAIN (FORMAT JSON) plan: a node without a \"Node Type\"");
        assertThatThrownBy(() -> ExplainPlan.parse("[{\"Plan\": {\"Node Type\": \"Limit\", \"Plans\": 3}}]"))
                .hasMessage("not an EXPLAIN (FORMAT JSON) plan: \"Plans\" is not a list");
        assertThatThrownBy(() -> ExplainPlan.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> ExplainPlan.parse(null)).hasMessageContaining("empty");
    }

    /** A chain of Limit nodes, {@code levels} deep, as PostgreSQL would nest them. */
    private static String chain(int levels) {
        StringBuilder b = new StringBuilder("[{\"Plan\": ");
        for (int i = 0; i < levels - 1; i++) {
            b.append("{\"Node Type\": \"Limit\", \"Plan Rows\": 1, \"Plans\": [");
        }
        b.append("{\"Node Type\": \"Result\"}");
        b.append("]}".repeat(levels - 1));
        return b.append("}]").toString();
    }

    @Test
    void aPlanAtTheDepthLimitIsReadWithoutRecursionAndOneDeeperIsRefused() throws Exception {
        ExplainPlan deepest = ExplainPlan.parse(chain(ExplainPlan.MAX_DEPTH));
        assertThat(deepest.nodeCount()).isEqualTo(ExplainPlan.MAX_DEPTH);
        assertThat(deepest.nodes().getLast().depth()).isEqualTo(ExplainPlan.MAX_DEPTH - 1);
        assertThat(deepest.nodes().getLast().nodeType()).isEqualTo("Result");
        assertThatThrownBy(() -> ExplainPlan.parse(chain(ExplainPlan.MAX_DEPTH + 1)))
                .isInstanceOf(ExplainPlan.NotAPlanException.class).hasMessageContaining("nested too deeply");
        // far deeper than any stack: the JSON reader's own bound stops it, with the same words
        assertThatThrownBy(() -> ExplainPlan.parse("[".repeat(200_000)))
                .isInstanceOf(ExplainPlan.NotAPlanException.class).hasMessageContaining("nested too deeply");
    }

    @Test
    void aHugeTextOrTooManyNodesIsRefused() {
        String huge = "[{\"Plan\": {\"Node Type\": \"Result\", \"Filter\": \"" + "x".repeat(ExplainPlan.MAX_CHARS)
                + "\"}}]";
        assertThatThrownBy(() -> ExplainPlan.parse(huge)).isInstanceOf(ExplainPlan.NotAPlanException.class)
                .hasMessageStartingWith("the plan is too large: ");
        StringBuilder wide = new StringBuilder("[{\"Plan\": {\"Node Type\": \"Append\", \"Plans\": [");
        for (int i = 0; i <= ExplainPlan.MAX_NODES; i++) {
            wide.append(i == 0 ? "" : ",").append("{\"Node Type\": \"Result\"}");
        }
        String tooMany = wide.append("]}}]").toString();
        assertThatThrownBy(() -> ExplainPlan.parse(tooMany)).isInstanceOf(ExplainPlan.NotAPlanException.class)
                .hasMessage("the plan is too large: more than " + ExplainPlan.MAX_NODES + " nodes");
    }

    @Test
    void zeroRowsOnEitherSideCountAsOneAndAnOverestimateSaysSo() throws Exception {
        ExplainPlan p = ExplainPlan.parse("""
                [{"Plan": {"Node Type": "Nested Loop", "Join Type": "Left", "Plan Rows": 5000, "Actual Rows": 0,
                  "Actual Loops": 1, "Actual Total Time": 2.0, "Plans": [
                    {"Node Type": "Index Scan", "Index Name": "i", "Relation Name": "t", "Alias": "t",
                     "Plan Rows": 0, "Actual Rows": 0, "Actual Loops": 3, "Actual Total Time": 1.0},
                    {"Node Type": "Seq Scan", "Relation Name": "u", "Plan Rows": 10, "Actual Rows": 0,
                     "Actual Loops": 0, "Actual Total Time": 0.0}]}}]""");
        assertThat(p.root().nodeType()).isEqualTo("Nested Loop (Left)");
        assertThat(p.root().misestimate()).hasValue(new PlanNode.Misestimate(5000, PlanNode.Direction.OVER));
        PlanNode idx = p.nodes().get(1);
        assertThat(idx.label()).isEqualTo("Index Scan using i on t");
        assertThat(idx.misestimate()).hasValue(new PlanNode.Misestimate(1, PlanNode.Direction.EXACT));
        assertThat(idx.inclusiveMs()).isEqualTo(3.0);
        // 3 ms of a child in a 2 ms parent (rounding, loops): the parent's own time is 0, never negative
        assertThat(p.root().exclusiveMs()).isZero();
        assertThat(p.nodes().get(2).executed()).isFalse();
        assertThat(p.nodes().get(2).misestimate()).isEmpty();
        assertThat(p.slowest()).hasValue(idx);
        assertThat(p.totalMs()).isEqualTo(2.0);
    }
}
