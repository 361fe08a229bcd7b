package dev.pgpulse.orchestration;

import java.time.Instant;
import java.util.List;

/** Where the orchestrator is in its life, with the reasons when it is not simply running. */
public record Status(State state, List<String> reasons, Instant at) {
    public enum State { STARTING, RUNNING, DEGRADED, STOPPING, STOPPED }

    public Status {
        reasons = List.copyOf(reasons);
    }
}
