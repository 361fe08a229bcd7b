package dev.pgpulse.service;

import dev.pgpulse.config.RoutingSettings;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.AttemptFailure;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.resilience.SqlErrors;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The one path every query takes: route to an endpoint, pass its circuit breaker, run, retry what is safe
 * to retry, resolve a lost COMMIT, record per-operation metrics and slow queries. Returns {@link Result};
 * never throws at the caller. Built and owned by whoever composes the application; closing it drains
 * in-flight calls and then closes the pools.
 */
public final class DatabaseService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseService.class);
    private static final Duration COMMIT_RESOLVE_BOUND = Duration.ofSeconds(30);
    private static final Duration COMMIT_RESOLVE_PAUSE = Duration.ofMillis(100);

    private final Endpoints endpoints;
    private final Guard guard;
    private final MeterRegistry meters;
    private final Clock clock;
    private final long slowNanos;
    private final EndpointGate gate;
    private final ReadRotation rotation;
    private final TransactionAttempt transactions;
    private final ConcurrentHashMap<String, OperationMeters> operations = new ConcurrentHashMap<>();
    private final SlowQueryLog slowLog = new SlowQueryLog();
    private final InFlight inFlight = new InFlight();
    private final Map<Endpoint, TrafficMeters> traffic;
    private final AtomicBoolean closed = new AtomicBoolean();

    public DatabaseService(Endpoints endpoints, Guard guard, MeterRegistry meters, Clock clock) {
        this(endpoints, guard, meters, clock, RoutingSettings.defaults());
    }

    /** @param routing which replicas take reads, once a health monitor {@link ReadRotation#observe observes} them */
    public DatabaseService(Endpoints endpoints, Guard guard, MeterRegistry meters, Clock clock,
                           RoutingSettings routing) {
        this(endpoints, guard, meters, clock, COMMIT_RESOLVE_BOUND, routing);
    }

    DatabaseService(Endpoints endpoints, Guard guard, MeterRegistry meters, Clock clock, Duration commitResolveBound) {
        this(endpoints, guard, meters, clock, commitResolveBound, RoutingSettings.defaults());
    }

    /** @param commitResolveBound how long a lost COMMIT is asked about before it is UNKNOWN (tests shorten it) */
    DatabaseService(Endpoints endpoints, Guard guard, MeterRegistry meters, Clock clock, Duration commitResolveBound,
                    RoutingSettings routing) {
        this.endpoints = endpoints;
        this.guard = guard;
        this.meters = meters;
        this.clock = clock;
        this.slowNanos = guard.settings().slowQueryThreshold().toNanos();
        Map<Endpoint, TrafficMeters> byEndpointTraffic = new IdentityHashMap<>();
        endpoints.all().forEach(e -> byEndpointTraffic.put(e, new TrafficMeters(e.name(), meters)));
        this.traffic = byEndpointTraffic;
        this.rotation = new ReadRotation(endpoints.replicas(), routing, guard.events(), meters);
        this.gate = new EndpointGate(endpoints, guard, traffic, rotation, this::slow);
        this.transactions = new TransactionAttempt(gate,
                new CommitResolver(commitResolveBound, COMMIT_RESOLVE_PAUSE), guard.events(), clock);
    }

    /**
     * A new caller's view that reads its own writes (one per web session, job or thread of work that needs it):
     * reads through it go to a replica only once that replica has replayed the caller's last write.
     */
    public ReadYourWrites readYourWrites() {
        return new ReadYourWrites(this, meters);
    }

    /** The replicas that take reads now; a health monitor keeps it up to date. */
    public ReadRotation rotation() {
        return rotation;
    }

    /** A read or a write in autocommit. Reads are retried on endpoint failures; writes only when not yet sent. */
    public <T> Result<T> query(String operation, Route route, SqlFunction<Connection, T> work) {
        return query(operation, route, null, false, work);
    }

    /**
     * @param sql        the statement, for the slow-query log (null when unknown)
     * @param idempotent for a write: running it twice is harmless, so it may be retried even after it was sent
     */
    public <T> Result<T> query(String operation, Route route, String sql, boolean idempotent,
                               SqlFunction<Connection, T> work) {
        return run(operation, route, sql, idempotent, null, work);
    }

    /**
     * A transaction on the primary. Retried as a whole on endpoint failures before COMMIT and on 40001/40P01;
     * a connection lost during COMMIT is resolved with {@code pg_xact_status}, never blindly retried.
     */
    public <T> Result<T> transaction(String operation, TxOptions options, SqlFunction<Connection, T> work) {
        return run(operation, Route.WRITE, null, options.idempotent(), options, work);
    }

    /**
     * One attempt on a named endpoint, through its breaker and without retries, on the endpoint's
     * one-connection health pool: for probes (the health monitor) that must ask a particular server even
     * while the application's pool is exhausted. The work must only read. While the breaker is OPEN this fails fast; once its wait is
     * over, the probe is one of the HALF_OPEN calls that close it again.
     */
    public <T> Result<T> probe(String operation, String endpointName, SqlFunction<Connection, T> work) {
        Endpoint endpoint = endpoints.byName(endpointName)
                .orElseThrow(() -> new IllegalArgumentException("no endpoint named " + endpointName));
        long start = System.nanoTime();
        OperationMeters m = meters(operation);
        inFlight.started(start);
        try {
            Attempts attempts = new Attempts(start);
            if (inFlight.draining()) {
                m.failure(ErrorCategory.SHUTTING_DOWN);
                return new Result.Failure<>(ErrorCategory.SHUTTING_DOWN, "the database service is shutting down",
                        null, false, endpointName, 0, Duration.ZERO, null);
            }
            try {
                T value = attemptOn(operation, endpoint, true, Route.READ, null, () -> true, work, attempts);
                long elapsed = System.nanoTime() - start;
                m.timer.record(elapsed, TimeUnit.NANOSECONDS);
                return new Result.Success<>(value, endpointName, 1, Duration.ofNanos(elapsed));
            } catch (AttemptFailure f) {
                long elapsed = System.nanoTime() - start;
                m.timer.record(elapsed, TimeUnit.NANOSECONDS);
                m.failure(f.category());
                return failure(f, attempts, Duration.ofNanos(elapsed));
            }
        } finally {
            inFlight.finished();
        }
    }

    /**
     * Work on the endpoint the caller chose (the console's query on the target the DBA picked), from that
     * endpoint's application pool, through its breaker, timed, into the slow-query log. While the breaker is OPEN
     * this fails fast with its reason. An endpoint failure is retried only if {@code repeatable} says so when it
     * happens: the caller knows whether anything was written or already handed on (rows shown, a file written).
     */
    public <T> Result<T> on(String operation, String endpointName, String sql, BooleanSupplier repeatable,
                            SqlFunction<Connection, T> work) {
        Endpoint endpoint = endpoints.byName(endpointName)
                .orElseThrow(() -> new IllegalArgumentException("no endpoint named " + endpointName));
        Route route = endpoint.role() == dev.pgpulse.config.EndpointConfig.Role.PRIMARY ? Route.WRITE : Route.READ;
        return runOn(operation, endpoint, route, sql, repeatable, work);
    }

    /** {@code executeUpdate} of one parameterised statement, in autocommit, on the primary. */
    public Result<Integer> update(String operation, boolean idempotent, String sql, Object... params) {
        return query(operation, Route.WRITE, sql, idempotent, c -> {
            try (PreparedStatement st = prepare(c, sql, params)) {
                return st.executeUpdate();
            }
        });
    }

    /** Rows of one parameterised query, each mapped by {@code mapper}. */
    public <T> Result<List<T>> list(String operation, Route route, String sql, SqlFunction<ResultSet, T> mapper,
                                    Object... params) {
        return query(operation, route, sql, false, c -> {
            try (PreparedStatement st = prepare(c, sql, params); ResultSet rs = st.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(mapper.apply(rs));
                }
                return rows;
            }
        });
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement st = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            st.setObject(i + 1, params[i]);
        }
        return st;
    }

    private <T> Result<T> run(String operation, Route route, String sql, boolean idempotent, TxOptions tx,
                              SqlFunction<Connection, T> work) {
        return run(operation, route, sql, idempotent, tx, null, null, work);
    }

    private <T> Result<T> runOn(String operation, Endpoint endpoint, Route route, String sql,
                                BooleanSupplier repeatable, SqlFunction<Connection, T> work) {
        return run(operation, route, sql, false, null, endpoint, repeatable, work);
    }

    /** @param pinned the endpoint to use (null: route); @param repeatable for pinned work, whether a failure may be retried */
    private <T> Result<T> run(String operation, Route route, String sql, boolean idempotent, TxOptions tx,
                              Endpoint pinned, BooleanSupplier repeatable, SqlFunction<Connection, T> work) {
        long start = System.nanoTime();
        OperationMeters m = meters(operation);
        // Counted before the check, so shutdown's drain sees every call that got past it.
        inFlight.started(start);
        try {
            if (inFlight.draining()) {
                m.failure(ErrorCategory.SHUTTING_DOWN);
                return new Result.Failure<>(ErrorCategory.SHUTTING_DOWN, "the database service is shutting down",
                        null, false, null, 0, Duration.ZERO, null);
            }
            Attempts attempts = new Attempts(start);
            try {
                T value = m.retry.executeCheckedSupplier(() -> pinned != null
                        ? attemptOn(operation, pinned, false, route, sql, repeatable, work, attempts)
                        : tx == null
                        ? attemptQuery(operation, route, sql, idempotent, work, attempts)
                        : transactions.attempt(operation, tx, work, attempts));
                long elapsed = System.nanoTime() - start;
                m.timer.record(elapsed, TimeUnit.NANOSECONDS);
                if (attempts.count > 1) {
                    m.retries.increment(attempts.count - 1);
                }
                return new Result.Success<>(value, attempts.endpoint, attempts.count, Duration.ofNanos(elapsed));
            } catch (Throwable t) {
                long elapsed = System.nanoTime() - start;
                m.timer.record(elapsed, TimeUnit.NANOSECONDS);
                if (attempts.count > 1) {
                    m.retries.increment(attempts.count - 1);
                }
                if (t instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                Result.Failure<T> f = failure(t, attempts, Duration.ofNanos(elapsed));
                m.failure(f.category());
                return f;
            }
        } finally {
            inFlight.finished();
        }
    }

    private static <T> Result.Failure<T> failure(Throwable t, Attempts attempts, Duration elapsed) {
        if (t instanceof AttemptFailure af) {
            return new Result.Failure<>(af.category(), af.getMessage(), af.sqlState(),
                    af.outcomeUnknown() || attempts.maybeApplied,
                    af.endpoint(), attempts.count, elapsed, af.getCause());
        }
        return new Result.Failure<>(SqlErrors.classify(t), String.valueOf(t.getMessage()), SqlErrors.stateOf(t),
                attempts.maybeApplied, attempts.endpoint, attempts.count, elapsed, t);
    }

    private <T> T attemptQuery(String operation, Route route, String sql, boolean idempotent,
                               SqlFunction<Connection, T> work, Attempts attempts) throws AttemptFailure {
        BooleanSupplier repeatable = route == Route.READ || idempotent ? () -> true : () -> false;
        return attemptOn(operation, null, false, route, sql, repeatable, work, attempts);
    }

    /**
     * @param fixed the endpoint to use, or null to route. Every path records exactly one outcome with the
     *              breaker for the permission {@link EndpointGate#enter} took (an {@link Error} included), or a
     *              HALF_OPEN permit would be lost for good.
     * @param health from the endpoint's one-connection health pool (probes), not the application's
     * @param repeatable asked when the work fails after it was sent: may it run again (nothing written or handed on)
     */
    private <T> T attemptOn(String operation, Endpoint fixed, boolean health, Route route, String sql,
                            BooleanSupplier repeatable, SqlFunction<Connection, T> work, Attempts attempts)
            throws AttemptFailure {
        Endpoint endpoint = fixed == null ? gate.enter(route, attempts) : gate.enter(fixed, attempts);
        try {
            return attemptEntered(operation, endpoint, health, route, sql, repeatable, work, attempts);
        } finally {
            gate.left(endpoint);
        }
    }

    private <T> T attemptEntered(String operation, Endpoint endpoint, boolean probe, Route route, String sql,
                                 BooleanSupplier repeatable, SqlFunction<Connection, T> work, Attempts attempts)
            throws AttemptFailure {
        CircuitBreaker breaker = gate.breaker(endpoint);
        long t0 = System.nanoTime();
        // A probe of a named endpoint uses its health pool, so it answers even when the application's is full.
        Connection c = gate.connect(endpoint, breaker, t0, probe);
        T value;
        try (c) {
            value = work.apply(c);
        } catch (SQLException e) {
            gate.failed(endpoint, breaker, t0, e);
            ErrorCategory category = SqlErrors.classify(e);
            // Sent: a write may have happened unless the caller says running it twice is harmless.
            boolean safe = repeatable.getAsBoolean();
            // A write whose connection broke after it was sent may or may not have been applied; that stays
            // true of the call even if a later attempt fails before sending anything.
            if (!safe && category == ErrorCategory.CONNECTION) {
                attempts.maybeApplied = true;
            }
            throw new AttemptFailure(category, category.isEndpointFailure() && safe, attempts.maybeApplied,
                    endpoint.name(), e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            gate.failed(endpoint, breaker, t0, e);
            if (e instanceof Error err) {
                throw err;
            }
            throw new AttemptFailure(ErrorCategory.APPLICATION, false, attempts.maybeApplied, endpoint.name(),
                    e.toString(), e);
        }
        long d = System.nanoTime() - t0;
        gate.succeeded(breaker, operation, sql, route, endpoint, d);
        return value;
    }

    /** A transaction id and the start time of the server that gave it: ids can be handed out again after a crash. */
    record TxId(String xid, String serverStart) {
    }

    private void slow(String operation, String sql, Route route, Endpoint endpoint, long nanos) {
        if (nanos < slowNanos) {
            return;
        }
        Duration d = Duration.ofNanos(nanos);
        sql = SlowQueryLog.redact(sql);
        SlowQuery q = new SlowQuery(operation, sql, route, endpoint.name(), d, clock.instant());
        slowLog.add(q);
        meters(operation).slow.increment();
        guard.events().publish(new ResilienceEvent.SlowCall(q.at(), operation, endpoint.name(), d, sql));
    }

    private OperationMeters meters(String operation) {
        OperationMeters m = operations.get(operation);
        return m != null ? m : operations.computeIfAbsent(operation,
                op -> new OperationMeters(op, meters, guard.retry(op)));
    }

    public ServiceSnapshot snapshot() {
        List<OperationStats> ops = operations.values().stream().map(OperationMeters::stats)
                .sorted(Comparator.comparing(OperationStats::operation)).toList();
        List<SlowQuery> slow = slowLog.recent();
        List<String> names = endpoints.all().stream().map(Endpoint::name).toList();
        List<EndpointTraffic> calls = endpoints.all().stream().map(e -> traffic.get(e).snapshot()).toList();
        return new ServiceSnapshot(clock.instant(), ops, guard.snapshots(names), endpoints.snapshots(), calls, slow,
                guard.events().recent(), inFlight(), oldestCallInFlight(), inFlight.draining(), rotation.states());
    }

    /**
     * Summarises slow queries on the terminal every {@code period} on {@code scheduler} (the caller owns it):
     * until then only the first slow query of each operation reaches the terminal; the file log, the ring and
     * the events get every one.
     */
    public void summariseSlowQueries(ScheduledExecutorService scheduler, Duration period) {
        slowLog.summariseEvery(scheduler, period);
    }

    public Endpoints endpoints() {
        return endpoints;
    }

    public Guard guard() {
        return guard;
    }

    public int inFlight() {
        return inFlight.count();
    }

    /** How long the oldest call still running has been running; zero when none is. */
    public Duration oldestCallInFlight() {
        return inFlight.oldest();
    }

    /**
     * Stops taking calls, waits up to {@code grace} for calls in flight, then closes the pools.
     *
     * @return true when every call finished within the grace period
     */
    public boolean shutdown(Duration grace) {
        if (!closed.compareAndSet(false, true)) {
            return true;
        }
        int left = inFlight.drain(grace);
        if (left > 0) {
            LOG.warn("{} call(s) still running after the {} ms grace period; closing the pools under them", left,
                    grace.toMillis());
        }
        slowLog.close();
        endpoints.close();
        LOG.info("database service stopped");
        return left == 0;
    }

    @Override
    public void close() {
        shutdown(guard.settings().shutdownGrace());
    }
}
