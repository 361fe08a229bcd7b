package dev.pgpulse.ui.dashboard;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.health.alert.MetricKeys;
import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerSnapshot;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.service.EndpointTraffic;
import dev.pgpulse.ui.Format;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One endpoint's row of the dashboard as FX properties, set from each snapshot on the FX thread. The charts draw
 * the core's metric history ({@link MetricHistory}), cut to the console's history window.
 */
public final class EndpointViewModel {
    /** How the calls in flight look: normal, worth a look (amber), or as good as hung (red). */
    public enum InFlightLevel { NORMAL, SLOW, STUCK }

    /**
     * The oldest call in flight is SLOW from here: four times the default slow-query threshold (500 ms), and two
     * polls at the default interval, so a healthy workload never shows it and a hang does within two polls.
     */
    static final Duration OLDEST_SLOW = Duration.ofSeconds(2);
    /** ... and STUCK from here: longer than any statement of an interactive workload should run. */
    static final Duration OLDEST_STUCK = Duration.ofSeconds(10);

    private final String name;
    private final EndpointConfig.Role role;
    final IntegerProperty poolActive = new SimpleIntegerProperty();
    final IntegerProperty poolMax = new SimpleIntegerProperty(1);
    final IntegerProperty poolIdle = new SimpleIntegerProperty();
    final IntegerProperty poolTotal = new SimpleIntegerProperty();
    final IntegerProperty poolAwaiting = new SimpleIntegerProperty();
    final DoubleProperty acquireP95Ms = new SimpleDoubleProperty();
    /** Null until the first snapshot with this endpoint's breaker. */
    final ObjectProperty<BreakerState> breakerState = new SimpleObjectProperty<>();
    final DoubleProperty failureRate = new SimpleDoubleProperty(-1);
    final DoubleProperty failureThreshold = new SimpleDoubleProperty();
    final DoubleProperty slowCallRate = new SimpleDoubleProperty(-1);
    final DoubleProperty slowCallThreshold = new SimpleDoubleProperty();
    final LongProperty notPermitted = new SimpleLongProperty();
    final DoubleProperty callsPerSecond = new SimpleDoubleProperty();
    final DoubleProperty p50Ms = new SimpleDoubleProperty();
    final DoubleProperty p95Ms = new SimpleDoubleProperty();
    final DoubleProperty p99Ms = new SimpleDoubleProperty();
    /** The charts' series: acquire p95; calls per second; p50, p95, p99 (in that order). */
    final ObjectProperty<List<MetricHistory.Series>> acquireTrend = new SimpleObjectProperty<>(List.of());
    final ObjectProperty<List<MetricHistory.Series>> throughputTrend = new SimpleObjectProperty<>(List.of());
    final ObjectProperty<List<MetricHistory.Series>> latencyTrend = new SimpleObjectProperty<>(List.of());
    final StringProperty inFlight = new SimpleStringProperty("");
    final ObjectProperty<InFlightLevel> inFlightLevel = new SimpleObjectProperty<>(InFlightLevel.NORMAL);
    private MetricHistory.View charted;
    private EndpointTraffic lastTraffic;
    private Instant lastTrafficAt;
    final StringProperty health = new SimpleStringProperty("UNKNOWN");
    final StringProperty healthReason = new SimpleStringProperty("waiting for the first health sample");
    final StringProperty probe = new SimpleStringProperty("");
    final StringProperty replayLag = new SimpleStringProperty("");

    EndpointViewModel(String name, EndpointConfig.Role role) {
        this.name = name;
        this.role = role;
    }

