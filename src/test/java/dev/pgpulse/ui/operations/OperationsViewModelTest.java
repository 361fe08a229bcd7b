package dev.pgpulse.ui.operations;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.shell.Dialogs;
import dev.pgpulse.ui.shell.OperationsActions;
import dev.pgpulse.ui.shell.OrchestratorActions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Operations view models without a stage, on a real orchestrator and database: what asks first (migrate and
 * repair on production, restore over the source and delete everywhere) and that a refusal changes nothing.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OperationsViewModelTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    Path home;
    private final ExecutorService background = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("ops-test-", 0).daemon().factory());
    private final Answering dialogs = new Answering();
    private Orchestrator orchestrator;

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void close() {
        background.shutdownNow();
        if (orchestrator != null) {
            orchestrator.close();
        }
    }

    private OperationsActions actions(TestDatabase db, String environment) throws Exception {
        Map<String, String> env = new HashMap<>(db.env());
        env.put("PGPULSE_ENV", environment);
        env.put("PGPULSE_MIGRATIONS_LOCATIONS", "classpath:db/migration");
        env.put("PGPULSE_BACKUP_DIR", home.resolve("backups").toString());
        var config = new ConfigLoader(env, home, "tester", 2).load(Overrides.none());
        orchestrator = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(500),
                Orchestrator.Options.alertRulesFile(home), false));
        return new OrchestratorActions(orchestrator, null, background, background, () -> { }, dialogs).operations();
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }

    @Test
    void onProductionMigrateAndRepairAskFirstAndARefusalAppliesNothing(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("ops_vm_prod");
        OperationsActions actions = actions(db, "production");
        MigrationsViewModel vm = fx(() -> new MigrationsViewModel(actions, dialogs));

        dialogs.yes = false;
        fx(() -> {
            vm.migrate();
            return null;
        });
        assertThat(dialogs.asked).extracting(Dialogs.Confirmation::header)
                .containsExactly("Apply the pending migrations to the production database?");
        assertThat(dialogs.asked.getFirst().confirmLabel()).isEqualTo("Migrate");
        assertThat(fx(() -> vm.busyProperty().get())).isFalse();
        fx(() -> {
            vm.repair();
            return null;
        });
        assertThat(dialogs.asked).hasSize(2);
        assertThat(dialogs.asked.get(1).header()).isEqualTo("Repair the schema history of the production database?");
        fx(() -> {
            vm.refresh();
            return null;
        });
        await().atMost(WAIT).until(() -> fx(vm::rows).size() == 2);
        assertThat(fx(vm::rows)).extracting(MigrationRow::state).containsOnly("Pending");
        assertThat(db.queryLong("select count(*) from information_schema.tables where table_name = 'bills'")).isZero();

        // validate only reads: it does not ask
        fx(() -> {
            vm.validate();
            return null;
        });
        await().atMost(WAIT).until(() -> fx(() -> vm.outcomeProperty().get()).startsWith("Not valid"));
        assertThat(dialogs.asked).hasSize(2);

        dialogs.yes = true;
        fx(() -> {
            vm.migrate();
            return null;
        });
        await().atMost(WAIT).until(() -> fx(() -> vm.outcomeProperty().get()).startsWith("Migrated"));
        assertThat(fx(() -> vm.failedOutcomeProperty().get())).isFalse();
        assertThat(db.queryLong("select count(*) from information_schema.tables where table_name = 'bills'")).isOne();

        // on production, a restore into a new database asks too (it creates one on the production server)
        BackupsViewModel backups = fx(() -> new BackupsViewModel(actions, dialogs));
        fx(() -> {
            backups.backUpNow();
            return null;
        });
        await().atMost(WAIT).until(() -> fx(() -> backups.outcomeProperty().get()).startsWith("Backed up"));
        await().atMost(WAIT).until(() -> fx(() -> backups.rowsProperty().size() == 1
                && !backups.rowsProperty().getFirst().problem()));
        dialogs.yes = false;
        fx(() -> {
            backups.select(backups.rowsProperty().getFirst());
            backups.restoreTargetProperty().set("ops_vm_prod_copy");
            backups.restore();
            return null;
        });
        assertThat(dialogs.asked.getLast().header())
                .isEqualTo("Restore into a new database ops_vm_prod_copy on the production server?");
        assertThat(fx(() -> backups.busyProperty().get())).isFalse();
        assertThat(server.queryLong("select count(*) from pg_database where datname = 'ops_vm_prod_copy'")).isZero();
    }

    @Test
    void deleteAndRestoreOverTheSourceAskFirstAndARefusalKeepsEverything(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("ops_vm_del").migrated();
        OperationsActions actions = actions(db, "development");
        BackupsViewModel vm = fx(() -> new BackupsViewModel(actions, dialogs));
        fx(() -> {
            vm.backUpNow();
            return null;
        });
        await().atMost(WAIT).until(() -> fx(() -> vm.outcomeProperty().get()).startsWith("Backed up"));
        await().atMost(WAIT).until(() -> fx(() -> vm.rowsProperty().size() == 1
                && !vm.rowsProperty().getFirst().problem()));
        BackupRow row = fx(() -> vm.rowsProperty().getFirst());
        assertThat(row.verified()).isEqualTo("read back in full when written");

        dialogs.yes = false;
        fx(() -> {
            vm.select(row);
            vm.overSourceProperty().set(true);
            return null;
        });
        assertThat(fx(() -> vm.restoreTargetProperty().get())).isEqualTo("ops_vm_del");
        assertThat(fx(() -> vm.canRestoreProperty().get())).isTrue();
        fx(() -> {
            vm.restore();
            return null;
        });
        assertThat(dialogs.asked).extracting(Dialogs.Confirmation::header)
                .containsExactly("Restore over the source database ops_vm_del?");
        assertThat(fx(() -> vm.busyProperty().get())).as("nothing started").isFalse();
        fx(() -> {
            vm.overSourceProperty().set(false);
            vm.delete();
            return null;
        });
        assertThat(fx(() -> vm.restoreTargetProperty().get())).isEmpty();
        assertThat(dialogs.asked).hasSize(2);
        assertThat(dialogs.asked.get(1).header()).isEqualTo("Delete the backup " + row.name() + "?");
        assertThat(row.file()).exists();

        // a database that exists already is refused, in the tab's words, and left as it was
        server.dropDatabase("ops_vm_taken");
        server.exec("create database ops_vm_taken");
        try {
            dialogs.yes = true;
            fx(() -> {
                vm.restoreTargetProperty().set("ops_vm_taken");
                vm.restore();
                return null;
            });
            await().atMost(WAIT).until(() -> fx(() -> vm.outcomeProperty().get()).startsWith("Restore failed"));
            assertThat(fx(() -> vm.outcomeProperty().get())).isEqualTo("Restore failed: database 'ops_vm_taken' "
                    + "already exists; choose a new name or drop it first");
            assertThat(fx(() -> vm.failedOutcomeProperty().get())).isTrue();
        } finally {
            server.dropDatabase("ops_vm_taken");
        }
        dialogs.yes = false;

        // confirmed, the source goes back to the backup: a row written since is gone
        long bills = db.queryLong("select count(*) from bills");
        db.exec("insert into bills(title, status, introduced_on) values ('after the backup', 'passed', current_date)");
        dialogs.yes = true;
        fx(() -> {
            vm.overSourceProperty().set(true);
            vm.restore();
            return null;
        });
        assertThat(dialogs.asked).hasSize(3);
        await().atMost(WAIT).until(() -> fx(() -> vm.outcomeProperty().get()).startsWith("Restored"));
        assertThat(fx(() -> vm.outcomeProperty().get())).startsWith("Restored " + row.name() + " into ops_vm_del");
        assertThat(db.queryLong("select count(*) from bills")).isEqualTo(bills);
        fx(() -> {
            vm.overSourceProperty().set(false);
            return null;
        });

        fx(() -> {
            vm.delete();
            return null;
        });
        await().atMost(WAIT).until(() -> fx(() -> vm.outcomeProperty().get()).startsWith("Deleted"));
        assertThat(row.file()).doesNotExist();
        await().atMost(WAIT).until(() -> fx(() -> vm.rowsProperty().isEmpty()));
        try (var files = Files.list(home.resolve("backups"))) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void theChecklistRunsAgainOnlyOnceItsIntervalHasPassed(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("ops_vm_checks").migrated();
        OperationsActions actions = actions(db, "development");
        ChecksViewModel vm = fx(() -> new ChecksViewModel(actions));
        await().atMost(WAIT).until(() -> orchestrator.snapshot().health() != null);
        java.time.Instant t0 = java.time.Instant.now();
        fx(() -> {
            vm.tick(t0);
            return null;
        });
        assertThat(fx(() -> vm.busyProperty().get())).as("the first poll checks").isTrue();
        await().atMost(WAIT).until(() -> !fx(() -> vm.busyProperty().get()));
        assertThat(fx(() -> vm.summaryProperty().get())).startsWith("All 5 checks pass");
        fx(() -> {
            vm.tick(java.time.Instant.now().plusSeconds(1));
            return null;
        });
        assertThat(fx(() -> vm.busyProperty().get())).as("a poll within the interval does not").isFalse();
        fx(() -> {
            vm.tick(java.time.Instant.now().plus(ChecksViewModel.EVERY));
            return null;
        });
        assertThat(fx(() -> vm.busyProperty().get())).as("a poll after it does").isTrue();
        await().atMost(WAIT).until(() -> !fx(() -> vm.busyProperty().get()));
        assertThat(fx(() -> vm.rowsProperty().size())).isEqualTo(5);
    }

    @Test
    void aRestoreOverTheSourceWaitingOnALockIsCancelledAndSaysWhatWasUndone(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("ops_vm_cancel").migrated();
        db.exec("insert into bills(title, status, introduced_on) values ('before the backup', 'passed', current_date)");
        OperationsActions actions = actions(db, "development");
        BackupsViewModel vm = fx(() -> new BackupsViewModel(actions, dialogs));
        fx(() -> {
            vm.backUpNow();
            return null;
        });
        await().atMost(WAIT).until(() -> fx(() -> vm.outcomeProperty().get()).startsWith("Backed up"));
        await().atMost(WAIT).until(() -> fx(() -> vm.rowsProperty().size() == 1
                && !vm.rowsProperty().getFirst().problem()));
        db.exec("insert into bills(title, status, introduced_on) values ('after the backup', 'passed', current_date)");
        long bills = db.queryLong("select count(*) from bills");
        dialogs.yes = true;
        try (java.sql.Connection locker = db.connect(); java.sql.Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("lock table bills in access exclusive mode"); // an application's session, say
            fx(() -> {
                vm.select(vm.rowsProperty().getFirst());
                vm.overSourceProperty().set(true);
                vm.restore();
                return null;
            });
            assertThat(dialogs.asked.getLast().text()).contains("Objects created since the backup are kept")
                    .doesNotContain("Every object");
            await().atMost(WAIT).until(() -> db.queryLong("select count(*) from pg_stat_activity where "
                    + "application_name like 'pgpulse restore %' and wait_event_type = 'Lock'") == 1);
            assertThat(fx(() -> vm.cancellableProperty().get())).as("Cancel is offered while it waits").isTrue();
            assertThat(fx(() -> vm.restoringProperty().get())).isTrue();
            long t0 = System.nanoTime();
            fx(() -> {
                vm.cancel();
                return null;
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> fx(() -> vm.outcomeProperty().get())
                    .startsWith("Restore cancelled"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
            assertThat(fx(() -> vm.outcomeProperty().get())).isEqualTo("Restore cancelled: pg_restore stopped; "
                    + "nothing was changed (its transaction was rolled back)");
            assertThat(fx(() -> vm.failedOutcomeProperty().get())).isTrue();
            assertThat(fx(() -> vm.busyProperty().get() || vm.cancellableProperty().get())).isFalse();
            // told once it is true: no pg_restore left, nor its session on the server
            assertThat(ProcessHandle.current().descendants().filter(p -> p.info().command()
                    .map(c -> c.endsWith("pg_restore")).orElse(false)).toList()).isEmpty();
            assertThat(db.queryLong("select count(*) from pg_stat_activity where application_name like "
                    + "'pgpulse restore %'")).isZero();
            locker.rollback();
        }
        assertThat(db.queryLong("select count(*) from bills")).isEqualTo(bills);
    }

    @Test
    void migrationsAreReadOnceAtATimeAndAStalledChecklistSaysSo(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("ops_vm_stall").migrated();
        OperationsActions actions = actions(db, "development");
        ChecksViewModel checks = fx(() -> new ChecksViewModel(actions));
        MigrationsViewModel migrations = fx(() -> new MigrationsViewModel(actions, dialogs));
        await().atMost(WAIT).until(() -> orchestrator.snapshot().health() != null);
        fx(() -> {
            checks.run();
            return null;
        });
        await().atMost(WAIT).until(() -> fx(() -> checks.summaryProperty().get()).startsWith("All 5 checks pass"));
        String reads = "select count(*) from pg_stat_activity where application_name = 'pgpulse migrate' "
                + "and wait_event_type = 'Lock'";
        try (java.sql.Connection locker = db.connect(); java.sql.Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("lock table pgpulse_schema_history in access exclusive mode");
            // the tab shown again and again while a read hangs: one connection, not one per show
            fx(() -> {
                migrations.refresh();
                migrations.refresh();
                migrations.refresh();
                return null;
            });
            await().atMost(WAIT).until(() -> db.queryLong(reads) == 1);
            assertThat(fx(() -> migrations.readingProperty().get())).isTrue();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> db.queryLong(reads) == 1);

            java.time.Instant started = java.time.Instant.now();
            fx(() -> {
                checks.run();
                return null;
            });
            await().atMost(WAIT).until(() -> db.queryLong(reads) == 2);
            fx(() -> {
                checks.tick(started.plus(ChecksViewModel.STALE_AFTER).plusSeconds(5));
                return null;
            });
            assertThat(fx(() -> checks.staleProperty().get())).isTrue();
            assertThat(fx(() -> checks.summaryProperty().get()))
                    .matches("Checks last passed at \\d\\d:\\d\\d:\\d\\d; the current run has taken over 3\\d s");
            locker.rollback();
        }
        await().atMost(WAIT).until(() -> !fx(() -> checks.busyProperty().get()));
        assertThat(fx(() -> checks.staleProperty().get())).isFalse();
        assertThat(fx(() -> checks.summaryProperty().get())).startsWith("All 5 checks pass");
        await().atMost(WAIT).until(() -> fx(migrations::rows).size() == 2 && !fx(() -> migrations.readingProperty().get()));
        assertThat(fx(() -> migrations.summaryProperty().get())).isEqualTo("At version 2: 2 applied, 0 pending");
    }

    @Test
    void theRestoreTargetIsCheckedAsTyped() {
        BackupRow ok = new BackupRow(Path.of("/b/app-1.dump"), "app-1.dump", "", "app", "1 kB", "15.19", "", false);
        BackupRow broken = new BackupRow(Path.of("/b/app-2.dump"), "app-2.dump", "", "", "1 kB", "", "truncated: x", true);
        assertThat(BackupsViewModel.restoreCheck(null, "x", false, "app")).isEqualTo("Select a backup to restore");
        assertThat(BackupsViewModel.restoreCheck(broken, "x", false, "app"))
                .isEqualTo("app-2.dump cannot be restored: truncated: x");
        assertThat(BackupsViewModel.restoreCheck(ok, "", false, "app")).contains("app_restored");
        assertThat(BackupsViewModel.restoreCheck(ok, "a b", false, "app")).contains("not a plain identifier");
        assertThat(BackupsViewModel.restoreCheck(ok, "x".repeat(64), false, "app")).contains("63 bytes");
        assertThat(BackupsViewModel.restoreCheck(ok, "app", false, "app")).contains("is the source database");
        assertThat(BackupsViewModel.restoreCheck(ok, "app", true, "app")).isEmpty();
        assertThat(BackupsViewModel.restoreCheck(ok, "app_copy", false, "app")).isEmpty();
        BackupRow other = new BackupRow(Path.of("/b/o.dump"), "o.dump", "", "other", "1 kB", "15", "", false);
        assertThat(BackupsViewModel.restoreCheck(other, "app", true, "app")).contains("is a backup of other");
        // a source whose name is no plain identifier is restored over itself; a new name must still be one
        BackupRow odd = new BackupRow(Path.of("/b/my-app-1.dump"), "my-app-1.dump", "", "my-app", "1 kB", "15", "", false);
        assertThat(BackupsViewModel.restoreCheck(odd, "my-app", true, "my-app")).isEmpty();
        assertThat(BackupsViewModel.restoreCheck(odd, "my-app", false, "my-app")).contains("is the source database");
        assertThat(BackupsViewModel.restoreCheck(odd, "my-app-copy", false, "my-app")).contains("not a plain identifier");
        assertThat(BackupsViewModel.undone("restore into 'x' interrupted: pg_restore stopped; the new database 'x' "
                + "was dropped again")).isEqualTo("pg_restore stopped; the new database 'x' was dropped again");
        assertThat(dev.pgpulse.orchestration.Checks.alertRules(null).detail())
                .isEqualTo("no rules file configured: the default rules apply");
    }

    private static final class Answering implements Dialogs {
        final List<Confirmation> asked = new CopyOnWriteArrayList<>();
        volatile boolean yes;

        @Override
        public boolean confirm(Confirmation c) {
            asked.add(c);
            return yes;
        }

        @Override
        public void notify(Notice n) {
        }
    }
}
