package dev.pgpulse.server;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One reading of the server's sessions, stamped with the time it was taken. {@code readerPid} is the backend that
 * read it (itself one of the sessions, labelled as PgPulse's own).
 */
public record Activity(Instant at, String endpoint, int readerPid, List<Session> sessions) {

    public Activity {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(endpoint, "endpoint");
        sessions = List.copyOf(sessions);
    }

    public Optional<Session> session(int pid) {
        return sessions.stream().filter(s -> s.pid() == pid).findFirst();
    }

    /** Who blocks whom, blocked sessions under their blockers. */
    public List<BlockingTree.Node> blockingTree() {
        return BlockingTree.of(sessions);
    }
}
