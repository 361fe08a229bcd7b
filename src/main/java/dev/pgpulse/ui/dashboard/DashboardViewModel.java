package dev.pgpulse.ui.dashboard;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.CounterHistory;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerSnapshot;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.service.EndpointTraffic;
import dev.pgpulse.service.ServiceSnapshot;
import dev.pgpulse.service.SlowQuery;
import dev.pgpulse.ui.Format;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The Dashboard's state, set from each {@link Snapshot} on the FX thread: one {@link EndpointViewModel} per
 * endpoint, the primary server's strip, the latest slow queries and the breaker and retry event log. The view
 * only binds to it. The charts show the last {@code historyWindow} of the snapshot's metric history.
 */
public final class DashboardViewModel {
    /** A slow query as the table shows it. */
    public record SlowQueryRow(String time, String operation, String endpoint, String duration, String sql) {
    }

    /** A breaker or retry event as the table shows it. */
    public record EventRow(String time, String kind, String subject, String detail) {
    }

    private static final int TABLE_ROWS = 100;

    private final Duration historyWindow;
    private final Map<String, EndpointViewModel> byName = new LinkedHashMap<>();
    private final ObservableList<EndpointViewModel> endpoints = FXCollections.observableArrayList();
    private final ObservableList<SlowQueryRow> slowQueries = FXCollections.observableArrayList();
    private final ObservableList<EventRow> events = FXCollections.observableArrayList();
    private final List<Consumer<ResilienceEvent.BreakerTransition>> transitionListeners = new CopyOnWriteArrayList<>();
    private final ReadOnlyStringWrapper connections = new ReadOnlyStringWrapper(this, "connections", "–");
    private final ReadOnlyStringWrapper connectionsCaption = new ReadOnlyStringWrapper(this, "connectionsCaption",
            "not sampled");
    private final ReadOnlyDoubleWrapper tps = new ReadOnlyDoubleWrapper(this, "tps");
    private final ReadOnlyStringWrapper tpsText = new ReadOnlyStringWrapper(this, "tpsText", tpsWords(0));
    private final ReadOnlyStringWrapper rollbackRatio = new ReadOnlyStringWrapper(this, "rollbackRatio", "–");
    private final ReadOnlyStringWrapper cacheHitRatio = new ReadOnlyStringWrapper(this, "cacheHitRatio", "–");
    private final ReadOnlyStringWrapper longestTransaction = new ReadOnlyStringWrapper(this, "longestTransaction", "–");
    private final ReadOnlyStringWrapper serverNote = new ReadOnlyStringWrapper(this, "serverNote",
            "waiting for the first health sample");
    private List<ResilienceEvent> lastEvents = List.of();
    private List<SlowQuery> lastSlow = List.of();
    private EventRow startRow;
    /** When this window started watching: its line sits among the events by time (a target switched back to
     * has events from before it). */
    private java.time.Instant startAt;
    /** Each endpoint's health as last seen, and its changes, newest first: the log keeps a reason whole. */
    private final Map<String, dev.pgpulse.health.HealthStatus> lastHealth = new java.util.HashMap<>();
    private final java.util.Deque<Timed> healthChanges = new java.util.ArrayDeque<>();
    private boolean healthChanged;

    private record Timed(java.time.Instant at, EventRow row) {
    }
    /** Events already in the log when the console started are shown, not announced. */
    private boolean baselineTaken;

    public DashboardViewModel(Duration historyWindow) {
        if (historyWindow.isNegative() || historyWindow.isZero()) {
            throw new IllegalArgumentException("history window must be positive, but was " + historyWindow);
        }
        this.historyWindow = historyWindow;
    }

    /** Applies one snapshot's tiles and server strip. FX thread. */
    public void apply(Snapshot s) {
        ServiceSnapshot svc = s.service();
        HealthSnapshot h = s.health();
        for (PoolSnapshot pool : svc.pools()) {
            EndpointViewModel vm = byName.get(pool.endpoint());
            if (vm == null) {
                vm = new EndpointViewModel(pool.endpoint(), pool.endpoint().equals("primary") ? EndpointConfig.Role.PRIMARY
                        : EndpointConfig.Role.REPLICA);
                byName.put(pool.endpoint(), vm);
                endpoints.add(vm);
            }
            BreakerSnapshot breaker = svc.breakers().stream().filter(b -> b.endpoint().equals(pool.endpoint()))
                    .findFirst().orElse(null);
            EndpointTraffic traffic = svc.traffic().stream().filter(t -> t.endpoint().equals(pool.endpoint()))
                    .findFirst().orElse(null);
            EndpointStatus status = h == null ? null : h.endpoint(pool.endpoint()).orElse(null);
            vm.apply(svc.at(), pool, breaker, traffic, status, s.history(), s.at().minus(historyWindow),
                    traffic == null ? 0 : traffic.callsInFlight(),
                    traffic == null ? Duration.ZERO : traffic.oldestCallInFlight());
            vm.reads(svc.reads(pool.endpoint()).orElse(null));
            if (status != null) {
                noteHealth(h, status);
            }
        }
        applyServer(h);
    }

