package dev.pgpulse.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.PgPulseConfig;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * One HikariCP pool per server: the primary for writes, replicas for reads. Built from the configuration,
 * with HikariCP's Micrometer tracker on the shared registry; closed in reverse order.
 */
public final class Endpoints implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);
    private static final String ACQUIRE = "hikaricp.connections.acquire";
    private static final String USAGE = "hikaricp.connections.usage";
    private static final long HEALTH_CONNECTION_TIMEOUT_MS = 2_000;
    /** How long a read on a health connection may wait: a probe's own statement_timeout must stay below it. */
    public static final Duration HEALTH_READ_TIMEOUT = ConnectionBounds.HEALTH_READ_TIMEOUT;

    private final Endpoint primary;
    private final List<Endpoint> replicas;
    private final AtomicInteger nextReplica = new AtomicInteger();

    private Endpoints(Endpoint primary, List<Endpoint> replicas) {
        this.primary = primary;
        this.replicas = List.copyOf(replicas);
    }

    /**
     * Waits for each server (see {@link PgPulseConfig#startupWait()}) and opens its pool. The primary must
     * answer; a replica that does not is logged and gets a pool that connects when the server comes back,
     * while reads fall back to the primary.
     */
    public static Endpoints open(PgPulseConfig config, MeterRegistry registry) throws EndpointStartupException {
        EndpointConfig primaryConfig = config.primary().orElseThrow(
                () -> new IllegalStateException("the embedded server must be started before the pools"));
        configureRegistry(registry);
        StartupWait.await(primaryConfig, config.startupWait());
        Endpoint primary = new Endpoint(primaryConfig, pool(primaryConfig, registry, true), healthPool(primaryConfig), registry, Clock.systemUTC(),
                true);
        List<Endpoint> replicas = new ArrayList<>();
        try {
            for (EndpointConfig rc : config.replicas()) {
                boolean up = true;
                try {
                    StartupWait.await(rc, config.startupWait());
                } catch (EndpointStartupException e) {
                    up = false;
                    LOG.warn("{} - not reachable at startup, reads go to the other endpoints until it is: {}",
                            rc.name(), e.getMessage());
                }
                replicas.add(new Endpoint(rc, pool(rc, registry, up), healthPool(rc), registry, Clock.systemUTC(), up));
            }
        } catch (RuntimeException e) {
            replicas.forEach(Endpoint::close);
            primary.close();
            throw e;
        }
        LOG.info("{} - pool open ({}), {} replica(s)", primary.name(), primaryConfig.displayTarget(), replicas.size());
        return new Endpoints(primary, replicas);
    }

    /**
     * Asks Micrometer for percentiles on HikariCP's acquire and usage timers, which HikariCP does not
     * configure itself. Must run before the first pool registers its meters.
     */
    public static void configureRegistry(MeterRegistry registry) {
        if (registry.find(ACQUIRE).meters().isEmpty()) {
            registry.config().meterFilter(new MeterFilter() {
                @Override
                public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                    if (id.getName().equals(ACQUIRE) || id.getName().equals(USAGE)) {
                        return DistributionStatisticConfig.builder().percentiles(0.5, 0.95, 0.99)
                                .expiry(Duration.ofMinutes(1)).bufferLength(3).build().merge(config);
                    }
                    return config;
                }
            });
        }
    }

    /** A percentile the registry keeps for a timer (see {@link #configureRegistry}), in ms; 0 without one. */
    public static double percentileMs(Timer timer, double p) {
        if (timer == null) {
            return 0;
        }
        for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
            if (Math.abs(v.percentile() - p) < 1e-9) {
                return v.value(TimeUnit.MILLISECONDS);
            }
        }
        return 0;
    }

    static HikariDataSource pool(EndpointConfig c, MeterRegistry registry, boolean failFast) {
        HikariConfig h = new HikariConfig();
        h.setPoolName(c.name());
        h.setJdbcUrl(c.jdbcUrl());
        h.setUsername(c.user());
        if (c.hasPassword()) {
            h.setPassword(c.password());
        }
        var p = c.pool();
        h.setMaximumPoolSize(p.maxPoolSize());
        h.setMinimumIdle(p.minIdle());
        h.setConnectionTimeout(p.connectionTimeout().toMillis());
        h.setIdleTimeout(p.idleTimeout().toMillis());
        h.setMaxLifetime(p.maxLifetime().toMillis());
        h.setKeepaliveTime(p.keepalive().toMillis());
        h.setLeakDetectionThreshold(p.leakDetectionThreshold().toMillis());
        h.setValidationTimeout(ConnectionBounds.validation(p.connectionTimeout()).toMillis());
        dataSourceProperties(h, ConnectionBounds.application(c));
        if (!p.statementTimeout().isZero()) {
            // Set in the startup packet, so every pooled session has it without an extra round trip.
            h.addDataSourceProperty("options", "-c statement_timeout=" + p.statementTimeout().toMillis());
        }
        if (c.role() == EndpointConfig.Role.REPLICA) {
            // pgjdbc only sends read-only with an explicit transaction by default; autocommit work must be
            // refused too, or a replica URL pointing at a writable server would take writes.
            h.setReadOnly(true);
            h.addDataSourceProperty("readOnlyMode", "always");
        }
        h.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        h.setInitializationFailTimeout(failFast ? 1 : -1);
        return new HikariDataSource(h);
    }

    /**
     * One connection, lazily opened, for health probes: a health check must answer when the application's
     * pool is saturated, which is exactly when a DBA looks. Not tracked in the metrics (it is not the
     * application's pool); its connections still count in the server's figures.
     */
    static HikariDataSource healthPool(EndpointConfig c) {
        HikariConfig h = new HikariConfig();
        h.setPoolName(c.name() + "-health");
        h.setJdbcUrl(c.jdbcUrl());
        h.setUsername(c.user());
        if (c.hasPassword()) {
            h.setPassword(c.password());
        }
        h.setMaximumPoolSize(1);
        h.setMinimumIdle(0);
        h.setConnectionTimeout(Math.min(c.pool().connectionTimeout().toMillis(), HEALTH_CONNECTION_TIMEOUT_MS));
        h.setIdleTimeout(Duration.ofMinutes(2).toMillis());
        h.setMaxLifetime(c.pool().maxLifetime().toMillis());
        h.setValidationTimeout(ConnectionBounds.HEALTH_VALIDATION_TIMEOUT.toMillis());
        Properties props = ConnectionBounds.health(c);
        props.setProperty("ApplicationName", c.applicationName() + " health");
        dataSourceProperties(h, props);
        h.setReadOnly(true);
        h.addDataSourceProperty("readOnlyMode", "always");
        h.setInitializationFailTimeout(-1);
        return new HikariDataSource(h);
    }

    /**
     * Which step of talking to a server timed out ("TCP connect", "login/startup" or "query"), for messages
     * that must say so; empty when the failure is no timeout.
     */
    public static Optional<String> timedOut(Throwable failure) {
        return ConnectionBounds.timedOut(failure);
    }

    /** Everything but the credentials, which HikariCP holds itself (and keeps out of its logs). */
    private static void dataSourceProperties(HikariConfig h, Properties props) {
        props.forEach((k, v) -> {
            if (!k.equals("user") && !k.equals("password")) {
                h.addDataSourceProperty((String) k, v);
            }
        });
    }

    public Endpoint primary() {
        return primary;
    }

    public List<Endpoint> replicas() {
        return replicas;
    }

    /** Primary first, then replicas in order. */
    public List<Endpoint> all() {
        List<Endpoint> all = new ArrayList<>(1 + replicas.size());
        all.add(primary);
        all.addAll(replicas);
        return List.copyOf(all);
    }

    public Optional<Endpoint> byName(String name) {
        return all().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    public Endpoint route(Route route) {
        return route(route, Endpoint::isUsable);
    }

    /**
     * @param usable what the caller knows of each endpoint's health (the resilience layer passes its breakers)
     */
    public Endpoint route(Route route, Predicate<Endpoint> usable) {
        return switch (route) {
            case WRITE -> primary;
            case READ -> nextUsableReplica(usable).orElse(primary);
            case ANY -> usable.test(primary) ? primary : nextUsableReplica(usable).orElse(primary);
        };
    }

    private Optional<Endpoint> nextUsableReplica(Predicate<Endpoint> usable) {
        int n = replicas.size();
        if (n == 0) {
            return Optional.empty();
        }
        int start = Math.floorMod(nextReplica.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Endpoint candidate = replicas.get((start + i) % n);
            if (usable.test(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public List<PoolSnapshot> snapshots() {
        return all().stream().map(Endpoint::snapshot).toList();
    }

    /** Replicas first, the primary last: the reverse of opening. */
    @Override
    public void close() {
        for (int i = replicas.size() - 1; i >= 0; i--) {
            replicas.get(i).close();
        }
        primary.close();
    }
}
