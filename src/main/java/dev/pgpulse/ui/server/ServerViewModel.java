package dev.pgpulse.ui.server;

import dev.pgpulse.server.Activity;
import dev.pgpulse.server.ActivityReader;
import dev.pgpulse.server.ActivitySampler;
import dev.pgpulse.server.ActivityThresholds;
import dev.pgpulse.server.BlockingTree;
import dev.pgpulse.server.ServerReadings;
import dev.pgpulse.server.Session;
import dev.pgpulse.service.Result;
import dev.pgpulse.ui.Format;
import dev.pgpulse.ui.shell.Dialogs;
import dev.pgpulse.ui.shell.ServerActions;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.control.TreeItem;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Server tab's state: the last activity reading as rows (filtered here, sorted by the table), the blocking
 * tree, the selection, and the signals to the selected sessions, confirmed first. PgPulse's own sessions are
 * refused unless {@link #includeOwnProperty} is set. Fed readings on the FX thread by the sampler it owns, which
 * runs only between {@link #start} and {@link #stop}.
 */
public final class ServerViewModel {
    static final int QUERY_SHOWN = 300;

    /** The tab's panes: live activity, and the readings read when their pane is entered or refreshed. */
    public enum Section {
        ACTIVITY("Activity"),
        LOCKS("Locks", ServerReadings.Kind.LOCKS),
        REPLICATION("Replication", ServerReadings.Kind.STANDBYS, ServerReadings.Kind.SLOTS),
        STATEMENTS("Top statements", ServerReadings.Kind.STATEMENTS),
        TABLES("Tables and indexes", ServerReadings.Kind.TABLES, ServerReadings.Kind.UNUSED_INDEXES);

        private final String title;
        private final List<ServerReadings.Kind> kinds;

        Section(String title, ServerReadings.Kind... kinds) {
            this.title = title;
            this.kinds = List.of(kinds);
        }

        public String title() {
            return title;
        }

        public List<ServerReadings.Kind> kinds() {
            return kinds;
        }
    }

    private final java.util.Map<ServerReadings.Kind, ReadoutViewModel> readouts =
            new java.util.EnumMap<>(ServerReadings.Kind.class);
    private Section section = Section.ACTIVITY;
    private boolean shown;

    private final ServerActions actions;
    private final Dialogs dialogs;
    private final ActivityThresholds thresholds;
    /** Made when the tab is first shown: a console never shown this tab asks the core for nothing. */
    private volatile ActivitySampler sampler;
    private Duration interval;
    private volatile boolean closed;
    /** Guards the sampler's life: created, started, stopped and closed under it. */
    private final Object life = new Object();
    private final ObservableList<SessionRow> rows = FXCollections.observableArrayList();
    private final ObjectProperty<TreeItem<SessionRow>> tree = new SimpleObjectProperty<>(this, "tree",
            new TreeItem<>());
    private final BooleanProperty hideIdle = new SimpleBooleanProperty(this, "hideIdle", true);
    private final BooleanProperty background = new SimpleBooleanProperty(this, "background", false);
    private final BooleanProperty includeOwn = new SimpleBooleanProperty(this, "includeOwn", false);
    private final StringProperty minDuration = new SimpleStringProperty(this, "minDuration", "");
    private final StringProperty text = new SimpleStringProperty(this, "text", "");
    private final StringProperty status = new SimpleStringProperty(this, "status", "Not read yet");
    private final StringProperty outcome = new SimpleStringProperty(this, "outcome", "");
    private final StringProperty treeStatus = new SimpleStringProperty(this, "treeStatus", "");
    private final BooleanProperty failed = new SimpleBooleanProperty(this, "failed");
    private final BooleanProperty nothingSelected = new SimpleBooleanProperty(this, "nothingSelected", true);
    private final BooleanProperty signalling = new SimpleBooleanProperty(this, "signalling");
    private final BooleanProperty refreshing = new SimpleBooleanProperty(this, "refreshing");
    private final Set<Integer> selected = new LinkedHashSet<>();
    private Activity last;

    public ServerViewModel(ServerActions actions, Dialogs dialogs, Duration interval) {
        this.actions = actions;
        this.dialogs = dialogs;
        this.thresholds = actions.thresholds();
        this.interval = interval;
        for (ServerReadings.Kind k : ServerReadings.Kind.values()) {
            readouts.put(k, new ReadoutViewModel(actions, k));
        }
        hideIdle.addListener((o, a, b) -> refilter());
        background.addListener((o, a, b) -> refilter());
        minDuration.addListener((o, a, b) -> refilter());
        text.addListener((o, a, b) -> refilter());
    }

    /** The tab is shown: the activity is sampled while its pane is the one shown, another pane is read. */
    public void start() {
        synchronized (life) {
            shown = true;
            enter();
        }
    }

    /** The tab is hidden: nothing is read. */
    public void stop() {
        synchronized (life) {
            shown = false;
            if (sampler != null) {
                sampler.stop();
            }
        }
    }

    /** The DBA chose a pane. */
    public void show(Section s) {
        synchronized (life) {
            section = s;
            if (shown) {
                enter();
            }
        }
    }

    /** Reads the shown pane's readings again. */
    public void refresh() {
        if (shown) {
            section.kinds().forEach(k -> readouts.get(k).load());
        }
    }

    /** Under {@link #life}: a close on another thread either comes first (nothing is started) or after. */
    private void enter() {
        if (closed) {
            return;
        }
        if (section == Section.ACTIVITY) {
            if (sampler == null) {
                sampler = actions.sampler(interval, this::apply);
            }
            sampler.start();
        } else {
            if (sampler != null) {
                sampler.stop();
            }
            refresh();
        }
    }

    public ReadoutViewModel readout(ServerReadings.Kind kind) {
        return readouts.get(kind);
    }

    /** Stops the sampler for good; may be called from any thread, racing {@link #start()} on the FX thread. */
    public void close() {
        synchronized (life) {
            closed = true;
            if (sampler != null) {
                sampler.close();
            }
        }
    }

    /** The poll interval changed: the activity is read at the new one. */
    public void interval(Duration interval) {
        synchronized (life) {
            this.interval = interval;
            if (sampler != null) {
                sampler.interval(interval);
            }
        }
    }

    public Duration interval() {
        return interval;
    }

    /** How many readings the tab has sent to the server: the sampler's and the other panes'. */
    public long reads() {
        return (sampler == null ? 0 : sampler.reads()) + readouts.values().stream().mapToLong(ReadoutViewModel::reads).sum();
    }

    /** A reading (FX thread). */
    void apply(Result<Activity> r) {
        switch (r) {
            case Result.Success<Activity> ok -> {
                last = ok.value();
                failed.set(false);
                selected.retainAll(last.sessions().stream().map(Session::pid).collect(Collectors.toSet()));
                nothingSelected.set(selected.isEmpty());
                refreshing.set(true);
                try {
                    refilter();
                    tree.set(treeOf(last));
                } finally {
                    refreshing.set(false);
                }
            }
            case Result.Failure<Activity> f -> {
                failed.set(true);
                status.set("Could not read pg_stat_activity on " + (f.endpoint() == null ? "the primary" : f.endpoint())
                        + ": " + f.message());
            }
        }
    }

    private void refilter() {
        if (last == null) {
            return;
        }
        double min = minSeconds();
        String needle = text.get() == null ? "" : text.get().strip().toLowerCase(Locale.ROOT);
        List<SessionRow> shown = new ArrayList<>();
        int active = 0;
        int blocked = 0;
        for (Session s : last.sessions()) {
            active += s.active() ? 1 : 0;
            blocked += s.blocked() ? 1 : 0;
            if (hideIdle.get() && s.idle()) {
                continue;
            }
            if (!background.get() && !"client backend".equals(s.backendType())) {
                continue;
            }
            if (min > 0 && (s.duration() == null || seconds(s.duration()) < min)) {
                continue;
            }
            if (!needle.isEmpty() && !matches(s, needle)) {
                continue;
            }
            shown.add(row(s, false));
        }
        boolean outer = refreshing.get();
        refreshing.set(true);
        try {
            rows.setAll(shown);
        } finally {
            refreshing.set(outer);
        }
        status.set(String.format(Locale.ROOT, "%d sessions on %s (%d shown), %d active, %d waiting for a lock · read at %s",
                last.sessions().size(), last.endpoint(), shown.size(), active, blocked, Format.time(last.at())));
    }

    private double minSeconds() {
        String m = minDuration.get() == null ? "" : minDuration.get().strip();
        if (m.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Double.parseDouble(m));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean matches(Session s, String needle) {
        for (String v : new String[] {s.user(), s.database(), s.application(), s.client()}) {
            if (v != null && v.toLowerCase(Locale.ROOT).contains(needle)) {
                return true;
            }
        }
        return false;
    }

    private TreeItem<SessionRow> treeOf(Activity a) {
        TreeItem<SessionRow> root = new TreeItem<>();
        List<BlockingTree.Node> nodes = a.blockingTree();
        for (BlockingTree.Node n : nodes) {
            root.getChildren().add(item(n));
        }
        int blocked = nodes.stream().mapToInt(n -> n.size() - 1).sum();
        treeStatus.set(nodes.isEmpty() ? "No session waits for another"
                : String.format(Locale.ROOT, "%d root blocker%s, %d session%s waiting", nodes.size(),
                nodes.size() == 1 ? "" : "s", blocked, blocked == 1 ? "" : "s"));
        return root;
    }

    private TreeItem<SessionRow> item(BlockingTree.Node n) {
        TreeItem<SessionRow> item = new TreeItem<>(row(n.session(), n.root()));
        item.setExpanded(true);
        for (BlockingTree.Node c : n.children()) {
            item.getChildren().add(item(c));
        }
        return item;
    }

    SessionRow row(Session s, boolean root) {
        String pidText = s.pid() + (root ? (s.blocked() ? " ⟳ cycle" : " ● root blocker") : "");
        String wait = s.waitEventType() == null ? "" : s.waitEventType() + (s.waitEvent() == null ? "" : ": " + s.waitEvent());
        String lock = s.lockMode() == null ? "" : s.lockMode() + " on "
                + (s.lockRelation() != null ? s.lockRelation() + (s.lockType() != null && !"relation".equals(s.lockType())
                ? " (" + s.lockType() + ")" : "") : s.lockType());
        String query = s.query() == null ? "" : oneLine(s.query());
        return new SessionRow(s.pid(), pidText, nz(s.user()), nz(s.database()),
                nz(s.application()) + (s.own() ? " (PgPulse)" : ""), nz(s.client()), nz(s.backendType()),
                nz(s.state()), wait, time(s.xactStart()), time(s.queryStart()), duration(s.duration()),
                s.blockedBy().stream().map(String::valueOf).collect(Collectors.joining(", ")), lock,
                duration(s.lockWait()), query, s.own(), thresholds.longRunning(s), thresholds.idleTooLong(s),
                s.blocked(), root);
    }

    private static String oneLine(String q) {
        String one = q.replaceAll("\\s+", " ").strip();
        return one.length() > QUERY_SHOWN ? one.substring(0, QUERY_SHOWN) + "…" : one;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    private static Shown duration(Duration d) {
        return d == null ? Shown.NONE : new Shown(Format.seconds(seconds(d)), seconds(d));
    }

    private static Shown time(Instant at) {
        return at == null ? Shown.NONE : new Shown(Format.time(at), at.toEpochMilli());
    }

    /** The sessions the DBA selected (in the table or the tree). */
    public void select(List<Integer> pids) {
        selected.clear();
        selected.addAll(pids);
        nothingSelected.set(selected.isEmpty());
    }

    public Set<Integer> selected() {
        return Set.copyOf(selected);
    }

    /** Cancels the selected sessions' queries, confirmed first. */
    public void cancelSelected() {
        signal(ActivityReader.Signal.CANCEL);
    }

    /** Terminates the selected sessions' backends, confirmed first. */
    public void terminateSelected() {
        signal(ActivityReader.Signal.TERMINATE);
    }

    private void signal(ActivityReader.Signal signal) {
        if (selected.isEmpty() || last == null) {
            outcome.set("Select one or more sessions first");
            return;
        }
        List<Session> chosen = last.sessions().stream().filter(s -> selected.contains(s.pid())).toList();
        List<Session> own = chosen.stream().filter(Session::own).toList();
        List<Session> go = chosen.stream().filter(s -> includeOwn.get() || !s.own()).toList();
        String refused = own.isEmpty() || includeOwn.get() ? "" : "Refused " + pids(own)
                + ": PgPulse's own session" + (own.size() == 1 ? "" : "s")
                + " (tick \"Include PgPulse's own sessions\" to signal " + (own.size() == 1 ? "it" : "them") + ")";
        if (go.isEmpty()) {
            outcome.set(refused);
            return;
        }
        boolean cancel = signal == ActivityReader.Signal.CANCEL;
        if (!dialogs.confirm(SignalText.confirmation(signal, go, actions.production()))) {
            outcome.set(cancel ? "Cancel not sent" : "Terminate not sent");
            return;
        }
        signalling.set(true);
        outcome.set((cancel ? "Cancelling " : "Terminating ") + pids(go) + "…");
        actions.signal(go.stream().map(Session::backend).toList(), signal, out -> {
            signalling.set(false);
            outcome.set(SignalText.outcome(out) + (refused.isEmpty() ? "" : "; " + refused));
            if (sampler != null) {
                sampler.sampleNow();
            }
        });
    }

    private static String pids(List<Session> sessions) {
        return sessions.stream().map(s -> "pid " + s.pid()).collect(Collectors.joining(", "));
    }

    public ObservableList<SessionRow> rows() {
        return FXCollections.unmodifiableObservableList(rows);
    }

    public ReadOnlyObjectProperty<TreeItem<SessionRow>> treeProperty() {
        return tree;
    }

    public BooleanProperty hideIdleProperty() {
        return hideIdle;
    }

    public BooleanProperty backgroundProperty() {
        return background;
    }

    public BooleanProperty includeOwnProperty() {
        return includeOwn;
    }

    public StringProperty minDurationProperty() {
        return minDuration;
    }

    public StringProperty textProperty() {
        return text;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    public ReadOnlyStringProperty outcomeProperty() {
        return outcome;
    }

    public ReadOnlyStringProperty treeStatusProperty() {
        return treeStatus;
    }

    public ReadOnlyBooleanProperty failedProperty() {
        return failed;
    }

    public ReadOnlyBooleanProperty nothingSelectedProperty() {
        return nothingSelected;
    }

    /** True while the rows and the tree are replaced: a selection lost meanwhile is not the DBA's doing. */
    public ReadOnlyBooleanProperty refreshingProperty() {
        return refreshing;
    }

    public ReadOnlyBooleanProperty signallingProperty() {
        return signalling;
    }

    /** Thresholds in words, for the legend. */
    public String legend() {
        return "Highlighted: active past " + Format.seconds(seconds(thresholds.longRunning()))
                + ", idle in transaction past " + Format.seconds(seconds(thresholds.idleInTransaction()))
                + " (the default alert rules)";
    }
}