    /** Applies one snapshot's tables (slow queries, events); separate so the console can do it a frame later. */
    public void applyTables(Snapshot s) {
        if (startRow == null) {
            // the log's first line: when this console started watching, and the breakers as it found them
            startAt = s.at();
            startRow = new EventRow(Format.time(s.at()), "console", "all endpoints", "watching since here; breakers "
                    + String.join(", ", s.service().breakers().stream().map(b -> b.endpoint() + " " + b.state().label()).toList()));
            events.setAll(startRow);
        }
        applySlowQueries(s.service().slowQueries());
        applyEvents(s.service().events());
    }

    /** A change of an endpoint's health (not the first sample) becomes a line of the event log, its reasons whole. */
    private void noteHealth(HealthSnapshot h, EndpointStatus status) {
        var was = lastHealth.put(status.endpoint(), status.status());
        if (was == null || was == status.status()) {
            return;
        }
        healthChanges.addFirst(new Timed(h.at(), new EventRow(Format.time(h.at()), "health", status.endpoint(),
                was + " → " + status.status() + (status.reasons().isEmpty() ? "" : ": " + String.join("; ",
                        status.reasons())))));
        while (healthChanges.size() > TABLE_ROWS) {
            healthChanges.removeLast();
        }
        healthChanged = true;
    }

    private void applyServer(HealthSnapshot h) {
        EndpointStatus primary = h == null ? null : h.endpoint("primary").orElse(null);
        ServerStats st = primary == null ? null : primary.server();
        if (st == null) {
            serverNote.set(h == null ? "waiting for the first health sample" : "server figures unavailable: "
                    + (primary == null || primary.reasons().isEmpty() ? "primary not sampled"
                    : String.join("; ", primary.reasons())));
            // no stale figures: a value shown is a value read in the latest sample
            connections.set("–");
            connectionsCaption.set("not sampled");
            setTps(Double.NaN);
            rollbackRatio.set("–");
            cacheHitRatio.set("–");
            longestTransaction.set("–");
            return;
        }
        serverNote.set("PostgreSQL " + st.serverVersion() + " · sampled " + Format.time(st.at())
                + (st.ratesKnown() ? "" : " · rates after " + CounterHistory.RATE_WINDOW.toSeconds() + " s of samples"));
        connections.set(st.connectionsUsed() + " / " + st.connectionsAvailable());
        connectionsCaption.set(String.format(Locale.ROOT, "%.0f%% of what clients may use", st.connectionsUsedRatio() * 100));
        setTps(st.ratesKnown() ? st.tps() : Double.NaN);
        rollbackRatio.set(st.ratesKnown() ? Format.ratio(st.rollbackRatio()) : "–");
        cacheHitRatio.set(Format.ratio(st.cacheHitRatio()));
        longestTransaction.set(st.longestTransactionSeconds() <= 0 ? "none" : Format.seconds(st.longestTransactionSeconds()));
    }

    private void setTps(double v) {
        tps.set(v);
        tpsText.set(tpsWords(v));
    }

    /** Transactions per second with one decimal, a dash while unknown. */
    private static String tpsWords(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
    }

    private void applySlowQueries(List<SlowQuery> slow) {
        if (slow.equals(lastSlow)) {
            return;
        }
        lastSlow = slow;
        List<SlowQueryRow> rows = new ArrayList<>();
        for (int i = slow.size() - 1; i >= 0 && rows.size() < TABLE_ROWS; i--) {
            SlowQuery q = slow.get(i);
            rows.add(new SlowQueryRow(Format.time(q.at()), q.operation(), q.endpoint(),
                    Format.ms(q.duration().toNanos() / 1e6), q.sql() == null ? "(no SQL given)" : q.sql()));
        }
        slowQueries.setAll(rows);
    }

