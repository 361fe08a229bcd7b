package dev.pgpulse.orchestration;

import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthMonitor;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.health.readings.ServerReadings;
import dev.pgpulse.health.readings.ServerReadingsReader;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The PostgreSQL figures of the latest health sample as Prometheus families, collected at each scrape (in-memory
 * reads only). Where postgres_exporter has a family its name, type and labels are kept, so its dashboards work
 * (counters get the {@code _total} suffix Prometheus expects); the rest are {@code pgpulse_*} in base units. Every
 * series carries an {@code endpoint} label. A figure that is not known is left out, never written as 0: an
 * unreachable endpoint has only {@code pg_up 0}, and rates appear once enough counter history exists. The
 * server-wide readings ({@link HealthMonitor.Round#readings()}: every database, locks, standbys, slots, checkpointer, top
 * statements) come from the same round; where they failed, the endpoint's own database's five counters stand in.
 * Times postgres_exporter keeps in milliseconds are seconds here, under its name plus {@code _seconds}.
 */
final class ServerMetrics implements MultiCollector {
    private final HealthMonitor health;
    /** The fleet's name for this cluster, on every series; null outside a fleet (no label). */
    private final String cluster;

    ServerMetrics(HealthMonitor health) {
        this(health, null);
    }

    ServerMetrics(HealthMonitor health, String cluster) {
        this.health = health;
        this.cluster = cluster;
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

    /** The five counters ServerStats has of the endpoint's own database: exported when the readings failed. */
    private static final Map<String, Function<ServerStats, Long>> OWN_COUNTERS = Map.of(
            "xact_commit", s -> s.counters().xactCommit(), "xact_rollback", s -> s.counters().xactRollback(),
            "deadlocks", s -> s.counters().deadlocks(), "blks_hit", s -> s.counters().blksHit(),
            "blks_read", s -> s.counters().blksRead());

    /**
     * A counter family of the readings: its name without the {@code _total} the text format adds, the column read,
     * and the factor to base units (milliseconds to seconds).
     */
    private record Column(String family, String column, double scale) {
    }

    private static final List<Column> DATABASE = List.of(
            plain("pg_stat_database_", "xact_commit"), plain("pg_stat_database_", "xact_rollback"),
            plain("pg_stat_database_", "blks_read"), plain("pg_stat_database_", "blks_hit"),
            plain("pg_stat_database_", "tup_returned"), plain("pg_stat_database_", "tup_fetched"),
            plain("pg_stat_database_", "tup_inserted"), plain("pg_stat_database_", "tup_updated"),
            plain("pg_stat_database_", "tup_deleted"), plain("pg_stat_database_", "conflicts"),
            plain("pg_stat_database_", "temp_files"), plain("pg_stat_database_", "temp_bytes"),
            plain("pg_stat_database_", "deadlocks"), plain("pg_stat_database_", "sessions"),
            plain("pg_stat_database_", "sessions_abandoned"), plain("pg_stat_database_", "sessions_fatal"),
            plain("pg_stat_database_", "sessions_killed"),
            new Column("pg_stat_database_session_time_seconds", "session_time", 1e-3),
            new Column("pg_stat_database_active_time_seconds", "active_time", 1e-3),
            new Column("pg_stat_database_idle_in_transaction_time_seconds", "idle_in_transaction_time", 1e-3),
            plain("pg_stat_database_conflicts_", "confl_tablespace"), plain("pg_stat_database_conflicts_", "confl_lock"),
            plain("pg_stat_database_conflicts_", "confl_snapshot"), plain("pg_stat_database_conflicts_", "confl_bufferpin"),
            plain("pg_stat_database_conflicts_", "confl_deadlock"));

    private static final List<Column> BGWRITER = List.of(
            plain("pg_stat_bgwriter_", "checkpoints_timed"), plain("pg_stat_bgwriter_", "checkpoints_req"),
            new Column("pg_stat_bgwriter_checkpoint_write_time_seconds", "checkpoint_write_time", 1e-3),
            new Column("pg_stat_bgwriter_checkpoint_sync_time_seconds", "checkpoint_sync_time", 1e-3),
            plain("pg_stat_bgwriter_", "buffers_checkpoint"), plain("pg_stat_bgwriter_", "buffers_clean"),
            plain("pg_stat_bgwriter_", "maxwritten_clean"), plain("pg_stat_bgwriter_", "buffers_backend"),
            plain("pg_stat_bgwriter_", "buffers_backend_fsync"), plain("pg_stat_bgwriter_", "buffers_alloc"));

    private static Column plain(String prefix, String column) {
        return new Column(prefix + column, column, 1);
    }

    /** A per-statement family: name (counters without _total), help, value. */
    private record StatementFamily(String name, String help, Function<ServerReadings.Statement, Double> value) {
    }

    private static final List<StatementFamily> STATEMENTS = List.of(
            new StatementFamily("pg_stat_statements_calls", "Times the statement was executed", s -> (double) s.calls()),
            new StatementFamily("pg_stat_statements_seconds", "Time spent executing the statement, seconds",
                    s -> s.totalTimeMs() / 1000),
            new StatementFamily("pg_stat_statements_rows", "Rows retrieved or affected by the statement",
                    s -> (double) s.rows()),
            new StatementFamily("pg_stat_statements_block_read_seconds",
                    "Time the statement spent reading blocks, seconds (track_io_timing)", s -> s.blkReadTimeMs() / 1000),
            new StatementFamily("pg_stat_statements_block_write_seconds",
                    "Time the statement spent writing blocks, seconds (track_io_timing)", s -> s.blkWriteTimeMs() / 1000),
            new StatementFamily("pgpulse_statement_shared_blocks_hit", "Shared buffer hits of the statement",
                    s -> (double) s.sharedBlksHit()),
            new StatementFamily("pgpulse_statement_shared_blocks_read", "Shared blocks the statement read",
                    s -> (double) s.sharedBlksRead()));

    /** A per-standby gauge. */
    private record StandbyFamily(String name, String help, Function<ServerReadings.Standby, Double> value) {
    }

    private static final List<StandbyFamily> STANDBYS = List.of(
            new StandbyFamily("pg_stat_replication_pg_wal_lsn_diff", "WAL written here but not yet replayed by the standby, bytes",
                    ServerReadings.Standby::lagBytes),
            new StandbyFamily("pgpulse_replication_standby_write_lag_seconds",
                    "Time the standby took to write recent WAL (pg_stat_replication.write_lag)",
                    ServerReadings.Standby::writeLagSeconds),
            new StandbyFamily("pgpulse_replication_standby_flush_lag_seconds",
                    "Time the standby took to flush recent WAL (pg_stat_replication.flush_lag)",
                    ServerReadings.Standby::flushLagSeconds),
            new StandbyFamily("pgpulse_replication_standby_replay_lag_seconds",
                    "Time the standby took to replay recent WAL (pg_stat_replication.replay_lag)",
                    ServerReadings.Standby::replayLagSeconds));

    @Override
    public MetricSnapshots collect() {
        // one read of the round: the snapshot and the readings of the same probes
        HealthMonitor.Round round = health.round();
        if (round == null) {
            return MetricSnapshots.of();
        }
        HealthSnapshot h = round.health();
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
        Map<String, ServerReadings> readings = round.readings();
        databaseCounters(servers, readings, out);
        readings(servers, readings, out);
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

    /** Every database's pg_stat_database counters; the endpoint's own five where the readings failed. */
    private void databaseCounters(List<ServerStats> servers, Map<String, ServerReadings> readings,
                                         List<MetricSnapshot> out) {
        for (Column c : DATABASE) {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(c.family())
                    .help((c.column().startsWith("confl_") ? "pg_stat_database_conflicts." : "pg_stat_database.")
                            + c.column() + (c.scale() == 1 ? "" : " in seconds"));
            boolean any = false;
            for (ServerStats s : servers) {
                ServerReadings r = readings.get(s.endpoint());
                if (r != null) {
                    for (ServerReadings.Database d : r.databases()) {
                        Double v = d.counters().get(c.column());
                        if (v != null) {
                            b.dataPoint(counter(Labels.of("datid", Long.toString(d.datid()), "datname", d.datname(),
                                    "endpoint", s.endpoint()), v * c.scale()));
                            any = true;
                        }
                    }
                } else if (OWN_COUNTERS.containsKey(c.column())) {
                    b.dataPoint(counter(database(s, true), OWN_COUNTERS.get(c.column()).apply(s)));
                    any = true;
                }
            }
            if (any) {
                out.add(b.build());
            }
        }
    }

    /** Locks, standbys, slots, the checkpointer and background writer, top statements. */
    private void readings(List<ServerStats> servers, Map<String, ServerReadings> readings,
                                 List<MetricSnapshot> out) {
        List<ServerStats> read = servers.stream().filter(s -> readings.containsKey(s.endpoint())).toList();
        if (read.isEmpty()) {
            return;
        }
        GaugeSnapshot.Builder locks = GaugeSnapshot.builder().name("pg_locks_count")
                .help("Locks held or awaited by database and mode");
        GaugeSnapshot.Builder slotActive = GaugeSnapshot.builder().name("pg_replication_slots_active")
                .help("Whether the replication slot is in use (1) or not (0)");
        GaugeSnapshot.Builder slotRetained = GaugeSnapshot.builder().name("pg_replication_slots_pg_wal_lsn_diff")
                .help("WAL retained for the replication slot, bytes");
        boolean anySlot = false;
        boolean anyRetained = false;
        for (ServerStats s : read) {
            ServerReadings r = readings.get(s.endpoint());
            for (ServerReadings.Locks l : r.locks()) {
                locks.dataPoint(gauge(Labels.of("datname", l.datname(), "endpoint", s.endpoint(), "mode", l.mode()),
                        l.count()));
            }
            for (ServerReadings.Slot slot : r.slots()) {
                Labels labels = Labels.of("database", slot.database(), "endpoint", s.endpoint(), "slot_name", slot.slotName());
                slotActive.dataPoint(gauge(labels, slot.active() ? 1 : 0));
                anySlot = true;
                if (slot.retainedBytes() != null) {
                    slotRetained.dataPoint(gauge(labels, slot.retainedBytes()));
                    anyRetained = true;
                }
            }
        }
        out.add(locks.build());
        if (anySlot) {
            out.add(slotActive.build());
        }
        if (anyRetained) {
            out.add(slotRetained.build());
        }
        for (StandbyFamily f : STANDBYS) {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(f.name()).help(f.help());
            boolean any = false;
            for (ServerStats s : read) {
                for (ServerReadings.Standby sb : readings.get(s.endpoint()).standbys()) {
                    Double v = f.value().apply(sb);
                    if (v != null) {
                        b.dataPoint(gauge(Labels.of("application_name", sb.applicationName(), "client_addr",
                                sb.clientAddr(), "endpoint", s.endpoint(), "pid", Integer.toString(sb.pid()),
                                "slot_name", sb.slotName(), "state", sb.state()), v));
                        any = true;
                    }
                }
            }
            if (any) {
                out.add(b.build());
            }
        }
        for (Column c : BGWRITER) {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(c.family())
                    .help("pg_stat_bgwriter." + c.column() + " (pg_stat_checkpointer from PostgreSQL 17)"
                            + (c.scale() == 1 ? "" : " in seconds"));
            boolean any = false;
            for (ServerStats s : read) {
                Double v = readings.get(s.endpoint()).checkpointer().get(c.column());
                if (v != null) {
                    b.dataPoint(counter(Labels.of("endpoint", s.endpoint()), v * c.scale()));
                    any = true;
                }
            }
            if (any) {
                out.add(b.build());
            }
        }
        for (StatementFamily f : STATEMENTS) {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(f.name())
                    .help(f.help() + " (top " + ServerReadingsReader.TOP_STATEMENTS + " by total time)");
            boolean any = false;
            for (ServerStats s : read) {
                List<ServerReadings.Statement> top = readings.get(s.endpoint()).statements();
                for (ServerReadings.Statement st : top == null ? List.<ServerReadings.Statement>of() : top) {
                    b.dataPoint(counter(Labels.of("datname", st.datname(), "endpoint", s.endpoint(),
                            "queryid", st.queryId(), "user", st.user()), f.value().apply(st)));
                    any = true;
                }
            }
            if (any) {
                out.add(b.build());
            }
        }
    }

    @Override
    public List<String> getPrometheusNames() {
        List<String> names = new ArrayList<>(List.of("pg_up", "pg_database_size_bytes", "pg_stat_activity_count",
                "pg_stat_activity_max_tx_duration", "pg_locks_count", "pg_replication_slots_active",
                "pg_replication_slots_pg_wal_lsn_diff"));
        DATABASE.forEach(c -> names.add(c.family()));
        BGWRITER.forEach(c -> names.add(c.family()));
        STATEMENTS.forEach(f -> names.add(f.name()));
        STANDBYS.forEach(f -> names.add(f.name()));
        GAUGES.forEach(g -> names.add(g.name()));
        return names;
    }

    private static Labels database(ServerStats s, boolean withOid) {
        return withOid
                ? Labels.of("datid", Long.toString(s.databaseOid()), "datname", s.database(), "endpoint", s.endpoint())
                : Labels.of("datname", s.database(), "endpoint", s.endpoint());
    }

    private CounterSnapshot.CounterDataPointSnapshot counter(Labels labels, double value) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(clustered(labels)).value(value).build();
    }

    private GaugeSnapshot.GaugeDataPointSnapshot gauge(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(clustered(labels)).value(value).build();
    }

    private Labels clustered(Labels labels) {
        return cluster == null ? labels : labels.add("cluster", cluster);
    }
}
