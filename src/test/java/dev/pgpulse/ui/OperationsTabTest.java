package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.operations.BackupRow;
import dev.pgpulse.ui.operations.CheckRow;
import dev.pgpulse.ui.operations.MigrationRow;
import dev.pgpulse.ui.operations.OperationsTab;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Operations tab in the real console window on a real orchestrator and database: migrations listed and applied;
 * a backup made with progress, cancelled (no file left, pg_dump gone), made again, verified and restored into a new
 * database with the same rows; the validate checklist.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OperationsTabTest extends WindowTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private Orchestrator orchestrator(TestDatabase db, boolean migrations) throws Exception {
        Map<String, String> env = new HashMap<>(db.env());
        if (migrations) {
            env.put("PGPULSE_MIGRATIONS_LOCATIONS", "classpath:db/migration");
        }
        env.put("PGPULSE_BACKUP_DIR", home.resolve("backups").toString());
        var config = new ConfigLoader(env, home, "tester", 2).load(Overrides.none());
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(500),
                Orchestrator.Options.alertRulesFile(home), false));
        closeLast.add(o);
        return o;
    }

    /** The window on the Operations tab, the given section selected. */
    private OperationsTab show(Orchestrator o, int section) throws Exception {
        ConsoleWindow w = TestWindows.show(stage, o, Duration.ofMillis(500));
        closeLast.add(w);
        OperationsTab tab = fx(() -> {
            Tab t = w.tabs.getTabs().stream().filter(x -> "operations-tab".equals(x.getId())).findFirst().orElseThrow();
            assertThat(w.tabs.getTabs().getLast()).as("the Operations tab is the last").isSameAs(t);
            w.tabs.getSelectionModel().select(t);
            OperationsTab ops = (OperationsTab) w.consoleTabs().stream().filter(OperationsTab.class::isInstance)
                    .findFirst().orElseThrow();
            ops.view().sections().getSelectionModel().select(section);
            return ops;
        });
        await().atMost(WAIT).until(() -> fx(() -> tab.view().getScene() != null));
        WaitForAsyncUtils.waitForFxEvents();
        return tab;
    }

    private String text(String id) throws Exception {
        return fx(() -> ((Label) robot.lookup("#" + id).query()).getText());
    }

    private void click(String id) throws Exception {
        await().atMost(WAIT).until(() -> fx(() -> !robot.lookup("#" + id).queryAs(Button.class).isDisabled()));
        robot.clickOn("#" + id);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void migrationsAreListedThenAppliedAndTheChecklistPasses(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("ops_migrate");
        OperationsTab tab = show(orchestrator(db, true), 0);

        await().atMost(WAIT).until(() -> fx(() -> tab.migrations().rows().size()) == 2);
        List<MigrationRow> before = fx(() -> tab.migrations().rows());
        assertThat(before).extracting(MigrationRow::version).containsExactly("1", "2");
        assertThat(before).extracting(MigrationRow::state).containsOnly("Pending");
        assertThat(before).extracting(MigrationRow::installedOn).containsOnly("");
        assertThat(text("ops-migrations-summary")).isEqualTo("At version none: 0 applied, 2 pending");
        Screenshots.save(stage.getScene(), "operations-migrations-pending");

        click("ops-validate");
        await().atMost(WAIT).until(() -> !text("ops-migrations-outcome").isEmpty());
        assertThat(text("ops-migrations-outcome"))
                .isEqualTo("Not valid: 2 pending (V1 bills, V2 bills status index): press Migrate");

        // the checklist says what is wrong before the migration
        fx(() -> {
            tab.view().sections().getSelectionModel().select(2);
            return null;
        });
        await().atMost(WAIT).until(() -> text("ops-checks-summary").startsWith("1 of 5 checks failed"));
        CheckRow failing = fx(() -> tab.checks().rowsProperty().stream().filter(r -> !r.ok()).findFirst().orElseThrow());
        assertThat(failing.name()).isEqualTo("migrations");
        assertThat(failing.mark()).isEqualTo("✘");
        assertThat(fx(() -> tab.checks().failingProperty().get())).isTrue();
        assertThat(failing.reason()).isEqualTo("2 pending (V1 bills, V2 bills status index): run `pgpulse migrate`");
        Screenshots.save(stage.getScene(), "operations-checks-failing");
        fx(() -> {
            tab.view().sections().getSelectionModel().select(0);
            return null;
        });

        click("ops-migrate");
        await().atMost(WAIT).until(() -> text("ops-migrations-outcome").startsWith("Migrated"));
        assertThat(text("ops-migrations-outcome"))
                .isEqualTo("Migrated from version none to 2: V1 bills, V2 bills status index");
        await().atMost(WAIT).until(() -> fx(() -> tab.migrations().rows()).stream()
                .allMatch(r -> r.state().equals("Success")));
        List<MigrationRow> after = fx(() -> tab.migrations().rows());
        assertThat(after).allSatisfy(r -> {
            assertThat(r.installedOn()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
            assertThat(r.checksum()).matches("-?\\d+");
            assertThat(r.type()).isEqualTo("SQL");
        });
        assertThat(db.queryLong("select count(*) from information_schema.tables where table_name = 'bills'")).isOne();
        assertThat(text("ops-migrations-summary")).isEqualTo("At version 2: 2 applied, 0 pending");
        Screenshots.save(stage.getScene(), "operations-migrations");

        // a changed checksum: Validate says so, Repair realigns it, Validate is clean again
        db.exec("update pgpulse_schema_history set checksum = checksum + 1 where version = '2'");
        click("ops-validate");
        await().atMost(WAIT).until(() -> text("ops-migrations-outcome").startsWith("Not valid"));
        assertThat(text("ops-migrations-outcome")).containsIgnoringCase("checksum");
        assertThat(fx(() -> tab.migrations().failedOutcomeProperty().get())).isTrue();
        Screenshots.save(stage.getScene(), "operations-migrations-invalid");
        click("ops-repair");
        await().atMost(WAIT).until(() -> text("ops-migrations-outcome").startsWith("Repaired"));
        assertThat(text("ops-migrations-outcome")).isEqualTo("Repaired: realigned checksum of V2 bills status index");
        click("ops-validate");
        await().atMost(WAIT).until(() -> text("ops-migrations-outcome").startsWith("Valid"));
        assertThat(fx(() -> tab.migrations().failedOutcomeProperty().get())).isFalse();

        fx(() -> {
            tab.view().sections().getSelectionModel().select(2);
            tab.checks().run();
            return null;
        });
        await().atMost(WAIT).until(() -> text("ops-checks-summary").startsWith("All "));
        List<CheckRow> checks = fx(() -> List.copyOf(tab.checks().rowsProperty()));
        assertThat(checks).extracting(CheckRow::name)
                .containsExactly("configuration", "alert rules", "endpoint primary", "migrations", "pg_dump");
        assertThat(checks).allMatch(CheckRow::ok);
        assertThat(fx(() -> tab.checks().failingProperty().get())).isFalse();
        assertThat(checks.get(3).reason()).isEqualTo("at version 2, nothing pending");
        Screenshots.save(stage.getScene(), "operations-checks");
    }

    @Test
    void withoutLocationsTheTabSaysWhatToSet(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("ops_nomigr");
        OperationsTab tab = show(orchestrator(db, false), 0);
        assertThat(text("ops-migrations-hint")).contains("set migrations.locations")
                .contains("PGPULSE_MIGRATIONS_LOCATIONS");
        assertThat(fx(() -> robot.lookup("#ops-migrate").queryAs(Button.class).isDisabled())).isTrue();
        assertThat(fx(() -> tab.migrations().rows())).isEmpty();
    }

    @Test
    void aBackupIsMadeWithProgressCancelledMadeAgainVerifiedAndRestoredIntoANewDatabase(TestDatabase server)
            throws Exception {
        TestDatabase db = server.freshDatabase("ops_backup").migrated();
        db.exec("create table note(id int primary key, body text)",
                "insert into note select g, md5(g::text) from generate_series(1, 5000) g",
                "insert into bills(title, status, introduced_on) select 'bill ' || g, 'passed', date '2026-01-01' + g "
                        + "from generate_series(1, 300) g");
        server.dropDatabase("ops_restored");
        Path dir = home.resolve("backups");
        OperationsTab tab = show(orchestrator(db, true), 1);
        List<String> progress = new CopyOnWriteArrayList<>();
        fx(() -> {
            tab.backups().progressProperty().addListener((o, was, now) -> progress.add(now));
            return null;
        });

        // a session holding an exclusive lock keeps pg_dump waiting, mid-backup, until it is cancelled
        try (Connection locker = db.connect(); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("lock table note in access exclusive mode");
            click("ops-backup");
            await().atMost(WAIT).until(() -> fx(() -> tab.backups().logProperty().size()) > 0
                    && files(dir).stream().anyMatch(f -> f.endsWith(".partial")));
            assertThat(fx(() -> List.copyOf(tab.backups().logProperty()))).anyMatch(l -> l.startsWith("pg_dump:"));
            assertThat(dumps(db)).as("pg_dump sessions while it runs").isOne();
            Screenshots.save(stage.getScene(), "operations-backup-running");
            click("ops-backup-cancel");
            await().atMost(WAIT).until(() -> text("ops-backups-outcome").startsWith("Backup cancelled"));
            // told once it is true: pg_dump stopped and its file removed before the tab says so
            assertThat(ProcessHandle.current().descendants().filter(p -> p.info().command()
                    .map(c -> c.endsWith("pg_dump")).orElse(false)).toList()).as("pg_dump processes left").isEmpty();
            assertThat(files(dir)).as("no partial file left").isEmpty();
            await().atMost(WAIT).until(() -> dumps(db) == 0);
            locker.rollback();
        }

        click("ops-backup");
        await().atMost(WAIT).until(() -> text("ops-backups-outcome").startsWith("Backed up"));
        assertThat(text("ops-backups-outcome")).matches("Backed up ops_backup to ops_backup-\\d{8}-\\d{6}\\.dump \\(.*\\)");
        assertThat(progress).anyMatch(p -> p.matches("\\d.* written"));
        assertThat(fx(() -> List.copyOf(tab.backups().logProperty())))
                .anyMatch(l -> l.contains("dumping contents of table") && l.contains("note"));
        // a listing taken while pg_dump ran shows its .partial; the one after it the finished file
        await().atMost(WAIT).until(() -> fx(() -> tab.backups().rowsProperty().size() == 1
                && !tab.backups().rowsProperty().getFirst().problem()));
        BackupRow row = fx(() -> tab.backups().rowsProperty().getFirst());
        assertThat(row.database()).isEqualTo("ops_backup");
        assertThat(row.serverVersion()).startsWith("15");
        assertThat(row.problem()).isFalse();
        assertThat(files(dir)).containsExactly(row.name());

        fx(() -> {
            robot.lookup("#ops-backups-table").queryAs(TableView.class).getSelectionModel().select(0);
            return null;
        });
        click("ops-verify");
        await().atMost(WAIT).until(() -> text("ops-backups-outcome").startsWith("Verified"));
        await().atMost(WAIT).until(() -> fx(() -> tab.backups().rowsProperty().getFirst().verified())
                .startsWith("verified "));

        TextField target = robot.lookup("#ops-restore-target").queryAs(TextField.class);
        fx(() -> {
            target.setText("ops-restored");
            return null;
        });
        assertThat(text("ops-restore-problem")).contains("not a plain identifier");
        assertThat(fx(() -> robot.lookup("#ops-restore").queryAs(Button.class).isDisabled())).isTrue();
        fx(() -> {
            target.setText("ops_backup");
            return null;
        });
        assertThat(text("ops-restore-problem")).contains("is the source database");
        fx(() -> {
            target.setText("ops_restored");
            return null;
        });
        assertThat(text("ops-restore-problem")).isEmpty();
        click("ops-restore");
        await().atMost(WAIT).until(() -> text("ops-backups-outcome").startsWith("Restored"));
        Screenshots.save(stage.getScene(), "operations-backups");
        fx(() -> {
            stage.setWidth(960);
            stage.setHeight(640);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        Screenshots.save(stage.getScene(), "operations-backups-narrow");
        fx(() -> {
            stage.setWidth(1280);
            stage.setHeight(800);
            return null;
        });
        try {
            TestDatabase restored = new TestDatabase(db.host(), db.port(), db.user(), db.password(), "ops_restored");
            for (String table : List.of("note", "bills")) {
                assertThat(restored.queryLong("select count(*) from " + table)).as(table)
                        .isEqualTo(db.queryLong("select count(*) from " + table)).isPositive();
            }
        } finally {
            server.dropDatabase("ops_restored");
        }

        // over the source, with an application's session holding a lock: Cancel is offered while the restore
        // waits, and ends it with the source as it was
        long notes = db.queryLong("select count(*) from note");
        try (Connection locker = db.connect(); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("lock table note in access exclusive mode");
            fx(() -> {
                robot.lookup("#ops-over-source").queryAs(javafx.scene.control.CheckBox.class).setSelected(true);
                return null;
            });
            click("ops-restore");
            confirm("Restore over the source database ops_backup?", "Replace ops_backup");
            await().atMost(WAIT).until(() -> db.queryLong("select count(*) from pg_stat_activity where "
                    + "application_name like 'pgpulse restore %' and wait_event_type = 'Lock'") == 1);
            assertThat(text("ops-backup-progress")).startsWith("Restoring ");
            Screenshots.save(stage.getScene(), "operations-restore-waiting");
            click("ops-backup-cancel");
            await().atMost(WAIT).until(() -> text("ops-backups-outcome").startsWith("Restore cancelled"));
            assertThat(text("ops-backups-outcome")).isEqualTo("Restore cancelled: pg_restore stopped; nothing was "
                    + "changed (its transaction was rolled back)");
            assertThat(ProcessHandle.current().descendants().filter(p -> p.info().command()
                    .map(c -> c.endsWith("pg_restore")).orElse(false)).toList()).as("pg_restore processes left").isEmpty();
            assertThat(fx(() -> robot.lookup("#ops-backup-cancel").queryAs(Button.class).isDisabled())).isTrue();
            locker.rollback();
        }
        assertThat(db.queryLong("select count(*) from note")).isEqualTo(notes);
    }

    private void confirm(String header, String button) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> robot.lookup(".dialog-pane").tryQuery().isPresent()));
        javafx.scene.control.DialogPane pane = fx(() -> robot.lookup(".dialog-pane")
                .queryAs(javafx.scene.control.DialogPane.class));
        assertThat(fx(pane::getHeaderText)).isEqualTo(header);
        Button go = fx(() -> pane.getButtonTypes().stream().filter(b -> b.getText().equals(button))
                .map(b -> (Button) pane.lookupButton(b)).findFirst().orElseThrow());
        robot.clickOn(go);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** pg_dump's sessions on the server (it names itself "pgpulse backup"). */
    private static long dumps(TestDatabase db) throws Exception {
        return db.queryLong("select count(*) from pg_stat_activity where application_name = 'pgpulse backup'");
    }

    private static List<String> files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
