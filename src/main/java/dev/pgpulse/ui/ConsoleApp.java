package dev.pgpulse.ui;

import dev.pgpulse.demo.BillRepository;
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

    private final ExecutorService background = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("pgpulse-console").factory());
    private final ConsolePrefs.Store store = new ConsolePrefs.Store();
    private volatile Orchestrator orchestrator;
    private volatile DemoWorkload demo;
    private ConsoleWindow window;
    private boolean stopping;

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
        VBox starting = new VBox(16, spinner, what);
        starting.setAlignment(Pos.CENTER);
        starting.setPadding(new Insets(40));
        starting.getStyleClass().add("console");
        starting.getStylesheets().add(ConsoleApp.class.getResource("console.css").toExternalForm());
        stage.setScene(new Scene(starting, l.prefs().windowWidth(), l.prefs().windowHeight()));
        stage.setOnCloseRequest(e -> {
            e.consume();
            shutdown(stage);
        });
        stage.show();
        background.execute(() -> startCore(stage, l));
    }

    private void startCore(Stage stage, Console.Launch l) {
        try {
            Orchestrator o = Orchestrator.start(l.config(), l.options());
            orchestrator = o;
            if (o.embedded().isPresent()) {
                DemoWorkload d = new DemoWorkload(o.service(), new BillRepository(o.service()),
                        o.config().resilience().slowQueryThreshold());
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
                LOG.info("console open on {}", o.target());
            });
        } catch (Exception | Error e) {
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

    /** Preferences are saved on the console's background thread (never the FX thread). */
    private void save(ConsolePrefs prefs) {
        try {
            store.save(launch.prefsFile(), prefs);
        } catch (IOException e) {
            LOG.warn("{}", e.getMessage());
        }
    }

    Orchestrator orchestrator() {
        return orchestrator;
    }

    ConsoleWindow window() {
        return window;
    }

    private void shutdown(Stage stage) {
        if (stopping) {
            return;
        }
        stopping = true;
        ConsolePrefs prefs = (window == null ? launch.prefs() : window.prefs())
                .withWindow(stage.getWidth(), stage.getHeight());
        if (window != null) {
            window.close();
        }
        stage.setTitle("PgPulse — stopping…");
        background.execute(() -> {
            save(prefs);
            if (demo != null) {
                demo.close();
            }
            if (orchestrator != null) {
                orchestrator.close();
            }
            Platform.runLater(afterStop);
        });
        background.shutdown();
    }
}
