package dev.pgpulse.query;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One node of an {@link ExplainPlan}, as PostgreSQL's {@code EXPLAIN (FORMAT JSON)} reports it.
 * <p>
 * Times are milliseconds; a figure the plan does not have (no {@code ANALYZE}, no {@code BUFFERS}) is
 * {@link Double#NaN}, a count it does not have -1, a text it does not have null.
 *
 * @param id                 the node's place in a pre-order walk of the plan, the root 0
 * @param depth              the root 0
 * @param nodeType           as pgAdmin and explain.depesz show it: {@code Hash Join (Inner)},
 *                           {@code ModifyTable (Delete)}, {@code Aggregate (Hashed)}, {@code Parallel Seq Scan}
 * @param parentRelationship {@code Outer}, {@code Inner}, {@code InitPlan}, {@code SubPlan}, {@code Member}, or null
 * @param subplanName        {@code CTE x}, {@code InitPlan 1 (returns $0)}, {@code SubPlan 1}, or null
 * @param relation           the table (or CTE, function) scanned, or null
 * @param alias              the alias in the query, or null
 * @param indexName          the index of an index scan, or null
 * @param planRows           estimated rows per loop
 * @param actualRows         rows per loop (the average over loops, as PostgreSQL reports it)
 * @param actualLoops        how many times the node ran; 0 for "never executed"
 * @param actualTotalMs      time per loop, as PostgreSQL reports it
 * @param inclusiveMs        the node's time with its children's: per loop times loops, divided by the processes of
 *                           a parallel part (a worker's time runs beside the leader's, not after it)
 * @param exclusiveMs        {@code inclusiveMs} less its children's, clamped at 0 (a CTE's time is the CTE's, not
 *                           its scan's nor the scan's parent's)
 * @param buffers            shared buffers (of the node and its children, as PostgreSQL counts them), or null
 * @param rowsRemovedByFilter rows a filter or a join filter dropped, per loop, or -1
 * @param sortKey            a Sort's keys (or an Aggregate's group keys), comma-separated, or null
 * @param sortMethod         how a Sort ran under ANALYZE ({@code quicksort, 25 kB Memory}), or null
 * @param workersLaunched    workers of a Gather, or -1
 */
public record PlanNode(int id, int depth, String nodeType, String parentRelationship, String subplanName,
                       String relation, String alias, String indexName,
                       double startupCost, double totalCost, double planRows,
                       boolean analyzed, double actualRows, double actualLoops, double actualStartupMs,
                       double actualTotalMs, double inclusiveMs, double exclusiveMs,
                       Buffers buffers, String filter, String indexCond, String joinCond, long rowsRemovedByFilter,
                       String sortKey, String sortMethod, int workersPlanned, int workersLaunched, List<PlanNode> children) {

    /** A misestimate this large is worth a look; {@link #SEVERE_FACTOR} is a likely cause of a bad plan. */
    public static final double NOTABLE_FACTOR = 10;
    public static final double SEVERE_FACTOR = 100;

    public PlanNode {
        Objects.requireNonNull(nodeType, "nodeType");
        children = List.copyOf(children);
    }

    /** Shared buffers: blocks found in shared buffers, read from disk (or the OS cache), dirtied, written. */
    public record Buffers(long sharedHit, long sharedRead, long sharedDirtied, long sharedWritten, long tempRead,
                          long tempWritten) {
    }

    /** Under: more rows than estimated (the planner thought it cheap); over: fewer. */
    public enum Direction { UNDER, OVER, EXACT }

    /**
     * How far the estimate was off: {@code max(actual/estimated, estimated/actual)}, both per loop, 0 taken as 1
     * (as explain.depesz does: 0 rows estimated as 1 is no misestimate).
     */
    public record Misestimate(double factor, Direction direction) {
        public boolean notable() {
            return factor >= NOTABLE_FACTOR;
        }

        public boolean severe() {
            return factor >= SEVERE_FACTOR;
        }
    }

    /** Ran at least once under ANALYZE. */
    public boolean executed() {
        return analyzed && actualLoops > 0;
    }

    /** Only for a node that ran under ANALYZE. */
    public Optional<Misestimate> misestimate() {
        if (!executed() || Double.isNaN(planRows) || Double.isNaN(actualRows)) {
            return Optional.empty();
        }
        double actual = Math.max(actualRows, 1);
        double estimated = Math.max(planRows, 1);
        double factor = Math.max(actual / estimated, estimated / actual);
        Direction d = actual > estimated ? Direction.UNDER : actual < estimated ? Direction.OVER : Direction.EXACT;
        return Optional.of(new Misestimate(factor, d));
    }

    /** "Seq Scan on t", "Index Scan using t_pkey on t", "Hash Join (Inner)": how a summary names the node. */
    public String label() {
        StringBuilder b = new StringBuilder(nodeType);
        if (indexName != null) {
            b.append(" using ").append(indexName);
        }
        if (relation != null) {
            b.append(" on ").append(relation);
            if (alias != null && !alias.equals(relation)) {
                b.append(' ').append(alias);
            }
        }
        return b.toString();
    }

    // a record's toString would print the whole subtree (a plan of thousands of nodes in a log line)
    @Override
    public String toString() {
        return "PlanNode[#" + id + " " + label() + ", " + children.size() + " children]";
    }
}
