package dev.pgpulse.ui;

import dev.pgpulse.config.Environment;
import dev.pgpulse.demo.DemoWorkload;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.ui.dashboard.DashboardTab;
import dev.pgpulse.ui.dashboard.DashboardView;
import dev.pgpulse.ui.dashboard.DashboardViewModel;
import dev.pgpulse.ui.fx.BackgroundTask;
import dev.pgpulse.ui.fx.FxDialogs;
import dev.pgpulse.ui.fx.MetricsPoller;
import dev.pgpulse.ui.fx.StatePseudoClass;
import dev.pgpulse.ui.shell.ConsoleActions;
import dev.pgpulse.ui.shell.ConsoleTab;
import dev.pgpulse.ui.shell.Dialogs;
import dev.pgpulse.ui.shell.OrchestratorActions;
import javafx.animation.PauseTransition;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.StringConverter;
import org.controlsfx.control.StatusBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The console's window content for a running {@link Orchestrator}: a header (target, environment, embedded or
 * external, overall health, time of the last snapshot, poll interval, demo workload toggle), a {@link TabPane}
 * built from the {@link ConsoleTabs} list, and a status bar. One {@link MetricsPoller} feeds every tab; the
 * window tells a tab when it is shown or hidden. The orchestrator is used here only to compose: the tabs get
 * {@link ConsoleActions}. Anything that could block (a drill, the demo workload's start and stop, saving
 * preferences) runs on the console's own background thread, never on the FX thread.
 */
