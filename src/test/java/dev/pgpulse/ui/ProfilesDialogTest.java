package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.profiles.ProfilesWindow;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextInputControl;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The profiles dialog in the real console on real PostgreSQL servers: a profile created in the form (a password in
 * its URL refused as you type, Save off), tested (the server's version; a refused port's exact reason), saved to
 * the profile file (0600, no password), switched to and back; a profile whose server asks for a password gets a
 * password field, works with it, and the password is in no file under the config and data folders afterwards.
 */
@ExtendWith(PostgresExtension.class)
class ProfilesDialogTest {
    private static final String PASSWORD_ROLE = "pgpulse_pw_user";
    private static final String PASSWORD = "Tr0ub4dor-" + Long.toHexString(System.nanoTime());
    @TempDir
    Path home;

    @AfterEach
    void restoreExit() {
        ConsoleApp.afterStop = Platform::exit;
    }

    @Test
    void createTestSaveSwitchAndBackWithAPasswordAskedForAndNeverWritten(TestDatabase db) throws Exception {
        String passwordUrl = requirePasswordFor(db);
        ConfigLoader loader = new ConfigLoader(Map.of(), home, "tester", 2);
        Overrides flags = new Overrides(null, null, null, List.of(), null, Map.of("health.interval", "500ms"));
        PgPulseConfig embedded = loader.load(flags);
        try (RunningApp run = RunningApp.open(new Console.Launch(embedded, Orchestrator.Options.defaults(home, embedded),
                ConsolePrefsStore.defaultFile(home), new ConsolePrefsStore.Loaded(ConsolePrefs.defaults()
                .withPollInterval(Duration.ofMillis(500)).withWindow(1280, 800)), new LoaderProfiles(loader, flags)))) {
            ConsoleApp app = run.app();
            Stage stage = run.stage();
            Orchestrator first = app.orchestrator();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.history().view().series("endpoint.primary.health").size() >= 2);
            ProfilesWindow dialog = fx(() -> app.window().openProfiles());
            Scene scene = dialog.stage().getScene();
            await().atMost(Duration.ofSeconds(20)).until(() -> fx(() -> dialog.viewModel().items().size()) == 1);
            assertThat(fx(() -> dialog.viewModel().items().getFirst().text())).startsWith("Started with: ")
                    .contains("active");

            // a new profile; a password in its URL is refused as typed
            click(scene, "#profile-new");
            type(scene, "#profile-name", "other");
            type(scene, "#profile-primary", "postgresql://" + db.user() + ":hunter2@" + db.host() + ":" + db.port()
                    + "/" + db.database());
            assertThat(text(scene, "#profile-primary-problem")).contains("holds a password");
            assertThat(fx(() -> scene.lookup("#profile-save").isDisabled())).isTrue();
            type(scene, "#profile-primary", "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.database());
            assertThat(text(scene, "#profile-primary-problem")).isEmpty();
            Screenshots.save(scene, "profiles-new");

            // tested before it is saved: the server's own version
            String version;
            try (Connection c = db.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("show server_version")) {
                rs.next();
                version = rs.getString(1);
            }
            click(scene, "#profile-test");
            await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> dialog.viewModel().testPassedProperty().get()) != null);
            assertThat(fx(() -> dialog.viewModel().testPassedProperty().get())).isTrue();
            assertThat(text(scene, "#profile-test-result")).contains(version);
            Screenshots.save(scene, "profiles-test-ok");
            click(scene, "#profile-save");
            Path file = home.resolve(".config/pgpulse/profiles.json");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(file) && Files.readString(file).contains("\"other\""));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(Files.readString(file)).doesNotContain("hunter2");

            // one that fails: a port nothing listens on, with the exact reason
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            click(scene, "#profile-new");
            type(scene, "#profile-name", "down");
            type(scene, "#profile-primary", "postgresql://tester@127.0.0.1:" + closed + "/x");
            click(scene, "#profile-test");
            await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> dialog.viewModel().testPassedProperty().get()) != null);
            assertThat(fx(() -> dialog.viewModel().testPassedProperty().get())).isFalse();
            assertThat(text(scene, "#profile-test-result")).contains("127.0.0.1:" + closed).containsIgnoringCase("refused");
            Screenshots.save(scene, "profiles-test-failed");
            click(scene, "#profile-save");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(file).contains("\"down\""));

            // a switch to the failing one leaves the embedded server running and says why
            select(scene, dialog, "down");
            click(scene, "#profile-switch");
            await().atMost(Duration.ofSeconds(30)).until(() -> text(scene, "#profile-status").startsWith("Could not switch"));
            assertThat(text(scene, "#profile-status")).contains("still on the target PgPulse was started on");
            assertThat(app.orchestrator()).isSameAs(first);
            assertThat(first.status().state().name()).isIn("RUNNING", "DEGRADED");

            // switch to the other server: the dialog closes, the header follows
            select(scene, dialog, "other");
            click(scene, "#profile-switch");
            await().atMost(Duration.ofSeconds(60)).until(() -> !fx(() -> dialog.stage().isShowing()));
            assertThat(app.targetKey()).isEqualTo("other");
            // the previous target stops gracefully once the window runs on the new one
            await().atMost(Duration.ofSeconds(60)).until(() -> first.status().state().name().equals("STOPPED"));
            await().atMost(Duration.ofSeconds(20)).until(() -> label(stage, "#target").contains(":" + db.port() + "/"));
            assertThat(label(stage, "#profile")).isEqualTo("Profile: other");
            Screenshots.save(stage.getScene(), "profiles-switched");

            // a profile whose server asks for a password: asked, used, kept in memory only
            ProfilesWindow again = fx(() -> app.window().openProfiles());
            Scene s2 = again.stage().getScene();
            await().atMost(Duration.ofSeconds(20)).until(() -> fx(() -> again.viewModel().items().size()) == 3);
            click(s2, "#profile-new");
            type(s2, "#profile-name", "secured");
            type(s2, "#profile-primary", passwordUrl);
            click(s2, "#profile-test");
            await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> again.viewModel().testPassedProperty().get()) != null);
            assertThat(fx(() -> again.viewModel().testPassedProperty().get())).isFalse();
            assertThat(fx(() -> s2.lookup("#profile-password-row").isVisible())).isTrue();
            Screenshots.save(s2, "profiles-password-asked");
            type(s2, "#profile-password", PASSWORD);
            click(s2, "#profile-test");
            await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(fx(() -> again.viewModel().testPassedProperty().get())));
            click(s2, "#profile-save");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(file).contains("\"secured\""));
            click(s2, "#profile-switch");
            await().atMost(Duration.ofSeconds(60)).until(() -> "secured".equals(app.targetKey()));
            assertThat(label(stage, "#profile")).isEqualTo("Profile: secured");

            // and back to the embedded server PgPulse started on
            ProfilesWindow third = fx(() -> app.window().openProfiles());
            Scene s3 = third.stage().getScene();
            await().atMost(Duration.ofSeconds(20)).until(() -> fx(() -> third.viewModel().items().size()) == 4);
            fx(() -> {
                third.viewModel().select(third.viewModel().items().getFirst());
                return null;
            });
            click(s3, "#profile-switch");
            await().atMost(Duration.ofSeconds(90)).until(() -> ConsoleApp.LAUNCH_TARGET.equals(app.targetKey()));
            assertThat(app.orchestrator().embedded()).isPresent();
            assertThat(label(stage, "#profile")).isEmpty();
        }
        // the password typed is in no file PgPulse wrote: profiles, preferences, rules, history, logs, the data folder
        List<Path> scanned = new ArrayList<>();
        byte[] secret = PASSWORD.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                scanned.add(f);
                assertThat(indexOf(Files.readAllBytes(f), secret)).as("the password in " + f).isEqualTo(-1);
            }
        }
        assertThat(scanned).as("files scanned").anyMatch(f -> f.endsWith("profiles.json"));
        assertThat(scanned).anyMatch(f -> f.toString().contains("/.local/share/pgpulse/"));
    }

    /**
     * A role that must give a password over TCP (scram-sha-256 in pg_hba.conf for it alone: nothing else of the
     * test server changes); its libpq URL, without the password.
     */
    private static String requirePasswordFor(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("drop role if exists " + PASSWORD_ROLE);
            st.execute("set password_encryption = 'scram-sha-256'");
            st.execute("create role " + PASSWORD_ROLE + " login password '" + PASSWORD + "'");
            Path hba;
            try (ResultSet rs = st.executeQuery("show hba_file")) {
                rs.next();
                hba = Path.of(rs.getString(1));
            }
            String lines = "host all " + PASSWORD_ROLE + " 127.0.0.1/32 scram-sha-256\nhost all " + PASSWORD_ROLE
                    + " ::1/128 scram-sha-256\n";
            String now = Files.readString(hba);
            if (!now.startsWith(lines)) {
                Files.writeString(hba, lines + now);
            }
            st.execute("select pg_reload_conf()");
        }
        return "postgresql://" + PASSWORD_ROLE + "@127.0.0.1:" + db.port() + "/" + db.database();
    }

    private static int indexOf(byte[] data, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= data.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (data[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void select(Scene scene, ProfilesWindow dialog, String name) throws Exception {
        fx(() -> {
            var item = dialog.viewModel().items().stream().filter(i -> name.equals(i.name())).findFirst().orElseThrow();
            @SuppressWarnings("unchecked")
            ListView<Object> list = (ListView<Object>) scene.lookup("#profiles-list");
            list.getSelectionModel().select(item);
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> dialog.viewModel().nameProperty().get()).equals(name));
    }

    private static void click(Scene scene, String id) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> !scene.lookup(id).isDisabled()));
        fx(() -> {
            ((Button) scene.lookup(id)).fire();
            return null;
        });
    }

    private static void type(Scene scene, String id, String text) throws Exception {
        fx(() -> {
            ((TextInputControl) scene.lookup(id)).setText(text);
            return null;
        });
    }

    private static String text(Scene scene, String id) throws Exception {
        return fx(() -> {
            Node n = scene.lookup(id);
            return n instanceof Label l ? l.getText() : ((TextInputControl) n).getText();
        });
    }

    private static String label(Stage stage, String id) throws Exception {
        return fx(() -> ((Label) stage.getScene().lookup(id)).getText());
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }
}
