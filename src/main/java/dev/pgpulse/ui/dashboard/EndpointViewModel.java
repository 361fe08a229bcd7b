package dev.pgpulse.ui.dashboard;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.ServerStats;
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

import java.util.List;

/** One endpoint's row of the dashboard as FX properties, set from each snapshot on the FX thread. */
public final class EndpointViewModel {
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
    final ObjectProperty<List<History.Point>> points = new SimpleObjectProperty<>(List.of());
    final StringProperty health = new SimpleStringProperty("UNKNOWN");
    final StringProperty healthReason = new SimpleStringProperty("waiting for the first health sample");
    final StringProperty probe = new SimpleStringProperty("");
    final StringProperty replayLag = new SimpleStringProperty("");

    EndpointViewModel(String name, EndpointConfig.Role role) {
        this.name = name;
        this.role = role;
    }

    void apply(java.time.Instant at, PoolSnapshot pool, BreakerSnapshot breaker, EndpointTraffic traffic,
               EndpointStatus status, History history) {
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
            History.Point p = history.add(at, pool, traffic);
            if (!Double.isNaN(p.callsPerSecond())) {
                callsPerSecond.set(p.callsPerSecond());
            }
            p50Ms.set(p.p50Ms());
            p95Ms.set(p.p95Ms());
            p99Ms.set(p.p99Ms());
            points.set(history.points(name));
        }
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
}
