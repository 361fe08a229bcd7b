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

    @Test
    void aFreshDatabaseGetsTheDemoSchemaOnceAndValidatesClean(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_fresh");
        MigrationRunner runner = new MigrationRunner(primary(db), List.of("classpath:db/migration"));

        MigrationRunner.Info before = runner.info();
        assertThat(before.pending()).isEqualTo(2);
        assertThat(before.applied()).isZero();
        assertThat(before.currentVersion()).isEqualTo("none");
        assertThat(runner.validate().valid()).as("pending migrations fail validation").isFalse();
        assertThat(runner.validate().problems()).anyMatch(p -> p.contains("1") && p.toLowerCase().contains("not applied"));

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
        assertThat(runner.validate()).isEqualTo(new MigrationRunner.Validation(true, List.of()));
        assertThat(runner.migrate().executed()).as("nothing left to do").isZero();
    }

    @Test
    void aTamperedChecksumFailsValidationUntilRepaired(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_tampered");
        MigrationRunner runner = new MigrationRunner(primary(db), List.of("classpath:db/migration"));
        runner.migrate();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("update flyway_schema_history set checksum = checksum + 1 where version = '1'");
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
        new MigrationRunner(p, List.of("filesystem:" + dir)).migrate();

        Files.writeString(dir.resolve("V2__t_name.sql"), "alter table t add column name text;");
        MigrationRunner runner = new MigrationRunner(p, List.of("filesystem:" + dir));
        assertThat(runner.info().pending()).isEqualTo(1);
        assertThat(runner.validate().problems()).singleElement().asString().startsWith("V2");

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
    void aDatabaseWithTablesButNoHistoryIsBaselinedThenMigrated(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("migrate_existing");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            // what PgPulse's own DDL created before migrations existed
            st.execute("create table bills (id bigint generated always as identity primary key, title text not null "
                    + "check (length(title) between 1 and 500), status text not null, introduced_on date not null)");
            st.execute("insert into bills (title, status, introduced_on) values ('kept', 'passed', current_date)");
        }
        MigrationRunner runner = new MigrationRunner(primary(db), List.of("classpath:db/migration"));
        MigrationRunner.Migrated m = runner.migrate();
        assertThat(m.executed()).isEqualTo(2);
        assertThat(count(db, "select count(*) from bills")).isOne();
        assertThat(runner.info().migrations()).extracting(MigrationRunner.Migration::version).startsWith("0");
        assertThat(runner.validate().valid()).isTrue();
    }

    @Test
    void anUnreachableServerIsOneLine(TestDatabase server) throws Exception {
        EndpointConfig p = new ConfigLoader(Map.of("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"), home,
                "tester", 2).load(new Overrides(null, null, null, List.of(), null, Map.of())).primary().orElseThrow();
        assertThatThrownBy(() -> new MigrationRunner(p, List.of("classpath:db/migration")).info())
                .isInstanceOf(MigrationException.class).hasMessageContaining("nobody@127.0.0.1:1/none")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    }
}
