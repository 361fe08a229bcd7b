package dev.pgpulse.health.readings;

import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cascading standby (primary, a standby of it, a standby of that one, each a real server from pg_basebackup):
 * the middle one is in recovery and streams to the last, whose replay is paused while the primary writes. Its
 * readings give the downstream standby's lag in bytes from the WAL it has received, as newer postgres_exporters do,
 * not null.
 */
@Timeout(180)
class CascadingStandbyReadingTest {
    @TempDir
    Path dir;

    @Test
    void aCascadingStandbyReportsItsOwnStandbysLagFromTheWalItReceived() throws Exception {
        Path basebackup = Tools.require("pg_basebackup", "postgresql-client-15");
        try (EmbeddedServer primary = EmbeddedServer.startScratch(dir.resolve("primary"), 0)) {
            backup(basebackup, primary.port(), dir.resolve("middle"));
            try (EmbeddedServer middle = EmbeddedServer.start(dir.resolve("middle"), 0)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> query(primary.jdbcUrl(),
                        "select count(*) from pg_stat_replication where state = 'streaming'") == 1);
                backup(basebackup, middle.port(), dir.resolve("last"));
                try (EmbeddedServer last = EmbeddedServer.start(dir.resolve("last"), 0)) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> query(middle.jdbcUrl(),
                            "select count(*) from pg_stat_replication where state = 'streaming'") == 1);
                    sql(last.jdbcUrl(), "select pg_wal_replay_pause()");
                    try {
                        sql(primary.jdbcUrl(), "create table cascading as select g, repeat('x', 100) as pad"
                                + " from generate_series(1, 20000) g");
                        await().atMost(Duration.ofSeconds(20)).until(() -> query(middle.jdbcUrl(),
                                "select count(*) from pg_stat_replication where flush_lsn >= pg_last_wal_receive_lsn()"
                                        + " and replay_lsn < flush_lsn and pg_wal_lsn_diff(flush_lsn, replay_lsn) > 1000000") == 1);
                        String lag = "select pg_wal_lsn_diff(pg_last_wal_receive_lsn(), replay_lsn)::bigint from pg_stat_replication";
                        long lowest = query(middle.jdbcUrl(), lag);
                        ServerReadings r;
                        try (Connection c = DriverManager.getConnection(middle.jdbcUrl(), "postgres", null)) {
                            r = new ServerReadingsReader().read(c, (int) query(middle.jdbcUrl(), "show server_version_num"));
                        }
                        long highest = query(middle.jdbcUrl(), lag);
                        assertThat(r.standbys()).singleElement().satisfies(s -> {
                            assertThat(s.state()).isEqualTo("streaming");
                            assertThat(s.lagBytes()).as("lag bytes on a standby in recovery").isNotNull()
                                    .isBetween((double) lowest, (double) highest).isGreaterThan(1e6);
                        });
                    } finally {
                        sql(last.jdbcUrl(), "select pg_wal_replay_resume()");
                    }
                }
            }
        }
    }

    private static void backup(Path basebackup, int port, Path to) throws Exception {
        Path out = to.resolveSibling(to.getFileName() + "-basebackup.txt");
        Process base = new ProcessBuilder(basebackup.toString(), "-h", "localhost", "-p", Integer.toString(port),
                "-U", "postgres", "-D", to.toString(), "-R", "-X", "stream", "--no-password")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(base.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(base.exitValue()).as(Files.readString(out)).isZero();
    }

    private static void sql(String jdbcUrl, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static long query(String jdbcUrl, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return Long.parseLong(rs.getString(1));
        }
    }
}
