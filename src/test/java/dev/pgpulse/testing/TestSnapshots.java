package dev.pgpulse.testing;

import dev.pgpulse.health.ServerCounters;
import dev.pgpulse.health.ServerStats;
import dev.pgpulse.pool.PoolSnapshot;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The wide snapshot records for tests, built by naming the fields a test sets, the others preset to a quiet
 * endpoint: {@code TestSnapshots.pool("primary", t, p -> { p.active = 3; p.max = 5; })}.
 */
public final class TestSnapshots {
    private TestSnapshots() {
    }

    /** A {@link PoolSnapshot}'s fields, preset to a quiet pool: nothing active, waiting or timed out. */
    public static final class PoolFields {
        public int active;
        public int idle;
        public int total;
        public int max = 10;
        public int minIdle;
        public int awaiting;
        public double acquireMeanMs;
        public double acquireP95Ms;
        public double acquireMaxMs;
        public double usageMeanMs;
        public double usageMaxMs;
        public long timeouts;
        public long created;
        public long connectionFailures;

        private PoolFields() {
        }
    }

    /**
     * A {@link ServerStats}' fields, preset to a quiet primary whose rates are known: one connection of 100, no
     * transactions, every block from the cache, nothing long-running or waiting. {@code connectionsUsedRatio}
     * left null is used / available.
     */
    public static final class ServerFields {
        public int connectionsUsed = 1;
        public int connectionsAvailable = 100;
        public Double connectionsUsedRatio;
        public double tps;
        public double rollbackRatio;
        public double cacheHitRatio = 1.0;
        public double longestQuerySeconds;
        public double longestTransactionSeconds;
        public double longestIdleInTransactionSeconds;
        public int waitingOnLocks;
        public double longestLockWaitSeconds;
        public double deadlocksLastMinute;
        public long databaseSizeBytes = 8_000_000;
        public long oldestXidAge = 1_000;
        public boolean inRecovery;
        public Double replayLagSeconds;
        public Long replayLagBytes;
        public Long walLsn;
        public Double replayAgeSeconds;
        /** What inet_server_addr() said; null as over a Unix socket. */
        public String serverAddress = "127.0.0.1";
        public int serverPort = 5432;
        public boolean ratesKnown = true;
        public String serverVersion = "16.4";
        public String database = "app";
        public long databaseOid = 16384;
        /** Null: all zero, read at the sample's instant. */
        public ServerCounters counters;
        public List<ServerStats.Activity> activity = List.of();

        private ServerFields() {
        }

        /** As before enough counter history: not known, and tps, rollback ratio and deadlocks NaN. */
        public void ratesUnknown() {
            ratesKnown = false;
            tps = Double.NaN;
            rollbackRatio = Double.NaN;
            deadlocksLastMinute = Double.NaN;
        }
    }

    public static PoolSnapshot pool(String endpoint, Instant at, Consumer<PoolFields> set) {
        PoolFields f = new PoolFields();
        set.accept(f);
        return new PoolSnapshot(endpoint, at, f.active, f.idle, f.total, f.max, f.minIdle, f.awaiting, f.acquireMeanMs,
                f.acquireP95Ms, f.acquireMaxMs, f.usageMeanMs, f.usageMaxMs, f.timeouts, f.created,
                f.connectionFailures);
    }

    public static ServerStats server(String endpoint, Instant at, Consumer<ServerFields> set) {
        ServerFields f = new ServerFields();
        set.accept(f);
        double ratio = f.connectionsUsedRatio != null ? f.connectionsUsedRatio
                : f.connectionsAvailable == 0 ? 0 : (double) f.connectionsUsed / f.connectionsAvailable;
        ServerCounters counters = f.counters != null ? f.counters : new ServerCounters(at, 0, 0, 0, 0, 0, 0, null);
        return new ServerStats(at, endpoint, f.connectionsUsed, f.connectionsAvailable, ratio, f.tps, f.rollbackRatio,
                f.cacheHitRatio, f.longestQuerySeconds, f.longestTransactionSeconds, f.longestIdleInTransactionSeconds,
                f.waitingOnLocks, f.longestLockWaitSeconds, f.deadlocksLastMinute, f.databaseSizeBytes, f.oldestXidAge, f.inRecovery,
                f.replayLagSeconds, f.replayLagBytes, f.ratesKnown, f.serverVersion, f.database, f.databaseOid,
                counters, f.activity, f.walLsn, f.replayAgeSeconds, f.serverAddress, f.serverPort);
    }

    /** An {@link dev.pgpulse.orchestration.AlertBoard} with the default rules, nothing pending or firing, no webhook. */
    public static dev.pgpulse.orchestration.AlertBoard quietAlerting() {
        return new dev.pgpulse.orchestration.AlertBoard(
                new dev.pgpulse.health.alert.RuleBook.State(dev.pgpulse.health.alert.DefaultRules.all(), 1, true,
                        java.util.Optional.empty(), java.util.Optional.empty()),
                java.util.List.of(), java.util.Set.of(), java.util.List.of(), java.util.Optional.empty());
    }
}
