package dev.pgpulse.testing;

import dev.pgpulse.embedded.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static dev.pgpulse.testing.ReplicationCluster.queryLong;
import static dev.pgpulse.testing.ReplicationCluster.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Real servers throughout: a primary and two standbys streaming from it; replay paused on one only; a standby
 * stopped and started on its port; a failover to standby 0 that standby 1 follows; the old primary rejoined as a
 * standby of the new one.
 */
@Timeout(300)
class ReplicationClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static long count(EmbeddedServer s, String table) throws Exception {
        return queryLong(s.jdbcUrl(), "select count(*) from " + table);
    }

    private static long inRecovery(EmbeddedServer s) throws Exception {
        return queryLong(s.jdbcUrl(), "select case when pg_is_in_recovery() then 1 else 0 end");
    }

    private static void awaitRows(EmbeddedServer s, String table, long rows) {
        await().atMost(WAIT).ignoreExceptions().until(() -> count(s, table) == rows);
    }

    @Test
    void twoStandbysStreamPauseStopStartFailOverAndTheOldPrimaryRejoins() throws Exception {
        try (ReplicationCluster c = ReplicationCluster.start(dir, 2)) {
            EmbeddedServer primary = c.primary();
            assertThat(primary.port()).isEqualTo(c.primaryPort());
            assertThat(c.standby(0).port()).isEqualTo(c.standbyPort(0));
            assertThat(c.standby(1).port()).isEqualTo(c.standbyPort(1));
            assertThat(inRecovery(primary)).isZero();
            assertThat(inRecovery(c.standby(0))).isOne();
            assertThat(inRecovery(c.standby(1))).isOne();
            // each through its own physical slot, both active
            assertThat(queryLong(primary.jdbcUrl(), "select count(*) from pg_stat_replication where state = 'streaming'"))
                    .isEqualTo(2);
            assertThat(queryLong(primary.jdbcUrl(), "select count(*) from pg_replication_slots where slot_type = "
                    + "'physical' and active and slot_name in ('standby_0', 'standby_1')")).isEqualTo(2);

            // a row written on the primary reaches both
            sql(primary.jdbcUrl(), "create table probe (id int)", "insert into probe values (1)");
            awaitRows(c.standby(0), "probe", 1);
            awaitRows(c.standby(1), "probe", 1);
            assertThatThrownBy(() -> sql(c.standby(0).jdbcUrl(), "insert into probe values (0)"))
                    .hasMessageContaining("read-only");

            // paused on standby 1 only: it does not see the next row, standby 0 does; resumed, it does
            c.pauseReplay(1);
            sql(primary.jdbcUrl(), "insert into probe values (2)");
            c.awaitCaughtUp(0, WAIT);
            assertThat(count(c.standby(0), "probe")).isEqualTo(2);
            assertThatThrownBy(() -> c.awaitCaughtUp(1, Duration.ofSeconds(2))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("paused");
            assertThat(count(c.standby(1), "probe")).isEqualTo(1);
            c.resumeReplay(1);
            c.awaitCaughtUp(1, WAIT);
            assertThat(count(c.standby(1), "probe")).isEqualTo(2);

            // stopped, standby 0 misses rows; started, it is on the same port and catches up
            int port0 = c.standbyPort(0);
            c.stopStandby(0);
            assertThat(c.standby(0)).isNull();
            sql(primary.jdbcUrl(), "insert into probe select g from generate_series(3, 1000) g");
            c.startStandby(0);
            assertThat(c.standbyPort(0)).isEqualTo(port0);
            assertThat(c.standby(0).port()).isEqualTo(port0);
            c.awaitCaughtUp(0, WAIT);
            assertThat(count(c.standby(0), "probe")).isEqualTo(1000);

            // failover to standby 0: writable on its port; standby 1 follows it
            int oldPrimaryPort = c.primaryPort();
            EmbeddedServer promoted = c.standby(0);
            c.failover(0);
            assertThat(c.primary()).isSameAs(promoted);
            assertThat(c.primaryPort()).isEqualTo(port0);
            assertThat(c.standby(0)).isNull();
            assertThat(inRecovery(c.primary())).isZero();
            sql(c.primary().jdbcUrl(), "insert into probe values (1001)");
            awaitRows(c.standby(1), "probe", 1001);
            assertThat(queryLong(c.standby(1).jdbcUrl(), "select sender_port from pg_stat_wal_receiver"))
                    .isEqualTo(port0);
            assertThat(inRecovery(c.standby(1))).isOne();
            assertThatThrownBy(() -> c.stopStandby(0)).isInstanceOf(IllegalStateException.class);

            // the old primary, rebuilt from the new one, is a read-only standby on its old port receiving new rows
            EmbeddedServer rejoined = c.rejoinOldPrimaryAsStandby();
            assertThat(rejoined.port()).isEqualTo(oldPrimaryPort);
            assertThat(inRecovery(rejoined)).isOne();
            assertThat(count(rejoined, "probe")).isEqualTo(1001);
            sql(c.primary().jdbcUrl(), "insert into probe values (1002)");
            awaitRows(rejoined, "probe", 1002);
            awaitRows(c.standby(1), "probe", 1002);
            assertThatThrownBy(() -> sql(rejoined.jdbcUrl(), "insert into probe values (0)"))
                    .hasMessageContaining("read-only");
        }
        // every server stopped: none answers on its port any more
        for (Path p : new Path[] {dir.resolve("primary"), dir.resolve("standby_0"), dir.resolve("standby_1")}) {
            assertThat(p.resolve("postmaster.pid")).doesNotExist();
        }
    }

    @Test
    void aStartThatFailsSaysWhyWithPgBasebackupsOutputAndLeavesNoServerRunning() throws Exception {
        // pg_basebackup refuses a folder that is not empty
        java.nio.file.Files.createDirectories(dir.resolve("standby_0"));
        java.nio.file.Files.writeString(dir.resolve("standby_0").resolve("in-the-way"), "x");
        assertThatThrownBy(() -> ReplicationCluster.start(dir, 1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("pg_basebackup for standby_0 failed").hasMessageContaining("not empty");
        assertThat(dir.resolve("primary").resolve("postmaster.pid")).doesNotExist();
    }
}
