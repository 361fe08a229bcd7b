package dev.pgpulse.query;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A plan from {@code EXPLAIN (FORMAT JSON)} or {@code EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)} (the one value
 * {@link QueryRunner} returns in {@link QueryRequest.Mode#EXPLAIN} / {@link QueryRequest.Mode#EXPLAIN_ANALYZE}),
 * parsed with {@link #parse}.
 * <p>
 * Bounded against hostile or broken text: at most {@link #MAX_CHARS} characters, {@link #MAX_NODES} nodes and
 * {@link #MAX_DEPTH} levels; parsing and every walk of the tree here are iterative, so a deep plan cannot overflow
 * the stack.
 *
 * @param analyzed    the plan has actual rows and times (ANALYZE)
 * @param planningMs  planning time, or NaN when the plan does not say (EXPLAIN without ANALYZE or SUMMARY)
 * @param executionMs execution time, or NaN
 * @param jit         JIT compilation, or null when there was none
 * @param nodeCount   how many nodes the tree has
 */
public record ExplainPlan(PlanNode root, boolean analyzed, double planningMs, double executionMs,
                          List<Trigger> triggers, Jit jit, int nodeCount) {
    public static final int MAX_DEPTH = 1000;
    public static final int MAX_NODES = 100_000;
    public static final int MAX_CHARS = 32 * 1024 * 1024;

    public ExplainPlan {
        Objects.requireNonNull(root, "root");
        triggers = List.copyOf(triggers);
    }

    /** A trigger's time under ANALYZE (a foreign key's check shows as one). */
    public record Trigger(String name, String relation, double timeMs, long calls) {
    }

    /** @param totalMs generation, inlining, optimisation and emission together */
    public record Jit(int functions, double totalMs) {
    }

    /** The text is not a plan in PostgreSQL's JSON format, or is beyond the bounds. */
    public static final class NotAPlanException extends Exception {
        public NotAPlanException(String message) {
            super(message);
        }

        NotAPlanException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Parses the JSON text; the message of the exception says what was wrong, for the user. */
    public static ExplainPlan parse(String json) throws NotAPlanException {
        return PlanParser.parse(json);
    }

    /** Every node, the root first, each before its children, in the order of the plan (pre-order). */
    public List<PlanNode> nodes() {
        List<PlanNode> out = new ArrayList<>(nodeCount);
        Deque<PlanNode> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            PlanNode n = todo.pop();
            out.add(n);
            for (int i = n.children().size() - 1; i >= 0; i--) {
                todo.push(n.children().get(i));
            }
        }
        return out;
    }

    /** The node that took the most time of its own, with ANALYZE; the first such in the plan on a tie. */
    public Optional<PlanNode> slowest() {
        if (!analyzed) {
            return Optional.empty();
        }
        return nodes().stream().filter(n -> !Double.isNaN(n.exclusiveMs()))
                .max(Comparator.comparingDouble(PlanNode::exclusiveMs).thenComparing(n -> -n.id()));
    }

    /**
     * What a node's own time is a share of: the execution time when the plan has it, else the root's time; NaN
     * without ANALYZE.
     */
    public double totalMs() {
        if (!analyzed) {
            return Double.NaN;
        }
        return Double.isNaN(executionMs) ? root.inclusiveMs() : executionMs;
    }

    /**
     * The node with the worst misestimate, or empty when none ran. On a tie the last in the plan: a scan's
     * misestimate carries up to the joins and sorts above it, and the scan is where it comes from.
     */
    public Optional<PlanNode> worstMisestimate() {
        return nodes().stream().filter(n -> n.misestimate().isPresent())
                .max(Comparator.comparingDouble((PlanNode n) -> n.misestimate().orElseThrow().factor())
                        .thenComparingInt(PlanNode::id));
    }

    @Override
    public String toString() {
        return "ExplainPlan[" + root.label() + ", " + nodeCount + " nodes, analyzed=" + analyzed + "]";
    }
}
