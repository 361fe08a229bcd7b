package dev.pgpulse.ui;

import dev.pgpulse.config.PgPulseConfig;
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
    /** Switches run here, one at a time, off the FX thread. */
    private final ExecutorService switcher = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("pgpulse-console-switch").daemon().factory());
    /** Each target's charts, event log and alert history, kept while PgPulse runs (never on disk). */
    private final java.util.Map<String, dev.pgpulse.orchestration.TargetMemory> memories =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Orchestrator orchestrator;
    private volatile DemoWorkload demo;
    private volatile ConsoleWindow window;
    /** Which target runs: the profile's name, or {@link #LAUNCH_TARGET} for what PgPulse was started on. */
    private volatile String targetKey;
    private volatile Stage stage;
    private AppProfiles appProfiles;
    /** The configuration the running target was started from (not the orchestrator's resolved one). */
    private volatile PgPulseConfig targetConfig;
    /** One switch at a time: a second one asked for meanwhile is refused. */
    private final java.util.concurrent.atomic.AtomicBoolean switching = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean stopping;
    /** The key of the target PgPulse was started on when no profile named it. */
    static final String LAUNCH_TARGET = "";
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
        this.stage = stage;
        try {
            String key = l.config().profile().orElse(LAUNCH_TARGET);
            Orchestrator o = Orchestrator.start(l.config(), l.options(), memory(l.config(), l.options()));
            orchestrator = o;
            targetKey = key;
            targetConfig = l.config();
            if (stopping) {
                return;
            }
            DemoWorkload d = demoFor(o, l.prefs());
            demo = d;
            Platform.runLater(() -> {
                if (stopping) {
                    return;
                }
                window = newWindow(o, d, l.prefs(), key);
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

    /**
     * The memory of the servers a configuration names (the embedded server's data folder, or every endpoint's
     * user@host:port/database): a profile renamed or edited to point elsewhere never shows another server's past,
     * and two profiles of the same servers share theirs.
     */
    private dev.pgpulse.orchestration.TargetMemory memory(PgPulseConfig config, Orchestrator.Options options) {
        String key = config.isEmbedded() && config.primary().isEmpty()
                ? "embedded " + config.embedded().map(e -> e.dataDir().toString()).orElse("")
                : String.join(" ", config.endpoints().stream().map(e -> e.displayTarget()).toList());
        return memories.computeIfAbsent(key, k -> dev.pgpulse.orchestration.TargetMemory.fresh(options.historyWindow()));
    }

    /** The demo workload on the embedded server (started when the preferences say so), else null. */
    private static DemoWorkload demoFor(Orchestrator o, ConsolePrefs prefs) {
        if (o.embedded().isEmpty()) {
            return null;
        }
        DemoWorkload d = o.demoWorkload();
        if (prefs.demoWorkload()) {
            d.start();
        }
        return d;
    }

    private ConsoleWindow newWindow(Orchestrator o, DemoWorkload d, ConsolePrefs prefs, String key) {
        ConsoleWindow w = new ConsoleWindow(o, d, prefs, this::save);
        w.showProfile(key.equals(LAUNCH_TARGET) ? null : key);
        AppProfiles p = profiles();
        if (p != null) {
            w.setProfiles(p);
        }
        return w;
    }

    /** The dialog's actions, made once: the passwords asked for live as long as PgPulse. */
    private synchronized AppProfiles profiles() {
        if (appProfiles == null && launch.profiles() != null) {
            appProfiles = new AppProfiles(launch.profiles(), this);
        }
        return appProfiles;
    }

    /** The configuration PgPulse was started with. */
    PgPulseConfig launchConfig() {
        return launch.config();
    }

    /** A profile renamed in the dialog: when it is the running one, the console follows its new name. FX thread. */
    void renamed(String from, String to) {
        if (from.equals(targetKey)) {
            targetKey = to;
            ConsoleWindow w = window;
            if (w != null) {
                w.showProfile(to);
            }
        }
    }

    /** The target that runs now: a profile's name, or {@link #LAUNCH_TARGET}. */
    String targetKey() {
        return targetKey;
    }

    /**
     * Switches the console to another target: starts an orchestrator on it (on its own {@link
     * dev.pgpulse.orchestration.TargetMemory}, so switching back shows its own recent history), and only once that
     * runs swaps the window and stops the previous one gracefully. A target that cannot be reached leaves the
     * previous one running: {@code done} gets the reason. Two embedded servers do not run at once: from the
     * embedded server to an embedded target, the running one stops first, and comes back if the new one fails.
     * FX thread; {@code done} runs on the FX thread.
     *
     * @param key    the profile's name, or {@link #LAUNCH_TARGET}
     * @param config the target's configuration, already resolved
     */
    void switchTo(String key, PgPulseConfig config, java.util.function.Consumer<java.util.Optional<String>> done) {
        Stage st = stage;
        if (stopping || st == null || window == null) {
            done.accept(java.util.Optional.of("PgPulse is " + (stopping ? "stopping" : "still starting")));
            return;
        }
        if (key.equals(targetKey)) {
            done.accept(java.util.Optional.of(shown(key) + " is what the console runs on now"));
            return;
        }
        if (!switching.compareAndSet(false, true)) {
            done.accept(java.util.Optional.of("another switch is under way; wait for it to finish"));
            return;
        }
        switcher.execute(() -> {
            java.util.Optional<String> failure;
            try {
                failure = swap(st, key, config);
            } catch (RuntimeException | Error e) {
                LOG.error("switch to {} failed", shown(key), e);
                failure = java.util.Optional.of(e.toString());
            } finally {
                switching.set(false);
            }
            java.util.Optional<String> f = failure;
            Platform.runLater(() -> {
                // the dialog may be gone with the window it came from: the window on screen says it too
                ConsoleWindow w = window;
                if (f.isPresent() && w != null && !stopping) {
                    w.notice("Could not switch to " + shown(key), f.get());
                }
                done.accept(f);
            });
        });
    }

    /** On the switcher thread: the window, orchestrator and demo read here are the ones running now. */
    private java.util.Optional<String> swap(Stage st, String key, PgPulseConfig config) {
        ConsoleWindow was = window;
        ConsolePrefs prefs = was.prefs();
        Orchestrator old = orchestrator;
        DemoWorkload oldDemo = demo;
        String oldKey = targetKey;
        PgPulseConfig oldConfig = targetConfig;
        boolean embeddedToEmbedded = old.embedded().isPresent() && config.isEmbedded() && config.primary().isEmpty();
        if (embeddedToEmbedded) {
            LOG.info("switching from the embedded server to {}: the running one stops first", shown(key));
            retire(was, oldDemo, old);
        }
        java.util.Optional<String> failure = start(st, key, config, prefs);
        if (failure.isEmpty()) {
            if (!embeddedToEmbedded) {
                retire(was, oldDemo, old);
            }
            LOG.info("console switched from {} to {} ({})", shown(oldKey), shown(key), orchestrator.target());
            return failure;
        }
        LOG.warn("could not switch to {}: {}; {}", shown(key), failure.get(), embeddedToEmbedded
                ? "starting the previous target again" : "still on " + shown(oldKey));
        if (embeddedToEmbedded && !stopping) {
            // the previous target is gone: bring it back, as a failed switch must not leave the console empty
            java.util.Optional<String> back = start(st, oldKey, oldConfig, prefs);
            return java.util.Optional.of(failure.get() + (back.isEmpty() ? "; back on " + shown(oldKey)
                    : "; and " + shown(oldKey) + " could not be started again: " + back.get()));
        }
        return failure;
    }

    /**
     * Starts a target and shows its window; on success it is the running target. On failure nothing of it is left
     * running and the running target (if any) is untouched; the reason comes back.
     */
    private java.util.Optional<String> start(Stage st, String key, PgPulseConfig config, ConsolePrefs prefs) {
        Orchestrator next;
        try {
            next = Orchestrator.start(config, launch.options().forTarget(config), memory(config, launch.options()));
        } catch (Exception e) {
            return java.util.Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        DemoWorkload nextDemo = null;
        java.util.Optional<String> failure;
        try {
            nextDemo = stopping ? null : demoFor(next, prefs);
            failure = stopping ? java.util.Optional.of("PgPulse is stopping") : install(st, next, nextDemo, prefs, key);
        } catch (RuntimeException e) {
            failure = java.util.Optional.of(e.toString());
        }
        if (failure.isPresent()) {
            if (nextDemo != null) {
                nextDemo.close();
            }
            next.close();
            return failure;
        }
        orchestrator = next;
        demo = nextDemo;
        targetKey = key;
        targetConfig = config;
        return failure;
    }

    /** Shows {@code o}'s window in the stage (waits for the FX thread to swap it in); why not, when it could not. */
    private java.util.Optional<String> install(Stage st, Orchestrator o, DemoWorkload d, ConsolePrefs prefs, String key) {
        java.util.concurrent.CompletableFuture<Boolean> shown = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();
        Platform.runLater(() -> {
            if (stopping || abandoned.get()) {
                shown.complete(false);
                return;
            }
            try {
                ConsoleWindow w = newWindow(o, d, prefs, key);
                window = w;
                st.getScene().setRoot(w.root());
                w.start();
                shown.complete(true);
            } catch (RuntimeException | Error e) {
                shown.completeExceptionally(e);
            }
        });
        try {
            return shown.get(30, java.util.concurrent.TimeUnit.SECONDS) ? java.util.Optional.empty()
                    : java.util.Optional.of("PgPulse is stopping");
        } catch (InterruptedException e) {
            abandoned.set(true);
            Thread.currentThread().interrupt();
            return java.util.Optional.of("interrupted while the window for " + shown(key) + " opened");
        } catch (java.util.concurrent.TimeoutException e) {
            abandoned.set(true);
            return java.util.Optional.of("the window for " + shown(key) + " did not open within 30 s");
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.error("the window for {} could not be built", shown(key), e.getCause());
            return java.util.Optional.of("the window for " + shown(key) + " could not be built: " + e.getCause());
        }
    }

    /** Stops a target's window, demo workload and orchestrator (graceful: calls in flight get the shutdown grace). */
    private void retire(ConsoleWindow w, DemoWorkload d, Orchestrator o) {
        for (Runnable step : java.util.List.<Runnable>of(w::close, () -> {
            if (d != null) {
                d.close();
            }
        }, o::close)) {
            try {
                step.run();
            } catch (RuntimeException e) {
                LOG.warn("while stopping the previous target: {}", e.toString());
            }
        }
    }

    static String shown(String key) {
        return key == null || key.equals(LAUNCH_TARGET) ? "the target PgPulse was started on" : "profile '" + key + "'";
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
            // a switch under way finishes (its new target starts, bounded by startup.wait) and is closed below
            switcher.shutdown();
            if (!switcher.awaitTermination(90, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("PgPulse was still switching targets 90 s after the window closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ConsoleWindow current = window;
        for (Runnable step : java.util.List.<Runnable>of(
                () -> {
                    if (w != null) {
                        w.close();
                    }
                    if (current != null && current != w) {
                        current.close();
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
                },
                () -> {
                    AppProfiles p = appProfiles;
                    if (p != null) {
                        p.close();
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
