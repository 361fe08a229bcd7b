package dev.pgpulse.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The blocking tree from each session's {@code pg_blocking_pids}: a blocked session is nested under every session
 * that blocks it, roots are the blockers that wait for nobody. Sessions blocked only within a cycle (a deadlock
 * before the detector breaks it, after {@code deadlock_timeout}) have no such root: the cycle's lowest pid is
 * taken as its root and marked as part of a cycle, and a session never appears twice on one branch.
 */
public final class BlockingTree {

    /**
     * @param root  a session that blocks others and waits for no one (or the entry to a cycle)
     * @param cycle the session is in a cycle of waits (the branch stops where it would repeat)
     */
    public record Node(Session session, boolean root, boolean cycle, List<Node> children) {
        public Node {
            children = List.copyOf(children);
        }

        /** This node and all below it, depth first. */
        public int size() {
            return 1 + children.stream().mapToInt(Node::size).sum();
        }
    }

    private BlockingTree() {
    }

    /** The trees of all sessions that block or are blocked; the others are left out. Roots by pid. */
    public static List<Node> of(List<Session> sessions) {
        Map<Integer, Session> byPid = new HashMap<>();
        sessions.forEach(s -> byPid.put(s.pid(), s));
        Map<Integer, Set<Integer>> blocks = new HashMap<>();
        for (Session s : sessions) {
            for (int blocker : s.blockedBy()) {
                if (byPid.containsKey(blocker)) {
                    blocks.computeIfAbsent(blocker, k -> new LinkedHashSet<>()).add(s.pid());
                }
            }
        }
        List<Node> roots = new ArrayList<>();
        Set<Integer> reached = new HashSet<>();
        sessions.stream().filter(s -> blocks.containsKey(s.pid()) && waitsForNoOne(s, byPid))
                .sorted(java.util.Comparator.comparingInt(Session::pid))
                .forEach(s -> roots.add(node(s, true, blocks, byPid, new HashSet<>(), reached)));
        // what is left blocks and is blocked but was reached from no root: cycles
        sessions.stream().filter(s -> blocks.containsKey(s.pid()) && !reached.contains(s.pid()))
                .sorted(java.util.Comparator.comparingInt(Session::pid))
                .forEach(s -> {
                    if (!reached.contains(s.pid())) {
                        roots.add(node(s, true, blocks, byPid, new HashSet<>(), reached));
                    }
                });
        return List.copyOf(roots);
    }

    private static boolean waitsForNoOne(Session s, Map<Integer, Session> byPid) {
        return s.blockedBy().stream().noneMatch(byPid::containsKey);
    }

    private static Node node(Session s, boolean root, Map<Integer, Set<Integer>> blocks, Map<Integer, Session> byPid,
                             Set<Integer> branch, Set<Integer> reached) {
        reached.add(s.pid());
        branch.add(s.pid());
        List<Node> children = new ArrayList<>();
        boolean cycle = false;
        for (int pid : blocks.getOrDefault(s.pid(), Set.of())) {
            if (branch.contains(pid)) {
                cycle = true;
                continue;
            }
            children.add(node(byPid.get(pid), false, blocks, byPid, branch, reached));
        }
        branch.remove(s.pid());
        // a root that itself waits can only be the entry chosen into a cycle
        return new Node(s, root, cycle || (root && !waitsForNoOne(s, byPid)), children);
    }
}
