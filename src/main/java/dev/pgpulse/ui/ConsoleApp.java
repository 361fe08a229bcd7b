package dev.pgpulse.ui;

import dev.pgpulse.demo.DemoWorkload;
import dev.pgpulse.orchestration.Orchestrator;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JavaFX application: shows a window at once, starts the orchestrator (and on the embedded server the demo
 * workload) on a background thread, then swaps in the {@link ConsoleWindow}. Closing the window stops
 * everything off the FX thread, saves the preferences, then exits.
 */
public final class ConsoleApp extends Application {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleApp.class);
    private static volatile Console.Launch launch;
    private static volatile String failure;
    /** What runs once everything is stopped: the JavaFX exit; a test that shares the toolkit swaps it. */
    static volatile Runnable afterStop = Platform::exit;

    private final ExecutorService starter = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("pgpulse-console-start").daemon().factory());
    private final ConsolePrefsStore store = new ConsolePrefsStore();
    private volatile Orchestrator orchestrator;
    private volatile DemoWorkload demo;
    private volatile ConsoleWindow window;
    private volatile boolean stopping;
    private final java.util.concurrent.atomic.AtomicBoolean saveProblemShown = new java.util.concurrent.atomic.AtomicBoolean();

    /** @return why PgPulse could not start, if it could not */
    static java.util.Optional<String> launchAndWait(Console.Launch l) {
        prepare(l);
        Application.launch(ConsoleApp.class);
        return java.util.Optional.ofNullable(failure);
    }

    /** Sets what the next instance starts with (JavaFX creates the instance itself). */
    static void prepare(Console.Launch l) {
        launch = l;
        failure = null;
    }

    static java.util.Optional<String> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    @Override
    public void start(Stage stage) {
        Console.Launch l = launch;
        stage.setTitle("PgPulse");
        ProgressIndicator spinner = new ProgressIndicator();
        Label what = new Label(l.config().isEmbedded() && l.config().primary().isEmpty()
                ? "Starting the embedded PostgreSQL 15 and the demo workload…"
                : "Connecting to " + l.config().primary().map(p -> p.displayTarget()).orElse("the database") + "…");
        what.setId("starting");
        VBox startingPane = new VBox(16, spinner, what);
        startingPane.setAlignment(Pos.CENTER);
        startingPane.setPadding(new Insets(40));
        startingPane.getStyleClass().add("console");
        startingPane.getStylesheets().add(ConsoleApp.class.getResource("console.css").toExternalForm());
        WindowPlacement.Box size = WindowPlacement.sceneSize(l.prefs());
        stage.setScene(new Scene(startingPane, size.width(), size.height()));
        stage.sizeToScene(); // a stage sized before (a test's shared one) keeps its size otherwise
        WindowPlacement.limit(stage);
        stage.setOnCloseRequest(e -> {
            e.consume();
            shutdown(stage);
        });
        stage.show();
        WindowPlacement.keepOnScreen(stage);
        starter.execute(() -> startCore(stage, l));
        starter.shutdown();
    }

    private void startCore(Stage stage, Console.Launch l) {
        try {
            Orchestrator o = Orchestrator.start(l.config(), l.options());
            orchestrator = o;
            if (stopping) {
                return;
            }
            if (o.embedded().isPresent()) {
                DemoWorkload d = o.demoWorkload();
                demo = d;
                if (l.prefs().demoWorkload()) {
                    d.start();
                }
            }
            Platform.runLater(() -> {
                if (stopping) {
                    return;
                }
                window = new ConsoleWindow(o, demo, l.prefs(), this::save);
                stage.getScene().setRoot(window.root());
                window.start();
                showPrefsProblems(window, l.loadedPrefs());
                LOG.info("console open on {}", o.target());
            });
        } catch (Exception | Error e) {
            if (stopping) {
                LOG.info("start abandoned: the window was closed while PgPulse was starting");
                return;
            }
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.error("PgPulse could not start: {}", message);
            failure = message;
            Platform.runLater(() -> failed(stage, message));
        }
    }

    private void failed(Stage stage, String message) {
        Label title = new Label("PgPulse could not start");
        title.getStyleClass().add("row-heading");
        Label detail = new Label(message);
        detail.setWrapText(true);
        detail.setId("start-error");
        Button close = new Button("Close");
        close.setOnAction(e -> shutdown(stage));
        VBox box = new VBox(14, title, detail, close);
        box.setPadding(new Insets(30));
        box.getStyleClass().add("console");
        box.getStylesheets().add(ConsoleApp.class.getResource("console.css").toExternalForm());
        stage.getScene().setRoot(box);
    }

    /** What was wrong with the preferences file, in the status bar once (the terminal had it already). */
    private static void showPrefsProblems(ConsoleWindow w, ConsolePrefsStore.Loaded loaded) {
        if (!loaded.problems().isEmpty()) {
            w.notice(loaded.summary(), String.join("\n", loaded.problems()));
        }
    }

    /**
     * Preferences are saved off the FX thread: the window's background thread, or the stopping thread at the end.
     * The first save that fails while the window is open is shown in its status bar too.
     */
    private void save(ConsolePrefs prefs) {
        try {
            store.save(launch.prefsFile(), prefs);
        } catch (IOException e) {
            LOG.warn("{}", e.getMessage());
            ConsoleWindow w = window;
            if (w != null && !stopping && saveProblemShown.compareAndSet(false, true)) {
                Platform.runLater(() -> w.notice(launch.prefsFile().getFileName() + " could not be saved; preference "
                        + "changes last until PgPulse exits", e.getMessage()));
            }
        }
    }

    Orchestrator orchestrator() {
        return orchestrator;
    }

    ConsoleWindow window() {
        return window;
    }

    /**
     * Closing the window: on a stopping thread, abandon a start still under way, stop the window's work (its
     * queued preference saves finish first), save the final preferences, stop the demo and the orchestrator;
     * then exit, whatever failed on the way.
     */
    private void shutdown(Stage stage) {
        if (stopping) {
            return;
        }
        stopping = true;
        ConsoleWindow w = window;
        // the scene's size: the stage's includes the window decorations, and would grow on every run
        ConsolePrefs prefs = (w == null ? launch.prefs() : w.prefs())
                .withWindow(stage.getScene().getWidth(), stage.getScene().getHeight());
        stage.setTitle("PgPulse — stopping…");
        showStopping(stage);
        Thread.ofPlatform().name("pgpulse-console-stop").start(() -> {
            try {
                stopEverything(w, prefs);
            } finally {
                Platform.runLater(afterStop);
            }
        });
    }

    /**
     * The window says at once that PgPulse is stopping and what it may wait for: calls in flight get the
     * configured shutdown grace, then the pools close under them and the embedded server is stopped.
     */
    private void showStopping(Stage stage) {
        long grace = launch.config().resilience().shutdownGrace().toSeconds();
        Label what = new Label("Stopping PgPulse… (waiting up to " + grace + " s for calls in flight)");
        what.setId("stopping");
        VBox pane = new VBox(16, new ProgressIndicator(), what);
        pane.setAlignment(Pos.CENTER);
        pane.setPadding(new Insets(40));
        pane.getStyleClass().add("console");
        pane.getStylesheets().add(ConsoleApp.class.getResource("console.css").toExternalForm());
        stage.getScene().setRoot(pane);
    }

    private void stopEverything(ConsoleWindow w, ConsolePrefs prefs) {
        try {
            // not interrupted: an embedded server half-way through initdb would be left running; a start
            // finishes (bounded by startup.wait) and is then closed like any other
            if (!starter.awaitTermination(90, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("PgPulse was still starting 90 s after the window closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Runnable step : java.util.List.<Runnable>of(
                () -> {
                    if (w != null) {
                        w.close();
                    }
                },
                () -> save(prefs),
                () -> {
                    if (demo != null) {
                        demo.close();
                    }
                },
                () -> {
                    if (orchestrator != null) {
                        orchestrator.close();
                    }
                })) {
            try {
                step.run();
            } catch (RuntimeException e) {
                LOG.warn("while stopping: {}", e.toString());
            }
        }
    }

    /** JavaFX exiting some other way than the window's close button still stops everything. */
    @Override
    public void stop() throws InterruptedException {
        if (stopping) {
            return;
        }
        stopping = true;
        ConsoleWindow w = window;
        ConsolePrefs prefs = w == null ? launch.prefs() : w.prefs();
        Thread t = Thread.ofPlatform().name("pgpulse-console-stop").start(() -> stopEverything(w, prefs));
        t.join(java.time.Duration.ofSeconds(30));
    }
}