public final class ConsoleWindow implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleWindow.class);

    private final ConsoleViewModel header;
    private final List<ConsoleTab> tabList;
    private final Map<Tab, ConsoleTab> byTab = new IdentityHashMap<>();
    final TabPane tabs = new TabPane();
    private final ConsoleActions actions;
    private final MetricsPoller poller;
    private final BorderPane root = new BorderPane();
    private final ExecutorService background = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("pgpulse-ui-background").daemon().factory());
    /** The Query tab's runs, a thread each; a tab cancels its run on close, and this ends what is left. */
    private final ExecutorService queryRuns = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("pgpulse-query-", 1).daemon().factory());
    private final Consumer<ConsolePrefs> prefsChanged;
    private ConsolePrefs prefs;
    final ChoiceBox<Duration> interval = new ChoiceBox<>();
    final ToggleButton demoToggle = new ToggleButton();
    /** Opens the profiles dialog; shown once {@link #setProfiles} gave the window profiles to offer. */
    final Button profilesButton = new Button("Profiles…");
    private dev.pgpulse.ui.shell.ProfileActions profiles;
    private volatile dev.pgpulse.ui.profiles.ProfilesWindow profilesWindow;
    private final FxDialogs dialogs;
    /** How long a {@link #notice} holds the status bar (a test shortens it). */
    static volatile Duration noticeShownFor = Duration.ofSeconds(20);
    private PauseTransition noticeShown;
    /** The status bar's own tooltip (its text in full), put back when a notice ends. */
    private Tooltip usualTooltip;
    private final boolean production;

    /**
     * @param demo         the demo workload when running on the embedded server, else null
     * @param prefsChanged told (on a background thread) whenever the user changes a preference
     */
    public ConsoleWindow(Orchestrator orchestrator, DemoWorkload demo, ConsolePrefs prefs,
                         Consumer<ConsolePrefs> prefsChanged) {
        this(orchestrator, demo, prefs, prefsChanged, ConsoleTabs::standard);
    }

    /** @param tabs builds the tab list ({@link ConsoleTabs#standard}; a test adds its own tab to it) */
    ConsoleWindow(Orchestrator orchestrator, DemoWorkload demo, ConsolePrefs prefs,
                  Consumer<ConsolePrefs> prefsChanged, Function<ConsoleTabs.Context, List<ConsoleTab>> tabs) {
        this.prefs = prefs;
        this.prefsChanged = prefsChanged;
        this.production = orchestrator.config().environment() == Environment.PRODUCTION;
        this.poller = new MetricsPoller(orchestrator::snapshot, prefs.pollInterval());
        this.header = new ConsoleViewModel(poller.pollsProperty());
        this.dialogs = new FxDialogs(this::window, STYLESHEET);
        this.actions = new OrchestratorActions(orchestrator, demo, background, queryRuns, poller::pollNow, dialogs);
        this.tabList = List.copyOf(tabs.apply(new ConsoleTabs.Context(prefs, new Confirming(), dialogs,
                this::notifyTransition)));
        poller.subscribe(header::apply);
        for (ConsoleTab t : tabList) {
            poller.subscribe(t::apply);
            poller.subscribeDeferred(t::applyDeferred);
            Tab tab = new Tab(t.title());
            tab.setId(t.id());
            byTab.put(tab, t);
            this.tabs.getTabs().add(tab);
        }
        this.tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        this.tabs.setId("tabs");
        // a tab's view is built when it is first selected; the first one at once
        this.tabs.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (was != null) {
                byTab.get(was).hidden();
            }
            if (now != null) {
                show(now);
            }
        });
        Tab first = this.tabs.getSelectionModel().getSelectedItem();
        if (first != null) {
            show(first);
        }
        root.setTop(new VBox(headerBar(), exitedBanner()));
        root.setCenter(this.tabs);
        root.setBottom(statusBar());
        root.getStyleClass().add("console");
        root.getStylesheets().add(STYLESHEET);
    }

    private static final String STYLESHEET = ConsoleWindow.class.getResource("console.css").toExternalForm();

    /** The window the console shows in, or null before it is in one. */
    private Window window() {
        return root.getScene() == null ? null : root.getScene().getWindow();
    }

    /** Starts polling. FX thread. */
    public void start() {
        poller.start();
    }

    public Parent root() {
        return root;
    }

    public MetricsPoller poller() {
        return poller;
    }

    private void show(Tab tab) {
        ConsoleTab t = byTab.get(tab);
        if (tab.getContent() == null) {
            tab.setContent(t.view());
        }
        t.shown();
    }

    /** The tabs, in the order they show. */
    public List<ConsoleTab> consoleTabs() {
        return tabList;
    }

    private DashboardTab dashboardTab() {
        return tabList.stream().filter(DashboardTab.class::isInstance).map(DashboardTab.class::cast).findFirst()
                .orElseThrow();
    }

    public DashboardViewModel dashboard() {
        return dashboardTab().viewModel();
    }

    public DashboardView dashboardView() {
        return dashboardTab().view();
    }

    public ConsoleViewModel header() {
        return header;
    }

    /** Which profile the window's target comes from (null: the one PgPulse was started on without a profile). FX thread. */
    public void showProfile(String name) {
        header.setProfile(name);
    }

    /**
     * Gives the window the profiles to offer: the header's Profiles… button opens the dialog (create, test, switch).
     * FX thread.
     */
    public void setProfiles(dev.pgpulse.ui.shell.ProfileActions actions) {
        this.profiles = actions;
        profilesButton.setVisible(actions != null);
        profilesButton.setManaged(actions != null);
    }

    /** Opens the profiles dialog (one at a time), or brings the open one to the front. FX thread. */
    public dev.pgpulse.ui.profiles.ProfilesWindow openProfiles() {
        if (profiles == null) {
            throw new IllegalStateException("this window has no profiles to offer");
        }
        if (profilesWindow == null || !profilesWindow.stage().isShowing()) {
            profilesWindow = new dev.pgpulse.ui.profiles.ProfilesWindow(profiles, window(), STYLESHEET);
        }
        profilesWindow.show();
        return profilesWindow;
    }

    /** Tests and headless runs switch off popups (notices are still coalesced and kept: {@link #dialogs}). */
    public void setNotifications(boolean on) {
        dialogs.setPopups(on);
    }

    /** The confirmations and notifications of this window. */
    public FxDialogs dialogs() {
        return dialogs;
    }

    /** The preferences as they are now (window size is the caller's to add). */
    public ConsolePrefs prefs() {
        return prefs;
    }

    private Parent headerBar() {
        Label name = new Label("PgPulse");
        name.getStyleClass().add("brand");
        name.setMinWidth(Region.USE_PREF_SIZE);
        Label profile = badge("profile");
        profile.textProperty().bind(header.profileProperty());
        profile.visibleProperty().bind(header.profileProperty().isNotEmpty());
        profile.managedProperty().bind(profile.visibleProperty());
        Label target = new Label();
        target.setId("target");
        target.textProperty().bind(header.targetProperty());
        target.getStyleClass().add("target");
        // the one label that gives way when the window is narrow; the full target is on hover
        target.setMinWidth(60);
        Tooltip targetTip = new Tooltip();
        targetTip.textProperty().bind(header.targetProperty());
        target.setTooltip(targetTip);
        Label env = badge("environment");
        env.textProperty().bind(header.environmentTextProperty());
        StatePseudoClass.follow(env, header.environmentProperty(), e -> e == null ? "" : e.name());
        // no empty coloured box before the first snapshot names the environment
        env.visibleProperty().bind(header.environmentProperty().isNotNull());
        env.managedProperty().bind(env.visibleProperty());
        Label mode = badge("mode");
        mode.textProperty().bind(header.modeProperty());
        Label health = badge("health-badge");
        health.textProperty().bind(header.healthProperty());
        StatePseudoClass.follow(health, header.healthProperty(), h -> h.equals("RUNNING") ? "UP" : h);
        Label updated = new Label();
        updated.setId("last-snapshot");
        updated.textProperty().bind(header.lastSnapshotProperty());
        updated.setMinWidth(Region.USE_PREF_SIZE);

        interval.setId("interval");
        interval.getItems().setAll(ConsolePrefs.POLL_INTERVALS);
        interval.setConverter(new StringConverter<>() {
            @Override
            public String toString(Duration d) {
                return ConsoleViewModel.intervalWords(d);
            }

            @Override
            public Duration fromString(String s) {
                throw new UnsupportedOperationException();
            }
        });
        interval.setValue(prefs.pollInterval());
        interval.setMinWidth(Region.USE_PREF_SIZE);
        interval.valueProperty().addListener((o, a, d) -> {
            if (d != null) {
                poller.setInterval(d);
                tabList.forEach(t -> t.pollInterval(d));
                changePrefs(prefs.withPollInterval(d));
            }
        });

        demoToggle.setId("demo-toggle");
        demoToggle.setVisible(actions.demoAvailable());
        demoToggle.setManaged(actions.demoAvailable());
        demoToggle.setSelected(actions.demoRunning());
        demoToggle.textProperty().bind(Bindings.when(demoToggle.selectedProperty()).then("Demo workload: on")
                .otherwise("Demo workload: off"));
        demoToggle.setMinWidth(Region.USE_PREF_SIZE);
        demoToggle.selectedProperty().addListener((o, a, on) -> {
            changePrefs(prefs.withDemoWorkload(on));
            actions.demoWorkload(on);
        });

        profilesButton.setId("profiles-button");
        profilesButton.setMinWidth(Region.USE_PREF_SIZE);
        profilesButton.setVisible(false);
        profilesButton.setManaged(false);
        profilesButton.setOnAction(e -> openProfiles());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(10, name, profile, target, env, mode, spacer, health, updated, interval, demoToggle,
                profilesButton);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(8, 10, 8, 10));
        bar.getStyleClass().add("header");
        return bar;
    }

    /**
     * Shown only once the embedded server's postmaster has exited: says so, and offers to start it again on the
     * same data folder (off the FX thread; the pools and breakers recover by themselves).
     */
    private Parent exitedBanner() {
        Label what = new Label();
        what.setId("embedded-exited");
        what.textProperty().bind(header.embeddedExitedProperty());
        Button restart = new Button("Restart");
        restart.setId("restart-embedded");
        restart.setOnAction(e -> {
            restart.setDisable(true);
            restart.setText("Restarting…");
            actions.restartEmbedded(failure -> {
                restart.setDisable(false);
                restart.setText("Restart");
                failure.ifPresent(f -> notice("The embedded PostgreSQL could not be restarted", f));
            });
        });
        HBox banner = new HBox(10, what, restart);
        banner.setId("embedded-exited-banner");
        banner.setAlignment(Pos.CENTER_LEFT);
        banner.setPadding(new Insets(6, 10, 6, 10));
        banner.getStyleClass().add("header");
        banner.visibleProperty().bind(header.embeddedExitedProperty().isNotEmpty());
        banner.managedProperty().bind(banner.visibleProperty());
        return banner;
    }

    private StatusBar statusBar() {
        StatusBar bar = new StatusBar();
        bar.setId("status-bar");
        bar.textProperty().bind(header.statusTextProperty());
        Tooltip full = new Tooltip();
        full.textProperty().bind(header.statusTextProperty());
        full.setWrapText(true);
        full.setMaxWidth(600);
        bar.setTooltip(full);
        // a long status gives way (at a word: console.css), never the counts on the right
        Label alerts = new Label();
        alerts.setId("alerts-firing");
        alerts.textProperty().bind(header.alertsFiringProperty());
        Label polls = new Label();
        polls.setId("snapshot-count");
        polls.textProperty().bind(header.snapshotCountProperty());
        Label dot = new Label(" · ");
        for (Label l : List.of(alerts, dot, polls)) {
            l.setMinWidth(Region.USE_PREF_SIZE);
        }
        bar.getRightItems().addAll(alerts, dot, polls);
        return bar;
    }

    /** A header badge: bold white on a colour that console.css picks from the badge's id and state. */
    private static Label badge(String id) {
        Label l = new Label();
        l.setId(id);
        l.getStyleClass().add("badge");
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }

    /**
     * Shows {@code brief} in the status bar once, for {@link #noticeShownFor}, with {@code full} on hover; then the
     * bar's usual text returns. A later notice replaces an earlier one. FX thread.
     */
    public void notice(String brief, String full) {
        StatusBar bar = (StatusBar) root.lookup("#status-bar");
        if (noticeShown != null) {
            noticeShown.stop();
        }
        if (noticeShown == null) {
            usualTooltip = bar.getTooltip();
        }
        bar.textProperty().unbind();
        bar.setText(brief);
        Tooltip tip = new Tooltip(full);
        tip.setWrapText(true);
        tip.setMaxWidth(700);
        bar.setTooltip(tip);
        noticeShown = new PauseTransition(javafx.util.Duration.millis(noticeShownFor.toMillis()));
        noticeShown.setOnFinished(e -> {
            bar.textProperty().bind(header.statusTextProperty());
            bar.setTooltip(usualTooltip);
            noticeShown = null;
        });
        noticeShown.play();
    }

    /** The text the status bar shows now (a notice, or the usual one). */
    String statusBarText() {
        return ((StatusBar) root.lookup("#status-bar")).getText();
    }

    private void changePrefs(ConsolePrefs next) {
        prefs = next;
        BackgroundTask.run("save preferences", () -> prefsChanged.accept(next))
                .onFailure(e -> LOG.warn("console preferences not saved: {}", e.getMessage()))
                .start(background);
    }

    /** The actions the tabs get: a drill on a production target asks first, then goes to the orchestrator. */
    private final class Confirming implements ConsoleActions {
        @Override
        public void drill(String endpoint, Guard.Drill drill) {
            if (confirmed(endpoint, drill)) {
                actions.drill(endpoint, drill);
            }
        }

        @Override
        public void demoWorkload(boolean on) {
            actions.demoWorkload(on);
        }

        @Override
        public boolean demoAvailable() {
            return actions.demoAvailable();
        }

        @Override
        public void restartEmbedded(java.util.function.Consumer<java.util.Optional<String>> done) {
            actions.restartEmbedded(done);
        }

        @Override
        public boolean demoRunning() {
            return actions.demoRunning();
        }

        @Override
        public void saveRules(java.util.List<dev.pgpulse.health.alert.AlertRule> rules, long basedOn,
                              java.util.function.Consumer<dev.pgpulse.health.alert.RuleBook.Outcome> done) {
            actions.saveRules(rules, basedOn, done);
        }

        @Override
        public void resetRules(long basedOn, java.util.function.Consumer<dev.pgpulse.health.alert.RuleBook.Outcome> done) {
            actions.resetRules(basedOn, done);
        }

        @Override
        public void acknowledge(dev.pgpulse.health.alert.AlertKey alert) {
            actions.acknowledge(alert);
        }

        @Override
        public void silence(String ruleId, String subject, java.time.Duration length, String comment,
                            java.util.function.Consumer<java.util.Optional<String>> done) {
            actions.silence(ruleId, subject, length, comment, done);
        }

        @Override
        public void expireSilence(String silenceId) {
            actions.expireSilence(silenceId);
        }

        @Override
        public void sendTestAlert(java.util.function.Consumer<String> done) {
            actions.sendTestAlert(done);
        }

        @Override
        public dev.pgpulse.ui.shell.QueryActions queries() {
            return actions.queries(); // the tab asks before a production write itself, with the statement in view
        }

        @Override
        public dev.pgpulse.ui.shell.ServerActions server() {
            return actions.server(); // the tab confirms each signal itself, with the sessions in view
        }

        @Override
        public void exportPrometheus(java.nio.file.Path file, java.util.function.Consumer<String> done) {
            actions.exportPrometheus(file, done);
        }

        @Override
        public dev.pgpulse.ui.shell.OperationsActions operations() {
            return actions.operations(); // the tab asks before a production migration or any restore and delete
        }
    }

    /**
     * A drill on a production target asks first (putting a forced endpoint back into routing too), with Cancel
     * as the default. The drill then runs on the background thread: its transition is logged and published to
     * listeners synchronously.
     */
    private boolean confirmed(String endpoint, Guard.Drill drill) {
        return !production || dialogs.confirm(drillConfirmation(endpoint, drill));
    }

    static Dialogs.Confirmation drillConfirmation(String endpoint, Guard.Drill drill) {
        return switch (drill) {
            case FORCE_OPEN -> new Dialogs.Confirmation("Force the " + endpoint + " circuit breaker open?",
                    "This is a PRODUCTION target. Forcing the " + endpoint + " breaker open makes every call to it "
                            + "fail at once and takes it out of routing until you set it back to normal.", "Force open");
            case FORCE_CLOSED -> new Dialogs.Confirmation("Force the " + endpoint + " circuit breaker closed?",
                    "This is a PRODUCTION target. Forcing the " + endpoint + " breaker closed lets calls through "
                            + "however often they fail, until you set it back to normal.", "Force closed");
            case NORMAL -> new Dialogs.Confirmation("Set the " + endpoint + " circuit breaker back to normal?",
                    "This is a PRODUCTION target. Setting the " + endpoint + " breaker back to normal puts the "
                            + "endpoint back into routing with an empty failure window.", "Back to normal");
        };
    }

    private void notifyTransition(ResilienceEvent.BreakerTransition t) {
        // an outage flips OPEN and HALF-OPEN every wait: tell the DBA when it starts and when it ends, not each probe
        if (t.to() == BreakerState.HALF_OPEN || (t.from() == BreakerState.HALF_OPEN && t.to() == BreakerState.OPEN)) {
            return;
        }
        dialogs.notify(new Dialogs.Notice(t.to() == BreakerState.CLOSED ? Dialogs.Severity.INFO : Dialogs.Severity.WARNING,
                ConsoleViewModel.notificationTitle(t), ConsoleViewModel.notificationText(t)));
    }

    /**
     * Stops polling, then lets the background thread finish what is queued (a preference save, a demo switch)
     * for up to five seconds. Call it off the FX thread when it may wait; the demo workload and the orchestrator
     * are the caller's.
     */
    @Override
    public void close() {
        dev.pgpulse.ui.profiles.ProfilesWindow dialog = profilesWindow;
        if (dialog != null) {
            javafx.application.Platform.runLater(() -> dialog.stage().close());
        }
        poller.close();
        dialogs.close();
        for (ConsoleTab t : tabList) {
            try {
                t.close();
            } catch (RuntimeException e) {
                LOG.warn("tab {} did not close cleanly: {}", t.id(), e.getMessage());
            }
        }
        background.shutdown();
        queryRuns.shutdownNow();
        try {
            if (!background.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("console background work still running after 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
