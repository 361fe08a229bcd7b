package dev.pgpulse.server;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The tree's shape from blocking pids alone: chains, several roots, cycles. */
class BlockingTreeTest {

    private static Session s(int pid, Integer... blockedBy) {
        return new Session(pid, "u", "d", "app", null, "client backend", null, "active", null, null, null, null, null,
                null, null, null, "q", List.of(blockedBy), null, null, null, null, false);
    }

    @Test
    void aChainNestsUnderItsRootAndBystandersAreLeftOut() {
        var tree = BlockingTree.of(List.of(s(1), s(2, 1), s(3, 2), s(4), s(5, 1)));
        assertThat(tree).hasSize(1);
        BlockingTree.Node root = tree.getFirst();
        assertThat(root.session().pid()).isEqualTo(1);
        assertThat(root.root()).isTrue();
        assertThat(root.children()).extracting(n -> n.session().pid()).containsExactly(2, 5);
        assertThat(root.children().getFirst().children()).extracting(n -> n.session().pid()).containsExactly(3);
        assertThat(root.size()).isEqualTo(4);
    }

    @Test
    void aCycleGetsOneRootMarkedAndEndsWhereItWouldRepeat() {
        var tree = BlockingTree.of(List.of(s(7, 8), s(8, 7), s(9, 8)));
        assertThat(tree).hasSize(1);
        BlockingTree.Node root = tree.getFirst();
        assertThat(root.session().pid()).isEqualTo(7);
        assertThat(root.cycle()).isTrue();
        assertThat(root.size()).isEqualTo(3);
    }

    @Test
    void aBlockerThatEndedIsNoRoot() {
        assertThat(BlockingTree.of(List.of(s(2, 1)))).isEmpty();
    }
}
