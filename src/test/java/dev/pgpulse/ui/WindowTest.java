package dev.pgpulse.ui;

import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * What every test of the console window on a real orchestrator sets up the same way: the primary stage (shown with
 * {@link TestWindows#show}), a home folder of its own, a robot, the things to close after each test in reverse order
 * (the window, orchestrators, workloads, receivers), and a call on the FX thread that waits a minute at most (UI
 * tests are slow on a loaded 2-core machine).
 */
abstract class WindowTest {
    /** How long {@link #fx} waits for the FX thread. */
    static final long FX_WAIT_SECONDS = 60;

    @TempDir
    Path home;
    static Stage stage;
    final FxRobot robot = new FxRobot();
    /** Closed after each test, the last added first: add a window after its orchestrator (or where it must go). */
    final List<AutoCloseable> closeLast = new ArrayList<>();

    @BeforeAll
    static void toolkit() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void closeWhatTheTestOpened() throws Exception {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
    }

    /** Runs {@code c} on the FX thread and returns what it returned. */
    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(FX_WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
