package dev.pgpulse.ui;

import dev.pgpulse.config.Environment;
import dev.pgpulse.embedded.EmbeddedState;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.orchestration.Status;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** The window's header and status bar, set from each snapshot on the FX thread. */
public final class ConsoleViewModel {
    final StringProperty target = new SimpleStringProperty("");
    /** Null until the first snapshot. */
    final ObjectProperty<Environment> environment = new SimpleObjectProperty<>();
    final BooleanProperty production = new SimpleBooleanProperty();
    final BooleanProperty embedded = new SimpleBooleanProperty();
    final StringProperty health = new SimpleStringProperty("STARTING");
    final StringProperty lastSnapshot = new SimpleStringProperty("no snapshot yet");
    final StringProperty statusText = new SimpleStringProperty("Starting…");
    final IntegerProperty alertsFiring = new SimpleIntegerProperty();
    /** "The embedded PostgreSQL exited at HH:MM:SS" once its postmaster is gone, else empty. */
    final StringProperty embeddedExited = new SimpleStringProperty("");

    public void apply(Snapshot s) {
        target.set(s.target());
        environment.set(s.environment());
        production.set(s.environment() == Environment.PRODUCTION);
        embedded.set(s.embedded());
        Status st = s.status();
        health.set(s.health() == null ? st.state().name() : s.health().status().name());
        lastSnapshot.set("updated " + Format.time(s.at()));
        embeddedExited.set(s.embeddedServer() != null && s.embeddedServer().phase() == EmbeddedState.Phase.EXITED
                ? "The embedded PostgreSQL exited at " + Format.time(s.embeddedServer().since()) : "");
        alertsFiring.set((int) s.activeAlerts().stream().filter(a -> a.state() == AlertState.FIRING).count());
        statusText.set(switch (st.state()) {
            case RUNNING -> "Running: every endpoint is up";
            // the lifecycle says DEGRADED for a DOWN primary too: the bar says what the health badge says
            case DEGRADED -> (s.health() != null && s.health().status() == HealthStatus.DOWN ? "Down: " : "Degraded: ")
                    + String.join("; ", st.reasons());
            case STARTING -> "Starting: " + String.join("; ", st.reasons());
            case STOPPING -> "Stopping…";
            case STOPPED -> "Stopped";
        });
    }

    public StringProperty healthProperty() {
        return health;
    }

    public StringProperty statusTextProperty() {
        return statusText;
    }

    public StringProperty embeddedExitedProperty() {
        return embeddedExited;
    }

    public StringProperty lastSnapshotProperty() {
        return lastSnapshot;
    }
}
