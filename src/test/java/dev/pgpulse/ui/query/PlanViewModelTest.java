package dev.pgpulse.ui.query;

import dev.pgpulse.query.ExplainPlan;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The rows and the summary line as a DBA reads them, from plans in PostgreSQL's JSON (no stage needed). */
class PlanViewModelTest {

    @Test
    void aTenfoldMisestimateIsNotableAHundredfoldSevereAndTriggersAndJitAreSummed() throws Exception {
        ExplainPlan plan = ExplainPlan.parse("""
                [{"Plan": {"Node Type": "ModifyTable", "Operation": "Update", "Relation Name": "t", "Alias": "t",
                   "Startup Cost": 0.0, "Total Cost": 35.5, "Plan Rows": 0, "Actual Rows": 0, "Actual Loops": 1,
                   "Actual Total Time": 20.0, "Shared Hit Blocks": 1200, "Shared Read Blocks": 3,
                   "Shared Dirtied Blocks": 4, "Shared Written Blocks": 0, "Plans": [
                    {"Node Type": "Hash Join", "Join Type": "Inner", "Parent Relationship": "Outer",
                     "Hash Cond": "(t.id = u.id)", "Plan Rows": 10, "Actual Rows": 150, "Actual Loops": 1,
                     "Actual Total Time": 15.0, "Plans": [
                       {"Node Type": "Seq Scan", "Relation Name": "t", "Alias": "t", "Plan Rows": 50000,
                        "Actual Rows": 400, "Actual Loops": 1, "Actual Total Time": 12.0,
                        "Filter": "(x > 1)", "Rows Removed by Filter": 49600}]}]},
                  "Planning Time": 0.25, "Execution Time": 25.0,
                  "Triggers": [{"Trigger Name": "audit", "Relation": "t", "Time": 3.5, "Calls": 150}],
                  "JIT": {"Functions": 4, "Timing": {"Total": 1.5}}}]""");
        PlanViewModel vm = new PlanViewModel();
        vm.show(plan);
        PlanRow update = vm.rootProperty().get();
        assertThat(update.node()).isEqualTo("ModifyTable (Update)");
        assertThat(update.buffers()).isEqualTo("hit 1,200 · read 3 · dirtied 4");
        assertThat(update.ownTime()).isEqualTo("5.00 ms (20%)");
        assertThat(update.totalTime()).isEqualTo("20.0 ms");
        PlanRow join = update.children().getFirst();
        assertThat(join.misestimate()).isEqualTo("×15 under");
        assertThat(join.estimate()).isEqualTo(PlanRow.Estimate.NOTABLE);
        assertThat(join.details()).isEqualTo("Join: (t.id = u.id)");
        PlanRow scan = join.children().getFirst();
        assertThat(scan.misestimate()).isEqualTo("×125 over");
        assertThat(scan.estimate()).isEqualTo(PlanRow.Estimate.SEVERE);
        assertThat(scan.slowest()).isTrue();
        assertThat(scan.relation()).isEqualTo("t");
        assertThat(scan.details()).isEqualTo("Filter: (x > 1) · removed 49,600 rows");
        assertThat(vm.summaryProperty().get()).isEqualTo("Planning 0.25 ms · Execution 25.0 ms · slowest: Seq Scan on t"
                + " (12.0 ms, 48%) · worst estimate: Seq Scan on t (×125 fewer rows than estimated) · triggers 3.50 ms (1)"
                + " · JIT 1.50 ms (4 functions)");
        assertThat(vm.analyzedProperty().get()).isTrue();
        vm.clear();
        assertThat(vm.rootProperty().get()).isNull();
        assertThat(vm.summaryProperty().get()).isEmpty();
    }

    @Test
    void aPlanAThousandLevelsDeepBecomesRowsWithoutRecursion() throws Exception {
        int levels = ExplainPlan.MAX_DEPTH;
        StringBuilder b = new StringBuilder("[{\"Plan\": ");
        for (int i = 0; i < levels - 1; i++) {
            b.append("{\"Node Type\": \"Limit\", \"Plan Rows\": 1, \"Total Cost\": 1, \"Startup Cost\": 0, \"Plans\": [");
        }
        b.append("{\"Node Type\": \"Result\", \"Plan Rows\": 1}").append("]}".repeat(levels - 1)).append("}]");
        PlanViewModel vm = new PlanViewModel();
        vm.show(ExplainPlan.parse(b.toString()));
        PlanRow r = vm.rootProperty().get();
        int depth = 1;
        while (!r.children().isEmpty()) {
            r = r.children().getFirst();
            depth++;
        }
        assertThat(depth).isEqualTo(levels);
        assertThat(r.node()).isEqualTo("Result");
        assertThat(vm.summaryProperty().get()).isEqualTo("Estimated cost 1.00 · 1000 nodes · EXPLAIN without ANALYZE:"
                + " estimates only, nothing was run");
    }
}
