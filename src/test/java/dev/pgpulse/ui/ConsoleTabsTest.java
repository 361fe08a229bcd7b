package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.dashboard.DashboardTab;
import dev.pgpulse.ui.shell.ConsoleTab;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tab contract on a real orchestrator: a test-only tab added by one line to the standard list shows up in
 * the TabPane, is built only when first selected, gets every snapshot (also while hidden), and is told when it
 * is shown and hidden; the Dashboard is told too, and every tab is closed with the window.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class ConsoleTabsTest {
    @TempDir
    Path home;

    /** Records what the window tells it. */
    static final class ProbeTab implements ConsoleTab {
        final AtomicInteger applied = new AtomicInteger();
        final AtomicInteger deferred = new AtomicInteger();
        final AtomicInteger built = new AtomicInteger();
        final List<String> visibility = new CopyOnWriteArrayList<>();
        volatile Snapshot last;
        volatile boolean closed;
        private Label view;

        @Override
        public String id() {
            return "probe-tab";
        }

        @Override
        public String title() {
            return "Probe";
        }

        @Override
        public Node view() {
            if (view == null) {
                built.incrementAndGet();
                view = new Label("probe");
            }
            return view;
        }

        @Override
        public void apply(Snapshot s) {
            last = s;
            applied.incrementAndGet();
        }

        @Override
        public void applyDeferred(Snapshot s) {
            assertThat(s).isSameAs(last); // one frame later, the same snapshot
            deferred.incrementAndGet();
        }

        @Override
        public void shown() {
            visibility.add("shown");
        }

        @Override
        public void hidden() {
            visibility.add("hidden");
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTabAddedToTheListShowsGetsSnapshotsAndIsToldWhenShownAndHidden(TestDatabase db) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url()), home, "tester", 2).load(Overrides.none());
        ProbeTab probe = new ProbeTab();
        Stage stage = FxToolkit.registerPrimaryStage();
        try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                home.resolve("alert-rules.json"), false))) {
            ConsoleWindow w = fx(() -> {
                ConsoleWindow cw = new ConsoleWindow(o, null,
                        ConsolePrefs.defaults().withPollInterval(Duration.ofMillis(250)), p -> { }, c -> {
                    List<ConsoleTab> tabs = new ArrayList<>(ConsoleTabs.standard(c));
                    tabs.add(probe);
                    return tabs;
                });
                cw.setNotifications(false);
                stage.setScene(new Scene(cw.root(), 1280, 800));
                stage.show();
                cw.start();
                return cw;
            });
            try {
                DashboardTab dashboard = (DashboardTab) w.consoleTabs().getFirst();
                assertThat(fx(() -> w.tabs.getTabs().stream().map(Tab::getId).toList()))
                        .containsExactly("dashboard-tab", "alerts-tab", "query-tab", "server-tab", "operations-tab", "probe-tab");
                assertThat(fx(() -> w.tabs.getTabs().stream().map(Tab::getText).toList()))
                        .containsExactly("Dashboard", "Alerts", "Query", "Server", "Operations", "Probe");
                assertThat(fx(dashboard::visible)).isTrue();
                // a hidden tab gets every snapshot, but its view is not built before it is first selected
                await().atMost(Duration.ofSeconds(20)).until(() -> probe.applied.get() >= 3 && probe.deferred.get() >= 3);
                assertThat(probe.last.target()).isEqualTo(o.target());
                assertThat(probe.built.get()).isZero();
                assertThat(fx(() -> w.tabs.getTabs().getLast().getContent())).isNull();
                assertThat(probe.visibility).isEmpty();

                fx(() -> {
                    w.tabs.getSelectionModel().selectLast();
                    return null;
                });
                assertThat(probe.visibility).containsExactly("shown");
                assertThat(fx(dashboard::visible)).isFalse();
                assertThat(fx(() -> w.tabs.getTabs().getLast().getContent())).isSameAs(fx(probe::view));
                // the dashboard keeps its state current while hidden (its history must not have a gap)
                long before = fx(() -> w.poller().pollsProperty().get());
                await().atMost(Duration.ofSeconds(20)).until(() -> fx(() -> w.poller().pollsProperty().get()) >= before + 2);
                assertThat(fx(() -> w.dashboard().endpoint("primary"))).isNotNull();

                fx(() -> {
                    w.tabs.getSelectionModel().select(0);
                    return null;
                });
                assertThat(probe.visibility).containsExactly("shown", "hidden");
                assertThat(fx(dashboard::visible)).isTrue();
                fx(() -> {
                    w.tabs.getSelectionModel().selectLast();
                    return null;
                });
                assertThat(probe.built.get()).as("the view is built once").isEqualTo(1);
                assertThat(probe.closed).isFalse();
            } finally {
                w.close();
            }
            assertThat(probe.closed).isTrue();
        }
    }
}
