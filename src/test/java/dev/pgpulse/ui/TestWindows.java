package dev.pgpulse.ui;

import dev.pgpulse.demo.DemoWorkload;
import dev.pgpulse.orchestration.Orchestrator;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The console window as tests show it: on a stage, 1280x800, no notifications, polling. */
final class TestWindows {
    private TestWindows() {
    }

    /** No demo workload, default preferences but the poll interval, nothing saved. */
    static ConsoleWindow show(Stage stage, Orchestrator o, Duration pollInterval) throws Exception {
        return show(stage, o, null, ConsolePrefs.defaults().withPollInterval(pollInterval), p -> { });
    }

    /** Built and started on the FX thread; the caller closes it (off the FX thread) before the orchestrator. */
    static ConsoleWindow show(Stage stage, Orchestrator o, DemoWorkload demo, ConsolePrefs prefs,
                              Consumer<ConsolePrefs> saved) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            ConsoleWindow cw = new ConsoleWindow(o, demo, prefs, saved);
            cw.setNotifications(false);
            stage.setScene(new Scene(cw.root(), 1280, 800));
            stage.show();
            cw.start();
            return cw;
        }).get(20, TimeUnit.SECONDS);
    }
}
