package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.layout.Pane;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A saved window of absurd size or position opens wholly on the screen (Monocle's 1280×800 here) and a sane size is
 * saved when it closes.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(180)
class WindowPlacementTest {
    @TempDir
    Path home;

    @AfterEach
    void restoreExit() {
        ConsoleApp.afterStop = Platform::exit;
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }

    private static Rectangle2D screen() throws Exception {
        return fx(() -> Screen.getPrimary().getVisualBounds());
    }

    private static void assertOnScreen(Stage stage, Rectangle2D screen) throws Exception {
        Rectangle2D window = fx(() -> new Rectangle2D(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight()));
        assertThat(window.getWidth()).as("width of %s on %s", window, screen).isPositive().isLessThanOrEqualTo(screen.getWidth());
        assertThat(window.getHeight()).as("height of %s on %s", window, screen).isPositive().isLessThanOrEqualTo(screen.getHeight());
        assertThat(screen.contains(window)).as("%s wholly on %s", window, screen).isTrue();
    }

    @Test
    void aSavedWindowOfAbsurdSizeOpensOnTheScreenAndASaneSizeIsSavedOnClose(TestDatabase db) throws Exception {
        Path prefsFile = ConsolePrefsStore.defaultFile(home);
        Files.createDirectories(prefsFile.getParent());
        Files.writeString(prefsFile, "{ \"windowWidth\": 1e308, \"windowHeight\": 1e308, \"pollInterval\": \"500ms\" }");
        ConsolePrefs prefs = new ConsolePrefsStore().load(prefsFile).prefs();
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url()), home, "tester", 2).load(Overrides.none());
        ConsoleApp.prepare(new Console.Launch(config, new Orchestrator.Options(Duration.ofMillis(250),
                home.resolve("alert-rules.json"), false), prefsFile, prefs));
        CountDownLatch exited = new CountDownLatch(1);
        ConsoleApp.afterStop = exited::countDown;
        Stage stage = FxToolkit.registerPrimaryStage();
        ConsoleApp app = (ConsoleApp) FxToolkit.setupApplication(ConsoleApp::new);
        Rectangle2D screen = screen();

        assertOnScreen(stage, screen);
        await().atMost(Duration.ofSeconds(60)).until(() -> app.window() != null);
        assertOnScreen(stage, screen);
        assertThat(fx(stage::getMinWidth)).isEqualTo(WindowPlacement.MIN_WIDTH);
        assertThat(fx(stage::getMinHeight)).isEqualTo(WindowPlacement.MIN_HEIGHT);

        fx(() -> {
            stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST));
            return null;
        });
        assertThat(exited.await(60, TimeUnit.SECONDS)).as("stopped and exited").isTrue();
        ConsolePrefs saved = new ConsolePrefsStore().load(prefsFile).prefs();
        assertThat(saved.windowWidth()).isLessThanOrEqualTo(screen.getWidth());
        assertThat(saved.windowHeight()).isLessThanOrEqualTo(screen.getHeight());
    }

    @Test
    void aWindowFarOffTheScreenIsMovedOntoIt() throws Exception {
        Stage stage = FxToolkit.registerPrimaryStage();
        Rectangle2D screen = screen();
        for (double[] at : List.of(new double[] {50_000, -30_000}, new double[] {-1e300, 1e300},
                new double[] {screen.getMaxX() - 10, screen.getMaxY() - 10})) {
            fx(() -> {
                stage.setScene(new Scene(new Pane(), 800, 600));
                stage.show();
                stage.setMinWidth(0); // the shared test stage may keep the console's minimum from another test
                stage.setMinHeight(0);
                stage.setWidth(800);
                stage.setHeight(600);
                stage.setX(at[0]);
                stage.setY(at[1]);
                WindowPlacement.keepOnScreen(stage);
                return null;
            });
            assertOnScreen(stage, screen);
            assertThat(fx(stage::getWidth)).as("the size is kept when it fits").isEqualTo(800);
        }
    }

    @Test
    void fitShrinksToTheScreenThenMovesTheLeastDistance() {
        var screen = new WindowPlacement.Box(100, 50, 1920, 1080);
        assertThat(WindowPlacement.fit(new WindowPlacement.Box(-3000, -3000, 7680, 4320), screen))
                .isEqualTo(new WindowPlacement.Box(100, 50, 1920, 1080));
        assertThat(WindowPlacement.fit(new WindowPlacement.Box(1900, 300, 800, 600), screen))
                .isEqualTo(new WindowPlacement.Box(1220, 300, 800, 600));
        assertThat(WindowPlacement.fit(new WindowPlacement.Box(300, 200, 800, 600), screen))
                .as("a window on the screen stays where it is")
                .isEqualTo(new WindowPlacement.Box(300, 200, 800, 600));
        assertThat(WindowPlacement.fit(new WindowPlacement.Box(Double.NaN, Double.POSITIVE_INFINITY, Double.NaN, 1e308),
                screen)).isEqualTo(new WindowPlacement.Box(100, 50, 1920, 1080));
    }
}
