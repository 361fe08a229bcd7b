package dev.pgpulse.orchestration;

import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthMonitor;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.ServerStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The PostgreSQL figures of the latest health sample as Prometheus families, collected at each scrape (in-memory
 * reads only). Where postgres_exporter has a family its name, type and labels are kept, so its dashboards work
 * (counters get the {@code _total} suffix Prometheus expects); the rest are {@code pgpulse_*} in base units. Every
 * series carries an {@code endpoint} label. A figure that is not known is left out, never written as 0: an
 * unreachable endpoint has only {@code pg_up 0}, and rates appear once enough counter history exists.
 */
final class ServerMetrics implements MultiCollector {
    private final HealthMonitor health;

    ServerMetrics(HealthMonitor health) {
        this.health = health;
    }

    /** Name, help, and the value for one endpoint's sample (NaN: leave the series out). */
    private record Gauge(String name, String help, Function<ServerStats, Double> value) {
    }

    private static final List<Gauge> GAUGES = List.of(
            new Gauge("pgpulse_server_connections_used", "Client backends connected to the server",
                    s -> (double) s.connectionsUsed()),
            new Gauge("pgpulse_server_connections_available",
                    "max_connections minus the connections reserved for superusers", s -> (double) s.connectionsAvailable()),
            new Gauge("pgpulse_server_connections_used_ratio", "Client backends over the usable maximum",
                    ServerStats::connectionsUsedRatio),
            new Gauge("pgpulse_server_transactions_per_second",
                    "Commits and rollbacks a second over at least 10 s of counter history", ServerStats::tps),
            new Gauge("pgpulse_server_rollback_ratio", "Rollbacks over transactions, same span as the rate",
                    ServerStats::rollbackRatio),
            new Gauge("pgpulse_server_cache_hit_ratio", "Buffer cache hits over block reads, same span as the rate",
                    ServerStats::cacheHitRatio),
            new Gauge("pgpulse_server_deadlocks_last_minute", "Deadlocks counted over the last minute of counter reads",
                    ServerStats::deadlocksLastMinute),
            new Gauge("pgpulse_server_longest_query_seconds", "Longest running active query of another client backend",
                    ServerStats::longestQuerySeconds),
            new Gauge("pgpulse_server_longest_transaction_seconds", "Oldest open transaction of another client backend",
                    ServerStats::longestTransactionSeconds),
            new Gauge("pgpulse_server_idle_in_transaction_longest_seconds",
                    "Longest time a session has sat idle inside a transaction", ServerStats::longestIdleInTransactionSeconds),
            new Gauge("pgpulse_server_lock_waiting_sessions", "Sessions waiting for a lock",
                    s -> (double) s.waitingOnLocks()),
            new Gauge("pgpulse_server_lock_wait_longest_seconds",
                    "Longest current wait of a session blocked on a lock", ServerStats::longestLockWaitSeconds),
            new Gauge("pgpulse_server_oldest_xid_age", "Largest age(datfrozenxid) over all databases, in transactions",
                    s -> (double) s.oldestXidAge()),
            new Gauge("pgpulse_server_in_recovery", "1 on a standby, 0 on a primary", s -> s.inRecovery() ? 1.0 : 0.0),
            new Gauge("pgpulse_replication_replay_lag_seconds", "Standby: age of the last replayed transaction",
                    s -> s.replayLagSeconds() == null ? Double.NaN : s.replayLagSeconds()),
            new Gauge("pgpulse_replication_replay_lag_bytes", "Standby: WAL received but not yet replayed",
                    s -> s.replayLagBytes() == null ? Double.NaN : (double) s.replayLagBytes()));

    /** postgres_exporter's pg_stat_database counters (without the _total the text format adds). */
    private static final Map<String, Function<ServerStats, Long>> COUNTERS = counters();

    private static Map<String, Function<ServerStats, Long>> counters() {
        Map<String, Function<ServerStats, Long>> m = new LinkedHashMap<>();
        m.put("pg_stat_database_xact_commit", s -> s.counters().xactCommit());
        m.put("pg_stat_database_xact_rollback", s -> s.counters().xactRollback());
        m.put("pg_stat_database_deadlocks", s -> s.counters().deadlocks());
        m.put("pg_stat_database_blks_hit", s -> s.counters().blksHit());
        m.put("pg_stat_database_blks_read", s -> s.counters().blksRead());
        return m;
    }

    @Override
    public MetricSnapshots collect() {
        HealthSnapshot h = health.latest();
        if (h == null) {
            return MetricSnapshots.of();
        }
        List<MetricSnapshot> out = new ArrayList<>();
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("pg_up")
                .help("Whether the latest health sample reached the server (1) or not (0)");
        for (EndpointStatus e : h.endpoints()) {
            up.dataPoint(gauge(Labels.of("endpoint", e.endpoint()), e.server() == null ? 0 : 1));
        }
        out.add(up.build());
        List<ServerStats> servers = h.endpoints().stream().map(EndpointStatus::server)
                .filter(java.util.Objects::nonNull).toList();
        if (servers.isEmpty()) {
            return new MetricSnapshots(out);
        }
        for (Map.Entry<String, Function<ServerStats, Long>> c : COUNTERS.entrySet()) {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(c.getKey())
                    .help("pg_stat_database." + c.getKey().substring("pg_stat_database_".length())
                            + " of the endpoint's database");
            for (ServerStats s : servers) {
                b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(database(s, true))
                        .value(c.getValue().apply(s)).build());
            }
            out.add(b.build());
        }
        GaugeSnapshot.Builder size = GaugeSnapshot.builder().name("pg_database_size_bytes")
                .help("Disk space used by the endpoint's database");
        GaugeSnapshot.Builder count = GaugeSnapshot.builder().name("pg_stat_activity_count")
                .help("Sessions by database and state");
        GaugeSnapshot.Builder maxTx = GaugeSnapshot.builder().name("pg_stat_activity_max_tx_duration")
                .help("Oldest open transaction by database and state, seconds");
        for (ServerStats s : servers) {
            size.dataPoint(gauge(database(s, false), s.databaseSizeBytes()));
            for (ServerStats.Activity a : s.activity()) {
                Labels l = Labels.of("datname", a.database(), "endpoint", s.endpoint(), "state", a.state());
                count.dataPoint(gauge(l, a.count()));
                maxTx.dataPoint(gauge(l, a.maxTransactionSeconds()));
            }
        }
        out.add(size.build());
        out.add(count.build());
        out.add(maxTx.build());
        for (Gauge g : GAUGES) {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(g.name()).help(g.help());
            boolean any = false;
            for (ServerStats s : servers) {
                Double v = g.value().apply(s);
                if (v != null && !v.isNaN()) {
                    b.dataPoint(gauge(Labels.of("endpoint", s.endpoint()), v));
                    any = true;
                }
            }
            if (any) {
                out.add(b.build());
            }
        }
        return new MetricSnapshots(out);
    }

    @Override
    public List<String> getPrometheusNames() {
        List<String> names = new ArrayList<>(List.of("pg_up", "pg_database_size_bytes", "pg_stat_activity_count",
                "pg_stat_activity_max_tx_duration"));
        names.addAll(COUNTERS.keySet());
        GAUGES.forEach(g -> names.add(g.name()));
        return names;
    }

    private static Labels database(ServerStats s, boolean withOid) {
        return withOid
                ? Labels.of("datid", Long.toString(s.databaseOid()), "datname", s.database(), "endpoint", s.endpoint())
                : Labels.of("datname", s.database(), "endpoint", s.endpoint());
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gauge(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
