package dev.pgpulse.health.readings;

import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The readings against what psql's plain queries say on the same real server, read just before and just after:
 * counters only grow, so each reading lies between the two (drift-aware); a lock, a slot and statements that the test
 * makes itself are read exactly.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class ServerReadingsReaderTest {
    private final ServerReadingsReader reader = new ServerReadingsReader();

    @Test
    void everyDatabaseLocksSlotsAndCheckpointerMatchThePlainViews(TestDatabase db) throws Exception {
        TestDatabase quiet = db.freshDatabase("pgpulse_readings_quiet");
        try (Connection holder = quiet.connect(); Connection c = db.connect(); Connection psql = db.connect()) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("create table held (id int)");
                holder.commit();
                st.execute("lock table held in share row exclusive mode");
                st.execute("insert into held values (1)"); // and a row exclusive lock
            }
            db.exec("select pg_create_physical_replication_slot('pgpulse_readings_slot', true)");
            try {
                int version = (int) db.queryLong("select current_setting('server_version_num')::int");
                Map<String, Map<String, Double>> before = databases(psql);
                Map<String, Double> bgBefore = bgwriter(psql, version);
                double slotBefore = slotRetained(psql);
                ServerReadings r = reader.read(c, version);
                Map<String, Map<String, Double>> after = databases(psql);
                Map<String, Double> bgAfter = bgwriter(psql, version);
                double slotAfter = slotRetained(psql);

                assertThat(r.serverVersionNum()).isEqualTo(version);
                // every database, every counter, between the two plain reads
                assertThat(r.databases()).extracting(ServerReadings.Database::datname)
                        .containsExactlyInAnyOrderElementsOf(after.keySet()).contains(db.database(), quiet.database(), "");
                for (ServerReadings.Database d : r.databases()) {
                    Map<String, Double> lo = before.get(d.datname());
                    Map<String, Double> hi = after.get(d.datname());
                    assertThat(d.counters().keySet()).as(d.datname()).isEqualTo(hi.keySet());
                    for (var e : d.counters().entrySet()) {
                        assertThat(e.getValue()).as("%s.%s", d.datname(), e.getKey())
                                .isBetween(lo.get(e.getKey()), hi.get(e.getKey()));
                    }
                }
                if (version >= 140000) {
                    assertThat(r.databases().stream().filter(d -> d.datname().equals(db.database())).findFirst()
                            .orElseThrow().counters()).containsKeys("sessions", "session_time", "sessions_killed");
                }
                // locks: 9 modes for every database, the held ones exactly
                assertThat(r.locks()).hasSize(9 * (after.size() - 1)); // pg_database's rows: not the shared one
                Map<String, Long> quietLocks = new HashMap<>();
                r.locks().stream().filter(l -> l.datname().equals(quiet.database()))
                        .forEach(l -> quietLocks.put(l.mode(), l.count()));
                assertThat(quietLocks).containsEntry("sharerowexclusivelock", 1L).containsEntry("rowexclusivelock", 1L)
                        .containsEntry("accessexclusivelock", 0L).hasSize(9);
                // the slot: inactive, its retained WAL between the two reads
                assertThat(r.slots()).filteredOn(s -> s.slotName().equals("pgpulse_readings_slot")).singleElement()
                        .satisfies(s -> {
                            assertThat(s.active()).isFalse();
                            assertThat(s.slotType()).isEqualTo("physical");
                            assertThat(s.database()).isEmpty();
                            assertThat(s.retainedBytes()).isBetween(slotBefore, slotAfter);
                        });
                assertThat(r.standbys()).isEmpty();
                // checkpointer and bgwriter counters between the two reads
                assertThat(r.checkpointer().keySet()).isEqualTo(bgAfter.keySet());
                for (var e : r.checkpointer().entrySet()) {
                    assertThat(e.getValue()).as(e.getKey()).isBetween(bgBefore.get(e.getKey()), bgAfter.get(e.getKey()));
                }
                // this server does not preload pg_stat_statements
                assertThat(r.statements()).isNull();
            } finally {
                db.exec("select pg_drop_replication_slot('pgpulse_readings_slot')");
                holder.rollback();
            }
        } finally {
            db.dropDatabase("pgpulse_readings_quiet");
        }
    }

    /** A server of its own with the library preloaded: the top statements, against the view itself. */
    @Test
    void topStatementsAreReadWhenPgStatStatementsIsPreloaded() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("shared_preload_libraries", "pg_stat_statements").start();
             Connection c = pg.getPostgresDatabase().getConnection()) {
            int version;
            try (Statement st = c.createStatement()) {
                ResultSet v = st.executeQuery("select current_setting('server_version_num')::int");
                v.next();
                version = v.getInt(1);
                // not created yet: no statements, no failure
                assertThat(reader.read(c, version).statements()).isNull();
                st.execute("create extension pg_stat_statements");
                for (int i = 0; i < 5; i++) {
                    st.execute("select pg_sleep(0.05), " + i);
                }
            }
            ServerReadings r = reader.read(c, version);
            assertThat(r.statements()).isNotNull().hasSizeLessThanOrEqualTo(ServerReadingsReader.TOP_STATEMENTS);
            ServerReadings.Statement sleep = r.statements().stream().filter(s -> s.calls() == 5).findFirst().orElseThrow();
            assertThat(sleep.totalTimeMs()).isGreaterThan(250.0);
            assertThat(sleep.rows()).isEqualTo(5);
            assertThat(sleep.user()).isEqualTo("postgres");
            assertThat(sleep.datname()).isEqualTo("postgres");
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select calls, total_exec_time from pg_stat_statements where queryid = " + sleep.queryId())) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(5);
                assertThat(rs.getDouble(2)).isCloseTo(sleep.totalTimeMs(), within(1e-6));
            }
            // sorted by total time: the first is the largest
            assertThat(r.statements().getFirst().totalTimeMs())
                    .isEqualTo(r.statements().stream().mapToDouble(ServerReadings.Statement::totalTimeMs).max().orElseThrow());
        }
    }

    @Test
    void versionNumbersFromServerVersion() {
        assertThat(ServerReadingsReader.versionNum("15.19")).isEqualTo(150019);
        assertThat(ServerReadingsReader.versionNum("17beta1")).isEqualTo(170000);
        assertThat(ServerReadingsReader.versionNum("16.4 (Debian 16.4-1.pgdg120+1)")).isEqualTo(160004);
        assertThat(ServerReadingsReader.versionNum("9.6.24")).isEqualTo(90624);
        assertThat(ServerReadingsReader.versionNum("")).isZero();
        assertThat(ServerReadingsReader.versionNum(null)).isZero();
    }

    /** pg_stat_database by name, its counters as psql shows them (the session columns only where there are). */
    private static Map<String, Map<String, Double>> databases(Connection c) throws SQLException {
        Map<String, Map<String, Double>> out = new HashMap<>();
        try (Statement st = c.createStatement()) {
            st.execute("select pg_stat_clear_snapshot()");
            try (ResultSet rs = st.executeQuery("select d.*, c.confl_tablespace, c.confl_lock,"
                    + " c.confl_snapshot, c.confl_bufferpin, c.confl_deadlock, coalesce(d.datname, '') as name"
                    + " from pg_stat_database d left join pg_stat_database_conflicts c on c.datid = d.datid")) {
                var meta = rs.getMetaData();
                List<String> cols = new java.util.ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    if (ServerReadingsReader.DATABASE_COUNTERS.contains(meta.getColumnName(i))
                            || ServerReadingsReader.CONFLICT_COUNTERS.contains(meta.getColumnName(i))) {
                        cols.add(meta.getColumnName(i));
                    }
                }
                while (rs.next()) {
                    Map<String, Double> row = new HashMap<>();
                    for (String col : cols) {
                        double v = rs.getDouble(col);
                        if (!rs.wasNull()) { // the shared row has no conflicts row
                            row.put(col, v);
                        }
                    }
                    out.put(rs.getString("name"), row);
                }
            }
        }
        return out;
    }

    private static Map<String, Double> bgwriter(Connection c, int version) throws SQLException {
        String sql = version >= 170000
                ? "select c.num_timed as checkpoints_timed, c.num_requested as checkpoints_req, c.write_time as checkpoint_write_time,"
                + " c.sync_time as checkpoint_sync_time, c.buffers_written as buffers_checkpoint, b.buffers_clean,"
                + " b.maxwritten_clean, b.buffers_alloc from pg_stat_checkpointer c, pg_stat_bgwriter b"
                : "select checkpoints_timed, checkpoints_req, checkpoint_write_time, checkpoint_sync_time, buffers_checkpoint,"
                + " buffers_clean, maxwritten_clean, buffers_backend, buffers_backend_fsync, buffers_alloc from pg_stat_bgwriter";
        Map<String, Double> out = new HashMap<>();
        try (Statement st = c.createStatement()) {
            st.execute("select pg_stat_clear_snapshot()");
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    out.put(rs.getMetaData().getColumnLabel(i), rs.getDouble(i));
                }
            }
        }
        return out;
    }

    private static double slotRetained(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) from pg_replication_slots"
                        + " where slot_name = 'pgpulse_readings_slot'")) {
            rs.next();
            return rs.getDouble(1);
        }
    }
}
