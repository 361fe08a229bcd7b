package dev.pgpulse.cli;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * validate, migrate, backup, backups and restore as a DBA runs them, in-process, against real databases
 * (pg_dump and pg_restore are the machine's own, found in the distribution's folders).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class OperationsCommandsTest {
    @TempDir
    Path home;

    private CliRun run(Map<String, String> env, String... args) {
        return CliRun.of(env, home, args);
    }

    private static Map<String, Long> rowCounts(TestDatabase db) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            List<String> tables = new java.util.ArrayList<>();
            try (ResultSet rs = st.executeQuery("select quote_ident(table_schema) || '.' || quote_ident(table_name) "
                    + "from information_schema.tables where table_type = 'BASE TABLE' "
                    + "and table_schema not in ('pg_catalog', 'information_schema')")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("select count(*) from " + t)) {
                    rs.next();
                    counts.put(t, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    @Test
    void validateFailsOnPendingMigrationsUntilMigrateAndAgainOnATamperedChecksumUntilRepair(TestDatabase server)
            throws Exception {
        TestDatabase db = server.freshDatabase("cli_validate");
        // no migrations by default on a database of yours: PgPulse creates no table there unless told
        CliRun none = run(db.env(), "validate");
        assertThat(none.code()).as(none.out() + none.err()).isZero();
        assertThat(none.out()).containsPattern("migrations\\s+pass\\s+none configured");
        CliRun refused = run(db.env(), "migrate");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("no migrations configured").contains("migrations.locations");

        Map<String, String> env = new HashMap<>(db.env());
        env.put("PGPULSE_MIGRATIONS_LOCATIONS", "classpath:db/migration");

        CliRun pending = run(env, "validate");
        assertThat(pending.code()).as(pending.err()).isEqualTo(1);
        assertThat(pending.out()).containsPattern("migrations\\s+FAIL\\s+2 pending \\(V1 bills, V2 bills status index\\)")
                .containsPattern("endpoint primary\\s+pass").containsPattern("pg_dump\\s+pass")
                .contains("1 of 5 checks failed.");

        CliRun info = run(env, "migrate", "info");
        assertThat(info.code()).isZero();
        assertThat(info.out()).containsPattern("1\\s+bills\\s+SQL\\s+Pending").contains("applied 0, pending 2, failed 0");

        CliRun migrate = run(env, "migrate");
        assertThat(migrate.code()).as(migrate.err()).isZero();
        assertThat(migrate.out()).contains("from version none to 2: V1 bills, V2 bills status index");
        assertThat(run(env, "migrate").out()).contains("Up to date").contains("version 2");

        CliRun ok = run(env, "validate");
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("All 5 checks pass.").containsPattern("migrations\\s+pass\\s+at version 2");

        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("update pgpulse_schema_history set checksum = checksum + 1 where version = '2'");
        }
        CliRun tampered = run(env, "migrate", "validate");
        assertThat(tampered.code()).isEqualTo(1);
        assertThat(tampered.out()).contains("Not valid:").containsIgnoringCase("checksum");
        assertThat(run(env, "validate").code()).isEqualTo(1);
        CliRun repair = run(env, "migrate", "repair");
        assertThat(repair.code()).isZero();
        assertThat(repair.out()).contains("Repaired: realigned checksum of V2 bills status index");
        assertThat(run(env, "validate").code()).isZero();

        // a broken alert rules file fails the check, and validate leaves it where it is (load() would move it aside)
        Path rules = home.resolve(".config/pgpulse/alert-rules.json");
        Files.createDirectories(rules.getParent());
        Files.writeString(rules, "{ \"schemaVersion\": 1, \"rules\": [ { \"id\": \"x\" } ] ");
        CliRun broken = run(env, "validate");
        assertThat(broken.code()).isEqualTo(1);
        assertThat(broken.out()).containsPattern("alert rules\\s+FAIL").contains(rules.toString());
        assertThat(rules).exists();
        assertThat(Files.readString(rules)).startsWith("{ \"schemaVersion\"");
    }

    @Test
    void validateSaysOneAnUnreachableServerAndTwoForBadConfiguration(TestDatabase server) {
        CliRun down = run(Map.of("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"), "validate",
                "--set", "startup.wait=0");
        assertThat(down.code()).isEqualTo(1);
        assertThat(down.out()).containsPattern("endpoint primary\\s+FAIL").contains("1 of 5 checks failed.");
        assertThat(down.err()).contains("127.0.0.1:1");

        CliRun bad = run(Map.of("DATABASE_URL", "nonsense"), "validate");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().strip().lines()).hasSize(1);
        assertThat(bad.out()).isEmpty();
        assertThat(run(Map.of(), "migrate", "sideways").code()).isEqualTo(2);
    }

    @Test
    void backupListRestoreIntoAnotherDatabaseWithEveryRowAndNeverOverTheSource(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("cli_backup_src").migrated();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("insert into bills (title, status, introduced_on) select 'bill ' || g, 'committee', "
                    + "date '2026-01-01' + g from generate_series(1, 300) g");
            st.execute("create table votes (id bigserial primary key, bill bigint references bills, aye boolean)");
            st.execute("insert into votes (bill, aye) select 1 + g % 300, g % 2 = 0 from generate_series(1, 700) g");
        }
        server.freshDatabase("cli_backup_copy");
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("drop database cli_backup_copy");
        }
        Path dir = home.resolve("backups");
        Map<String, String> env = db.env();

        CliRun backup = run(env, "backup", "--out", dir.toString());
        assertThat(backup.code()).as(backup.err()).isZero();
        assertThat(backup.out()).contains("Backed up cli_backup_src").contains("verified");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.toList();
        }
        assertThat(files).singleElement().satisfies(f -> assertThat(f.getFileName().toString())
                .matches("cli_backup_src-\\d{8}-\\d{6}\\.dump"));

        CliRun list = run(env, "backups", "--dir", dir.toString());
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains(files.getFirst().getFileName().toString()).contains("cli_backup_src")
                .containsPattern("15\\.\\d+");

        CliRun restore = run(env, "restore", files.getFirst().toString(), "--target-db", "cli_backup_copy");
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("into cli_backup_copy");
        TestDatabase copy = new TestDatabase(db.host(), db.port(), db.user(), db.password(), "cli_backup_copy");
        Map<String, Long> source = rowCounts(db);
        assertThat(source).containsEntry("public.bills", 300L).containsEntry("public.votes", 700L);
        assertThat(rowCounts(copy)).isEqualTo(source);

        CliRun over = run(env, "restore", files.getFirst().toString(), "--target-db", "cli_backup_src");
        assertThat(over.code()).isEqualTo(1);
        assertThat(over.err()).contains("refusing to restore over the source database").contains("--over-source");
        CliRun missing = run(env, "restore", dir.resolve("nope.dump").toString(), "--target-db", "x");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.dump").contains("pgpulse backups");
        assertThat(run(env, "restore", files.getFirst().toString()).code()).as("--target-db is required").isEqualTo(2);
        CliRun badName = run(env, "restore", files.getFirst().toString(), "--target-db", "x; drop database y");
        assertThat(badName.code()).as("a bad name is bad usage, found before anything starts").isEqualTo(2);

        // a copy cut just short of its end (the table of contents still reads) and a kill -9's leftover .partial
        byte[] whole = Files.readAllBytes(files.getFirst());
        Files.write(dir.resolve("cut.dump"), java.util.Arrays.copyOf(whole, whole.length - 40));
        Files.write(dir.resolve("cli_backup_src-20260101-000000.dump.partial"), java.util.Arrays.copyOf(whole, 100));
        CliRun marked = run(env, "backups", "--dir", dir.toString());
        assertThat(marked.code()).as("a truncated backup fails the listing").isEqualTo(1);
        assertThat(marked.out().lines().filter(l -> l.startsWith("cut.dump")).findFirst().orElseThrow())
                .contains("truncated: its table of contents reads but its last data block does not");
        assertThat(marked.out().lines().filter(l -> l.startsWith("cli_backup_src-20260101-000000.dump.partial"))
                .findFirst().orElseThrow()).contains("incomplete: a backup still being written, or one that was "
                + "stopped before it finished");
        assertThat(marked.out().lines().filter(l -> l.startsWith(files.getFirst().getFileName().toString()))
                .findFirst().orElseThrow()).doesNotContain("truncated").doesNotContain("incomplete");
    }

    /** A folder named by hand that is not there, is a file or is empty: exit 1 and why, never "No backups". */
    @Test
    void backupsDirThatIsMissingAFileOrEmptyFailsWithTheReason() throws Exception {
        CliRun missing = run(Map.of(), "backups", "--dir", home.resolve("nowhere").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.out()).doesNotContain("No backups");
        assertThat(missing.err().strip()).isEqualTo("pgpulse: backups: --dir " + home.resolve("nowhere")
                + " does not exist; give the folder the backups are in (backup.dir is the default)");

        Path file = Files.writeString(home.resolve("a-file"), "x");
        CliRun aFile = run(Map.of(), "backups", "--dir", file.toString());
        assertThat(aFile.code()).isEqualTo(1);
        assertThat(aFile.err()).contains("--dir " + file + " is a file, not a folder");

        CliRun empty = run(Map.of(), "backups", "--dir", "");
        assertThat(empty.code()).isEqualTo(1);
        assertThat(empty.err()).contains("--dir is empty");
        assertThat(empty.out() + aFile.out()).doesNotContain("No backups");
    }

    @Test
    void aBrokenAlertRulesFileBlocksNoCommandThatEvaluatesNoAlerts(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("cli_rules_ignored");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("create table t (id int primary key)");
        }
        Path rules = home.resolve(".config/pgpulse/alert-rules.json");
        Files.createDirectories(rules.getParent());
        Files.writeString(rules, "{\"schemaVersion\": 1, \"rules\": [{\"id\": \"a\", \"name\": \"A\", "
                + "\"metric\": \"server.rollback_ratio\", \"comparator\": \"<=\", \"threshold\": \"lots\", "
                + "\"severity\": \"warning\"}]}");
        String before = Files.readString(rules);
        Path dir = home.resolve("backups");

        CliRun status = run(db.env(), "status");
        assertThat(status.code()).as("status evaluates alerts: the bad file is reported").isEqualTo(2);
        assertThat(status.err()).contains("alert rules");

        CliRun backup = run(db.env(), "backup", "--out", dir.toString());
        assertThat(backup.code()).as(backup.err()).isZero();
        assertThat(backup.err()).doesNotContain("alert rules");
        Path file;
        try (Stream<Path> s = Files.list(dir)) {
            file = s.findFirst().orElseThrow();
        }
        server.freshDatabase("cli_rules_copy");
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("drop database cli_rules_copy");
        }
        CliRun restore = run(db.env(), "restore", file.toString(), "--target-db", "cli_rules_copy");
        assertThat(restore.code()).as(restore.err()).isZero();
        CliRun info = run(db.env(), "migrate", "info");
        assertThat(info.err()).doesNotContain("alert rules");

        assertThat(Files.readString(rules)).as("never moved aside or rewritten").isEqualTo(before);
        try (Stream<Path> s = Files.list(rules.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("alert-rules.json");
        }
    }
}
