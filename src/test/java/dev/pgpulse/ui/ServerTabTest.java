package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.server.Activity;
import dev.pgpulse.server.ActivityReader;
import dev.pgpulse.server.ActivitySampler;
import dev.pgpulse.server.ActivityThresholds;
import dev.pgpulse.server.Backend;
import dev.pgpulse.server.Readout;
import dev.pgpulse.server.ServerReadings;
import dev.pgpulse.service.Result;
import dev.pgpulse.ui.server.ServerTab;
import dev.pgpulse.ui.server.ServerViewModel;
import dev.pgpulse.ui.shell.OrchestratorActions;
import dev.pgpulse.ui.shell.ServerActions;
import dev.pgpulse.ui.server.SessionRow;
import io.micrometer.core.instrument.Timer;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TreeItem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.util.WaitForAsyncUtils;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Server tab in the real console window on a real orchestrator: a sleeping session shows with its duration
 * and is cancelled from the tab; a row-lock wait shows under its blocker and terminating the blocker releases it;
 * the tab reads nothing while hidden.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServerTabTest extends WindowTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Orchestrator orchestrator(TestDatabase db) throws Exception {
        return orchestrator(Map.of("DATABASE_URL", db.url()));
    }

    private Orchestrator orchestrator(Map<String, String> env) throws Exception {
        var config = new ConfigLoader(env, home, "tester", 2).load(Overrides.none());
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(500),
                Orchestrator.Options.alertRulesFile(home), false));
        closeLast.add(o);
        return o;
    }

    private ConsoleWindow window(Orchestrator o) throws Exception {
        ConsoleWindow w = TestWindows.show(stage, o, Duration.ofMillis(500));
        closeLast.add(w);
        return w;
    }

    private static ServerTab serverTab(ConsoleWindow w) throws Exception {
        return fx(() -> (ServerTab) w.consoleTabs().stream().filter(ServerTab.class::isInstance).findFirst()
                .orElseThrow());
    }

    private ServerTab select(ConsoleWindow w, String id) throws Exception {
        fx(() -> {
            Tab t = w.tabs.getTabs().stream().filter(x -> id.equals(x.getId())).findFirst().orElseThrow();
            w.tabs.getSelectionModel().select(t);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        return serverTab(w);
    }

    /** A connection of the test's own, closed after the test (before the window and orchestrator). */
    private Connection session(TestDatabase db, String app) throws SQLException {
        Connection c = db.connect();
        closeLast.add(c);
        try (Statement st = c.createStatement()) {
            st.execute("set application_name = '" + app + "'");
        }
        return c;
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static CompletableFuture<SQLException> async(Connection c, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
                return null;
            } catch (SQLException e) {
                return e;
            }
        });
    }

    private static SessionRow row(ServerTab tab, int pid) throws Exception {
        return fx(() -> tab.view().table().getItems().stream().filter(r -> r.pid() == pid).findFirst().orElse(null));
    }

    private static String state(TestDatabase db, int pid) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select state from pg_stat_activity where pid = " + pid)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private void confirm(String header, String button) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> robot.lookup(".dialog-pane").tryQuery().isPresent()));
        DialogPane pane = fx(() -> robot.lookup(".dialog-pane").queryAs(DialogPane.class));
        assertThat(fx(pane::getHeaderText)).isEqualTo(header);
        assertThat(fx(() -> ((Button) pane.lookupButton(ButtonType.CANCEL)).isDefaultButton())).isTrue();
        Screenshots.save(pane.getScene(), "server-confirm-" + button.toLowerCase().replace(' ', '-'));
        Button go = fx(() -> pane.getButtonTypes().stream().filter(b -> b.getText().equals(button))
                .map(b -> (Button) pane.lookupButton(b)).findFirst().orElseThrow());
        robot.clickOn(go);
    }

    private String outcome() throws Exception {
        return fx(() -> ((Label) robot.lookup("#server-outcome").query()).getText());
    }

    @Test
    void aSleepingSessionShowsWithItsDurationAndIsCancelledFromTheTab(TestDatabase db) throws Exception {
        Connection sleeper = session(db, "sleeper");
        int pid = pid(sleeper);
        CompletableFuture<SQLException> sleeping = async(sleeper, "select pg_sleep(60)");
        ConsoleWindow w = window(orchestrator(db));
        ServerTab tab = select(w, "server-tab");
        await().atMost(WAIT).until(() -> {
            SessionRow r = row(tab, pid);
            return r != null && r.duration().key() >= 2;
        });
        SessionRow r = row(tab, pid);
        assertThat(r.state()).isEqualTo("active");
        assertThat(r.query()).isEqualTo("select pg_sleep(60)");
        assertThat(r.application()).isEqualTo("sleeper");
        assertThat(r.duration().text()).matches("\\d+(\\.\\d)? s");
        assertThat(r.own()).isFalse();
        // PgPulse's own sessions are there and labelled
        assertThat(fx(() -> tab.view().table().getItems().stream().anyMatch(x -> x.own()
                && x.application().endsWith("(PgPulse)")))).isTrue();
        Screenshots.save(stage.getScene(), "server-activity");

        fx(() -> {
            int i = tab.view().table().getItems().indexOf(row(tab, pid));
            tab.view().table().getSelectionModel().clearAndSelect(i);
            return null;
        });
        robot.clickOn("#server-cancel");
        confirm("Cancel the query of pid " + pid + "?", "Cancel query");
        assertThat(sleeping.get(30, TimeUnit.SECONDS).getSQLState()).as("the sleep was cancelled").isEqualTo("57014");
        await().atMost(WAIT).until(() -> !"active".equals(state(db, pid)));
        await().atMost(WAIT).until(() -> outcome().equals("Cancel sent to pid " + pid));
        await().atMost(WAIT).until(() -> {
            SessionRow x = row(tab, pid);
            return x == null || !"active".equals(x.state());
        });
    }

    @Test
    void aRowLockWaitShowsUnderItsBlockerAndTerminatingTheBlockerReleasesIt(TestDatabase db) throws Exception {
        db.exec("drop table if exists server_tab_lock", "create table server_tab_lock(id int primary key, n int)",
                "insert into server_tab_lock values (1, 0)");
        Connection blocker = session(db, "blocker");
        Connection waiter = session(db, "waiter");
        int blockerPid = pid(blocker);
        int waiterPid = pid(waiter);
        blocker.setAutoCommit(false);
        try (Statement st = blocker.createStatement()) {
            st.execute("update server_tab_lock set n = 1 where id = 1");
        }
        CompletableFuture<SQLException> waiting = async(waiter, "update server_tab_lock set n = 2 where id = 1");
        ConsoleWindow w = window(orchestrator(db));
        ServerTab tab = select(w, "server-tab");
        await().atMost(WAIT).until(() -> fx(() -> {
            var roots = tab.view().tree().getRoot().getChildren();
            return roots.size() == 1 && roots.getFirst().getValue().pid() == blockerPid
                    && roots.getFirst().getChildren().size() == 1
                    && roots.getFirst().getChildren().getFirst().getValue().pid() == waiterPid;
        }));
        TreeItem<SessionRow> root = fx(() -> tab.view().tree().getRoot().getChildren().getFirst());
        assertThat(root.getValue().root()).isTrue();
        assertThat(root.getValue().pidText()).isEqualTo(blockerPid + " ● root blocker");
        assertThat(root.getValue().state()).isEqualTo("idle in transaction");
        SessionRow waits = root.getChildren().getFirst().getValue();
        assertThat(waits.lock()).isEqualTo("ShareLock on server_tab_lock (transactionid)");
        assertThat(waits.lockWait().text()).isNotEmpty();
        assertThat(waits.blockedBy()).isEqualTo(String.valueOf(blockerPid));
        assertThat(fx(() -> ((Label) robot.lookup("#server-tree-status").query()).getText()))
                .isEqualTo("1 root blocker, 1 session waiting");
        Screenshots.save(stage.getScene(), "server-blocking-tree");

        fx(() -> {
            var tree = tab.view().tree();
            for (int i = 0; i < tree.getExpandedItemCount(); i++) {
                if (tree.getTreeItem(i).getValue().pid() == blockerPid) {
                    tree.getSelectionModel().clearAndSelect(i);
                }
            }
            return null;
        });
        robot.clickOn("#server-terminate");
        confirm("Terminate pid " + blockerPid + "?", "Terminate backend");
        assertThat((Throwable) waiting.get(30, TimeUnit.SECONDS)).as("the waiter's update went through").isNull();
        await().atMost(WAIT).until(() -> state(db, blockerPid) == null);
        await().atMost(WAIT).until(() -> outcome().equals("Terminated pid " + blockerPid));
        await().atMost(WAIT).until(() -> fx(() -> tab.view().tree().getRoot().getChildren().isEmpty()));
        assertThat(db.queryLong("select n from server_tab_lock where id = 1")).isEqualTo(2);
    }

    @Test
    void onProductionTheConfirmationSaysSoAndCancellingItSendsNothing(TestDatabase db) throws Exception {
        Connection sleeper = session(db, "prod sleeper");
        int pid = pid(sleeper);
        CompletableFuture<SQLException> sleeping = async(sleeper, "select pg_sleep(60)");
        ConsoleWindow w = window(orchestrator(Map.of("DATABASE_URL", db.url(), "PGPULSE_ENV", "production")));
        ServerTab tab = select(w, "server-tab");
        await().atMost(WAIT).until(() -> row(tab, pid) != null);
        fx(() -> {
            tab.view().table().getSelectionModel().clearAndSelect(tab.view().table().getItems().indexOf(row(tab, pid)));
            return null;
        });
        robot.clickOn("#server-terminate");
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> robot.lookup(".dialog-pane").tryQuery().isPresent()));
        DialogPane pane = fx(() -> robot.lookup(".dialog-pane").queryAs(DialogPane.class));
        assertThat(fx(pane::getHeaderText)).isEqualTo("Terminate pid " + pid + "?");
        assertThat(fx(pane::getContentText)).startsWith("This is a PRODUCTION target.").contains("prod sleeper");
        robot.clickOn(fx(() -> (Button) pane.lookupButton(ButtonType.CANCEL)));
        await().atMost(WAIT).until(() -> outcome().equals("Terminate not sent"));
        assertThat(state(db, pid)).isEqualTo("active");
        assertThat(sleeping.isDone()).isFalse();
        db.exec("select pg_cancel_backend(" + pid + ")"); // the test's own cleanup, not the tab's
        assertThat(sleeping.get(30, TimeUnit.SECONDS).getSQLState()).isEqualTo("57014");
    }

    @Test
    void pgPulsesOwnSessionsAreRefusedUnlessChosen(TestDatabase db) throws Exception {
        ConsoleWindow w = window(orchestrator(db));
        ServerTab tab = select(w, "server-tab");
        await().atMost(WAIT).until(() -> fx(() -> tab.view().table().getItems().stream().anyMatch(SessionRow::own)));
        SessionRow own = fx(() -> tab.view().table().getItems().stream().filter(SessionRow::own).findFirst()
                .orElseThrow());
        fx(() -> {
            tab.view().table().getSelectionModel().clearAndSelect(tab.view().table().getItems().indexOf(own));
            return null;
        });
        robot.clickOn("#server-cancel");
        await().atMost(WAIT).until(() -> outcome().startsWith("Refused pid " + own.pid() + ": PgPulse's own session"));
        assertThat(fx(() -> robot.lookup(".dialog-pane").tryQuery().isPresent())).as("nothing asked").isFalse();
    }

    @Test
    void theTabReadsNothingWhileHidden(TestDatabase db) throws Exception {
        Orchestrator o = orchestrator(db);
        ConsoleWindow w = window(o);
        ServerTab tab = serverTab(w);
        assertThat(fx(() -> w.tabs.getSelectionModel().getSelectedItem().getId())).isNotEqualTo("server-tab");
        // the window polls every 500 ms: wait several polls; the hidden tab must have read nothing
        await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
        assertThat(tab.viewModel().reads()).isZero();
        assertThat(count(o)).as("activity queries through the service").isZero();

        select(w, "server-tab");
        await().atMost(WAIT).until(() -> tab.viewModel().reads() >= 3 && count(o) >= 3);
        select(w, "query-tab");
        long atHide = tab.viewModel().reads();
        await().atMost(WAIT).until(() -> count(o) >= atHide); // a reading under way when hidden has finished
        long counted = count(o);
        await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
        assertThat(tab.viewModel().reads()).as("no reading once hidden").isEqualTo(atHide);
        assertThat(count(o)).as("no query through the service once hidden").isEqualTo(counted);

        // the tab follows the header's poll interval
        Duration other = ConsolePrefs.POLL_INTERVALS.stream().filter(d -> !d.equals(Duration.ofMillis(500)))
                .findFirst().orElseThrow();
        fx(() -> {
            w.interval.setValue(other);
            return null;
        });
        assertThat(fx(() -> tab.viewModel().interval())).isEqualTo(other);
    }

    /** Enters one of the tab's panes (its readings are read then). */
    static void section(ServerTab tab, String id) throws Exception {
        fx(() -> {
            var sections = (javafx.scene.control.TabPane) tab.view().lookup("#server-sections");
            sections.getSelectionModel().select(sections.getTabs().stream().filter(t -> id.equals(t.getId()))
                    .findFirst().orElseThrow());
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private List<List<String>> cells(ServerTab tab, dev.pgpulse.server.ServerReadings.Kind kind) throws Exception {
        return fx(() -> tab.viewModel().readout(kind).rows().stream()
                .map(r -> r.cells().stream().map(dev.pgpulse.ui.server.Cell::text).toList()).toList());
    }

    @Test
    void theOtherPanesReadWhenEnteredAndShowLocksSlotsTablesAndTheStatementsHint(TestDatabase db) throws Exception {
        db.exec("drop table if exists server_tab_bloat",
                "create table server_tab_bloat(id int, v text) with (autovacuum_enabled = false)",
                "insert into server_tab_bloat select g, 'x' from generate_series(1, 5000) g",
                "create index server_tab_bloat_v on server_tab_bloat(v)",
                "delete from server_tab_bloat where id > 1000",
                "select pg_create_physical_replication_slot('server_tab_slot', true)");
        try {
            Connection holder = session(db, "holder");
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("lock table server_tab_bloat in access exclusive mode");
            }
            Connection waiter = session(db, "lock waiter");
            CompletableFuture<SQLException> waiting = async(waiter, "select count(*) from server_tab_bloat");
            ConsoleWindow w = window(orchestrator(db));
            ServerTab tab = select(w, "server-tab");

            section(tab, "server-section-locks");
            await().atMost(WAIT).until(() -> cells(tab, dev.pgpulse.server.ServerReadings.Kind.LOCKS).stream()
                    .anyMatch(r -> r.get(3).equals("waiting") && r.get(4).equals("server_tab_bloat")
                            && r.get(2).equals("AccessShareLock")));
            assertThat(fx(() -> tab.viewModel().readout(dev.pgpulse.server.ServerReadings.Kind.LOCKS).rows().stream()
                    .anyMatch(r -> r.flagged() && r.cells().get(3).text().equals("waiting")))).isTrue();
            assertThat(cells(tab, dev.pgpulse.server.ServerReadings.Kind.LOCKS)).anySatisfy(r -> {
                assertThat(r.get(2)).isEqualTo("AccessExclusiveLock");
                assertThat(r.get(3)).isEqualTo("granted");
            });
            Screenshots.save(stage.getScene(), "server-locks");
            holder.rollback();
            assertThat((Throwable) waiting.get(30, TimeUnit.SECONDS)).isNull();

            section(tab, "server-section-replication");
            await().atMost(WAIT).until(() -> cells(tab, dev.pgpulse.server.ServerReadings.Kind.SLOTS).stream()
                    .anyMatch(r -> r.get(0).equals("server_tab_slot") && r.get(3).equals("INACTIVE")));
            Screenshots.save(stage.getScene(), "server-replication");

            section(tab, "server-section-statements");
            await().atMost(WAIT).until(() -> fx(() -> !tab.viewModel().readout(
                    dev.pgpulse.server.ServerReadings.Kind.STATEMENTS).statusProperty().get().equals("Not read yet")));
            String note = fx(() -> tab.viewModel().readout(dev.pgpulse.server.ServerReadings.Kind.STATEMENTS)
                    .noteProperty().get());
            if (!note.isEmpty()) {
                assertThat(note).startsWith("pg_stat_statements is ").containsIgnoringCase("pg_stat_statements");
                assertThat(fx(() -> ((Label) robot.lookup("#server-statements-note").query()).isVisible())).isTrue();
            }
            Screenshots.save(stage.getScene(), "server-top-statements");

            section(tab, "server-section-tables");
            await().atMost(WAIT).until(() -> {
                robot.clickOn("#server-refresh-tables");
                return fx(() -> tab.viewModel().readout(dev.pgpulse.server.ServerReadings.Kind.TABLES).rows()
                        .stream().anyMatch(r -> r.cells().get(0).text().equals("public.server_tab_bloat")
                                && r.flagged()));
            });
            assertThat(cells(tab, dev.pgpulse.server.ServerReadings.Kind.TABLES)).anySatisfy(r -> {
                assertThat(r.get(0)).isEqualTo("public.server_tab_bloat");
                assertThat(r.get(4)).isEqualTo("4,000");
                assertThat(r.get(5)).isEqualTo("80.0%");
                assertThat(r.get(6)).isEqualTo("never");
            });
            assertThat(cells(tab, dev.pgpulse.server.ServerReadings.Kind.UNUSED_INDEXES))
                    .anySatisfy(r -> assertThat(r.get(0)).isEqualTo("public.server_tab_bloat_v"));
            Screenshots.save(stage.getScene(), "server-tables");

            // leaving the tab stops every reading: nothing more is asked
            select(w, "query-tab");
            long atHide = tab.viewModel().reads();
            await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
            assertThat(tab.viewModel().reads()).isEqualTo(atHide);
        } finally {
            db.exec("select pg_drop_replication_slot('server_tab_slot')");
        }
    }

    /** Activity readings timed by the service (operation server.activity). */
    @Test
    void closedFromAnotherThreadWhileItMakesItsSamplerLeavesNoSamplerRunning(TestDatabase db) throws Exception {
        // a profile switch retires the old window's tabs off the FX thread while the FX thread may be showing one;
        // the close comes while the tab is making its sampler, the narrowest place for it
        Orchestrator o = orchestrator(db);
        ExecutorService background = Executors.newFixedThreadPool(2);
        closeLast.add(background::shutdownNow);
        ServerActions real = new OrchestratorActions(o, null, background, () -> { }, null).server();
        CountDownLatch making = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        ServerActions slow = new ServerActions() {
            @Override
            public boolean production() {
                return real.production();
            }

            @Override
            public ActivityThresholds thresholds() {
                return real.thresholds();
            }

            @Override
            public ActivitySampler sampler(Duration interval, Consumer<Result<Activity>> onFx) {
                making.countDown();
                try {
                    closed.await(1, TimeUnit.SECONDS); // a close that does not wait for this returns meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ActivitySampler s = real.sampler(interval, onFx);
                closeLast.add(s);
                return s;
            }

            @Override
            public void readout(ServerReadings.Kind kind, Consumer<Result<Readout>> done) {
                real.readout(kind, done);
            }

            @Override
            public void signal(List<Backend> backends, ActivityReader.Signal signal,
                               Consumer<List<ActivityReader.Outcome>> done) {
                real.signal(backends, signal, done);
            }
        };
        ServerViewModel vm = new ServerViewModel(slow, null, Duration.ofMillis(50));
        CompletableFuture<Void> show = CompletableFuture.runAsync(vm::start, background);
        assertThat(making.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> close = CompletableFuture.runAsync(() -> {
            vm.close();
            closed.countDown();
        }, background);
        show.get(10, TimeUnit.SECONDS);
        close.get(10, TimeUnit.SECONDS);
        await().pollDelay(Duration.ofMillis(300)).atMost(WAIT).until(() -> true); // a reading under way finishes
        long settled = count(o);
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).until(() -> true);
        assertThat(count(o)).as("the closed view model's sampler reads no more (it would every 50 ms)")
                .isEqualTo(settled);
    }

    private static long count(Orchestrator o) {
        Timer t = o.meters().find("pgpulse.operation").tag("operation", "server.activity").timer();
        return t == null ? 0 : t.count();
    }
}
