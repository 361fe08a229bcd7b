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
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One endpoint's row of the dashboard as read-only FX properties, set from each snapshot on the FX thread: every
 * text ready to show, numbers only where the gauge, a chart or a colour needs them. The charts draw
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
    /** The gauge's figures. */
    private final ReadOnlyIntegerWrapper poolActive = new ReadOnlyIntegerWrapper(this, "poolActive");
    private final ReadOnlyIntegerWrapper poolMax = new ReadOnlyIntegerWrapper(this, "poolMax", 1);
    private final ReadOnlyStringWrapper poolInUse = new ReadOnlyStringWrapper(this, "poolInUse");
    private final ReadOnlyStringWrapper poolDetail = new ReadOnlyStringWrapper(this, "poolDetail");
    private final ReadOnlyStringWrapper acquireP95 = new ReadOnlyStringWrapper(this, "acquireP95");
    /** Null until the first snapshot with this endpoint's breaker. */
    private final ReadOnlyObjectWrapper<BreakerState> breakerState = new ReadOnlyObjectWrapper<>(this, "breakerState");
    private final ReadOnlyStringWrapper breakerWords = new ReadOnlyStringWrapper(this, "breakerWords");
    private final ReadOnlyStringWrapper breakerMeaning = new ReadOnlyStringWrapper(this, "breakerMeaning");
    private final ReadOnlyStringWrapper failures = new ReadOnlyStringWrapper(this, "failures");
    private final ReadOnlyStringWrapper slowCalls = new ReadOnlyStringWrapper(this, "slowCalls");
    private final ReadOnlyStringWrapper rejected = new ReadOnlyStringWrapper(this, "rejected");
    private final ReadOnlyDoubleWrapper callsPerSecond = new ReadOnlyDoubleWrapper(this, "callsPerSecond");
    private final ReadOnlyStringWrapper throughput = new ReadOnlyStringWrapper(this, "throughput");
    private final ReadOnlyStringWrapper p50 = new ReadOnlyStringWrapper(this, "p50");
    private final ReadOnlyStringWrapper p95 = new ReadOnlyStringWrapper(this, "p95");
    private final ReadOnlyStringWrapper p99 = new ReadOnlyStringWrapper(this, "p99");
    /** The charts' series: acquire p95; calls per second; p50, p95, p99 (in that order). */
    private final ReadOnlyObjectWrapper<List<MetricHistory.Series>> acquireTrend =
            new ReadOnlyObjectWrapper<>(this, "acquireTrend", List.of());
    private final ReadOnlyObjectWrapper<List<MetricHistory.Series>> throughputTrend =
            new ReadOnlyObjectWrapper<>(this, "throughputTrend", List.of());
    private final ReadOnlyObjectWrapper<List<MetricHistory.Series>> latencyTrend =
            new ReadOnlyObjectWrapper<>(this, "latencyTrend", List.of());
    private final ReadOnlyStringWrapper inFlight = new ReadOnlyStringWrapper(this, "inFlight", "");
    private final ReadOnlyObjectWrapper<InFlightLevel> inFlightLevel =
            new ReadOnlyObjectWrapper<>(this, "inFlightLevel", InFlightLevel.NORMAL);
    private MetricHistory.View charted;
    private EndpointTraffic lastTraffic;
    private Instant lastTrafficAt;
    private final ReadOnlyStringWrapper health = new ReadOnlyStringWrapper(this, "health", "UNKNOWN");
    private final ReadOnlyStringWrapper healthReason = new ReadOnlyStringWrapper(this, "healthReason",
            "waiting for the first health sample");
    private final ReadOnlyStringWrapper probe = new ReadOnlyStringWrapper(this, "probe", "");
    private final ReadOnlyStringWrapper replayLag = new ReadOnlyStringWrapper(this, "replayLag", "");
    private final ReadOnlyStringWrapper serving = new ReadOnlyStringWrapper(this, "serving", "");
    private final ReadOnlyStringWrapper reads = new ReadOnlyStringWrapper(this, "reads", "");
    private final javafx.beans.property.ReadOnlyBooleanWrapper outOfReads =
            new javafx.beans.property.ReadOnlyBooleanWrapper(this, "outOfReads", false);

    EndpointViewModel(String name, EndpointConfig.Role role) {
        this.name = name;
        this.role = role;
        // what the tiles say before the first snapshot
        setPool(0, 0, 0, 0, 1, 0);
        setBreaker(null, -1, 0, -1, 0, 0);
        setCallsPerSecond(0);
        setLatency(0, 0, 0);
    }

    /**
     * @param at         when the service's figures were taken
     * @param history    the core's metric history as of this snapshot
     * @param chartStart the oldest time a chart shows (the console's history window back from the snapshot)
     * @param inFlightCalls calls running on this endpoint (from the moment its breaker lets them through, waiting for
     *                   a connection included), and {@code oldest} how long the oldest of them has been running
     */
    void apply(Instant at, PoolSnapshot pool, BreakerSnapshot breaker, EndpointTraffic traffic, EndpointStatus status,
               MetricHistory.View history, Instant chartStart, int inFlightCalls, Duration oldest) {
        if (pool != null) {
            setPool(pool.active(), pool.idle(), pool.total(), pool.awaiting(), pool.max(), pool.acquireP95Ms());
        }
        if (breaker != null) {
            setBreaker(breaker.state(), breaker.failureRate(), breaker.failureRateThreshold(), breaker.slowCallRate(),
                    breaker.slowCallRateThreshold(), breaker.notPermittedCalls());
        }
        if (traffic != null) {
            // the figure is live, from poll to poll: a hung server's throughput drops at once, before the next
            // health sample (which the hang holds up) adds a point to the chart
            if (lastTraffic != null) {
                double rate = traffic.callsPerSecondSince(lastTraffic, Duration.between(lastTrafficAt, at));
                if (!Double.isNaN(rate)) {
                    setCallsPerSecond(rate);
                }
            }
            lastTraffic = traffic;
            lastTrafficAt = at;
            setLatency(traffic.p50Ms(), traffic.p95Ms(), traffic.p99Ms());
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
            // with several hosts listed, which of them answers (for the primary: takes the writes) is news; the host a
            // failed probe last reached stays shown, the probe line says it failed
            if (status.severalHosts() && status.servingHost() != null) {
                serving.set("on " + status.servingHost());
            } else if (!status.severalHosts()) {
                serving.set("");
            }
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

    private void setPool(int active, int idle, int total, int awaiting, int max, double acquireP95Ms) {
        poolMax.set(Math.max(1, max));
        poolActive.set(active);
        poolInUse.set(active + " of " + poolMax.get());
        poolDetail.set("idle " + idle + " · total " + total + " · waiting " + awaiting);
        acquireP95.set(Format.ms(acquireP95Ms));
    }

    private void setBreaker(BreakerState state, double failureRate, double failureThreshold, double slowCallRate,
                            double slowCallThreshold, long notPermitted) {
        breakerState.set(state);
        breakerWords.set(state == null ? "UNKNOWN" : state.label());
        breakerMeaning.set(meaning(state));
        failures.set("failures " + Format.rate(failureRate) + " (limit " + Format.rate(failureThreshold) + ")");
        slowCalls.set("slow calls " + Format.rate(slowCallRate) + " (limit " + Format.rate(slowCallThreshold) + ")");
        rejected.set("rejected calls: " + notPermitted);
    }

    /** What the breaker's state means for calls. */
    private static String meaning(BreakerState state) {
        return state == null ? "" : switch (state) {
            case CLOSED -> "calls flow";
            case HALF_OPEN -> "letting trial calls through";
            case OPEN -> "failing fast, retrying later";
            case FORCED_OPEN -> "drill: every call fails fast";
            case FORCED_CLOSED -> "drill: failures are ignored";
            case METRICS_ONLY -> "counting, never opens";
        };
    }

    private void setCallsPerSecond(double rate) {
        callsPerSecond.set(rate);
        throughput.set(Format.compact(rate) + " calls/s");
    }

    private void setLatency(double p50Ms, double p95Ms, double p99Ms) {
        p50.set("p50 " + Format.compact(p50Ms));
        p95.set("p95 " + Format.compact(p95Ms));
        p99.set("p99 " + Format.compact(p99Ms));
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

    /** The row's heading: "primary  (primary · writes and reads)". */
    public String heading() {
        return name + (role == EndpointConfig.Role.PRIMARY ? "  (primary · writes and reads)" : "  (replica · reads)");
    }

    /** Connections in use, the gauge's value. */
    public ReadOnlyIntegerProperty poolActiveProperty() {
        return poolActive.getReadOnlyProperty();
    }

    /** The pool's size (at least 1), the gauge's maximum. */
    public ReadOnlyIntegerProperty poolMaxProperty() {
        return poolMax.getReadOnlyProperty();
    }

    /** "2 of 5". */
    public ReadOnlyStringProperty poolInUseProperty() {
        return poolInUse.getReadOnlyProperty();
    }

    /** "idle 3 · total 5 · waiting 0". */
    public ReadOnlyStringProperty poolDetailProperty() {
        return poolDetail.getReadOnlyProperty();
    }

    /** "0.42 ms": the pool's acquire time, 95th percentile. */
    public ReadOnlyStringProperty acquireP95Property() {
        return acquireP95.getReadOnlyProperty();
    }

    /** Null until the first snapshot with this endpoint's breaker (the state words' colour follows it). */
    public ReadOnlyObjectProperty<BreakerState> breakerStateProperty() {
        return breakerState.getReadOnlyProperty();
    }

    /** The state as a DBA reads it, "UNKNOWN" before the first snapshot. */
    public ReadOnlyStringProperty breakerWordsProperty() {
        return breakerWords.getReadOnlyProperty();
    }

    /** What the state means for calls: "calls flow". */
    public ReadOnlyStringProperty breakerMeaningProperty() {
        return breakerMeaning.getReadOnlyProperty();
    }

    /** "failures 12% (limit 50%)". */
    public ReadOnlyStringProperty failuresProperty() {
        return failures.getReadOnlyProperty();
    }

    /** "slow calls 0% (limit 100%)". */
    public ReadOnlyStringProperty slowCallsProperty() {
        return slowCalls.getReadOnlyProperty();
    }

    /** "rejected calls: 3". */
    public ReadOnlyStringProperty rejectedProperty() {
        return rejected.getReadOnlyProperty();
    }

    /** "p50 1.20" (ms). */
    public ReadOnlyStringProperty p50Property() {
        return p50.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty p95Property() {
        return p95.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty p99Property() {
        return p99.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty healthProperty() {
        return health.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty healthReasonProperty() {
        return healthReason.getReadOnlyProperty();
    }

    /** "probe round trip 1.50 ms", "probe failed". */
    public ReadOnlyStringProperty probeProperty() {
        return probe.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty callsPerSecondProperty() {
        return callsPerSecond.getReadOnlyProperty();
    }

    /** "12.3 calls/s". */
    public ReadOnlyStringProperty throughputProperty() {
        return throughput.getReadOnlyProperty();
    }

    /** "replay lag 4.2 s · 12.0 kB" on a standby, empty on a primary. */
    /** A replica's place in the read rotation (empty for the primary); null when not a replica. */
    void reads(dev.pgpulse.service.ReadRotation.State state) {
        if (state == null) {
            reads.set("");
            outOfReads.set(false);
            return;
        }
        outOfReads.set(!state.inRotation());
        reads.set(state.inRotation() ? "takes reads" : "out of reads: " + state.reason());
    }

    /** "takes reads", or "out of reads: " and why; empty on the primary. */
    public ReadOnlyStringProperty readsProperty() {
        return reads.getReadOnlyProperty();
    }

    public javafx.beans.property.ReadOnlyBooleanProperty outOfReadsProperty() {
        return outOfReads.getReadOnlyProperty();
    }

    /** "on db2:5433": the host serving an endpoint that lists several; empty for an endpoint of one host. */
    public ReadOnlyStringProperty servingProperty() {
        return serving.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty replayLagProperty() {
        return replayLag.getReadOnlyProperty();
    }

    /** "3 in flight · oldest 12 s": the service's calls running now, on any endpoint. */
    public ReadOnlyStringProperty inFlightProperty() {
        return inFlight.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<InFlightLevel> inFlightLevelProperty() {
        return inFlightLevel.getReadOnlyProperty();
    }

    /** The acquire chart's series: acquire p95. */
    public ReadOnlyObjectProperty<List<MetricHistory.Series>> acquireTrendProperty() {
        return acquireTrend.getReadOnlyProperty();
    }

    /** The throughput chart's series: calls per second. */
    public ReadOnlyObjectProperty<List<MetricHistory.Series>> throughputTrendProperty() {
        return throughputTrend.getReadOnlyProperty();
    }

    /** The latency chart's series: p50, p95, p99. */
    public ReadOnlyObjectProperty<List<MetricHistory.Series>> latencyTrendProperty() {
        return latencyTrend.getReadOnlyProperty();
    }
}
