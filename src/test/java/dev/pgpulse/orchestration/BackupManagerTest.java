package dev.pgpulse.orchestration;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.pgpulse.testing.Prerequisite.require;
import static org.awaitility.Awaitility.await;

/** Backups with the real pg_dump/pg_restore against a real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BackupManagerTest {
    private static PgTools tools;

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() throws BackupException {
        tools = PgTools.locate();
    }

    @Test
    void backupIsListedAndVerifies(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_basic");
        exec(src, "create table note(id int primary key, body text)",
                "insert into note select g, md5(g::text) from generate_series(1, 300) g");
        Path dir = tmp.resolve("backups");
        BackupManager manager = new BackupManager(endpoint(src, null), dir, tools);

        Instant before = Instant.now().minusSeconds(1);
        BackupManager.Backup backup = manager.backup();
        Instant after = Instant.now().plusSeconds(1);

        assertThat(backup.file().getFileName().toString()).matches("backup_basic-\\d{8}-\\d{6}\\.dump");
        assertThat(backup.file().getParent()).isEqualTo(dir);
        assertThat(filesIn(dir)).containsExactly(backup.file());
        assertThat(backup.sizeBytes()).isPositive().isEqualTo(Files.size(backup.file()));
        assertThat(backup.database()).isEqualTo("backup_basic");
        assertThat(backup.serverVersion()).startsWith("15.");
        assertThat(backup.dumpedBy()).isEqualTo(tools.version());
        assertThat(backup.created()).isBetween(before, after);
        assertThat(manager.list()).containsExactly(backup);

        BackupManager.Verification verified = manager.verify(backup.file());
        assertThat(verified.tables()).isEqualTo(1);
        assertThat(verified.entries()).isGreaterThanOrEqualTo(3); // table, its data, its primary key
        assertThat(verified.database()).isEqualTo("backup_basic");

        // a second backup in the same second gets its own name; newest first
        BackupManager.Backup second = manager.backup();
        assertThat(second.file()).isNotEqualTo(backup.file());
        assertThat(manager.list()).extracting(BackupManager.Backup::file).containsExactlyInAnyOrder(backup.file(),
                second.file());
        assertThat(manager.list().getFirst().created()).isAfterOrEqualTo(manager.list().getLast().created());
    }

    @Test
    void damagedFilesAreListedAndFailVerification(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_damaged");
        exec(src, "create table blob(id int primary key, body text)",
                "insert into blob select g, repeat(md5(g::text), 8) from generate_series(1, 20000) g");
        Path dir = tmp.resolve("backups");
        BackupManager manager = new BackupManager(endpoint(src, null), dir, tools);
        BackupManager.Backup good = manager.backup();

        Path garbage = Files.writeString(dir.resolve("garbage.dump"), "not an archive");
        byte[] bytes = Files.readAllBytes(good.file());
        Path truncated = Files.write(dir.resolve("truncated.dump"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path nearlyWhole = Files.write(dir.resolve("nearly.dump"), java.util.Arrays.copyOf(bytes, bytes.length - 16));
        Path leftover = Files.writeString(dir.resolve("leftover.dump.partial"), "a crash's leftover");

        List<BackupManager.Backup> listed = manager.list();
        assertThat(listed).extracting(BackupManager.Backup::file)
                .containsExactlyInAnyOrder(good.file(), garbage, truncated, nearlyWhole, leftover);
        for (Path cut : List.of(truncated, nearlyWhole)) {
            BackupManager.Backup b = listed.stream().filter(x -> x.file().equals(cut)).findFirst().orElseThrow();
            assertThat(b.readable()).as(cut.toString()).isFalse();
            assertThat(b.problem()).startsWith("truncated: its table of contents reads but its last data block does not");
            assertThat(b.database()).as("the header still reads").isEqualTo("backup_damaged");
        }
        BackupManager.Backup partial = listed.stream().filter(x -> x.file().equals(leftover)).findFirst().orElseThrow();
        assertThat(partial.partial()).isTrue();
        assertThat(partial.problem()).startsWith("incomplete");
        assertThat(listed.stream().filter(x -> x.file().equals(good.file())).findFirst().orElseThrow().readable())
                .isTrue();
        BackupManager.Backup bad = listed.stream().filter(b -> b.file().equals(garbage)).findFirst().orElseThrow();
        assertThat(bad.readable()).isFalse();
        assertThat(bad.problem()).contains("not a readable pg_dump archive");
        assertThat(bad.sizeBytes()).isEqualTo(14);
        assertThat(bad.created()).isNotNull();

        assertThatThrownBy(() -> manager.verify(garbage)).isInstanceOf(BackupException.class)
                .hasMessageStartingWith(garbage + " is not a readable pg_dump archive");
        // the table of contents sits at the start, so only reading the data finds the truncation
        assertThatThrownBy(() -> manager.verify(truncated)).isInstanceOf(BackupException.class)
                .hasMessageStartingWith(truncated + " is damaged");
        assertThatThrownBy(() -> manager.verify(dir.resolve("missing.dump"))).isInstanceOf(BackupException.class)
                .hasMessageContaining("does not exist");
        assertThat(manager.verify(good.file()).tables()).isEqualTo(1);
    }

    @Test
    void restoreCopiesEveryRowAndRefusesTheDangerousTargets(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_restore_src");
        exec(src,
                "create table customer(id int generated always as identity primary key, name text not null)",
                "insert into customer(name) select 'c' || g from generate_series(1, 250) g",
                "create table orders(id bigserial primary key, customer_id int references customer, amount numeric(10,2))",
                "insert into orders(customer_id, amount) select 1 + g % 250, g / 7.0 from generate_series(1, 400) g",
                "create schema audit",
                "create table audit.log(at timestamptz default now(), message text)",
                "insert into audit.log(message) select 'event ' || g from generate_series(1, 120) g");
        Map<String, Long> original = rowCounts(src);
        assertThat(original).containsExactly(Map.entry("audit.log", 120L), Map.entry("public.customer", 250L),
                Map.entry("public.orders", 400L));

        BackupManager manager = new BackupManager(endpoint(src, null), tmp.resolve("backups"), tools);
        Path file = manager.backup().file();
        exec(db, "drop database if exists backup_restore_copy with (force)");
        TestDatabase copy = new TestDatabase(db.host(), db.port(), db.user(), db.password(), "backup_restore_copy");
        try {
            BackupManager.Restore restored = manager.restore(file, "backup_restore_copy", false);
            assertThat(restored.targetDatabase()).isEqualTo("backup_restore_copy");
            assertThat(restored.tables()).isEqualTo(3);
            assertThat(restored.overSource()).isFalse();
            assertThat(rowCounts(copy)).isEqualTo(original);
            // sequences come back where they were: the next identity follows the last restored row
            assertThat(queryLong(copy, "insert into customer(name) values ('new') returning id")).isEqualTo(251);
            assertThat(queryLong(copy, "insert into orders(customer_id) values (1) returning id")).isEqualTo(401);

            assertThatThrownBy(() -> manager.restore(file, "backup_restore_src", false))
                    .isInstanceOf(BackupException.class)
                    .hasMessage("refusing to restore over the source database 'backup_restore_src'; pass --over-source "
                            + "to replace it, or choose another --target-db");
            assertThatThrownBy(() -> manager.restore(file, "backup_restore_copy", false))
                    .isInstanceOf(BackupException.class)
                    .hasMessage("database 'backup_restore_copy' already exists; choose a new --target-db or drop it first");
            assertThatThrownBy(() -> manager.restore(file, "backup_restore_copy", true))
                    .hasMessageContaining("already exists");
            assertThat(rowCounts(copy)).containsEntry("public.customer", 251L); // untouched by the refusals
            for (String bad : List.of("", "bad-name", "x\"; drop database backup_restore_src; --", "1st", "a".repeat(64),
                    "café")) {
                assertThatThrownBy(() -> manager.restore(file, bad, false)).as(bad)
                        .isInstanceOf(BackupException.class).hasMessageNotContaining("\n");
            }
            assertThat(databaseExists(db, "bad-name")).isFalse();

            // with the flag, the source itself is put back as it was
            exec(src, "delete from orders where id > 100", "update customer set name = 'changed'",
                    "truncate audit.log");
            BackupManager.Restore over = manager.restore(file, "backup_restore_src", true);
            assertThat(over.overSource()).isTrue();
            assertThat(rowCounts(src)).isEqualTo(original);
            assertThat(queryLong(src, "select count(*) from customer where name = 'changed'")).isZero();
        } finally {
            exec(db, "drop database if exists backup_restore_copy with (force)");
        }
    }

    @Test
    void aFailedRestoreDropsTheDatabaseItMadeAndLeavesTheSourceAlone(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_broken");
        exec(src, "create table parent(id int primary key)",
                "create table child(id int primary key, parent_id int references parent)",
                "insert into parent values (1)",
                // a superuser can store rows that break a foreign key; pg_restore adds the key after the data
                "alter table child disable trigger all",
                "insert into child values (1, 1), (2, 99)",
                "alter table child enable trigger all");
        BackupManager manager = new BackupManager(endpoint(src, null), tmp.resolve("backups"), tools);
        Path file = manager.backup().file();
        assertThat(manager.verify(file).tables()).isEqualTo(2); // the archive itself is sound

        exec(db, "drop database if exists backup_broken_copy with (force)");
        assertThatThrownBy(() -> manager.restore(file, "backup_broken_copy", false))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("violates foreign key constraint")
                .hasMessageEndingWith("; the new database was dropped again")
                .hasMessageNotContaining("\n");
        assertThat(databaseExists(db, "backup_broken_copy")).isFalse();

        // over the source, one transaction: the failed restore leaves it exactly as it was
        exec(src, "delete from child where id = 1");
        assertThatThrownBy(() -> manager.restore(file, "backup_broken", true))
                .isInstanceOf(BackupException.class)
                .hasMessageEndingWith("; nothing was changed (one transaction)");
        assertThat(rowCounts(src)).containsExactly(Map.entry("public.child", 1L), Map.entry("public.parent", 1L));
    }

    @Test
    void aFailedDumpLeavesNoFile(TestDatabase db) throws Exception {
        require(db.password() == null, "a test server that trusts local connections (a new role logs in without a password): unset PGPULSE_TEST_URL");
        TestDatabase src = db.freshDatabase("backup_denied");
        exec(src, "do $$ begin if not exists (select from pg_roles where rolname = 'backup_reader') then "
                + "create role backup_reader login; end if; end $$", "create table secret(id int)");
        EndpointConfig reader = endpoint(new TestDatabase(src.host(), src.port(), "backup_reader", null,
                "backup_denied"), null);
        Path dir = tmp.resolve("backups");
        try {
            assertThatThrownBy(() -> new BackupManager(reader, dir, tools).backup())
                    .isInstanceOf(BackupException.class)
                    .hasMessageStartingWith("pg_dump of backup_reader@" + src.host() + ":" + src.port()
                            + "/backup_denied failed (exit 1): ")
                    .hasMessageContaining("permission denied for table secret")
                    .hasMessageNotContaining("\n");
            assertThat(filesIn(dir)).isEmpty();
        } finally {
            exec(db, "drop database backup_denied with (force)", "drop role backup_reader");
        }
    }

    @Test
    void anInterruptedBackupLeavesNoFileAndStopsPgDump(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_interrupt");
        exec(src, "create table t(id int)", "insert into t select generate_series(1, 100)");
        String password = passwordFor(db);
        Path dir = tmp.resolve("backups");
        BackupManager manager = new BackupManager(endpoint(src, password), dir, tools);

        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        ExecutorService runner = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("backup-under-test").factory());
        try (Connection locker = src.connect(); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            // pg_dump takes ACCESS SHARE on every table it dumps: it waits here until we let go
            st.execute("lock table t in access exclusive mode");
            runner.submit(() -> {
                try {
                    manager.backup();
                } catch (Throwable t) {
                    failure.set(t);
                }
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingDumps(src) == 1);
            assertThat(filesIn(dir)).singleElement().asString().endsWith(".dump.partial");

            // while it waits: the password is in pg_dump's environment, not on its command line
            ProcessHandle pgDump = ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().map(c -> c.endsWith("pg_dump")).orElse(false))
                    .findFirst().orElseThrow();
            assertThat(pgDump.info().arguments().orElseThrow()).contains("-Fc", "backup_interrupt")
                    .noneMatch(a -> a.contains(password));
            Path environ = Path.of("/proc", Long.toString(pgDump.pid()), "environ");
            if (OS.LINUX.isCurrentOs()) { // /proc/PID/environ: what the child really got
                List<String> variables = List.of(new String(Files.readAllBytes(environ)).split("\0"));
                assertThat(variables).contains("PGPASSWORD=" + password, "PGAPPNAME=pgpulse backup");
                // nothing PG* of this process's own environment (PGPULSE_TEST_URL, say) gets through; Debian's
                // pg_wrapper (/usr/bin/pg_dump) sets PGSYSCONFDIR itself before it runs the real pg_dump
                boolean wrapper = tools.pgDump().toRealPath().getFileName().toString().equals("pg_wrapper");
                assertThat(variables.stream().filter(v -> v.toUpperCase(java.util.Locale.ROOT).startsWith("PG"))
                        .filter(v -> !(wrapper && v.startsWith("PGSYSCONFDIR="))))
                        .containsExactlyInAnyOrderElementsOf(manager.childEnvironment().entrySet().stream()
                                .filter(e -> e.getKey().startsWith("PG")).map(e -> e.getKey() + "=" + e.getValue())
                                .toList());
            }

            runner.shutdownNow(); // interrupts the backup thread
            assertThat(runner.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            assertThat(failure.get()).isInstanceOf(BackupException.class)
                    .hasMessage("backup of " + src.user() + "@" + src.host() + ":" + src.port()
                            + "/backup_interrupt interrupted; no file was kept");
            assertThat(interruptedAfter).isTrue();
            assertThat(pgDump.isAlive()).isFalse();
            assertThat(filesIn(dir)).isEmpty();
            locker.rollback();
        } finally {
            runner.shutdownNow();
        }
        assertThat(manager.list()).isEmpty();
        // the lock is gone: the next backup goes through
        assertThat(manager.backup().sizeBytes()).isPositive();
    }

    @Test
    void aBackupWithProgressTellsPgDumpsLinesAndTheBytesWrittenAndEndsTheSameAsAQuietOne(TestDatabase db)
            throws Exception {
        TestDatabase src = db.freshDatabase("backup_progress");
        exec(src, "create table note(id int primary key, body text)",
                "insert into note select g, md5(g::text) from generate_series(1, 20000) g");
        Path dir = tmp.resolve("backups");
        BackupManager manager = new BackupManager(endpoint(src, null), dir, tools);
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Long> written = new java.util.concurrent.CopyOnWriteArrayList<>();
        BackupManager.Backup b = manager.backup(dir, new BackupManager.Progress() {
            @Override
            public void written(long bytes) {
                written.add(bytes);
            }

            @Override
            public void line(String line) {
                lines.add(line);
                if (line.contains("reading schemas")) {
                    throw new IllegalStateException("a listener that throws does not stop the backup");
                }
            }
        });
        assertThat(lines).contains("pg_dump: reading schemas")
                .anyMatch(l -> l.equals("pg_dump: dumping contents of table \"public.note\""));
        assertThat(written).isNotEmpty().isSorted();
        assertThat(written.getLast()).isPositive().isLessThanOrEqualTo(b.sizeBytes());
        assertThat(filesIn(dir)).containsExactly(b.file());
        assertThat(manager.verify(b.file()).tables()).isEqualTo(1);
    }

    @Test
    void deleteRemovesABackupOfTheFolderAndRefusesAnyOtherFile(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_delete");
        exec(src, "create table t(id int)");
        Path dir = tmp.resolve("backups");
        BackupManager manager = new BackupManager(endpoint(src, null), dir, tools);
        BackupManager.Backup b = manager.backup();
        Path outside = Files.writeString(tmp.resolve("other.dump"), "x");
        Path notADump = Files.writeString(dir.resolve("notes.txt"), "x");

        assertThatThrownBy(() -> manager.delete(outside)).isInstanceOf(BackupException.class)
                .hasMessageStartingWith("refusing to delete " + outside + ": only the .dump files of the backup folder");
        assertThatThrownBy(() -> manager.delete(notADump)).isInstanceOf(BackupException.class)
                .hasMessageStartingWith("refusing to delete");
        assertThatThrownBy(() -> manager.delete(dir.resolve("sub").resolve("..").resolve("..").resolve("other.dump")))
                .isInstanceOf(BackupException.class).hasMessageStartingWith("refusing to delete");
        Path running = Files.writeString(dir.resolve("backup_delete-20260101-000000.dump.partial"), "x");
        assertThatThrownBy(() -> manager.delete(running)).isInstanceOf(BackupException.class)
                .hasMessageContaining("a backup may still be writing it");
        Files.setLastModifiedTime(running, FileTime.from(Instant.now().minus(Duration.ofMinutes(2))));
        manager.delete(running);
        assertThat(running).doesNotExist();
        manager.delete(b.file());
        assertThat(b.file()).doesNotExist();
        assertThat(outside).exists();
        assertThat(notADump).exists();
        assertThatThrownBy(() -> manager.delete(b.file())).isInstanceOf(BackupException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void thePasswordNeverReachesACommandLine(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_secret");
        exec(src, "create table t(id int)", "insert into t values (1)");
        String password = passwordFor(db);
        BackupManager manager = new BackupManager(endpoint(src, password), tmp.resolve("backups"), tools);

        List<String> dump = manager.dumpCommand(tmp.resolve("x.dump.partial"));
        List<String> restore = manager.restoreCommand(tmp.resolve("x.dump"), "backup_secret_copy", true);
        assertThat(dump).startsWith(tools.pgDump().toString(), "-Fc", "--no-password").contains("backup_secret")
                .noneMatch(a -> a.contains(password));
        assertThat(restore).contains("--clean", "--if-exists").noneMatch(a -> a.contains(password));
        // the database goes as a connection string, with keepalives (libpq has no variables for them)
        assertThat(restore.get(restore.indexOf("-d") + 1)).startsWith("dbname='backup_secret_copy' ")
                .contains("keepalives=1", "keepalives_idle=30", "keepalives_interval=10", "keepalives_count=3");
        assertThat(dump).contains("--lock-wait-timeout=60000");
        // over the source, owners and privileges come back; into a new database, they are left out
        assertThat(restore).doesNotContain("--no-owner", "--no-privileges");
        assertThat(manager.restoreCommand(tmp.resolve("x.dump"), "backup_secret_copy", false))
                .contains("--no-owner", "--no-privileges").doesNotContain("--clean");
        assertThat(manager.childEnvironment()).containsEntry("PGPASSWORD", password)
                .containsEntry("PGAPPNAME", "pgpulse backup").containsEntry("TZ", "UTC");
        assertThat(manager.backup().database()).isEqualTo("backup_secret");
        // and without one, no PGPASSWORD at all (an inherited one is removed too)
        assertThat(new BackupManager(endpoint(src, null), tmp, tools).childEnvironment()).doesNotContainKey("PGPASSWORD");
    }

    @Test
    void aPrimaryListingSeveralHostsIsDumpedAndRestoredFromTheOneThatTakesWrites(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_hosts");
        exec(src, "create table t(id int)", "insert into t select generate_series(1, 10)");
        // a host that refuses first, as an old primary that is down after a failover: the tools go on to the next
        String url = "postgresql://" + src.user() + "@127.0.0.1:1," + src.host() + ":" + src.port() + "/" + src.database();
        EndpointConfig source = new ConfigLoader(Map.of("DATABASE_URL", url), tmp, "tester", 2)
                .load(Overrides.none()).primary().orElseThrow();
        BackupManager manager = new BackupManager(source, tmp.resolve("backups"), tools);

        List<String> dump = manager.dumpCommand(tmp.resolve("x.dump.partial"));
        assertThat(dump.get(dump.indexOf("-h") + 1)).isEqualTo("127.0.0.1," + src.host());
        assertThat(dump.get(dump.indexOf("-p") + 1)).isEqualTo("1," + src.port());
        List<String> restore = manager.restoreCommand(tmp.resolve("x.dump"), "backup_hosts_copy", false);
        assertThat(restore.get(restore.indexOf("-h") + 1)).isEqualTo("127.0.0.1," + src.host());
        assertThat(restore.get(restore.indexOf("-p") + 1)).isEqualTo("1," + src.port());
        assertThat(manager.childEnvironment()).containsEntry("PGTARGETSESSIONATTRS", "read-write");
        assertThat(new BackupManager(endpoint(src, null), tmp, tools).childEnvironment())
                .doesNotContainKey("PGTARGETSESSIONATTRS");

        BackupManager.Backup b = manager.backup();
        assertThat(b.database()).isEqualTo("backup_hosts");
        try {
            BackupManager.Restore r = manager.restore(b.file(), "backup_hosts_copy", false);
            assertThat(r.tables()).isEqualTo(1);
        } finally {
            db.dropDatabase("backup_hosts_copy");
        }
    }

    @Test
    void aServerItCannotReachIsOneLine() throws Exception {
        EndpointConfig nowhere = new ConfigLoader(Map.of("DATABASE_URL", "postgresql://tester@127.0.0.1:1/nothing"),
                tmp, "tester", 2).load(Overrides.none()).primary().orElseThrow();
        Path dir = tmp.resolve("backups");
        assertThatThrownBy(() -> new BackupManager(nowhere, dir, tools).backup()).isInstanceOf(BackupException.class)
                .hasMessageStartingWith("cannot connect to tester@127.0.0.1:1/nothing: ")
                .hasMessageNotContaining("\n");
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void aBackupThatDoesNotReadBackInFullIsNotKept(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_cut");
        exec(src, "create table blob(id int primary key, body text)",
                "insert into blob select g, repeat(md5(g::text), 8) from generate_series(1, 20000) g");
        // a pg_dump that exits 0 but leaves half its file: the table of contents reads, the data does not
        Path bin = Files.createDirectory(tmp.resolve("cutting-bin"));
        script(bin.resolve("pg_dump"), String.join("\n",
                "out=''; prev=''",
                "for a in \"$@\"; do [ \"$prev\" = -f ] && out=\"$a\"; prev=\"$a\"; done",
                "'" + tools.pgDump() + "' \"$@\" || exit $?",
                "[ -n \"$out\" ] || exit 0",
                "size=$(wc -c < \"$out\")",
                "head -c $((size / 2)) \"$out\" > \"$out.cut\" && cat \"$out.cut\" > \"$out\" && rm -f \"$out.cut\""));
        Files.createSymbolicLink(bin.resolve("pg_restore"), tools.pgRestore());
        PgTools cutting = PgTools.locate(Map.of("PG_BIN", bin.toString(), "PATH", ""), List.of());
        assertThat(cutting.pgDump()).isEqualTo(bin.resolve("pg_dump"));

        Path dir = tmp.resolve("backups");
        BackupManager manager = new BackupManager(endpoint(src, null), dir, cutting);
        assertThatThrownBy(manager::backup).isInstanceOf(BackupException.class)
                .hasMessageStartingWith("pg_dump of " + src.user() + "@" + src.host() + ":" + src.port()
                        + "/backup_cut finished but its file does not read back (")
                .hasMessageEndingWith("; no file was kept")
                .hasMessageNotContaining("\n");
        assertThat(filesIn(dir)).isEmpty();
        assertThat(manager.list()).isEmpty();
        // the same manager with an honest pg_dump keeps its backup
        assertThat(new BackupManager(endpoint(src, null), dir, tools).backup().file()).exists();
    }

    @Test
    void aBackupRemovesPartialFilesACrashLeftAnHourAgo(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_sweep");
        exec(src, "create table t(id int)", "insert into t values (1)");
        Path dir = Files.createDirectories(tmp.resolve("backups"));
        FileTime twoHoursAgo = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
        Path stale = Files.writeString(dir.resolve("backup_sweep-20250101-000000.dump.partial"), "a crash's leftover");
        Files.setLastModifiedTime(stale, twoHoursAgo);
        Path running = Files.writeString(dir.resolve("backup_sweep-20250101-000001.dump.partial"), "being written");
        Path notes = Files.writeString(dir.resolve("notes.txt"), "not ours");
        Files.setLastModifiedTime(notes, twoHoursAgo);
        Path oldBackup = Files.writeString(dir.resolve("old.dump"), "not ours either");
        Files.setLastModifiedTime(oldBackup, twoHoursAgo);

        BackupManager.Backup backup = new BackupManager(endpoint(src, null), dir, tools).backup();
        assertThat(filesIn(dir)).containsExactlyInAnyOrder(backup.file(), running, notes, oldBackup);
    }

    @Test
    void overTheSourceTakesOnlyAnArchiveOfTheSource(TestDatabase db) throws Exception {
        TestDatabase a = db.freshDatabase("backup_other_a");
        exec(a, "create table only_in_a(id int)", "insert into only_in_a values (1)");
        TestDatabase b = db.freshDatabase("backup_other_b");
        exec(b, "create table only_in_b(id int)", "insert into only_in_b values (1), (2)");
        Path fileOfA = new BackupManager(endpoint(a, null), tmp.resolve("backups"), tools).backup().file();

        BackupManager managerOfB = new BackupManager(endpoint(b, null), tmp.resolve("backups"), tools);
        assertThatThrownBy(() -> managerOfB.restore(fileOfA, "backup_other_b", true))
                .isInstanceOf(BackupException.class)
                .hasMessage(fileOfA + " is an archive of database 'backup_other_a'; refusing to restore it over "
                        + "'backup_other_b' (--over-source replaces a database with its own backup only); choose a "
                        + "new --target-db to restore it elsewhere");
        assertThat(rowCounts(b)).containsExactly(Map.entry("public.only_in_b", 2L));
        exec(db, "drop database backup_other_a with (force)", "drop database backup_other_b with (force)");
    }

    @Test
    void overTheSourceOwnersAndGrantsComeBackAndIntoANewDatabaseTheyStayOut(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_grants");
        try {
            exec(db, "drop role if exists backup_test_reader", "drop role if exists backup_test_owner",
                    "create role backup_test_reader", "create role backup_test_owner");
            exec(src, "create table report(id int)", "insert into report values (1)",
                    "grant select on report to backup_test_reader", "alter table report owner to backup_test_owner");
            BackupManager manager = new BackupManager(endpoint(src, null), tmp.resolve("backups"), tools);
            Path file = manager.backup().file();
            exec(src, "revoke select on report from backup_test_reader", "alter table report owner to current_user");
            assertThat(canRead(src)).isFalse();

            assertThat(manager.restore(file, "backup_grants", true).overSource()).isTrue();
            assertThat(canRead(src)).isTrue();
            assertThat(owner(src)).isEqualTo("backup_test_owner");

            exec(db, "drop database if exists backup_grants_copy with (force)");
            manager.restore(file, "backup_grants_copy", false);
            TestDatabase copy = new TestDatabase(db.host(), db.port(), db.user(), db.password(), "backup_grants_copy");
            assertThat(canRead(copy)).isFalse();
            assertThat(owner(copy)).isEqualTo(db.user());
        } finally {
            exec(db, "drop database if exists backup_grants with (force)",
                    "drop database if exists backup_grants_copy with (force)",
                    "drop role if exists backup_test_reader", "drop role if exists backup_test_owner");
        }
    }

    @Test
    void aNewDatabaseGetsTheEncodingAndCollationOfTheSource(TestDatabase db) throws Exception {
        exec(db, "drop database if exists backup_latin with (force)",
                "drop database if exists backup_latin_copy with (force)",
                "create database backup_latin template template0 encoding 'LATIN1' lc_collate 'C' lc_ctype 'C'");
        TestDatabase src = new TestDatabase(db.host(), db.port(), db.user(), db.password(), "backup_latin");
        try {
            exec(src, "create table word(w text)", "insert into word values ('café'), ('naïve')");
            BackupManager manager = new BackupManager(endpoint(src, null), tmp.resolve("backups"), tools);
            Path file = manager.backup().file();
            manager.restore(file, "backup_latin_copy", false);

            assertThat(locale(db, "backup_latin")).containsExactly("LATIN1", "C", "C");
            require(!locale(db, "template0").equals(locale(db, "backup_latin")),
                    "a test server whose default encoding is not LATIN1/C (else a plain copy would match too)");
            assertThat(locale(db, "backup_latin_copy")).isEqualTo(locale(db, "backup_latin"));
            TestDatabase copy = new TestDatabase(db.host(), db.port(), db.user(), db.password(), "backup_latin_copy");
            assertThat(queryLong(copy, "select count(*) from word where w in ('café', 'naïve')")).isEqualTo(2);
        } finally {
            exec(db, "drop database if exists backup_latin with (force)",
                    "drop database if exists backup_latin_copy with (force)");
        }
    }

    @Test
    void pgDumpGivesUpOnALockAfterTheLockWaitTimeout(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_lockwait");
        exec(src, "create table t(id int)");
        Path dir = tmp.resolve("backups");
        BackupManager manager = new BackupManager(endpoint(src, null), dir, tools, Duration.ofSeconds(1));
        assertThat(manager.dumpCommand(tmp.resolve("x.dump.partial"))).contains("--lock-wait-timeout=1000");
        try (Connection locker = src.connect(); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("lock table t in access exclusive mode");
            long t0 = System.nanoTime();
            assertThatThrownBy(manager::backup).isInstanceOf(BackupException.class)
                    .hasMessageContaining("failed (exit 1)")
                    .hasMessageContaining("canceling statement due to statement timeout")
                    .hasMessageNotContaining("\n");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
            locker.rollback();
        }
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void aRestoreOverTheSourceWaitingOnALockEndsWhenInterruptedAndLeavesTheSourceAsItWas(TestDatabase db)
            throws Exception {
        TestDatabase src = db.freshDatabase("backup_restore_wait");
        exec(src, "create table t(id int primary key)", "insert into t select generate_series(1, 50)");
        String password = passwordFor(db);
        BackupManager manager = new BackupManager(endpoint(src, password), tmp.resolve("backups"), tools);
        Path file = manager.backup().file();
        exec(src, "insert into t values (51)");

        AtomicReference<Throwable> failure = new AtomicReference<>();
        ExecutorService runner = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("restore-under-test").factory());
        try (Connection locker = src.connect(); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            // pg_restore --clean drops t first: it waits for this lock for as long as it is held (lock_timeout = 0)
            st.execute("lock table t in access exclusive mode");
            runner.submit(() -> {
                try {
                    manager.restore(file, "backup_restore_wait", true);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> restoreSessions(src, true) == 1);
            ProcessHandle pgRestore = ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().map(c -> c.endsWith("pg_restore")).orElse(false))
                    .findFirst().orElseThrow();
            assertThat(pgRestore.info().arguments().orElseThrow()).noneMatch(a -> a.contains(password))
                    .anyMatch(a -> a.contains("keepalives_idle=30"));

            long t0 = System.nanoTime();
            runner.shutdownNow(); // interrupts the restore's thread
            assertThat(runner.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
            assertThat(failure.get()).isInstanceOf(BackupException.class)
                    .hasMessage("restore into 'backup_restore_wait' interrupted: pg_restore stopped; nothing was "
                            + "changed (its transaction was rolled back)");
            assertThat(pgRestore.isAlive()).isFalse();
            // its backend does not linger, waiting on the lock with what it dropped already locked
            assertThat(restoreSessions(src, false)).isZero();
            locker.rollback();
        } finally {
            runner.shutdownNow();
        }
        assertThat(queryLong(src, "select count(*) from t")).isEqualTo(51);
    }

    @Test
    void aRestoreIntoANewDatabaseThatIsInterruptedDropsIt(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_restore_new");
        exec(src, "create table t(id int)", "insert into t values (1)");
        BackupManager manager = new BackupManager(endpoint(src, null), tmp.resolve("backups"), tools);
        Path file = manager.backup().file();
        // a pg_restore that reads archives as the real one, and hangs on the restore itself (as one waiting on a
        // lock would): the test can interrupt it at a known point, with the new database made
        Path bin = Files.createDirectory(tmp.resolve("hanging-bin"));
        script(bin.resolve("pg_restore"), String.join("\n",
                "for a in \"$@\"; do [ \"$a\" = --single-transaction ] && exec sleep 300; done",
                "exec '" + tools.pgRestore() + "' \"$@\""));
        Files.createSymbolicLink(bin.resolve("pg_dump"), tools.pgDump());
        PgTools hanging = PgTools.locate(Map.of("PG_BIN", bin.toString(), "PATH", ""), List.of());
        BackupManager waiting = new BackupManager(endpoint(src, null), tmp.resolve("backups"), hanging);
        exec(db, "drop database if exists backup_restore_new_copy with (force)");

        AtomicReference<Throwable> failure = new AtomicReference<>();
        ExecutorService runner = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("restore-under-test").factory());
        try {
            runner.submit(() -> {
                try {
                    waiting.restore(file, "backup_restore_new_copy", false);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> databaseExists(db, "backup_restore_new_copy")
                    && ProcessHandle.current().descendants().anyMatch(p -> p.info().command()
                    .map(c -> c.endsWith("sleep")).orElse(false)));
            runner.shutdownNow();
            assertThat(runner.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            assertThat(failure.get()).isInstanceOf(BackupException.class)
                    .hasMessage("restore into 'backup_restore_new_copy' interrupted: pg_restore stopped; the new "
                            + "database 'backup_restore_new_copy' was dropped again");
            assertThat(databaseExists(db, "backup_restore_new_copy")).isFalse();
            assertThat(ProcessHandle.current().descendants().filter(p -> p.info().command()
                    .map(c -> c.endsWith("sleep") || c.endsWith("pg_restore")).orElse(false)).toList()).isEmpty();
        } finally {
            runner.shutdownNow();
            exec(db, "drop database if exists backup_restore_new_copy with (force)");
        }
    }

    @Test
    void theFileOfARunningBackupIsNotDeletedHoweverLongItWaits(TestDatabase db) throws Exception {
        TestDatabase src = db.freshDatabase("backup_delete_running");
        exec(src, "create table t(id int)");
        Path dir = tmp.resolve("backups");
        BackupManager manager = new BackupManager(endpoint(src, null), dir, tools);
        ExecutorService runner = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("backup-under-test").factory());
        try (Connection locker = src.connect(); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("lock table t in access exclusive mode");
            runner.submit(() -> {
                manager.backup();
                return null;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingDumps(src) == 1);
            Path partial = filesIn(dir).getFirst();
            // paused on the lock for over a minute: pg_dump has written nothing since
            Files.setLastModifiedTime(partial, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
            // another manager of the same folder (the console makes one per call) refuses too
            assertThatThrownBy(() -> new BackupManager(endpoint(src, null), dir, tools).delete(partial))
                    .isInstanceOf(BackupException.class)
                    .hasMessage("refusing to delete " + partial + ": a backup running in this PgPulse is writing it; "
                            + "cancel that backup first (its file is removed when it stops)");
            assertThat(partial).exists();
            runner.shutdownNow();
            assertThat(runner.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            assertThat(partial).doesNotExist();
            locker.rollback();
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    void aSourceWhoseNameIsNoPlainIdentifierIsRestoredOverItself(TestDatabase db) throws Exception {
        exec(db, "drop database if exists \"backup-odd\" with (force)", "create database \"backup-odd\"");
        TestDatabase src = new TestDatabase(db.host(), db.port(), db.user(), db.password(), "backup-odd");
        try {
            exec(src, "create table t(id int)", "insert into t values (1), (2)");
            BackupManager manager = new BackupManager(endpoint(src, null), tmp.resolve("backups"), tools);
            Path file = manager.backup().file();
            exec(src, "delete from t");
            assertThat(manager.restore(file, "backup-odd", true).overSource()).isTrue();
            assertThat(queryLong(src, "select count(*) from t")).isEqualTo(2);
            // a new database still needs a plain name, and is told so as before
            assertThatThrownBy(() -> manager.restore(file, "backup-odd-copy", false))
                    .hasMessage("the target database name 'backup-odd-copy' is not a plain identifier; use letters, "
                            + "digits and underscores, starting with a letter or underscore");
            assertThatThrownBy(() -> manager.restore(file, "backup-odd", false))
                    .hasMessageStartingWith("refusing to restore over the source database 'backup-odd'");
        } finally {
            exec(db, "drop database if exists \"backup-odd\" with (force)");
        }
    }

    /** pg_restore's sessions on the source (waiting on a lock only, or any). */
    private static long restoreSessions(TestDatabase src, boolean waiting) throws SQLException {
        return queryLong(src, "select count(*) from pg_stat_activity where datname = current_database() "
                + "and application_name like 'pgpulse restore %'" + (waiting ? " and wait_event_type = 'Lock'" : ""));
    }

    @Test
    void checkDatabaseNameSaysWhatIsWrongInOneLine() throws BackupException {
        BackupManager.checkDatabaseName("app_restored");
        assertThatThrownBy(() -> BackupManager.checkDatabaseName("bad-name")).isInstanceOf(BackupException.class)
                .hasMessage("the target database name 'bad-name' is not a plain identifier; use letters, digits and "
                        + "underscores, starting with a letter or underscore");
        assertThatThrownBy(() -> BackupManager.checkDatabaseName("")).hasMessageContaining("is empty");
        assertThatThrownBy(() -> BackupManager.checkDatabaseName("a".repeat(64))).hasMessageContaining("63 bytes");
    }

    @Test
    void literalsAreQuotedWhateverTheServerSettings() {
        assertThat(PgServer.literal("en_US.UTF-8")).isEqualTo("'en_US.UTF-8'");
        assertThat(PgServer.literal("it's")).isEqualTo("'it''s'");
        assertThat(PgServer.literal("a\\'b")).isEqualTo("E'a\\\\''b'");
        assertThat(PgServer.quote("we\"ird")).isEqualTo("\"we\"\"ird\"");
    }

    private static boolean canRead(TestDatabase d) throws SQLException {
        return queryLong(d, "select has_table_privilege('backup_test_reader', 'public.report', 'select')::int") == 1;
    }

    private static String owner(TestDatabase d) throws SQLException {
        try (Connection c = d.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select tableowner from pg_tables where tablename = 'report'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static List<String> locale(TestDatabase db, String database) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "select pg_encoding_to_char(encoding), datcollate, datctype from pg_database where datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as(database).isTrue();
                return List.of(rs.getString(1), rs.getString(2), rs.getString(3));
            }
        }
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    private EndpointConfig endpoint(TestDatabase d, String password) throws Exception {
        String url = password == null ? d.url()
                : "postgresql://" + d.user() + ":" + password + "@" + d.host() + ":" + d.port() + "/" + d.database();
        return new ConfigLoader(Map.of("DATABASE_URL", url), tmp, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of())).primary().orElseThrow();
    }

    /** The server's real password when it has one; else any (the test server trusts local connections). */
    private static String passwordFor(TestDatabase db) {
        return Optional.ofNullable(db.password()).filter(p -> !p.isEmpty()).orElse("Secret4Backup");
    }

    private static long waitingDumps(TestDatabase src) throws SQLException {
        return queryLong(src, "select count(*) from pg_stat_activity where datname = current_database() "
                + "and application_name = 'pgpulse backup' and wait_event_type = 'Lock'");
    }

    private static Map<String, Long> rowCounts(TestDatabase d) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = d.connect(); Statement st = c.createStatement()) {
            List<String> tables;
            try (ResultSet rs = st.executeQuery("select format('%I.%I', table_schema, table_name) from "
                    + "information_schema.tables where table_type = 'BASE TABLE' and table_schema not in "
                    + "('pg_catalog', 'information_schema') order by 1")) {
                List<String> names = new java.util.ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                tables = names;
            }
            for (String table : tables) {
                try (ResultSet rs = st.executeQuery("select count(*) from " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    private static boolean databaseExists(TestDatabase db, String name) throws SQLException {
        try (Connection c = db.connect();
             var ps = c.prepareStatement("select count(*) from pg_database where datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private static long queryLong(TestDatabase d, String sql) throws SQLException {
        return d.queryLong(sql);
    }

    private static void exec(TestDatabase d, String... sql) throws SQLException {
        d.exec(sql);
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
