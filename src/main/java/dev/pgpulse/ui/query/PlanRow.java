package dev.pgpulse.ui.query;

import java.util.List;

/**
 * A node of a plan as {@link PlanView} shows it: every figure already written out by {@link PlanViewModel}.
 *
 * @param estimate how far the estimate of rows was off, for the highlight of the misestimate cell
 * @param slowest  the node that took the most time of its own
 */
public record PlanRow(int id, String node, String relation, String estimatedRows, String actualRows,
                      String misestimate, Estimate estimate, String cost, String ownTime, String totalTime,
                      String loops, String buffers, String details, boolean slowest, List<PlanRow> children) {

    /** Off by less than 10×, by 10× or more, by 100× or more; {@code NONE} without ANALYZE. */
    public enum Estimate { NONE, FAIR, NOTABLE, SEVERE }

    public PlanRow {
        children = List.copyOf(children);
    }

    @Override
    public String toString() {
        return "PlanRow[#" + id + " " + node + "]";
    }
}
