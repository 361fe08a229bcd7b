package dev.pgpulse.pool;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.pgpulse.config.EndpointConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * One PostgreSQL server and its HikariCP pool. Every connection it could not give (server unreachable, refused,
 * bad login, or no connection free within the pool's timeout) counts in {@code pgpulse.connection.failures}
 * (Prometheus: {@code pgpulse_connection_failures_total{endpoint=...}}); errors of the queries run on a connection
 * do not. HikariCP's leak-detection warnings for either pool count in {@code pgpulse.pool.leak.detections}
 * ({@code pgpulse_pool_leak_detections_total}), see {@link LeakWarnings}.
 */
public final class Endpoint implements AutoCloseable {
    private final EndpointConfig config;
    private final HikariDataSource dataSource;
    private final MeterRegistry registry;
    private final Clock clock;

    /** False for a replica that did not answer at startup, until its pool has made a connection. */
    private volatile boolean reached;

    private final HikariDataSource healthDataSource;
    private final Counter connectionFailures;
    private final Counter leakDetections;

    Endpoint(EndpointConfig config, HikariDataSource dataSource, HikariDataSource healthDataSource,
             MeterRegistry registry, Clock clock, boolean reachedAtStartup) {
        this.reached = reachedAtStartup;
        this.healthDataSource = healthDataSource;
        this.config = config;
        this.dataSource = dataSource;
        this.registry = registry;
        this.clock = clock;
        this.connectionFailures = Counter.builder("pgpulse.connection.failures").tag("endpoint", config.name())
                .description("Attempts to take a connection from the endpoint's pools that failed")
                .register(registry);
        this.leakDetections = Counter.builder("pgpulse.pool.leak.detections").tag("endpoint", config.name())
                .description("HikariCP leak-detection warnings: a connection held longer than pool.leak_detection")
                .register(registry);
        LeakWarnings.track(dataSource.getPoolName(), leakDetections);
        LeakWarnings.track(healthDataSource.getPoolName(), leakDetections);
    }

    public String name() {
        return config.name();
    }

    public EndpointConfig.Role role() {
        return config.role();
    }

    public EndpointConfig config() {
        return config;
    }

    /** The pool, for code that must hand a {@code DataSource} to a library (Flyway, benchmarks). */
    public HikariDataSource dataSource() {
        return dataSource;
    }

    public Connection connection() throws SQLException {
        return counted(dataSource);
    }

    /** A read-only connection from the endpoint's own one-connection health pool, apart from the application's. */
    public Connection healthConnection() throws SQLException {
        return counted(healthDataSource);
    }

    /** Failed attempts to take a connection (either pool) since the endpoint opened. */
    public long connectionFailures() {
        return (long) connectionFailures.count();
    }

    /** HikariCP leak-detection warnings (either pool) since the endpoint opened. */
    public long leakDetections() {
        return (long) leakDetections.count();
    }

    private Connection counted(HikariDataSource pool) throws SQLException {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            connectionFailures.increment();
            throw e;
        }
    }

    /**
     * Open, not shut down, and known to have reached its server: a replica that was down at startup becomes
     * usable once HikariCP's background fill has connected to it (pools with min idle 0 wait for the
     * resilience layer to probe them). Breaker state is the resilience layer's concern, not this one's.
     */
    public boolean isUsable() {
        if (!dataSource.isRunning()) {
            return false;
        }
        if (!reached) {
            HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
            reached = pool != null && pool.getTotalConnections() > 0;
        }
        return reached;
    }

    public PoolSnapshot snapshot() {
        HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
        int active = pool == null ? 0 : pool.getActiveConnections();
        int idle = pool == null ? 0 : pool.getIdleConnections();
        int total = pool == null ? 0 : pool.getTotalConnections();
        int awaiting = pool == null ? 0 : pool.getThreadsAwaitingConnection();
        Timer acquire = timer("hikaricp.connections.acquire");
        Timer usage = timer("hikaricp.connections.usage");
        Timer creation = timer("hikaricp.connections.creation");
        Counter timeouts = registry.find("hikaricp.connections.timeout").tag("pool", name()).counter();
        return new PoolSnapshot(name(), clock.instant(), active, idle, total, dataSource.getMaximumPoolSize(),
                dataSource.getMinimumIdle(), awaiting,
                acquire == null ? 0 : acquire.mean(TimeUnit.MILLISECONDS),
                Endpoints.percentileMs(acquire, 0.95),
                acquire == null ? 0 : acquire.max(TimeUnit.MILLISECONDS),
                usage == null ? 0 : usage.mean(TimeUnit.MILLISECONDS),
                usage == null ? 0 : usage.max(TimeUnit.MILLISECONDS),
                timeouts == null ? 0 : (long) timeouts.count(),
                creation == null ? 0 : creation.count(), connectionFailures());
    }

    private Timer timer(String name) {
        return registry.find(name).tag("pool", name()).timer();
    }

    @Override
    public void close() {
        LeakWarnings.untrack(dataSource.getPoolName(), leakDetections);
        LeakWarnings.untrack(healthDataSource.getPoolName(), leakDetections);
        dataSource.close();
        healthDataSource.close();
    }

    @Override
    public String toString() {
        return "Endpoint[" + name() + " " + config.displayTarget() + "]";
    }
}
