package dev.pgpulse.ui;

import javafx.application.Platform;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole console application for a test: started on a launch in the shared primary stage, its window open;
 * closed as a person closes it (the window's close request), and checked to have stopped and exited.
 */
final class RunningApp implements AutoCloseable {
    private final ConsoleApp app;
    private final Stage stage;
    private final CountDownLatch exited;

    private RunningApp(ConsoleApp app, Stage stage, CountDownLatch exited) {
        this.app = app;
        this.stage = stage;
        this.exited = exited;
    }

    static RunningApp open(Console.Launch launch) throws Exception {
        ConsoleApp.prepare(launch);
        CountDownLatch exited = new CountDownLatch(1);
        ConsoleApp.afterStop = exited::countDown;
        Stage stage = FxToolkit.registerPrimaryStage();
        ConsoleApp app = (ConsoleApp) FxToolkit.setupApplication(ConsoleApp::new);
        await().atMost(Duration.ofSeconds(90)).until(() -> app.window() != null);
        return new RunningApp(app, stage, exited);
    }

    ConsoleApp app() {
        return app;
    }

    Stage stage() {
        return stage;
    }

    @Override
    public void close() throws Exception {
        try {
            WaitForAsyncUtils.asyncFx(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(exited.await(90, TimeUnit.SECONDS)).as("stopped and exited").isTrue();
        } finally {
            ConsoleApp.afterStop = Platform::exit;
        }
    }
}
