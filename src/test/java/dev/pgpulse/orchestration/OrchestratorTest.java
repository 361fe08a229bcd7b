package dev.pgpulse.orchestration;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.health.alert.AlertState;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.health.alert.Severity;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.pool.Route;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(PostgresExtension.class)
@Timeout(60)
class OrchestratorTest {
    @TempDir
    Path home;

    private Orchestrator start(TestDatabase db) throws Exception {
        var config = new ConfigLoader(db.env(), home, "tester", 2).load(new Overrides(null, null, null, List.of(), null,
                Map.of("breaker.minimum_calls", "2", "breaker.window_size", "4")));
        return Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200),
                home.resolve("alert-rules.json"), false));
    }

    @Test
    void itComposesEverythingAndEveryFigureIsInOneSnapshot(TestDatabase db) throws Exception {
        try (Orchestrator o = start(db)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> o.status().state() == Status.State.RUNNING);
            Snapshot s = o.snapshot();
            assertThat(s.embedded()).isFalse();
            assertThat(s.target()).contains(db.host() + ":" + db.port() + "/" + db.database());
            assertThat(s.health()).isNotNull();
            assertThat(s.health().endpoint("primary").orElseThrow().server()).isNotNull();
            assertThat(s.service().pools()).singleElement().satisfies(p -> assertThat(p.endpoint()).isEqualTo("primary"));
            assertThat(s.service().breakers()).singleElement().satisfies(b -> assertThat(b.state()).isEqualTo(BreakerState.CLOSED));
            assertThat(s.service().operations()).anySatisfy(op -> assertThat(op.operation()).isEqualTo("health.primary"));
            assertThat(s.activeAlerts()).isEmpty();
            String scrape = o.scrape();
            assertThat(scrape).contains("hikaricp_connections_active").contains("resilience4j_circuitbreaker_state")
                    .contains("pgpulse_operation_seconds");
        }
    }

    @Test
    void anOpenBreakerFiresItsAlertAndDegradesTheStatusUntilItCloses(TestDatabase db) throws Exception {
        try (Orchestrator o = start(db)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> o.status().state() == Status.State.RUNNING);
            o.service().guard().breaker("primary").transitionToForcedOpenState();
            await().atMost(Duration.ofSeconds(10)).until(() -> o.snapshot().activeAlerts().stream()
                    .anyMatch(a -> a.ruleId().equals("breaker-open")));
            Snapshot s = o.snapshot();
            assertThat(s.status().state()).isEqualTo(Status.State.DEGRADED);
            assertThat(s.status().reasons()).contains("primary circuit breaker FORCED OPEN (drill): every call fails fast");
            Alert fired = s.activeAlerts().stream().filter(a -> a.ruleId().equals("breaker-open")).findFirst().orElseThrow();
            assertThat(fired.subject()).isEqualTo("breaker.primary.state");

            o.service().guard().breaker("primary").transitionToClosedState();
            await().atMost(Duration.ofSeconds(10)).until(() -> o.snapshot().activeAlerts().isEmpty()
                    && o.status().state() == Status.State.RUNNING);
            assertThat(o.snapshot().recentAlerts()).anyMatch(a -> a.ruleId().equals("breaker-open")
                    && a.state() == AlertState.RESOLVED);
        }
    }

    /**
     * A connection cut for real (through the fault proxy: connections cut, new ones refused) makes the primary DOWN
     * in the health samples, {@code endpoint.primary.health} 2: the default endpoint-down rule (its "for" shortened
     * to a second, to keep the test short) goes PENDING, then FIRING, and resolves once the proxy forwards again.
     */
    @Test
    void aDownEndpointFiresTheEndpointDownRuleUntilItIsBack(TestDatabase db) throws Exception {
        AlertRule byDefault = DefaultRules.all().stream().filter(r -> r.id().equals("endpoint-down")).findFirst().orElseThrow();
        Path rules = home.resolve("alert-rules.json");
        new AlertRuleStore(rules).save(List.of(new AlertRule(byDefault.id(), byDefault.name(), byDefault.metric(),
                byDefault.operator(), byDefault.threshold(), Duration.ofSeconds(1), byDefault.severity(), true)));
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            var config = new ConfigLoader(proxy.through(db).env(), home, "tester", 2).load(new Overrides(null, null,
                    null, List.of(), null, Map.of("pool.connection_timeout", "500ms", "breaker.wait_in_open", "300ms")));
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200), rules, false))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> o.status().state() == Status.State.RUNNING);
                assertThat(o.snapshot().history().series("endpoint.primary.health").last()).isEqualTo(0.0);
                var seen = new java.util.concurrent.CopyOnWriteArrayList<AlertState>();
                o.alerts().subscribe(a -> {
                    if (a.ruleId().equals("endpoint-down")) {
                        seen.add(a.state());
                    }
                });
                proxy.outage();
                await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains(AlertState.FIRING));
                assertThat(seen).containsExactly(AlertState.PENDING, AlertState.FIRING);
                Alert fired = o.snapshot().activeAlerts().stream().filter(a -> a.ruleId().equals("endpoint-down"))
                        .findFirst().orElseThrow();
                assertThat(fired.subject()).isEqualTo("endpoint.primary.health");
                assertThat(fired.severity()).isEqualTo(Severity.CRITICAL);
                assertThat(fired.value()).isEqualTo(2.0);
                // the health probe's connections are refused, and counted
                assertThat(o.snapshot().history().series("pool.primary.connection_failures_per_minute").last())
                        .isPositive();

                proxy.restore();
                await().atMost(Duration.ofSeconds(30)).until(() -> o.snapshot().activeAlerts().isEmpty());
                assertThat(seen).containsExactly(AlertState.PENDING, AlertState.FIRING, AlertState.RESOLVED);
                assertThat(o.snapshot().recentAlerts()).anyMatch(a -> a.ruleId().equals("endpoint-down")
                        && a.state() == AlertState.RESOLVED);
            }
        }
    }

    /**
     * The core's metric history fills from the real health samples, one point per sample at the sample's time, with
     * the values that sample's snapshot shows; a call held on the server shows as in flight and ageing.
     */
    @Test
    void theMetricHistoryRecordsEachRealSampleWithTheValuesItsSnapshotShows(TestDatabase db) throws Exception {
        try (Orchestrator o = start(db)) {
            assertThat(o.history().window()).isEqualTo(MetricHistory.DEFAULT_WINDOW);
            var sleeper = java.util.concurrent.CompletableFuture.supplyAsync(() -> o.service().query("sleeper",
                    Route.WRITE, c -> {
                        try (var st = c.createStatement()) {
                            return st.execute("select pg_sleep(3)");
                        }
                    }));
            try (var held = o.service().endpoints().primary().connection()) {
                for (int i = 0; i < 20; i++) {
                    o.service().query("tick", Route.READ, c -> c.isValid(1));
                }
                await().atMost(Duration.ofSeconds(15)).until(() -> {
                    Snapshot s = o.snapshot();
                    MetricHistory.Series ratio = s.history().series("server.cache_hit_ratio");
                    return ratio.size() >= 6 && s.health() != null && ratio.at(ratio.size() - 1).equals(s.health().at())
                            && s.history().series("service.oldest_call_in_flight_seconds").last() > 1;
                });
                Snapshot s = o.snapshot();
                MetricHistory.View h = s.history();
                var primary = s.health().endpoint("primary").orElseThrow();
                assertThat(h.series("server.cache_hit_ratio").last()).isEqualTo(primary.server().cacheHitRatio());
                assertThat(h.series("server.connections.used_ratio").last())
                        .isEqualTo(primary.server().connectionsUsedRatio());
                assertThat(h.series("server.oldest_xid_age").last()).isEqualTo((double) primary.server().oldestXidAge());
                assertThat(h.series("pool.primary.usage_ratio").last()).isEqualTo(primary.pool().usageRatio())
                        .as("the held connection and the sleeper's").isPositive();
                assertThat(h.series("pool.primary.awaiting").last()).isEqualTo((double) primary.pool().awaiting());
                assertThat(h.series("pool.primary.acquire_p95_ms").last()).isEqualTo(primary.pool().acquireP95Ms());
                assertThat(h.series("breaker.primary.state").last()).isZero();
                assertThat(h.series("traffic.primary.calls_per_second").size()).isPositive();
                assertThat(h.series("query.tick.p95_ms").size()).isPositive();
                MetricHistory.Series inFlight = h.series("service.calls_in_flight");
                assertThat(inFlight.last()).as("the sleeper").isGreaterThanOrEqualTo(1);
                MetricHistory.Series oldest = h.series("service.oldest_call_in_flight_seconds");
                assertThat(oldest.last()).isGreaterThan(oldest.value(oldest.size() - 3)).isLessThan(10);
                // and on the endpoint it runs on
                assertThat(h.series("traffic.primary.calls_in_flight").last()).as("the sleeper").isGreaterThanOrEqualTo(1);
                MetricHistory.Series onPrimary = h.series("traffic.primary.oldest_call_in_flight_seconds");
                assertThat(onPrimary.last()).isGreaterThan(onPrimary.value(onPrimary.size() - 3)).isLessThan(10);
                // one point per sample, in order, a health interval or more apart
                MetricHistory.Series ratio = h.series("server.cache_hit_ratio");
                for (int i = 1; i < ratio.size(); i++) {
                    assertThat(Duration.between(ratio.at(i - 1), ratio.at(i))).isGreaterThanOrEqualTo(Duration.ofMillis(200));
                }
            }
            assertThat(sleeper.get(10, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(
                    dev.pgpulse.service.Result.Success.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> o.snapshot().history()
                    .series("service.oldest_call_in_flight_seconds").last() == 0
                    && o.snapshot().history().series("traffic.primary.oldest_call_in_flight_seconds").last() == 0);
        }
    }

    /**
     * A session idle in a transaction holding a row lock and a second blocked on that row show in the history's
     * server keys: the idle time and the lock wait grow from sample to sample, and one session waits.
     */
    @Test
    void anIdleTransactionAndARowLockWaitShowInTheServerKeys(TestDatabase db) throws Exception {
        db.exec("create table if not exists pgpulse_orch_lock (id int primary key)",
                "insert into pgpulse_orch_lock values (1) on conflict do nothing");
        try (var holder = db.connect(); var waiter = db.connect();
             var pool = java.util.concurrent.Executors.newSingleThreadExecutor()) {
            holder.setAutoCommit(false);
            try (var st = holder.createStatement()) {
                st.execute("select * from pgpulse_orch_lock where id = 1 for update");
            }
            var blocked = pool.submit(() -> {
                try (var st = waiter.createStatement()) {
                    return st.executeUpdate("update pgpulse_orch_lock set id = id where id = 1");
                }
            });
            try (Orchestrator o = start(db)) {
                // Server-wide figures: on a shared server another session may wait too, hence polling for 1.
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    MetricHistory.View h = o.snapshot().history();
                    return h.series("server.sessions_waiting_on_locks").size() >= 4
                            && h.series("server.sessions_waiting_on_locks").last() == 1
                            && h.series("server.longest_lock_wait_seconds").last() > 1
                            && h.series("server.oldest_idle_in_transaction_seconds").last() > 1;
                });
                MetricHistory.View h = o.snapshot().history();
                MetricHistory.Series wait = h.series("server.longest_lock_wait_seconds");
                assertThat(wait.last()).isGreaterThan(wait.value(wait.size() - 3));
                MetricHistory.Series idle = h.series("server.oldest_idle_in_transaction_seconds");
                assertThat(idle.last()).isGreaterThan(idle.value(idle.size() - 3));
                assertThat(blocked).isNotDone();
            } finally {
                holder.rollback();
            }
            assertThat(blocked.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void closingIsOrderlyAndIdempotent(TestDatabase db) throws Exception {
        Orchestrator o = start(db);
        o.close();
        o.close();
        assertThat(o.status().state()).isEqualTo(Status.State.STOPPED);
        assertThat(o.service().endpoints().primary().dataSource().isClosed()).isTrue();
    }

    @Test
    void aCorruptRulesFileIsMovedAsideAndTheDefaultsLoad(TestDatabase db) throws Exception {
        Files.writeString(home.resolve("alert-rules.json"), "{not json");
        try (Orchestrator o = start(db)) {
            assertThat(o.startupWarnings()).anyMatch(w -> w.contains("alert-rules.json"));
            assertThat(o.alerts().rules()).extracting(r -> r.id()).contains("breaker-open", "pool-waiting");
            try (var files = Files.list(home)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .anyMatch(n -> n.startsWith("alert-rules.json.broken-"));
            }
        }
    }

    @Test
    void aSaturatedPoolFiresItsRuleAndTheWebhookHearsItThenItResolves(TestDatabase db) throws Exception {
        Path rules = home.resolve(".config/pgpulse/alert-rules.json");
        Files.createDirectories(rules.getParent());
        Files.writeString(rules, """
                {"schemaVersion": 1, "rules": [
                  {"id": "pool-waiting-now", "name": "Threads waiting for a connection", "metric": "pool.*.awaiting",
                   "comparator": ">", "threshold": 0, "for": "0s", "severity": "warning", "enabled": true}]}
                """);
        var received = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var hook = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/alerts", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hook.start();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8, Thread.ofPlatform().name("saturate-", 0).factory());
        try {
            var config = new ConfigLoader(db.env(), home, "tester", 2).load(new Overrides(null, null, null, List.of(),
                    null, Map.of("pool.max_size", "2", "pool.connection_timeout", "1s", "health.interval", "150ms",
                            "alerts.webhook_url", "http://127.0.0.1:" + hook.getAddress().getPort() + "/alerts")));
            assertThat(config.monitoring().healthInterval()).isEqualTo(Duration.ofMillis(150));
            try (Orchestrator o = Orchestrator.start(config, Orchestrator.Options.defaults(home, config))) {
                var release = new java.util.concurrent.CountDownLatch(1);
                for (int i = 0; i < 4; i++) {
                    pool.submit(() -> {
                        // Two hold both connections; the others keep asking, so threads are always waiting.
                        while (release.getCount() > 0) {
                            try (var _ = o.service().endpoints().primary().connection()) {
                                release.await();
                            } catch (java.sql.SQLException timedOut) {
                                // asked again at once
                            }
                        }
                        return null;
                    });
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> o.snapshot().activeAlerts().stream()
                        .anyMatch(a -> a.ruleId().equals("pool-waiting-now") && a.subject().equals("pool.primary.awaiting")));
                assertThat(o.status().state()).isEqualTo(Status.State.DEGRADED);
                await().atMost(Duration.ofSeconds(20)).until(() -> received.stream()
                        .anyMatch(b -> b.contains("pool-waiting-now") && b.contains("FIRING")));
                release.countDown();
                await().atMost(Duration.ofSeconds(20)).until(() -> o.snapshot().activeAlerts().isEmpty());
                await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch(b -> b.contains("RESOLVED")));
            }
        } finally {
            pool.shutdownNow();
            hook.stop(0);
        }
    }
}
