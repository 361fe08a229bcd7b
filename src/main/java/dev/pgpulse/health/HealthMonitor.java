package dev.pgpulse.health;

import dev.pgpulse.config.Durations;
import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.health.readings.ServerReadings;
import dev.pgpulse.health.readings.ServerReadingsReader;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.pool.PoolSnapshot;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One scheduled sampler for every endpoint. Each sample probes the endpoint through the service (its breaker
 * sees the probe, so an idle application still finds out when a server comes back), reads the server's
 * figures in a transaction with a short {@code statement_timeout}, and grades each endpoint and the whole. In the
 * same transaction it reads the server-wide {@link ServerReadings} that {@code /metrics} serves; the probe's latency
 * leaves them out (it is the health statements' round trip, not PgPulse's own extra readings).
 * Runs with a fixed delay on a scheduler it is given: a slow server delays the next sample, never piles them up.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(2);
    static final double POOL_BUSY_RATIO = 0.9;
    static final double CONNECTIONS_BUSY_RATIO = 0.9;

    private final DatabaseService service;
    private final Duration queryTimeout;
    private final Clock clock;
    private final ServerStatsReader reader = new ServerStatsReader();
    private final ServerReadingsReader readingsReader = new ServerReadingsReader();
    /** The last readings failure logged per endpoint, so a lasting one is logged once, not every round. */
    private final Map<String, String> readingsFailure = new ConcurrentHashMap<>();
    private final Map<String, CounterHistory> counters = new ConcurrentHashMap<>();
    private final ServingHost servingHosts = new ServingHost();
    /** The host that last served each primary endpoint, so a move is told once, when a probe first reaches the new one. */
    private final Map<String, String> lastServing = new ConcurrentHashMap<>();
    private final List<Consumer<? super HealthSnapshot>> listeners = new CopyOnWriteArrayList<>();
    /** The latest round: its snapshot and its readings in one volatile, so a reader never pairs two rounds. */
    private volatile Round latest;
    private ScheduledFuture<?> task;

    public HealthMonitor(DatabaseService service, Duration queryTimeout, Clock clock) {
        if (queryTimeout.compareTo(Endpoints.HEALTH_READ_TIMEOUT) >= 0) {
            throw new IllegalArgumentException("queryTimeout must be below the health connections' read limit "
                    + Durations.format(Endpoints.HEALTH_READ_TIMEOUT) + ", but was " + Durations.format(queryTimeout));
        }
        this.service = service;
        this.queryTimeout = queryTimeout;
        this.clock = clock;
    }

    /** Held by a scheduled round while it runs, so {@link #close} can wait for it. */
    private final java.util.concurrent.locks.ReentrantLock scheduled = new java.util.concurrent.locks.ReentrantLock();
    private volatile boolean closed;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /** Samples now and then every {@code interval} after the end of the previous sample. */
    public synchronized void start(ScheduledExecutorService scheduler, Duration interval) {
        if (task != null) {
            throw new IllegalStateException("the health monitor is already running");
        }
        task = scheduler.scheduleWithFixedDelay(this::sampleQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sampleQuietly() {
        scheduled.lock();
        try {
            if (closed) {
                return;
            }
            sample();
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep sampling.
            LOG.error("health sample failed: {}", e.toString(), e);
        } finally {
            scheduled.unlock();
        }
    }

    /** Takes one sample of every endpoint (on the caller's thread), keeps it as {@link #latest()} and publishes it. */
    public HealthSnapshot sample() {
        List<EndpointStatus> statuses = new ArrayList<>();
        Map<String, ServerReadings> read = new java.util.LinkedHashMap<>();
        for (Endpoint e : service.endpoints().all()) {
            statuses.add(sample(e, read));
        }
        HealthSnapshot snapshot = grade(statuses);
        latest = new Round(snapshot, read);
        for (Consumer<? super HealthSnapshot> l : listeners) {
            try {
                l.accept(snapshot);
            } catch (RuntimeException ex) {
                LOG.warn("health listener {} failed: {}", l, ex.toString());
            }
        }
        return snapshot;
    }

    /**
     * One round as published: the health snapshot and the readings read in the same probes, by endpoint (those that
     * could not be read are absent).
     */
    public record Round(HealthSnapshot health, Map<String, ServerReadings> readings) {
        public Round {
            java.util.Objects.requireNonNull(health, "health");
            readings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(readings));
        }
    }

    /**
     * What one probe read: the health figures, the readings for Prometheus (null if they failed), and how long the
     * readings took (taken off the probe's latency).
     */
    private record Read(ServerStatsReader.Sample sample, ServerReadings readings, long readingsNanos) {
    }

    private EndpointStatus sample(Endpoint e, Map<String, ServerReadings> read) {
        String name = e.name();
        CounterHistory reads = counters.computeIfAbsent(name, n -> new CounterHistory());
        // The pool first: the probe below borrows from it, and a saturated pool must be seen as it was.
        PoolSnapshot pool = e.snapshot();
        Result<Read> r = service.probe("health." + name, name, c -> {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("set local statement_timeout = " + queryTimeout.toMillis());
                }
                ServerStatsReader.Sample s = reader.sample(name, c, reads);
                long t0 = System.nanoTime();
                ServerReadings more = readings(name, c, s.stats().serverVersion());
                long readingsNanos = System.nanoTime() - t0;
                c.commit();
                c.setAutoCommit(auto);
                return new Read(s, more, readingsNanos);
            } catch (SQLException | RuntimeException failure) {
                // A connection broken by the failure cannot be rolled back: keep the failure that says why (a read
                // timed out), not the cleanup's "connection is closed".
                try {
                    c.rollback();
                    c.setAutoCommit(auto);
                } catch (SQLException cleanup) {
                    failure.addSuppressed(cleanup);
                }
                throw failure;
            }
        });
        BreakerState breaker = service.guard().state(name);
        List<String> reasons = new ArrayList<>();
        HealthStatus status = HealthStatus.UP;
        ServerStats server = null;
        boolean reachable;
        long latencyNanos = r.elapsed().toNanos();
        if (r instanceof Result.Success<Read> ok) {
            reachable = true;
            latencyNanos = Math.max(0, latencyNanos - ok.value().readingsNanos());
            server = ok.value().sample().stats();
            if (ok.value().readings() != null) {
                read.put(name, ok.value().readings());
            }
        } else {
            reachable = false;
            Result.Failure<Read> f = (Result.Failure<Read>) r;
            // a drill turned the probe away before it reached the server: the breaker's reason below says so
            if (!(breaker == BreakerState.FORCED_OPEN && f.category() == ErrorCategory.CIRCUIT_OPEN)) {
                // a hung server shows as a timeout: say which step timed out, the category alone ("pool timeout") does not
                String what = Endpoints.timedOut(f.cause()).map(step -> step + " timed out")
                        .orElse(f.category().name().toLowerCase(Locale.ROOT).replace('_', ' '));
                reasons.add(name + " unreachable: " + what + (f.message() == null ? "" : " (" + f.message() + ")"));
            }
            status = HealthStatus.DOWN;
        }
        if (breaker != BreakerState.CLOSED && breaker != BreakerState.FORCED_CLOSED) {
            reasons.add(name + " circuit breaker " + breaker.label()
                    + (breaker == BreakerState.FORCED_OPEN ? " (drill): every call fails fast" : ""));
            status = HealthStatus.worst(status, breaker == BreakerState.HALF_OPEN ? HealthStatus.DEGRADED : HealthStatus.DOWN);
        }
        if (pool.awaiting() > 0) {
            reasons.add(name + " pool: " + pool.awaiting() + " thread(s) waiting for a connection");
            status = HealthStatus.worst(status, HealthStatus.DEGRADED);
        }
        if (pool.usageRatio() >= POOL_BUSY_RATIO) {
            reasons.add(String.format(Locale.ROOT, "%s pool %d of %d connections in use", name, pool.active(), pool.max()));
            status = HealthStatus.worst(status, HealthStatus.DEGRADED);
        }
        if (server != null && server.connectionsUsedRatio() >= CONNECTIONS_BUSY_RATIO) {
            reasons.add(String.format(Locale.ROOT, "%s server connections %d of %d in use", name,
                    server.connectionsUsed(), server.connectionsAvailable()));
            status = HealthStatus.worst(status, HealthStatus.DEGRADED);
        }
        String serving = servingHosts.of(e.config().hosts(), server);
        if (e.role() == EndpointConfig.Role.PRIMARY && serving != null) {
            // an unreachable round in between (the failover itself) keeps the last host known: the move is from it
            String before = lastServing.put(name, serving);
            if (before != null && !before.equals(serving)) {
                LOG.warn("{} - the primary moved: writes go to {} now, no longer to {}", name, serving, before);
                service.guard().events().publish(new ResilienceEvent.PrimaryMoved(clock.instant(), name, before, serving));
            }
        }
        return new EndpointStatus(name, e.role(), status, reasons, reachable,
                latencyNanos / 1e6, breaker, pool, server, serving, e.config().multiHost());
    }

    /**
     * The readings for Prometheus, in the health round's transaction (same statement_timeout). They are not health:
     * when they fail (a timeout, a permission) the round rolls back to before them and keeps the health figures.
     */
    private ServerReadings readings(String name, java.sql.Connection c, String serverVersion) throws SQLException {
        Savepoint before = c.setSavepoint();
        try {
            ServerReadings out = readingsReader.read(c, ServerReadingsReader.versionNum(serverVersion));
            if (readingsFailure.remove(name) != null) {
                LOG.info("{} - server readings for /metrics are back", name);
            }
            return out;
        } catch (SQLException failure) {
            c.rollback(before);
            String why = failure.getMessage();
            if (!java.util.Objects.equals(readingsFailure.put(name, String.valueOf(why)), String.valueOf(why))) {
                LOG.warn("{} - server readings for /metrics failed, only the health figures are exported: {}", name, why);
            }
            return null;
        }
    }

    /**
     * The readings of the latest round, by endpoint (those that could not be read are absent). A reader that needs
     * them with the same round's snapshot takes {@link #round()} once: two calls may straddle a round.
     */
    public Map<String, ServerReadings> readings() {
        Round r = latest;
        return r == null ? Map.of() : r.readings();
    }

    /** The latest round, snapshot and readings together; null before the first sample. */
    public Round round() {
        return latest;
    }

    /** Only the primary being unusable makes the whole DOWN; anything else wrong degrades it. */
    private HealthSnapshot grade(List<EndpointStatus> statuses) {
        HealthStatus whole = HealthStatus.UP;
        List<String> reasons = new ArrayList<>();
        for (EndpointStatus s : statuses) {
            reasons.addAll(s.reasons());
            boolean primary = s.role() == EndpointConfig.Role.PRIMARY;
            HealthStatus contribution = s.status() == HealthStatus.DOWN && !primary ? HealthStatus.DEGRADED : s.status();
            whole = HealthStatus.worst(whole, contribution);
        }
        return new HealthSnapshot(clock.instant(), whole, reasons, statuses);
    }

    public HealthSnapshot latest() {
        Round r = latest;
        return r == null ? null : r.health();
    }

    public AutoCloseable subscribe(Consumer<? super HealthSnapshot> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Stops scheduling; a sample in progress finishes. The scheduler belongs to the caller. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (task != null) {
                task.cancel(false);
                task = null;
            }
        }
        // a round under way finishes before the caller closes what it reads (the service, the alerts): on a
        // scheduler shared by a fleet nobody else waits for it. Bounded: a round's reads are (5 s each).
        try {
            if (scheduled.tryLock(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                scheduled.unlock();
            } else {
                LOG.warn("a health round still runs {} after close; not waiting longer", Durations.format(CLOSE_WAIT));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
