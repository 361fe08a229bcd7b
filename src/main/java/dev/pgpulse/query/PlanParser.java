package dev.pgpulse.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns EXPLAIN's JSON into an {@link ExplainPlan} in three flat passes over the nodes (read, times, records
 * bottom-up), never recursing, within the bounds of {@link ExplainPlan}.
 */
final class PlanParser {
    private static final String NOT_A_PLAN = "not an EXPLAIN (FORMAT JSON) plan: ";
    // a plan level is two JSON levels ({"Plans": [ {...} ]}), plus the outer array and the "Plan" object
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(2 * ExplainPlan.MAX_DEPTH + 4)
                    .maxDocumentLength(ExplainPlan.MAX_CHARS)
                    .build())
            .build()).build();

    private PlanParser() {
    }

    /** A node while the tree is read; becomes a {@link PlanNode} once its children are. */
    private static final class Draft {
        final JsonNode json;
        final int parent;
        final int depth;
        final List<Integer> children = new ArrayList<>();
        double divisor = 1;
        double inclusiveMs = Double.NaN;
        double exclusiveMs = Double.NaN;
        PlanNode built;

        Draft(JsonNode json, int parent, int depth) {
            this.json = json;
            this.parent = parent;
            this.depth = depth;
        }
    }

    static ExplainPlan parse(String text) throws ExplainPlan.NotAPlanException {
        if (text == null || text.isBlank()) {
            throw new ExplainPlan.NotAPlanException(NOT_A_PLAN + "the text is empty");
        }
        if (text.length() > ExplainPlan.MAX_CHARS) {
            throw new ExplainPlan.NotAPlanException("the plan is too large: " + text.length() + " characters, at most "
                    + ExplainPlan.MAX_CHARS + " are read");
        }
        JsonNode doc;
        try {
            doc = JSON.readTree(text);
        } catch (StreamConstraintsException e) {
            throw new ExplainPlan.NotAPlanException("the plan is nested too deeply or too large (at most "
                    + ExplainPlan.MAX_DEPTH + " levels of nodes are read)", e);
        } catch (JsonProcessingException e) {
            throw new ExplainPlan.NotAPlanException(NOT_A_PLAN + "not JSON (" + firstLine(e.getOriginalMessage()) + ")", e);
        }
        JsonNode top = doc != null && doc.isArray() && !doc.isEmpty() ? doc.get(0) : doc;
        if (top == null || !top.isObject() || !top.path("Plan").isObject()) {
            throw new ExplainPlan.NotAPlanException(NOT_A_PLAN + "no \"Plan\" object in it");
        }
        List<Draft> drafts = read(top.get("Plan"));
        times(drafts);
        for (int i = drafts.size() - 1; i >= 0; i--) {
            Draft d = drafts.get(i);
            List<PlanNode> kids = new ArrayList<>(d.children.size());
            for (int c : d.children) {
                kids.add(drafts.get(c).built);
                drafts.get(c).built = null; // the parent holds it now; the flat list need not
            }
            d.built = node(i, d, kids);
        }
        PlanNode root = drafts.getFirst().built;
        List<ExplainPlan.Trigger> triggers = new ArrayList<>();
        for (JsonNode t : top.path("Triggers")) {
            triggers.add(new ExplainPlan.Trigger(text(t, "Trigger Name"), text(t, "Relation"), num(t, "Time"),
                    t.path("Calls").asLong(0)));
        }
        ExplainPlan.Jit jit = null;
        JsonNode j = top.path("JIT");
        if (j.isObject()) {
            jit = new ExplainPlan.Jit(j.path("Functions").asInt(0), num(j.path("Timing"), "Total"));
        }
        return new ExplainPlan(root, root.analyzed(), num(top, "Planning Time"), num(top, "Execution Time"),
                triggers, jit, drafts.size());
    }

    /** The nodes in pre-order, each knowing its parent and children, checked against the bounds. */
    private static List<Draft> read(JsonNode rootJson) throws ExplainPlan.NotAPlanException {
        List<Draft> drafts = new ArrayList<>();
        Deque<Draft> todo = new ArrayDeque<>();
        todo.push(new Draft(rootJson, -1, 0));
        while (!todo.isEmpty()) {
            Draft d = todo.pop();
            if (!d.json.path("Node Type").isTextual()) {
                throw new ExplainPlan.NotAPlanException(NOT_A_PLAN + "a node without a \"Node Type\"");
            }
            if (d.depth >= ExplainPlan.MAX_DEPTH) {
                throw new ExplainPlan.NotAPlanException("the plan is nested too deeply (at most "
                        + ExplainPlan.MAX_DEPTH + " levels of nodes are read)");
            }
            if (drafts.size() >= ExplainPlan.MAX_NODES) {
                throw new ExplainPlan.NotAPlanException("the plan is too large: more than " + ExplainPlan.MAX_NODES
                        + " nodes");
            }
            int index = drafts.size();
            drafts.add(d);
            if (d.parent >= 0) {
                drafts.get(d.parent).children.add(index);
            }
            JsonNode plans = d.json.path("Plans");
            if (!plans.isMissingNode() && !plans.isArray()) {
                throw new ExplainPlan.NotAPlanException(NOT_A_PLAN + "\"Plans\" is not a list");
            }
            // pushed last child first, so children are read (and numbered) in the plan's order
            for (int c = plans.size() - 1; c >= 0; c--) {
                if (!plans.get(c).isObject()) {
                    throw new ExplainPlan.NotAPlanException(NOT_A_PLAN + "a child plan is not an object");
                }
                todo.push(new Draft(plans.get(c), index, d.depth + 1));
            }
        }
        return drafts;
    }

    /** Inclusive and exclusive times; parents come before children in the list, so one pass each way. */
    private static void times(List<Draft> drafts) {
        Map<String, Double> ctes = new HashMap<>();
        for (Draft d : drafts) {
            if (d.parent >= 0) {
                Draft p = drafts.get(d.parent);
                // each process of a parallel part runs the part below the Gather: its per-process time counts once
                d.divisor = isGather(p) ? Math.max(1, d.json.path("Actual Loops").asDouble(1)) : p.divisor;
            }
            if (d.json.has("Actual Loops")) {
                d.inclusiveMs = num(d.json, "Actual Total Time") * d.json.path("Actual Loops").asDouble(0) / d.divisor;
            }
            String sub = text(d.json, "Subplan Name");
            if (sub != null && sub.startsWith("CTE ") && !Double.isNaN(d.inclusiveMs)) {
                ctes.merge(sub.substring(4), d.inclusiveMs, Double::sum);
            }
        }
        for (Draft d : drafts) {
            if (Double.isNaN(d.inclusiveMs)) {
                continue;
            }
            double own = d.inclusiveMs;
            for (int c : d.children) {
                Draft k = drafts.get(c);
                // a CTE runs as its scans pull rows: its time is inside the scan's, not beside it
                if (!Double.isNaN(k.inclusiveMs) && !isCte(k)) {
                    own -= k.inclusiveMs;
                }
            }
            if ("CTE Scan".equals(text(d.json, "Node Type"))) {
                own -= ctes.getOrDefault(text(d.json, "CTE Name"), 0.0);
            }
            d.exclusiveMs = Math.max(0, own);
        }
    }

    private static boolean isGather(Draft d) {
        String t = text(d.json, "Node Type");
        return "Gather".equals(t) || "Gather Merge".equals(t);
    }

    private static boolean isCte(Draft d) {
        String sub = text(d.json, "Subplan Name");
        return sub != null && sub.startsWith("CTE ") && "InitPlan".equals(text(d.json, "Parent Relationship"));
    }

    private static PlanNode node(int id, Draft d, List<PlanNode> kids) {
        JsonNode j = d.json;
        PlanNode.Buffers buffers = j.has("Shared Hit Blocks") ? new PlanNode.Buffers(
                j.path("Shared Hit Blocks").asLong(0), j.path("Shared Read Blocks").asLong(0),
                j.path("Shared Dirtied Blocks").asLong(0), j.path("Shared Written Blocks").asLong(0),
                j.path("Temp Read Blocks").asLong(0), j.path("Temp Written Blocks").asLong(0)) : null;
        long removed = -1;
        for (String f : new String[] {"Rows Removed by Filter", "Rows Removed by Join Filter"}) {
            if (j.has(f)) {
                removed = Math.max(removed, 0) + j.path(f).asLong(0);
            }
        }
        String relation = first(j, "Relation Name", "CTE Name", "Function Name", "Table Function Name");
        String joinCond = first(j, "Hash Cond", "Merge Cond", "Join Filter");
        return new PlanNode(id, d.depth, nodeType(j), text(j, "Parent Relationship"), text(j, "Subplan Name"),
                relation, text(j, "Alias"), text(j, "Index Name"),
                num(j, "Startup Cost"), num(j, "Total Cost"), num(j, "Plan Rows"),
                j.has("Actual Loops"), num(j, "Actual Rows"), num(j, "Actual Loops"), num(j, "Actual Startup Time"),
                num(j, "Actual Total Time"), d.inclusiveMs, d.exclusiveMs, buffers,
                text(j, "Filter"), first(j, "Index Cond", "Recheck Cond"), joinCond, removed,
                keys(j.has("Sort Key") ? j.get("Sort Key") : j.get("Group Key")), sortMethod(j),
                j.path("Workers Planned").asInt(-1), j.path("Workers Launched").asInt(-1), kids);
    }

    /** "Hash Join (Inner)", "ModifyTable (Delete)", "Parallel Seq Scan", "Finalize Aggregate (Hashed)". */
    static String nodeType(JsonNode j) {
        StringBuilder b = new StringBuilder();
        String partial = text(j, "Partial Mode");
        if (partial != null && !"Simple".equals(partial)) {
            b.append(partial).append(' ');
        }
        if (j.path("Parallel Aware").asBoolean(false)) {
            b.append("Parallel ");
        }
        b.append(text(j, "Node Type"));
        if ("Backward".equals(text(j, "Scan Direction"))) {
            b.append(" Backward");
        }
        List<String> folded = new ArrayList<>();
        for (String f : new String[] {"Operation", "Join Type", "Strategy", "Command"}) {
            String v = text(j, f);
            if (v != null && !("Strategy".equals(f) && "Plain".equals(v))) {
                folded.add(v);
            }
        }
        if (!folded.isEmpty()) {
            b.append(" (").append(String.join(", ", folded)).append(')');
        }
        return b.toString();
    }

    private static String keys(JsonNode list) {
        if (list == null || !list.isArray() || list.isEmpty()) {
            return null;
        }
        List<String> keys = new ArrayList<>(list.size());
        list.forEach(k -> keys.add(k.asText()));
        return String.join(", ", keys);
    }

    private static String sortMethod(JsonNode j) {
        String method = text(j, "Sort Method");
        if (method == null) {
            return null;
        }
        JsonNode space = j.get("Sort Space Used");
        return space == null || !space.isNumber() ? method
                : method + ", " + space.asLong() + " kB " + String.valueOf(text(j, "Sort Space Type"));
    }

    private static String first(JsonNode j, String... fields) {
        for (String f : fields) {
            String v = text(j, f);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String text(JsonNode j, String field) {
        JsonNode v = j.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    private static double num(JsonNode j, String field) {
        JsonNode v = j.get(field);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        String line = s.lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