    /**
     * @param at         when the service's figures were taken
     * @param history    the core's metric history as of this snapshot
     * @param chartStart the oldest time a chart shows (the console's history window back from the snapshot)
     * @param inFlightCalls calls the service is running, on any endpoint (a call's endpoint is known only once
     *                   it is routed), and {@code oldest} how long the oldest of them has been running
     */
    void apply(Instant at, PoolSnapshot pool, BreakerSnapshot breaker, EndpointTraffic traffic, EndpointStatus status,
               MetricHistory.View history, Instant chartStart, int inFlightCalls, Duration oldest) {
        if (pool != null) {
            poolMax.set(Math.max(1, pool.max()));
            poolActive.set(pool.active());
            poolIdle.set(pool.idle());
            poolTotal.set(pool.total());
            poolAwaiting.set(pool.awaiting());
            acquireP95Ms.set(pool.acquireP95Ms());
        }
        if (breaker != null) {
            breakerState.set(breaker.state());
            failureRate.set(breaker.failureRate());
            failureThreshold.set(breaker.failureRateThreshold());
            slowCallRate.set(breaker.slowCallRate());
            slowCallThreshold.set(breaker.slowCallRateThreshold());
            notPermitted.set(breaker.notPermittedCalls());
        }
        if (traffic != null) {
            // the figure is live, from poll to poll: a hung server's throughput drops at once, before the next
            // health sample (which the hang holds up) adds a point to the chart
            if (lastTraffic != null) {
                double rate = traffic.callsPerSecondSince(lastTraffic, Duration.between(lastTrafficAt, at));
                if (!Double.isNaN(rate)) {
                    callsPerSecond.set(rate);
                }
            }
            lastTraffic = traffic;
            lastTrafficAt = at;
            p50Ms.set(traffic.p50Ms());
            p95Ms.set(traffic.p95Ms());
            p99Ms.set(traffic.p99Ms());
        }
        if (history != charted) {
            // a new sample in the history (one per health sample): redraw; between samples nothing changed
            charted = history;
            MetricHistory.Series calls = series(history, "traffic.<endpoint>.calls_per_second", chartStart);
            acquireTrend.set(List.of(series(history, "pool.<endpoint>.acquire_p95_ms", chartStart)));
            throughputTrend.set(List.of(calls));
            latencyTrend.set(List.of(series(history, "traffic.<endpoint>.p50_ms", chartStart),
                    series(history, "traffic.<endpoint>.p95_ms", chartStart),
                    series(history, "traffic.<endpoint>.p99_ms", chartStart)));
        }
        inFlight.set(inFlightWords(inFlightCalls, oldest));
        inFlightLevel.set(inFlightCalls == 0 ? InFlightLevel.NORMAL : oldest.compareTo(OLDEST_STUCK) >= 0
                ? InFlightLevel.STUCK : oldest.compareTo(OLDEST_SLOW) >= 0 ? InFlightLevel.SLOW : InFlightLevel.NORMAL);
        if (status != null) {
            health.set(status.status().name());
            healthReason.set(status.reasons().isEmpty() ? "" : String.join("; ", status.reasons()));
            probe.set(status.reachable() ? "probe round trip " + Format.ms(status.latencyMs()) : "probe failed");
            ServerStats s = status.server();
            if (s != null && s.inRecovery()) {
                replayLag.set(s.replayLagSeconds() == null ? "replay lag unknown"
                        : "replay lag " + Format.seconds(s.replayLagSeconds())
                        + (s.replayLagBytes() == null ? "" : " · " + Format.bytes(s.replayLagBytes())));
            } else {
                replayLag.set("");
            }
        }
    }

    private MetricHistory.Series series(MetricHistory.View history, String documentedKey, Instant start) {
        return history.series(MetricKeys.of(documentedKey, name)).since(start);
    }

    /** "none in flight", "3 in flight · oldest 12 s". */
    static String inFlightWords(int calls, Duration oldest) {
        return calls <= 0 ? "none in flight"
                : calls + " in flight · oldest " + Format.seconds(oldest.toNanos() / 1e9);
    }

    public String name() {
        return name;
    }

    public EndpointConfig.Role role() {
        return role;
    }

    public IntegerProperty poolActiveProperty() {
        return poolActive;
    }

    public IntegerProperty poolMaxProperty() {
        return poolMax;
    }

    public IntegerProperty poolAwaitingProperty() {
        return poolAwaiting;
    }

    public ObjectProperty<BreakerState> breakerStateProperty() {
        return breakerState;
    }

    public StringProperty healthProperty() {
        return health;
    }

    public StringProperty healthReasonProperty() {
        return healthReason;
    }

    public DoubleProperty callsPerSecondProperty() {
        return callsPerSecond;
    }

    /** "replay lag 4.2 s · 12.0 kB" on a standby, empty on a primary. */
    public StringProperty replayLagProperty() {
        return replayLag;
    }

    public DoubleProperty p95MsProperty() {
        return p95Ms;
    }

    /** "3 in flight · oldest 12 s": the service's calls running now, on any endpoint. */
    public StringProperty inFlightProperty() {
        return inFlight;
    }

    public ObjectProperty<InFlightLevel> inFlightLevelProperty() {
        return inFlightLevel;
    }
}
