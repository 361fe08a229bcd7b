package dev.pgpulse.service;

import dev.pgpulse.config.RoutingSettings;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.ResilienceEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The replicas that take reads. Each health round tells it what it read ({@link #observe}); a replica whose replay
 * lag is over the bound ({@link RoutingSettings}), that is unreachable, or that is no longer a standby leaves the
 * rotation at once, and returns once it has been within half the bound for {@code rejoinSamples} rounds in a row.
 * Every change is a {@link ResilienceEvent.ReplicaRotation}, a log line and a count in
 * {@code pgpulse_replica_rotation_changes_total}; until a first observation every replica is in (a service without a
 * health monitor routes as it always has).
 *
 * <p>The lag is measured twice and the smaller taken. In bytes: the primary's {@code pg_current_wal_lsn()} read at the
 * start of the round less the standby's {@code pg_last_wal_replay_lsn()} read after it. In time: 0 when the standby
 * has replayed all of that; otherwise the age of its last replayed commit ({@code pg_last_xact_replay_timestamp()}),
 * capped by what the rounds' history of the primary's positions says: the standby has everything the primary had at
 * the last round whose position it has passed, so it is at most that long behind. The cap keeps a standby of a
 * primary idle for an hour, whose last replayed commit is an hour old, from counting as an hour behind the moment
 * one new write arrives.
 *
 * <p>{@link #admits} is on every read's path: a volatile read, nothing allocated.
 */
public final class ReadRotation {
    private static final Logger LOG = LoggerFactory.getLogger(ReadRotation.class);
    /**
     * The primary is another server now (a failover): its positions are on a new timeline, so the history of the
     * old one's says nothing of how far behind a standby of the new one is.
     */
    public synchronized void primaryChanged() {
        primaryHistory.clear();
    }

    /** Primary positions kept: at a 5 s interval, over ten minutes. */
    private static final int HISTORY = 128;

    /** One replica's place in the rotation, as the console and {@code status} show it. */
    public record State(String endpoint, boolean inRotation, String reason, Double lagSeconds, Long lagBytes,
                        Instant since) {
    }

    private static final class Member {
        final Endpoint endpoint;
        volatile boolean in = true;
        volatile State state;
        int streak;
        volatile double lagSeconds = Double.NaN;
        volatile double lagBytes = Double.NaN;

        Member(Endpoint endpoint) {
            this.endpoint = endpoint;
            this.state = new State(endpoint.name(), true, "not measured yet", null, null, null);
        }
    }

    private record Position(Instant at, long lsn) {
    }

    private final RoutingSettings settings;
    private final Map<Endpoint, Member> members;
    private final List<Member> order;
    private final EventLog events;
    private final MeterRegistry meters;
    private final Counter toPrimary;
    private final Counter failed;
    private final ArrayDeque<Position> primaryHistory = new ArrayDeque<>();

    public ReadRotation(List<Endpoint> replicas, RoutingSettings settings, EventLog events, MeterRegistry meters) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.events = Objects.requireNonNull(events, "events");
        this.meters = Objects.requireNonNull(meters, "meters");
        Map<Endpoint, Member> byEndpoint = new IdentityHashMap<>();
        List<Member> all = new ArrayList<>();
        for (Endpoint e : replicas) {
            Member m = new Member(e);
            byEndpoint.put(e, m);
            all.add(m);
            Gauge.builder("pgpulse.replica.in.rotation", m, x -> x.in ? 1 : 0).tag("endpoint", e.name())
                    .description("1 while the replica takes reads, 0 while it is out of the read rotation")
                    .register(meters);
            Gauge.builder("pgpulse.replica.rotation.lag.seconds", m, x -> x.lagSeconds).tag("endpoint", e.name())
                    .description("Replay lag as the read rotation measured it in the last health round")
                    .baseUnit("seconds").register(meters);
            Gauge.builder("pgpulse.replica.rotation.lag.bytes", m, x -> x.lagBytes).tag("endpoint", e.name())
                    .description("WAL bytes the replica's replay is behind the primary, as the read rotation measured it")
                    .baseUnit("bytes").register(meters);
        }
        this.members = byEndpoint;
        this.order = List.copyOf(all);
        this.toPrimary = Counter.builder("pgpulse.read.fallbacks").tag("to", "primary")
                .description("Reads that found no replica in the rotation, by where they went").register(meters);
        this.failed = Counter.builder("pgpulse.read.fallbacks").tag("to", "failed")
                .description("Reads that found no replica in the rotation, by where they went").register(meters);
    }

    public RoutingSettings settings() {
        return settings;
    }

    /** Whether the endpoint may take reads: the primary always, a replica while it is in the rotation. */
    public boolean admits(Endpoint e) {
        Member m = members.get(e);
        return m == null || m.in;
    }

    /** Each replica's place, in configuration order. */
    public List<State> states() {
        return order.stream().map(m -> m.state).toList();
    }

    public Optional<State> state(String endpoint) {
        return order.stream().filter(m -> m.endpoint.name().equals(endpoint)).map(m -> m.state).findFirst();
    }

    /** A read found no replica in the rotation: counted by where it went. */
    void fellBack(boolean toThePrimary) {
        (toThePrimary ? toPrimary : failed).increment();
    }

    /**
     * One health round's readings, the primary's read before the replicas'.
     *
     * @param primary  the primary's reading, null when it is not known this round
     * @param replicas by endpoint name; a replica missing from it is left as it is
     */
    public synchronized void observe(Instant at, LagReading primary, List<LagReading> replicas) {
        Long primaryLsn = null;
        if (primary != null && primary.reachable() && !primary.inRecovery() && primary.walLsn() != null) {
            primaryLsn = primary.walLsn();
            if (!primaryHistory.isEmpty() && primaryHistory.peekLast().lsn() > primaryLsn) {
                primaryHistory.clear(); // a new primary (a failover): its positions are another timeline's
            }
            primaryHistory.addLast(new Position(at, primaryLsn));
            while (primaryHistory.size() > HISTORY) {
                primaryHistory.removeFirst();
            }
        }
        for (LagReading r : replicas) {
            Member m = order.stream().filter(x -> x.endpoint.name().equals(r.endpoint())).findFirst().orElse(null);
            if (m != null) {
                observe(at, m, r, primaryLsn);
            }
        }
    }

    private void observe(Instant at, Member m, LagReading r, Long primaryLsn) {
        if (!r.reachable()) {
            m.lagSeconds = Double.NaN;
            m.lagBytes = Double.NaN;
            out(at, m, "unreachable", null, null);
            return;
        }
        if (!r.inRecovery()) {
            m.lagSeconds = Double.NaN;
            m.lagBytes = Double.NaN;
            out(at, m, "not a standby (pg_is_in_recovery() is false): a promoted server is not read from as a replica",
                    null, null);
            return;
        }
        if (primaryLsn == null) {
            // without the primary's position there is no lag to measure (what the standby received but has not
            // replayed says nothing of what it never received): no change either way, no progress to a rejoin
            m.streak = 0;
            m.lagSeconds = Double.NaN;
            m.lagBytes = Double.NaN;
            m.state = new State(m.endpoint.name(), m.in, "the primary's WAL position is unknown this round (its"
                    + " health read failed): " + (m.in ? "kept in the rotation" : "kept out") + " as it was",
                    null, null, m.state.since());
            return;
        }
        Long bytes = r.walLsn() != null ? Math.max(0, primaryLsn - r.walLsn()) : null;
        Double seconds = seconds(at, r, bytes);
        m.lagSeconds = seconds == null ? Double.NaN : seconds;
        m.lagBytes = bytes == null ? Double.NaN : bytes;
        String over = over(seconds, bytes, 1.0);
        if (over != null) {
            out(at, m, over, seconds, bytes);
            return;
        }
        if (m.in) {
            m.state = new State(m.endpoint.name(), true, "replay lag " + describe(seconds, bytes),
                    seconds, bytes, m.state.since());
            return;
        }
        if (over(seconds, bytes, 0.5) != null) {
            m.streak = 0;
            m.state = new State(m.endpoint.name(), false, "catching up: replay lag " + describe(seconds, bytes)
                    + ", returns within half the bound", seconds, bytes, m.state.since());
            return;
        }
        m.streak++;
        if (m.streak < settings.rejoinSamples()) {
            m.state = new State(m.endpoint.name(), false, "caught up: replay lag " + describe(seconds, bytes)
                    + " (" + m.streak + " of " + settings.rejoinSamples() + " rounds)", seconds, bytes, m.state.since());
            return;
        }
        m.streak = 0;
        m.in = true;
        String reason = "replay lag " + describe(seconds, bytes) + " for " + settings.rejoinSamples() + " rounds";
        m.state = new State(m.endpoint.name(), true, reason, seconds, bytes, at);
        changed(at, m, true, reason);
    }

    private Double seconds(Instant at, LagReading r, Long bytes) {
        if (bytes != null && bytes == 0) {
            return 0.0;
        }
        Double cap = null;
        if (r.walLsn() != null) {
            Instant passed = null;
            for (Position p : primaryHistory) {
                if (p.lsn() <= r.walLsn()) {
                    passed = p.at();
                }
            }
            if (passed != null) {
                cap = Math.max(0, Duration.between(passed, at).toNanos() / 1e9);
            }
        }
        Double age = r.replayAgeSeconds();
        if (age == null) {
            return cap;
        }
        return cap == null ? age : Math.min(age, cap);
    }

    /** Why the lag is over {@code share} of the bound, or null when it is within it. */
    private String over(Double seconds, Long bytes, double share) {
        Duration max = settings.maxLag();
        if (!max.isZero()) {
            double bound = max.toNanos() / 1e9 * share;
            if (seconds == null) {
                return "replay lag unknown (no transaction replayed yet, or the primary's position unknown)";
            }
            if (seconds > bound) {
                return "replay lag " + time(seconds) + " over reads.max_lag " + time(max.toNanos() / 1e9);
            }
        }
        if (settings.maxLagBytes().isPresent()) {
            double bound = settings.maxLagBytes().getAsLong() * share;
            if (bytes == null) {
                return "replay lag in bytes unknown";
            }
            if (bytes > bound) {
                return "replay lag " + bytes(bytes) + " over reads.max_lag_bytes "
                        + bytes(settings.maxLagBytes().getAsLong());
            }
        }
        return null;
    }

    private void out(Instant at, Member m, String reason, Double seconds, Long bytes) {
        m.streak = 0;
        if (!m.in) {
            m.state = new State(m.endpoint.name(), false, reason, seconds, bytes, m.state.since());
            return;
        }
        m.in = false;
        m.state = new State(m.endpoint.name(), false, reason, seconds, bytes, at);
        changed(at, m, false, reason);
    }

    private void changed(Instant at, Member m, boolean in, String reason) {
        String name = m.endpoint.name();
        if (in) {
            LOG.info("{} - back in the read rotation: {}", name, reason);
        } else {
            LOG.warn("{} - out of the read rotation: {}", name, reason);
        }
        Counter.builder("pgpulse.replica.rotation.changes").tag("endpoint", name).tag("change", in ? "rejoined" : "left")
                .description("Times a replica left or rejoined the read rotation").register(meters).increment();
        events.publish(new ResilienceEvent.ReplicaRotation(at, name, in, reason));
    }

    private static String describe(Double seconds, Long bytes) {
        return (seconds == null ? "unknown" : time(seconds)) + (bytes == null ? "" : ", " + bytes(bytes));
    }

    private static String time(double seconds) {
        return seconds < 10 ? String.format(Locale.ROOT, "%.1f s", seconds)
                : String.format(Locale.ROOT, "%.0f s", seconds);
    }

    private static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
