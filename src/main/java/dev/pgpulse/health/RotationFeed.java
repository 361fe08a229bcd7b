package dev.pgpulse.health;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.service.LagReading;
import dev.pgpulse.service.ReadRotation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Hands each health round's readings to the service's {@link ReadRotation}: a {@link HealthMonitor} listener. */
public final class RotationFeed implements Consumer<HealthSnapshot> {
    private final ReadRotation rotation;
    /** The host the primary endpoint was served by last round, to see a failover. */
    private String primaryHost;

    public RotationFeed(ReadRotation rotation) {
        this.rotation = rotation;
    }

    @Override
    public void accept(HealthSnapshot snapshot) {
        LagReading primary = null;
        List<LagReading> replicas = new ArrayList<>();
        for (EndpointStatus e : snapshot.endpoints()) {
            LagReading r = reading(e);
            if (e.role() == EndpointConfig.Role.PRIMARY) {
                primary = r;
                String host = e.servingHost();
                if (host != null && primaryHost != null && !host.equals(primaryHost)) {
                    rotation.primaryChanged();
                }
                if (host != null) {
                    primaryHost = host;
                }
            } else {
                replicas.add(r);
            }
        }
        rotation.observe(snapshot.at(), primary, replicas);
    }

    static LagReading reading(EndpointStatus e) {
        ServerStats s = e.server();
        if (!e.reachable() || s == null) {
            return LagReading.unreachable(e.endpoint());
        }
        return new LagReading(e.endpoint(), true, s.inRecovery(), s.walLsn(), s.replayAgeSeconds(), s.replayLagBytes());
    }

    @Override
    public String toString() {
        return "the read rotation";
    }
}