    private void applyEvents(List<ResilienceEvent> all) {
        if (baselineTaken && all.equals(lastEvents) && !healthChanged) {
            return;
        }
        healthChanged = false;
        List<ResilienceEvent> fresh = newSince(lastEvents, all);
        boolean first = !baselineTaken;
        baselineTaken = true;
        lastEvents = all;
        List<Timed> timed = new ArrayList<>(healthChanges);
        for (int i = all.size() - 1, n = 0; i >= 0 && n < TABLE_ROWS; i--) {
            ResilienceEvent e = all.get(i);
            if (!(e instanceof ResilienceEvent.SlowCall)) {
                timed.add(new Timed(e.at(), row(e)));
                n++;
            }
        }
        timed.sort(java.util.Comparator.comparing(Timed::at).reversed());
        List<EventRow> rows = new ArrayList<>(timed.stream().limit(TABLE_ROWS).map(Timed::row).toList());
        if (rows.size() < TABLE_ROWS) {
            // below every event since, above any from before (a target switched back to keeps its own log)
            int at = 0;
            while (at < timed.size() && at < rows.size() && !timed.get(at).at().isBefore(startAt)) {
                at++;
            }
            rows.add(at, startRow);
        }
        events.setAll(rows);
        if (!first) {
            for (ResilienceEvent e : fresh) {
                if (e instanceof ResilienceEvent.BreakerTransition t) {
                    transitionListeners.forEach(l -> l.accept(t));
                }
            }
        }
    }

    /** The events of {@code now} after the last one of {@code before} (the log is a sliding window). */
    static List<ResilienceEvent> newSince(List<ResilienceEvent> before, List<ResilienceEvent> now) {
        if (before.isEmpty()) {
            return now;
        }
        ResilienceEvent last = before.getLast();
        int at = now.lastIndexOf(last);
        return at < 0 ? now : now.subList(at + 1, now.size());
    }

    private static EventRow row(ResilienceEvent e) {
        String time = Format.time(e.at());
        return switch (e) {
            case ResilienceEvent.BreakerTransition t ->
                    new EventRow(time, "breaker", t.endpoint(), t.from().label() + " → " + t.to().label());
            case ResilienceEvent.RetryScheduled r -> new EventRow(time, "retry", r.operation(),
                    "attempt " + r.attempt() + " failed, next in " + Format.ms(r.backoff().toNanos() / 1e6)
                            + (r.error() == null ? "" : ": " + r.error()));
            case ResilienceEvent.CommitResolved c -> new EventRow(time, "commit", c.operation(),
                    "lost COMMIT of xid " + c.xid() + " on " + c.endpoint() + ": " + c.outcome().toLowerCase(Locale.ROOT));
            case ResilienceEvent.SlowCall sc -> new EventRow(time, "slow", sc.operation(), Format.ms(sc.duration().toNanos() / 1e6));
            case ResilienceEvent.ReplicaRotation rr -> new EventRow(time, "reads", rr.endpoint(),
                    (rr.inRotation() ? "back in the read rotation: " : "out of the read rotation: ") + rr.reason());
            case ResilienceEvent.PrimaryMoved pm -> new EventRow(time, "primary", pm.endpoint(),
                    "writes go to " + pm.to() + " now (was " + pm.from() + ")");
        };
    }

    /** Called on the FX thread for each breaker transition seen after the first snapshot (for notifications). */
    public void onBreakerTransition(Consumer<ResilienceEvent.BreakerTransition> listener) {
        transitionListeners.add(listener);
    }

    public ObservableList<EndpointViewModel> endpoints() {
        return endpoints;
    }

    public EndpointViewModel endpoint(String name) {
        return byName.get(name);
    }

    public ObservableList<SlowQueryRow> slowQueries() {
        return slowQueries;
    }

    public ObservableList<EventRow> events() {
        return events;
    }

    /** "5 / 97": connections used of those clients may use, "–" while not sampled. */
    public ReadOnlyStringProperty connectionsProperty() {
        return connections.getReadOnlyProperty();
    }

    /** "5% of what clients may use", "not sampled". */
    public ReadOnlyStringProperty connectionsCaptionProperty() {
        return connectionsCaption.getReadOnlyProperty();
    }

    /** Transactions per second, NaN while unknown. */
    public ReadOnlyDoubleProperty tpsProperty() {
        return tps.getReadOnlyProperty();
    }

    /** "12.0", "–" while unknown. */
    public ReadOnlyStringProperty tpsTextProperty() {
        return tpsText.getReadOnlyProperty();
    }

    /** "0.5%", "–" while the rates are unknown. */
    public ReadOnlyStringProperty rollbackRatioProperty() {
        return rollbackRatio.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty cacheHitRatioProperty() {
        return cacheHitRatio.getReadOnlyProperty();
    }

    /** "9 min 11 s", "none", "–" while not sampled. */
    public ReadOnlyStringProperty longestTransactionProperty() {
        return longestTransaction.getReadOnlyProperty();
    }

    /** "PostgreSQL 16.4 · sampled 10:00:00", or why the server figures are missing. */
    public ReadOnlyStringProperty serverNoteProperty() {
        return serverNote.getReadOnlyProperty();
    }
}
