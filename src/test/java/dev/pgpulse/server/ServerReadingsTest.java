package dev.pgpulse.server;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Locks, slots, top statements, tables and unused indexes read from a real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class ServerReadingsTest {
    private DatabaseService service;
    private ServerReadings readings;

    @BeforeEach
    void setUp(TestDatabase db) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url()), Path.of("/nonexistent"), "tester", 2)
                .load(Overrides.none());
        var meters = new SimpleMeterRegistry();
        service = new DatabaseService(Endpoints.open(config, meters),
                new Guard(config.resilience(), meters, new EventLog(100), Clock.systemUTC()), meters, Clock.systemUTC());
        readings = new ServerReadings(service, Duration.ofSeconds(5));
    }

    @AfterEach
    void tearDown() {
        service.shutdown(Duration.ofSeconds(2));
    }

    private Readout read(ServerReadings.Kind kind) {
        Result<Readout> r = readings.read(kind);
        assertThat(r.isSuccess()).as(r.toString()).isTrue();
        Readout out = r.orElseThrow();
        assertThat(out.columns()).isNotEmpty();
        out.rows().forEach(row -> assertThat(row.values()).hasSize(out.columns().size()));
        return out;
    }

    private static Optional<Readout.Row> row(Readout r, int column, Object value) {
        return r.rows().stream().filter(x -> value.equals(x.values().get(column))).findFirst();
    }

    @Test
    void aWaitingLockIsFlaggedBesideTheGrantedOnesOfItsBlocker(TestDatabase db) throws Exception {
        db.exec("drop table if exists readings_lock", "create table readings_lock(id int primary key, n int)",
                "insert into readings_lock values (1, 0)");
        try (Connection blocker = db.connect(); Connection waiter = db.connect()) {
            blocker.setAutoCommit(false);
            int blockerPid;
            try (Statement st = blocker.createStatement()) {
                st.execute("update readings_lock set n = 1 where id = 1");
                ResultSet rs = st.executeQuery("select pg_backend_pid()");
                rs.next();
                blockerPid = rs.getInt(1);
            }
            var waiting = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try (Statement st = waiter.createStatement()) {
                    st.execute("update readings_lock set n = 2 where id = 1");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> read(ServerReadings.Kind.LOCKS).rows().stream()
                    .anyMatch(Readout.Row::flagged));
            Readout locks = read(ServerReadings.Kind.LOCKS);
            Readout.Row wait = locks.rows().stream().filter(Readout.Row::flagged).findFirst().orElseThrow();
            assertThat(wait.values().get(3)).isEqualTo("waiting");
            assertThat(wait.values().get(2)).isEqualTo("ShareLock");
            assertThat(wait.values().get(7)).isInstanceOf(Double.class);
            assertThat(locks.rows()).anySatisfy(r -> {
                assertThat(r.values().get(0)).isEqualTo((long) blockerPid);
                assertThat(r.values().get(4)).isEqualTo("readings_lock");
                assertThat(r.values().get(2)).isEqualTo("RowExclusiveLock");
                assertThat(r.flagged()).isFalse();
            });
            blocker.rollback();
            waiting.get();
        }
    }

    @Test
    void anInactiveSlotIsFlaggedWithTheWalItRetains(TestDatabase db) throws Exception {
        db.exec("select pg_create_physical_replication_slot('readings_test_slot', true)");
        try {
            Readout slots = read(ServerReadings.Kind.SLOTS);
            Readout.Row slot = row(slots, 0, "readings_test_slot").orElseThrow();
            assertThat(slot.flagged()).isTrue();
            assertThat(slot.values().get(3)).isEqualTo("INACTIVE");
            assertThat(slot.values().get(1)).isEqualTo("physical");
            assertThat((Long) slot.values().get(5)).isNotNull().isGreaterThanOrEqualTo(0L);
        } finally {
            db.exec("select pg_drop_replication_slot('readings_test_slot')");
        }
        Readout standbys = read(ServerReadings.Kind.STANDBYS);
        if (standbys.rows().isEmpty()) {
            assertThat(standbys.note()).isEqualTo("No standby is connected to this server");
        }
    }

    @Test
    void topStatementsSayHowToEnableTheExtensionWhenItIsNotThere(TestDatabase db) throws Exception {
        boolean preloaded;
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("show shared_preload_libraries")) {
            rs.next();
            preloaded = rs.getString(1).contains("pg_stat_statements");
        }
        if (preloaded) {
            db.exec("create extension if not exists pg_stat_statements", "select 42 as top_statement_probe");
            Readout top = read(ServerReadings.Kind.STATEMENTS);
            assertThat(top.note()).isEmpty();
            assertThat(top.rows()).isNotEmpty();
        } else {
            Readout top = read(ServerReadings.Kind.STATEMENTS);
            assertThat(top.rows()).isEmpty();
            assertThat(top.note()).isIn(ServerReadings.STATEMENTS_HINT, ServerReadings.PRELOAD_HINT);
        }
    }

    @Test
    void deadRowsAreFlaggedAndAnIndexNeverScannedIsListed(TestDatabase db) throws Exception {
        db.exec("drop table if exists readings_bloat",
                "create table readings_bloat(id int, v text) with (autovacuum_enabled = false)",
                "insert into readings_bloat select g, 'x' from generate_series(1, 5000) g",
                "create index readings_bloat_v on readings_bloat(v)",
                "delete from readings_bloat where id > 1000");
        await().atMost(Duration.ofSeconds(30)).until(() -> row(read(ServerReadings.Kind.TABLES), 0,
                "public.readings_bloat").map(Readout.Row::flagged).orElse(false));
        Readout.Row t = row(read(ServerReadings.Kind.TABLES), 0, "public.readings_bloat").orElseThrow();
        assertThat((Long) t.values().get(4)).isEqualTo(4000L);
        assertThat((Long) t.values().get(1)).isGreaterThan(0L);
        assertThat((Double) t.values().get(5)).isEqualTo(0.8);
        Readout.Row i = row(read(ServerReadings.Kind.UNUSED_INDEXES), 0, "public.readings_bloat_v").orElseThrow();
        assertThat(i.values().get(1)).isEqualTo("public.readings_bloat");
        assertThat(i.values().get(3)).isEqualTo(0L);
        assertThat(List.of(read(ServerReadings.Kind.UNUSED_INDEXES).note())).allMatch(n -> !n.isEmpty());
    }
}
