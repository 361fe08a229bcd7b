package dev.pgpulse.ui;

import dev.pgpulse.config.Environment;
import dev.pgpulse.embedded.EmbeddedState;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.orchestration.Status;
import dev.pgpulse.resilience.ResilienceEvent;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableNumberValue;

import java.time.Duration;

/**
 * The window's header and status bar, set from each snapshot on the FX thread, every text ready to show: the
 * window only binds to its read-only properties. Also the words of the window's poll intervals and notices.
 */
public final class ConsoleViewModel {
    private final ReadOnlyStringWrapper target = new ReadOnlyStringWrapper(this, "target", "");
    /** Null until the first snapshot. */
    private final ReadOnlyObjectWrapper<Environment> environment = new ReadOnlyObjectWrapper<>(this, "environment");
    private final ReadOnlyStringWrapper environmentText = new ReadOnlyStringWrapper(this, "environmentText", "");
    private final ReadOnlyStringWrapper mode = new ReadOnlyStringWrapper(this, "mode", "EXTERNAL");
    private final ReadOnlyStringWrapper health = new ReadOnlyStringWrapper(this, "health", "STARTING");
    private final ReadOnlyStringWrapper lastSnapshot = new ReadOnlyStringWrapper(this, "lastSnapshot", "no snapshot yet");
    private final ReadOnlyStringWrapper statusText = new ReadOnlyStringWrapper(this, "statusText", "Starting…");
    private final ReadOnlyStringWrapper alertsFiring = new ReadOnlyStringWrapper(this, "alertsFiring", "no alert firing");
    private final ReadOnlyStringWrapper snapshotCount = new ReadOnlyStringWrapper(this, "snapshotCount");
    /** "Profile: NAME" when a profile names the target, else empty. */
    private final ReadOnlyStringWrapper profile = new ReadOnlyStringWrapper(this, "profile", "");
    /** "The embedded PostgreSQL exited at HH:MM:SS" once its postmaster is gone, else empty. */
    private final ReadOnlyStringWrapper embeddedExited = new ReadOnlyStringWrapper(this, "embeddedExited", "");

    /** @param polls how many snapshots the window's poller has taken */
    public ConsoleViewModel(ObservableNumberValue polls) {
        snapshotCount.bind(Bindings.createStringBinding(() -> polls.longValue() + " snapshots", polls));
    }

    /** The profile the window's target comes from, or null for the one PgPulse was started on without one. */
    public void setProfile(String name) {
        profile.set(name == null ? "" : "Profile: " + name);
    }

    public ReadOnlyStringProperty profileProperty() {
        return profile.getReadOnlyProperty();
    }

    public void apply(Snapshot s) {
        target.set(s.target());
        environment.set(s.environment());
        environmentText.set(s.environment() == null ? "" : s.environment().name());
        mode.set(s.embedded() ? "EMBEDDED" : "EXTERNAL");
        Status st = s.status();
        health.set(s.health() == null ? st.state().name() : s.health().status().name());
        lastSnapshot.set("updated " + Format.time(s.at()));
        embeddedExited.set(s.embeddedServer() != null && s.embeddedServer().phase() == EmbeddedState.Phase.EXITED
                ? "The embedded PostgreSQL exited at " + Format.time(s.embeddedServer().since()) : "");
        long firing = s.activeAlerts().stream().filter(a -> a.state() == AlertState.FIRING).count();
        alertsFiring.set(firing == 0 ? "no alert firing" : firing + " alert(s) firing");
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

    /** A poll interval as the header's choice shows it: "every 2 s", "every 0.5 s". */
    public static String intervalWords(Duration d) {
        return d == null ? "" : "every " + (d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s");
    }

    /** The title of the notification a breaker transition raises: "primary circuit breaker OPEN". */
    public static String notificationTitle(ResilienceEvent.BreakerTransition t) {
        return t.endpoint() + " circuit breaker " + t.to().label();
    }

    /** ... and its text: "was CLOSED at 10:00:00". */
    public static String notificationText(ResilienceEvent.BreakerTransition t) {
        return "was " + t.from().label() + " at " + Format.time(t.at());
    }

    public ReadOnlyStringProperty targetProperty() {
        return target.getReadOnlyProperty();
    }

    /** The target's environment (the badge's colour follows it), null until the first snapshot. */
    public ReadOnlyObjectProperty<Environment> environmentProperty() {
        return environment.getReadOnlyProperty();
    }

    /** "PRODUCTION", empty until the first snapshot. */
    public ReadOnlyStringProperty environmentTextProperty() {
        return environmentText.getReadOnlyProperty();
    }

    /** "EMBEDDED" or "EXTERNAL". */
    public ReadOnlyStringProperty modeProperty() {
        return mode.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty healthProperty() {
        return health.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusTextProperty() {
        return statusText.getReadOnlyProperty();
    }

    /** "no alert firing", "3 alert(s) firing". */
    public ReadOnlyStringProperty alertsFiringProperty() {
        return alertsFiring.getReadOnlyProperty();
    }

    /** "42 snapshots". */
    public ReadOnlyStringProperty snapshotCountProperty() {
        return snapshotCount.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty embeddedExitedProperty() {
        return embeddedExited.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty lastSnapshotProperty() {
        return lastSnapshot.getReadOnlyProperty();
    }
}
