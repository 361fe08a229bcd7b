package dev.pgpulse.ui;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.demo.BillRepository;
import dev.pgpulse.demo.DemoWorkload;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.LogCapture;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.ComboBoxBase;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Labeled;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.Tooltip;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A configured password never shows in the console: with a password in DATABASE_URL and DATABASE_READ_URLS (the
 * test server trusts local connections, so any password is accepted), through normal running, an outage and the
 * recovery, no text of any window (every node of the scene graph: labels, text fields, tooltips, Text nodes,
 * table rows, menu items, tabs, window titles) and no log line captured meanwhile contains it.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class ConsoleSecretsTest {
    @TempDir
    Path home;

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    @Test
    void noNodeOfTheWindowAndNoLogLineShowsThePassword(TestDatabase db) throws Exception {
        // a real password when the test server has one; else one the trusting server accepts and ignores
        String password = db.password() != null && !db.password().isEmpty() ? db.password() : "Pw-7f3a-notshown";
        Stage stage = FxToolkit.registerPrimaryStage();
        try (LogCapture logs = new LogCapture(Logger.ROOT_LOGGER_NAME);
             FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            String url = "postgresql://" + db.user() + ":" + password + "@" + proxy.host() + ":" + proxy.port() + "/"
                    + db.database() + "?application_name=secrets-test&password=" + password;
            String replica = "postgresql://" + db.user() + ":" + password + "@" + db.host() + ":" + db.port() + "/"
                    + db.database();
            db.migrated();
            var config = new ConfigLoader(Map.of("DATABASE_URL", url, "DATABASE_READ_URLS", replica), home, "tester", 2)
                    .load(new Overrides(null, null, null, List.of(), null, Map.of("pool.connection_timeout", "300ms",
                            "breaker.wait_in_open", "500ms", "breaker.minimum_calls", "2", "breaker.window_size", "4",
                            "query.slow_threshold", "100ms")));
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                    home.resolve("alert-rules.json"), false));
                 DemoWorkload demo = new DemoWorkload(o.service(), new BillRepository(o.service()),
                         o.config().resilience().slowQueryThreshold())) {
                demo.start();
                ConsoleWindow w = fx(() -> {
                    ConsoleWindow cw = new ConsoleWindow(o, demo, ConsolePrefs.defaults()
                            .withPollInterval(Duration.ofMillis(500)), p -> { });
                    cw.setNotifications(true);
                    stage.setScene(new Scene(cw.root(), 1280, 800));
                    stage.show();
                    cw.start();
                    return cw;
                });
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> {
                        var vm = w.dashboard().endpoint("replica-1");
                        return vm != null && vm.healthProperty().get().equals("UP")
                                && !w.dashboard().slowQueries().isEmpty();
                    }));
                    List<String> running = fx(ConsoleSecretsTest::allTexts);
                    // the walk does reach the window's texts: the target with the proxy's port is one of them
                    assertThat(running).anyMatch(t -> t.contains(":" + proxy.port()));
                    assertThat(running).filteredOn(t -> t.contains(password)).isEmpty();

                    proxy.outage();
                    await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> w.dashboard().endpoint("primary")
                            .healthProperty().get().equals("DOWN")));
                    List<String> down = fx(ConsoleSecretsTest::allTexts);
                    assertThat(down).filteredOn(t -> t.contains(password)).isEmpty();
                    Screenshots.save(stage.getScene(), "secrets-outage");

                    proxy.restore();
                    await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> w.dashboard().endpoint("primary")
                            .healthProperty().get().equals("UP")));
                    assertThat(fx(ConsoleSecretsTest::allTexts)).filteredOn(t -> t.contains(password)).isEmpty();
                } finally {
                    fx(() -> {
                        w.close();
                        return null;
                    });
                }
            }
            List<String> lines = logs.events().stream().map(ConsoleSecretsTest::fullText).toList();
            assertThat(lines).as("log lines captured").isNotEmpty();
            assertThat(lines).filteredOn(l -> l.contains(password)).isEmpty();
        }
    }

    /** The formatted message, its arguments and the whole cause chain's messages. */
    private static String fullText(ILoggingEvent e) {
        StringBuilder b = new StringBuilder(e.getFormattedMessage());
        for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
            b.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
        }
        return b.toString();
    }

    /** Every text of every window JavaFX has open (stage titles, popups, notifications), on the FX thread. */
    private static List<String> allTexts() {
        List<String> out = new ArrayList<>();
        for (Window window : Window.getWindows()) {
            if (window instanceof Stage s) {
                out.add(s.getTitle());
            }
            if (window.getScene() != null) {
                walk(window.getScene().getRoot(), out);
            }
        }
        out.removeIf(t -> t == null || t.isEmpty());
        return out;
    }

    private static void walk(Node n, List<String> out) {
        out.add(n.getAccessibleText());
        n.getProperties().values().forEach(v -> {
            if (v instanceof Tooltip t) {
                out.add(t.getText()); // Tooltip.install on a node that is not a Control
            }
        });
        switch (n) {
            case Labeled l -> out.add(l.getText());
            case TextInputControl t -> {
                out.add(t.getText());
                out.add(t.getPromptText());
            }
            case Text t -> out.add(t.getText());
            default -> { }
        }
        if (n instanceof Control c && c.getTooltip() != null) {
            out.add(c.getTooltip().getText());
        }
        if (n instanceof ComboBoxBase<?> cb) {
            out.add(String.valueOf(cb.getValue()));
            out.add(cb.getPromptText());
        }
        if (n instanceof ComboBox<?> cb) {
            cb.getItems().forEach(i -> out.add(cb.getConverter() == null ? String.valueOf(i) : cb.getConverter().toString(cast(i))));
        }
        if (n instanceof MenuButton mb) {
            mb.getItems().stream().map(MenuItem::getText).forEach(out::add);
        }
        if (n instanceof TabPane tp) {
            tp.getTabs().forEach(t -> {
                out.add(t.getText());
                if (t.getTooltip() != null) {
                    out.add(t.getTooltip().getText());
                }
            });
        }
        if (n instanceof ListView<?> lv) {
            lv.getItems().forEach(i -> out.add(String.valueOf(i)));
        }
        if (n instanceof TableView<?> tv) {
            // every row, not only the cells on screen (a virtualised table builds those alone)
            tableTexts(tv, out);
        }
        if (n instanceof Parent p) {
            p.getChildrenUnmodifiable().forEach(child -> walk(child, out));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    private static <S> void tableTexts(TableView<S> tv, List<String> out) {
        for (S item : tv.getItems()) {
            out.add(String.valueOf(item));
            for (TableColumn<S, ?> column : tv.getColumns()) {
                var value = column.getCellObservableValue(item);
                out.add(value == null ? null : String.valueOf(value.getValue()));
            }
        }
    }
}
