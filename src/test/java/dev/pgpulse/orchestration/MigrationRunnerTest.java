package dev.pgpulse.orchestration;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Flyway info, migrate, validate and repair on real databases: fresh, tampered, behind, and with tables already. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class MigrationRunnerTest {
    private static final List<String> DEMO = List.of("classpath:db/migration");
    private static final String TABLE = "pgpulse_schema_history";
    @TempDir
    Path home;

    private EndpointConfig primary(TestDatabase db) throws Exception {
        return new ConfigLoader(Map.of("DATABASE_URL", db.url()), home, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of())).primary().orElseThrow();
    }

    private static long count(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A server that accepts and never answers: Flyway's connection gives up within connect_timeout and a second. */
    @Test
    void aHungServerFailsWithinTheConnectTimeout() throws Exception {
        try (dev.pgpulse.testing.SilentListener silent = dev.pgpulse.testing.SilentListener.start()) {
            EndpointConfig hung = new ConfigLoader(Map.of("DATABASE_URL", "postgresql://app:s3cr3t-pw@127.0.0.1:"
                    + silent.port() + "/app", "PGCONNECT_TIMEOUT", "2"), home, "tester", 2)
                    .load(new Overrides(null, null, null, List.of(), null, Map.of())).primary().orElseThrow();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> new MigrationRunner(hung, DEMO, TABLE, false).info())
                    .isInstanceOf(MigrationException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t-pw"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("ms until Flyway gave up on a hung server").isLessThan(10_000);
            assertThat(silent.acceptedConnections()).isPositive();
        }
    }

    /**
     * The network stops answering while info reads (held first on a lock, so the freeze lands mid-read): the bounded
     * info fails within its read timeout instead of the kernel's two hours; migrate keeps no such bound.
     */
    @Test
    void infoAndValidateFailWithinTheirBoundWhenTheConnectionFreezes(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_frozen");
        new MigrationRunner(primary(db), DEMO, TABLE, false).migrate();
        java.time.Duration bound = java.time.Duration.ofSeconds(2);
        try (dev.pgpulse.testing.FaultProxy proxy = dev.pgpulse.testing.FaultProxy.start(db.host(), db.port());
             Connection locker = db.connect(); Statement st = locker.createStatement()) {
            MigrationRunner runner = new MigrationRunner(primary(proxy.through(db)), DEMO, TABLE, false, bound);
            assertThat(runner.info().currentVersion()).isEqualTo("2");
            for (String command : List.of("info", "validate")) {
                locker.setAutoCommit(false);
                st.execute("lock table " + TABLE + " in access exclusive mode");
                java.util.concurrent.CompletableFuture<Object> call = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return command.equals("info") ? runner.info() : runner.validate();
                    } catch (MigrationException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                long t0 = System.nanoTime();
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> count(db,
                        "select count(*) from pg_stat_activity where application_name = 'pgpulse migrate' "
                                + "and wait_event_type = 'Lock'") == 1);
                proxy.blackhole(true); // the server's answer (even its statement timeout) never reaches Flyway
                assertThatThrownBy(() -> call.get(15, java.util.concurrent.TimeUnit.SECONDS)).as(command)
                        .hasCauseInstanceOf(MigrationException.class)
                        .satisfies(e -> assertThat(e.getCause().getMessage()).startsWith("flyway " + command + " on "));
                assertThat((System.nanoTime() - t0) / 1_000_000).as(command + " ms").isLessThan(10_000);
                proxy.blackhole(false);
                locker.rollback();
            }
            assertThat(runner.info().currentVersion()).as("the same runner reads again once the network is back")
                    .isEqualTo("2");
        }
    }

    /** A lock held on the history table: the bounded read gives up by the server's statement_timeout. */
    @Test
    void infoGivesUpOnALockAfterItsBound(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_locked");
        new MigrationRunner(primary(db), DEMO, TABLE, false).migrate();
        try (Connection locker = db.connect(); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("lock table " + TABLE + " in access exclusive mode");
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> new MigrationRunner(primary(db), DEMO, TABLE, false,
                    java.time.Duration.ofSeconds(2)).info()).isInstanceOf(MigrationException.class)
                    .hasMessageContaining("statement timeout");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
            locker.rollback();
        }
    }

    @Test
    void aFreshDatabaseGetsTheDemoSchemaOnceAndValidatesClean(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_fresh");
        MigrationRunner runner = new MigrationRunner(primary(db), DEMO, TABLE, false);

        MigrationRunner.Info before = runner.info();
        assertThat(before.pending()).isEqualTo(2);
        assertThat(before.applied()).isZero();
        assertThat(before.currentVersion()).isEqualTo("none");
        MigrationRunner.Validation pending = runner.validate();
        assertThat(pending.valid()).as("pending migrations fail validation").isFalse();
        assertThat(pending.pending()).containsExactly("V1 bills", "V2 bills status index");
        assertThat(pending.problems()).isEmpty();

        MigrationRunner.Migrated m = runner.migrate();
        assertThat(m.executed()).isEqualTo(2);
        assertThat(m.toVersion()).isEqualTo("2");
        assertThat(m.applied()).containsExactly("V1 bills", "V2 bills status index");
        assertThat(count(db, "select count(*) from information_schema.tables where table_name = 'bills'")).isOne();
        assertThat(count(db, "select count(*) from pg_indexes where indexname = 'bills_status_introduced_on'")).isOne();

        MigrationRunner.Info after = runner.info();
        assertThat(after.applied()).isEqualTo(2);
        assertThat(after.pending()).isZero();
        assertThat(after.currentVersion()).isEqualTo("2");
        assertThat(after.migrations()).allSatisfy(x -> assertThat(x.installedOn()).isNotNull());
        assertThat(runner.validate()).isEqualTo(new MigrationRunner.Validation(true, List.of(), List.of()));
        assertThat(runner.migrate().executed()).as("nothing left to do").isZero();
    }

    @Test
    void aTamperedChecksumFailsValidationUntilRepaired(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_tampered");
        MigrationRunner runner = new MigrationRunner(primary(db), DEMO, TABLE, false);
        runner.migrate();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("update pgpulse_schema_history set checksum = checksum + 1 where version = '1'");
        }
        MigrationRunner.Validation v = runner.validate();
        assertThat(v.valid()).isFalse();
        assertThat(v.problems()).singleElement().asString().startsWith("V1").containsIgnoringCase("checksum");

        List<String> repaired = runner.repair();
        assertThat(repaired).containsExactly("realigned checksum of V1 bills");
        assertThat(runner.validate().valid()).isTrue();
    }

    @Test
    void aNewMigrationShowsAsPendingAndAFailedOneAsFailed(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_pending");
        Path dir = Files.createDirectories(home.resolve("migrations"));
        Files.writeString(dir.resolve("V1__t.sql"), "create table t (id int primary key);");
        EndpointConfig p = primary(db);
        new MigrationRunner(p, List.of("filesystem:" + dir), TABLE, false).migrate();

        Files.writeString(dir.resolve("V2__t_name.sql"), "alter table t add column name text;");
        MigrationRunner runner = new MigrationRunner(p, List.of("filesystem:" + dir), TABLE, false);
        assertThat(runner.info().pending()).isEqualTo(1);
        assertThat(runner.validate().pending()).containsExactly("V2 t name");
        assertThat(runner.validate().problems()).isEmpty();

        Files.writeString(dir.resolve("V3__broken.sql"), "alter table no_such_table add column x int;");
        assertThatThrownBy(runner::migrate).isInstanceOf(MigrationException.class)
                .hasMessageContaining("flyway migrate on").hasMessageContaining("42P01").hasMessageContaining("no_such_table")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
        // PostgreSQL's DDL is transactional: V3 rolled back, V2 stayed applied, nothing is marked failed
        MigrationRunner.Info info = runner.info();
        assertThat(info.currentVersion()).isEqualTo("2");
        assertThat(info.pending()).isEqualTo(1);
        assertThat(info.failed()).isZero();
    }

    @Test
    void aDatabaseWithTablesButNoHistoryIsRefusedUnlessBaselined(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_existing");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            // what PgPulse's own DDL created before migrations existed
            st.execute("create table bills (id bigint generated always as identity primary key, title text not null "
                    + "check (length(title) between 1 and 500), status text not null, introduced_on date not null)");
            st.execute("insert into bills (title, status, introduced_on) values ('kept', 'passed', current_date)");
        }
        assertThatThrownBy(() -> new MigrationRunner(primary(db), DEMO, TABLE, false).migrate())
                .isInstanceOf(MigrationException.class).hasMessageContaining("migrations.baseline_on_migrate=true")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
        assertThat(count(db, "select count(*) from information_schema.tables where table_name = 'pgpulse_schema_history'"))
                .as("nothing written when refused").isZero();

        MigrationRunner runner = new MigrationRunner(primary(db), DEMO, TABLE, true);
        MigrationRunner.Migrated m = runner.migrate();
        assertThat(m.executed()).isEqualTo(2);
        assertThat(count(db, "select count(*) from bills")).isOne();
        assertThat(runner.info().migrations()).extracting(MigrationRunner.Migration::version).startsWith("0");
        assertThat(runner.validate().valid()).isTrue();
    }

    @Test
    void anApplicationsOwnFlywayHistoryIsNeverTouched(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_app_history");
        Path app = Files.createDirectories(home.resolve("app-migrations"));
        Files.writeString(app.resolve("V1__app.sql"), "create table app_orders (id int primary key);");
        Files.writeString(app.resolve("V2__app_more.sql"), "alter table app_orders add column total numeric;");
        EndpointConfig p = primary(db);
        // the application's Flyway, with Flyway's default history table
        org.flywaydb.core.Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations("filesystem:" + app).load().migrate();
        String before = history(db, "flyway_schema_history");

        MigrationRunner pgpulse = new MigrationRunner(p, DEMO, TABLE, true);
        assertThat(pgpulse.migrate().executed()).isEqualTo(2);
        assertThat(pgpulse.validate().valid()).isTrue();
        assertThat(pgpulse.repair()).isEmpty();
        assertThat(history(db, "flyway_schema_history")).as("the application's history").isEqualTo(before);
        assertThat(count(db, "select count(*) from pgpulse_schema_history where success")).isEqualTo(3); // 0, 1, 2
    }

    @Test
    void aMissingLocationFailsInsteadOfFindingNothing(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_missing_location");
        MigrationRunner runner = new MigrationRunner(primary(db), List.of("classpath:db/no_such_folder"), TABLE, false);
        assertThatThrownBy(runner::validate).isInstanceOf(MigrationException.class)
                .hasMessageContaining("no_such_folder");
    }

    private static String history(TestDatabase db, String table) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select installed_rank, version, checksum, success from " + table
                     + " order by installed_rank")) {
            while (rs.next()) {
                out.append(rs.getInt(1)).append(' ').append(rs.getString(2)).append(' ').append(rs.getInt(3))
                        .append(' ').append(rs.getBoolean(4)).append('\n');
            }
        }
        return out.toString();
    }

    @Test
    void anUnreachableServerIsOneLine(TestDatabase server) throws Exception {
        EndpointConfig p = new ConfigLoader(Map.of("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"), home,
                "tester", 2).load(new Overrides(null, null, null, List.of(), null, Map.of())).primary().orElseThrow();
        assertThatThrownBy(() -> new MigrationRunner(p, DEMO, TABLE, false).info())
                .isInstanceOf(MigrationException.class).hasMessageContaining("nobody@127.0.0.1:1/none")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    }
}
