package dev.pgpulse.ui.query;

import dev.pgpulse.query.ExplainPlan;
import dev.pgpulse.query.PlanNode;
import dev.pgpulse.ui.Format;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The state of a {@link PlanView}: the plan shown, as rows of ready text, and its summary line. Fed an
 * {@link ExplainPlan} parsed off the FX thread ({@link ExplainPlan#parse}); used on the FX thread.
 */
public final class PlanViewModel {
    private final ReadOnlyObjectWrapper<PlanRow> root = new ReadOnlyObjectWrapper<>(this, "root");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(this, "summary", "");
    private final ReadOnlyBooleanWrapper analyzed = new ReadOnlyBooleanWrapper(this, "analyzed");
    private final ReadOnlyBooleanWrapper error = new ReadOnlyBooleanWrapper(this, "error");

    /** The tree's root row, null when nothing is shown. */
    public ReadOnlyObjectProperty<PlanRow> rootProperty() {
        return root.getReadOnlyProperty();
    }

    /** "Planning 0.20 ms · Execution 12.3 ms · slowest: Seq Scan on t (9.80 ms, 80%) · ...". */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** The plan shown has actual rows and times. */
    public ReadOnlyBooleanProperty analyzedProperty() {
        return analyzed.getReadOnlyProperty();
    }

    /** The summary is an error: the text was not a plan. */
    public ReadOnlyBooleanProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public void show(ExplainPlan plan) {
        PlanNode slowest = plan.slowest().orElse(null);
        double total = plan.totalMs();
        // rows are built children first (reverse pre-order), so no recursion however deep the plan
        List<PlanNode> nodes = plan.nodes();
        Map<Integer, PlanRow> built = new HashMap<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            PlanNode n = nodes.get(i);
            List<PlanRow> kids = new ArrayList<>(n.children().size());
            for (PlanNode c : n.children()) {
                kids.add(built.remove(c.id()));
            }
            built.put(n.id(), row(n, n == slowest, total, kids));
        }
        analyzed.set(plan.analyzed());
        error.set(false);
        summary.set(summary(plan, slowest, total));
        root.set(built.get(plan.root().id()));
    }

    /** Shows why there is no plan (the text was not one, the run failed). */
    public void showError(String message) {
        root.set(null);
        analyzed.set(false);
        error.set(true);
        summary.set(message);
    }

    public void clear() {
        root.set(null);
        analyzed.set(false);
        error.set(false);
        summary.set("");
    }

    static PlanRow row(PlanNode n, boolean slowest, double totalMs, List<PlanRow> kids) {
        String node = n.subplanName() != null ? n.subplanName() + ": " + n.nodeType() : n.nodeType();
        if (n.indexName() != null) {
            node += " using " + n.indexName();
        }
        String relation = n.relation() == null ? ""
                : n.alias() != null && !n.alias().equals(n.relation()) ? n.relation() + " " + n.alias() : n.relation();
        String actual = "";
        String mis = "";
        PlanRow.Estimate estimate = PlanRow.Estimate.NONE;
        String own = "";
        String inclusive = "";
        String loops = "";
        if (n.analyzed()) {
            loops = String.format(Locale.ROOT, "%,.0f", n.actualLoops());
            if (!n.executed()) {
                actual = "never executed";
            } else {
                actual = rows(n.actualRows());
                own = Format.ms(n.exclusiveMs()) + (totalMs > 0 ? " (" + percent(n.exclusiveMs() / totalMs) + ")" : "");
                inclusive = Format.ms(n.inclusiveMs());
            }
            PlanNode.Misestimate m = n.misestimate().orElse(null);
            if (m != null) {
                mis = "×" + factor(m.factor()) + switch (m.direction()) {
                    case UNDER -> " under";
                    case OVER -> " over";
                    case EXACT -> "";
                };
                estimate = m.severe() ? PlanRow.Estimate.SEVERE : m.notable() ? PlanRow.Estimate.NOTABLE
                        : PlanRow.Estimate.FAIR;
            }
        }
        String cost = Double.isNaN(n.totalCost()) ? ""
                : String.format(Locale.ROOT, "%.2f..%.2f", n.startupCost(), n.totalCost());
        return new PlanRow(n.id(), node, relation, Double.isNaN(n.planRows()) ? "" : rows(n.planRows()), actual, mis,
                estimate, cost, own, inclusive, loops, buffers(n.buffers()), details(n), slowest, kids);
    }

    static String summary(ExplainPlan plan, PlanNode slowest, double totalMs) {
        List<String> parts = new ArrayList<>();
        if (!Double.isNaN(plan.planningMs())) {
            parts.add("Planning " + Format.ms(plan.planningMs()));
        }
        if (!plan.analyzed()) {
            parts.add("Estimated cost " + String.format(Locale.ROOT, "%.2f", plan.root().totalCost()));
            parts.add(plan.nodeCount() + (plan.nodeCount() == 1 ? " node" : " nodes"));
            parts.add("EXPLAIN without ANALYZE: estimates only, nothing was run");
            return String.join(" · ", parts);
        }
        if (!Double.isNaN(plan.executionMs())) {
            parts.add("Execution " + Format.ms(plan.executionMs()));
        }
        if (slowest != null) {
            parts.add("slowest: " + slowest.label() + " (" + Format.ms(slowest.exclusiveMs())
                    + (totalMs > 0 ? ", " + percent(slowest.exclusiveMs() / totalMs) : "") + ")");
        }
        plan.worstMisestimate().filter(n -> n.misestimate().orElseThrow().notable()).ifPresent(n -> {
            PlanNode.Misestimate m = n.misestimate().orElseThrow();
            parts.add("worst estimate: " + n.label() + " (×" + factor(m.factor())
                    + (m.direction() == PlanNode.Direction.UNDER ? " more rows than estimated)" : " fewer rows than estimated)"));
        });
        if (!plan.triggers().isEmpty()) {
            double t = plan.triggers().stream().mapToDouble(ExplainPlan.Trigger::timeMs).filter(v -> !Double.isNaN(v))
                    .sum();
            parts.add("triggers " + Format.ms(t) + " (" + plan.triggers().size() + ")");
        }
        if (plan.jit() != null) {
            parts.add("JIT " + Format.ms(plan.jit().totalMs()) + " (" + plan.jit().functions() + " functions)");
        }
        return String.join(" · ", parts);
    }

    private static String details(PlanNode n) {
        List<String> parts = new ArrayList<>();
        if (n.indexCond() != null) {
            parts.add("Cond: " + n.indexCond());
        }
        if (n.joinCond() != null) {
            parts.add("Join: " + n.joinCond());
        }
        if (n.sortKey() != null) {
            parts.add((n.nodeType().contains("Sort") ? "Sort: " : "Group: ") + n.sortKey());
        }
        if (n.sortMethod() != null) {
            parts.add(n.sortMethod());
        }
        if (n.filter() != null) {
            parts.add("Filter: " + n.filter());
        }
        if (n.rowsRemovedByFilter() >= 0) {
            parts.add("removed " + rows(n.rowsRemovedByFilter()) + " rows");
        }
        if (n.workersPlanned() >= 0) {
            parts.add("workers " + (n.workersLaunched() >= 0 ? n.workersLaunched() + " of " : "") + n.workersPlanned());
        }
        return String.join(" · ", parts);
    }

    private static String buffers(PlanNode.Buffers b) {
        if (b == null) {
            return "";
        }
        StringBuilder s = new StringBuilder("hit " + count(b.sharedHit()) + " · read " + count(b.sharedRead()));
        if (b.sharedDirtied() > 0) {
            s.append(" · dirtied ").append(count(b.sharedDirtied()));
        }
        if (b.sharedWritten() > 0) {
            s.append(" · written ").append(count(b.sharedWritten()));
        }
        if (b.tempRead() + b.tempWritten() > 0) {
            s.append(" · temp ").append(count(b.tempRead() + b.tempWritten()));
        }
        return s.toString();
    }

    private static String rows(double v) {
        // PostgreSQL 18 reports fractional rows per loop
        return v != Math.rint(v) && v < 100 ? String.format(Locale.ROOT, "%.2f", v)
                : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String count(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    private static String factor(double f) {
        return f < 10 ? String.format(Locale.ROOT, "%.1f", f) : String.format(Locale.ROOT, "%,.0f", f);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", Math.min(1, share) * 100);
    }
}
