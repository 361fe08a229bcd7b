package dev.pgpulse.health.alert;

import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.testing.LogCapture;
import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class AlertEngineTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final AlertEngine engine = new AlertEngine();
    private final List<Alert> seen = new CopyOnWriteArrayList<>();

    AlertEngineTest() {
        engine.subscribe(seen::add);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static AlertRule rule(String id, String metric, Operator c, double threshold, Duration forDuration) {
        return new AlertRule(id, "Rule " + id, metric, c, threshold, forDuration, Severity.WARNING, true);
    }

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    private void eval(long seconds, String key, double value) {
        engine.evaluate(at(seconds), Map.of(key, value));
    }

    private List<AlertState> states() {
        return seen.stream().map(Alert::state).toList();
    }

    private List<Alert> seen(AlertState state) {
        return seen.stream().filter(a -> a.state() == state).toList();
    }

    @Test
    void ruleWithForIsPendingUntilTheDurationHasHeldThenFiresOnce() {
        engine.putRule(rule("conn", "server.connections.used_ratio", Operator.GT, 0.8, Duration.ofSeconds(30)));
        String key = "server.connections.used_ratio";

        eval(0, key, 0.9);
        assertThat(engine.stateOf("conn", key)).contains(AlertState.PENDING);
        eval(10, key, 0.95);
        assertThat(engine.stateOf("conn", key)).contains(AlertState.PENDING);
        assertThat(engine.active()).isEmpty();
        eval(29, key, 0.95);
        assertThat(engine.stateOf("conn", key)).contains(AlertState.PENDING);
        eval(30, key, 0.85);
        assertThat(engine.stateOf("conn", key)).contains(AlertState.FIRING);
        eval(40, key, 0.9);
        eval(50, key, 0.9);

        assertThat(states()).containsExactly(AlertState.PENDING, AlertState.FIRING);
        Alert firing = seen(AlertState.FIRING).getFirst();
        assertThat(firing.ruleId()).isEqualTo("conn");
        assertThat(firing.ruleName()).isEqualTo("Rule conn");
        assertThat(firing.subject()).isEqualTo(key);
        assertThat(firing.severity()).isEqualTo(Severity.WARNING);
        assertThat(firing.value()).isEqualTo(0.85);
        assertThat(firing.threshold()).isEqualTo(0.8);
        assertThat(firing.operator()).isEqualTo(Operator.GT);
        assertThat(firing.since()).isEqualTo(at(0));
        assertThat(firing.at()).isEqualTo(at(30));
        assertThat(firing.message()).isEqualTo("server.connections.used_ratio = 0.85 > 0.8 for 30 s");
        assertThat(engine.active()).containsExactly(firing);
        assertThat(engine.history()).containsExactly(firing); // PENDING is for listeners only
    }

    @Test
    void pendingThatTurnsFalseReturnsToOkSilently() {
        engine.putRule(rule("conn", "server.connections.used_ratio", Operator.GT, 0.8, Duration.ofSeconds(30)));
        String key = "server.connections.used_ratio";
        eval(0, key, 0.9);
        eval(20, key, 0.5);
        assertThat(engine.stateOf("conn", key)).isEmpty();
        // the pending period starts again from scratch
        eval(25, key, 0.9);
        eval(50, key, 0.9);
        assertThat(engine.stateOf("conn", key)).contains(AlertState.PENDING);
        eval(55, key, 0.9);
        assertThat(engine.stateOf("conn", key)).contains(AlertState.FIRING);
        assertThat(states()).containsExactly(AlertState.PENDING, AlertState.PENDING, AlertState.FIRING);
        assertThat(engine.history()).extracting(Alert::state).containsExactly(AlertState.FIRING);
    }

    @Test
    void zeroForFiresOnTheFirstTrueSample() {
        engine.putRule(rule("deadlocks", "server.deadlocks_per_minute", Operator.GT, 5, Duration.ZERO));
        eval(0, "server.deadlocks_per_minute", 7);
        assertThat(states()).containsExactly(AlertState.FIRING);
        assertThat(seen.getFirst().message()).isEqualTo("server.deadlocks_per_minute = 7 > 5");
        assertThat(seen.getFirst().since()).isEqualTo(at(0));
    }

    @Test
    void durationMetricsAndHeldTimesAreWrittenForPeople() {
        engine.putRule(rule("tx", "server.longest_transaction_seconds", Operator.GT, 120, Duration.ofMinutes(9)));
        engine.putRule(rule("p95", "query.*.p95_ms", Operator.GT, 500, Duration.ZERO));
        String key = "server.longest_transaction_seconds";
        engine.evaluate(at(0), Map.of(key, 130.0));
        engine.evaluate(at(0).plusMillis(551_762), Map.of(key, 681.762, "query.bills.p95_ms", 1_250.0));
        assertThat(seen(AlertState.PENDING).getFirst().message())
                .isEqualTo("server.longest_transaction_seconds = 2 min 10 s > 2 min, pending (fires after 9m)");
        assertThat(seen(AlertState.FIRING)).extracting(Alert::message).containsExactlyInAnyOrder(
                "server.longest_transaction_seconds = 11 min 22 s > 2 min for 9 min 12 s",
                "query.bills.p95_ms = 1.25 s > 500 ms");
        assertThat(seen(AlertState.FIRING)).extracting(Alert::value).as("the value itself stays a number")
                .contains(681.762, 1_250.0);
    }

    @Test
    void resolvesAfterHoldDownOfHalfTheForDuration() {
        engine.putRule(rule("conn", "server.connections.used_ratio", Operator.GT, 0.8, Duration.ofSeconds(30)));
        String key = "server.connections.used_ratio";
        eval(0, key, 0.9);
        eval(30, key, 0.9);
        eval(40, key, 0.5); // hold-down starts: 15 s
        eval(50, key, 0.5);
        assertThat(engine.stateOf("conn", key)).contains(AlertState.FIRING);
        eval(55, key, 0.4);
        assertThat(engine.stateOf("conn", key)).contains(AlertState.RESOLVED);
        assertThat(engine.active()).isEmpty();
        Alert resolved = seen(AlertState.RESOLVED).getFirst();
        assertThat(resolved.at()).isEqualTo(at(55));
        assertThat(resolved.since()).isEqualTo(at(0));
        assertThat(resolved.value()).isEqualTo(0.4);
        assertThat(resolved.message()).startsWith("server.connections.used_ratio = 0.4, no longer > 0.8");
        // RESOLVED becomes OK on the next false sample
        eval(60, key, 0.4);
        assertThat(engine.stateOf("conn", key)).isEmpty();
        assertThat(engine.history()).extracting(Alert::state).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
    }

    @Test
    void resolvedGoesStraightBackToPendingWhenTrueAgain() {
        engine.putRule(rule("conn", "server.connections.used_ratio", Operator.GT, 0.8, Duration.ofSeconds(10)));
        String key = "server.connections.used_ratio";
        eval(0, key, 0.9);
        eval(10, key, 0.9);
        eval(11, key, 0.5);
        eval(16, key, 0.5);
        assertThat(engine.stateOf("conn", key)).contains(AlertState.RESOLVED);
        eval(17, key, 0.9);
        assertThat(engine.stateOf("conn", key)).contains(AlertState.PENDING);
        assertThat(states()).containsExactly(AlertState.PENDING, AlertState.FIRING, AlertState.RESOLVED, AlertState.PENDING);
    }

    @Test
    void zeroForRuleNeedsTwoFalseSamplesInARowToResolve() {
        engine.putRule(rule("deadlocks", "server.deadlocks_per_minute", Operator.GT, 5, Duration.ZERO));
        String key = "server.deadlocks_per_minute";
        eval(0, key, 7);
        eval(1, key, 0);
        assertThat(engine.stateOf("deadlocks", key)).contains(AlertState.FIRING);
        eval(2, key, 0);
        assertThat(engine.stateOf("deadlocks", key)).contains(AlertState.RESOLVED);
        assertThat(states()).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
    }

    @Test
    void flappingInputDoesNotProduceRepeatedResolvedFiringPairs() {
        engine.putRule(rule("conn", "server.connections.used_ratio", Operator.GT, 0.8, Duration.ofSeconds(30)));
        engine.putRule(rule("deadlocks", "server.deadlocks_per_minute", Operator.GT, 5, Duration.ZERO));
        for (int s = 0; s <= 30; s++) {
            engine.evaluate(at(s), Map.of("server.connections.used_ratio", 0.9, "server.deadlocks_per_minute", 7.0));
        }
        assertThat(engine.active()).hasSize(2);
        seen.clear();
        for (int s = 31; s <= 200; s++) {
            boolean on = s % 2 == 0;
            engine.evaluate(at(s), Map.of("server.connections.used_ratio", on ? 0.9 : 0.1,
                    "server.deadlocks_per_minute", on ? 7.0 : 0.0));
        }
        assertThat(seen).isEmpty();
        assertThat(engine.active()).extracting(Alert::ruleId).containsExactlyInAnyOrder("conn", "deadlocks");
    }

    @Test
    void wildcardRuleTracksEachEndpointIndependently() {
        engine.putRule(DefaultRules.all().stream().filter(r -> r.id().equals("pool-waiting")).findFirst().orElseThrow());
        engine.evaluate(at(0), Map.of("pool.primary.awaiting", 3.0, "pool.replica-1.awaiting", 0.0,
                "pool.primary.usage_ratio", 5.0));
        engine.evaluate(at(20), Map.of("pool.primary.awaiting", 2.0, "pool.replica-1.awaiting", 4.0));
        engine.evaluate(at(30), Map.of("pool.primary.awaiting", 1.0, "pool.replica-1.awaiting", 4.0));
        assertThat(engine.stateOf("pool-waiting", "pool.primary.awaiting")).contains(AlertState.FIRING);
        assertThat(engine.stateOf("pool-waiting", "pool.replica-1.awaiting")).contains(AlertState.PENDING);
        engine.evaluate(at(50), Map.of("pool.primary.awaiting", 1.0, "pool.replica-1.awaiting", 4.0));

        assertThat(engine.active()).extracting(Alert::subject)
                .containsExactly("pool.primary.awaiting", "pool.replica-1.awaiting");
        Alert primary = engine.active().getFirst();
        assertThat(primary.message()).isEqualTo("pool.primary.awaiting = 1 > 0 for 30 s");
        assertThat(primary.since()).isEqualTo(at(0));
        assertThat(engine.active().get(1).since()).isEqualTo(at(20));
        assertThat(seen(AlertState.FIRING)).extracting(Alert::subject)
                .containsExactly("pool.primary.awaiting", "pool.replica-1.awaiting");
    }

    @Test
    void wildcardOperationMatchesDottedOperationNames() {
        engine.putRule(rule("slow", "query.*.p95_ms", Operator.GT, 200, Duration.ZERO));
        engine.evaluate(at(0), Map.of("query.bills.create.p95_ms", 250.0, "query.bills.list.p95_ms", 20.0,
                "pool.primary.awaiting", 300.0));
        assertThat(engine.active()).extracting(Alert::subject).containsExactly("query.bills.create.p95_ms");
    }

    @Test
    void missingMetricKeepsTheState() {
        engine.putRule(rule("conn", "server.connections.used_ratio", Operator.GT, 0.8, Duration.ofSeconds(30)));
        engine.putRule(rule("deadlocks", "server.deadlocks_per_minute", Operator.GT, 5, Duration.ZERO));
        String conn = "server.connections.used_ratio";
        String dl = "server.deadlocks_per_minute";
        eval(0, conn, 0.9);
        eval(0, dl, 7);
        Map<String, Double> nan = new HashMap<>();
        nan.put(conn, Double.NaN);
        nan.put(dl, null);
        for (int s = 1; s <= 100; s++) {
            engine.evaluate(at(s), s % 2 == 0 ? Map.of() : nan);
        }
        // neither fired nor resolved nor dropped back to OK
        assertThat(engine.stateOf("conn", conn)).contains(AlertState.PENDING);
        assertThat(engine.stateOf("deadlocks", dl)).contains(AlertState.FIRING);
        assertThat(states()).containsExactly(AlertState.PENDING, AlertState.FIRING);
        // the pending period counts from the first true sample, across the gap
        eval(101, conn, 0.9);
        assertThat(engine.stateOf("conn", conn)).contains(AlertState.FIRING);
    }

    @Test
    void disabledRuleProducesNothingAndDisablingDropsItsStates() {
        AlertRule on = rule("deadlocks", "server.deadlocks_per_minute", Operator.GT, 5, Duration.ZERO);
        AlertRule off = new AlertRule("off", "Off", "server.deadlocks_per_minute", Operator.GT, 5, Duration.ZERO,
                Severity.CRITICAL, false);
        engine.putRule(off);
        engine.putRule(on);
        eval(0, "server.deadlocks_per_minute", 7);
        assertThat(seen).extracting(Alert::ruleId).containsExactly("deadlocks");
        assertThat(engine.stateOf("off", "server.deadlocks_per_minute")).isEmpty();

        engine.putRule(new AlertRule("deadlocks", "Rule deadlocks", "server.deadlocks_per_minute",
                Operator.GT, 5, Duration.ZERO, Severity.WARNING, false));
        assertThat(engine.active()).isEmpty();
        assertThat(seen).extracting(Alert::state).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
        assertThat(seen.getLast().message()).endsWith("; rule disabled");
        eval(1, "server.deadlocks_per_minute", 9);
        assertThat(seen).hasSize(2);
        assertThat(engine.stateOf("deadlocks", "server.deadlocks_per_minute")).isEmpty();
    }

    @Test
    void registerReplacesByIdAndRemoveDropsTheRule() {
        AlertRule a = rule("a", "server.deadlocks_per_minute", Operator.GT, 5, Duration.ZERO);
        AlertRule b = rule("b", "server.rollback_ratio", Operator.GT, 0.1, Duration.ZERO);
        engine.putRule(a);
        engine.putRule(b);
        AlertRule a2 = rule("a", "server.deadlocks_per_minute", Operator.GT, 50, Duration.ZERO);
        engine.putRule(a2);
        assertThat(engine.rules()).containsExactly(a2, b);
        assertThat(engine.removeRule("b")).isTrue();
        assertThat(engine.removeRule("b")).isFalse();
        assertThat(engine.rules()).containsExactly(a2);
        eval(0, "server.deadlocks_per_minute", 7);
        assertThat(seen).isEmpty();
    }

    @Test
    void raiseManualReachesListenersNotifiersAndHistory() {
        List<Alert> sent = new CopyOnWriteArrayList<>();
        try (AlertEngine e = new AlertEngine(10, List.of(sent::add))) {
            List<Alert> heard = new CopyOnWriteArrayList<>();
            e.subscribe(heard::add);
            Alert manual = Alert.manual("maintenance", Severity.INFO, AlertState.FIRING, T0, "vacuum full on bills");
            e.raiseManual(manual);
            assertThat(heard).containsExactly(manual);
            assertThat(sent).containsExactly(manual);
            assertThat(e.history()).containsExactly(manual);
            assertThat(e.active()).isEmpty();
            assertThat(e.counts()).containsEntry("manual", 1L);
        }
    }

    @Test
    void closedSubscriptionHearsNothing() {
        List<Alert> heard = new CopyOnWriteArrayList<>();
        AlertEngine.Subscription s = engine.subscribe(heard::add);
        s.close();
        engine.raiseManual(Alert.manual("m", Severity.INFO, AlertState.FIRING, T0, "x"));
        assertThat(heard).isEmpty();
        assertThat(seen).hasSize(1);
    }

    @Test
    void throwingListenerAndNotifierAreLoggedAndDoNotStopTheOthers() {
        List<Alert> sent = new CopyOnWriteArrayList<>();
        AlertNotifier broken = a -> {
            throw new IllegalStateException("notifier boom");
        };
        try (LogCapture logs = new LogCapture(AlertEngine.class);
             AlertEngine e = new AlertEngine(10, List.of(broken, sent::add))) {
            List<Alert> before = new CopyOnWriteArrayList<>();
            List<Alert> after = new CopyOnWriteArrayList<>();
            e.subscribe(before::add);
            e.subscribe(a -> {
                throw new IllegalStateException("listener boom");
            });
            e.subscribe(after::add);
            e.putRule(rule("deadlocks", "server.deadlocks_per_minute", Operator.GT, 5, Duration.ZERO));

            e.evaluate(at(0), Map.of("server.deadlocks_per_minute", 7.0));
            e.evaluate(at(1), Map.of("server.deadlocks_per_minute", 0.0));
            e.evaluate(at(2), Map.of("server.deadlocks_per_minute", 0.0));

            assertThat(before).extracting(Alert::state).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
            assertThat(after).extracting(Alert::state).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
            assertThat(sent).extracting(Alert::state).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
            assertThat(e.counts()).containsEntry("listenerFailures", 2L).containsEntry("notifierFailures", 2L);
            assertThat(logs.events(Level.WARN, "alert listener")).hasSize(2)
                    .allSatisfy(ev -> assertThat(ev.getFormattedMessage()).startsWith("deadlocks - "));
            assertThat(logs.events(Level.WARN, "alert notifier")).hasSize(2);
        }
    }

    @Test
    void historyIsBoundedNewestLast() {
        try (AlertEngine e = new AlertEngine(5, List.of())) {
            for (int i = 0; i < 12; i++) {
                e.raiseManual(Alert.manual("m" + i, Severity.INFO, AlertState.FIRING, at(i), "n" + i));
            }
            assertThat(e.history()).extracting(Alert::ruleId).containsExactly("m7", "m8", "m9", "m10", "m11");
        }
        assertThat(AlertEngine.DEFAULT_HISTORY_CAPACITY).isEqualTo(500);
        for (int i = 0; i < 600; i++) {
            engine.raiseManual(Alert.manual("m" + i, Severity.INFO, AlertState.FIRING, at(i), "n" + i));
        }
        assertThat(engine.history()).hasSize(500);
        assertThat(engine.history().getLast().ruleId()).isEqualTo("m599");
    }

    @Test
    void sampleOlderThanThePreviousOneIsIgnored() {
        engine.putRule(rule("deadlocks", "server.deadlocks_per_minute", Operator.GT, 5, Duration.ZERO));
        eval(10, "server.deadlocks_per_minute", 0);
        eval(5, "server.deadlocks_per_minute", 7);
        assertThat(seen).isEmpty();
        assertThat(engine.counts()).containsEntry("samplesSkipped", 1L).containsEntry("evaluations", 1L);
    }

    @Test
    void defaultRulesWorkWithTheEngine() {
        DefaultRules.all().forEach(engine::putRule);
        assertThat(engine.rules()).isEqualTo(DefaultRules.all());

        engine.evaluate(at(0), Map.of("breaker.primary.state", BreakerState.OPEN.metricValue(),
                "breaker.replica-1.state", BreakerState.CLOSED.metricValue(),
                "server.cache_hit_ratio", 0.999, "server.longest_transaction_seconds", 10.0));

        assertThat(seen).hasSize(1);
        Alert open = seen.getFirst();
        assertThat(open.ruleId()).isEqualTo("breaker-open");
        assertThat(open.subject()).isEqualTo("breaker.primary.state");
        assertThat(open.state()).isEqualTo(AlertState.FIRING);
        assertThat(open.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(open.message()).isEqualTo("breaker.primary.state = 2 >= 2");

        engine.evaluate(at(5), Map.of("server.longest_transaction_seconds", 2000.0, "server.oldest_xid_age", 1.6e9));
        assertThat(engine.active()).extracting(Alert::ruleId)
                .containsExactlyInAnyOrder("breaker-open", "long-transaction", "very-long-transaction", "xid-wraparound");
        assertThat(engine.active()).filteredOn(a -> a.ruleId().equals("xid-wraparound")).singleElement()
                .satisfies(a -> assertThat(a.message()).isEqualTo("server.oldest_xid_age = 1600000000 > 1500000000"));
    }

    @Test
    void readersAreSafeWhileEvaluating() throws Exception {
        DefaultRules.all().forEach(engine::putRule);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2,
                Thread.ofPlatform().name("alert-reader-", 0).daemon(true).factory());
        try {
            var readers = pool.submit(() -> {
                for (int i = 0; i < 2000; i++) {
                    engine.active();
                    engine.history();
                    engine.rules();
                }
                return null;
            });
            for (int s = 0; s < 2000; s++) {
                engine.evaluate(at(s), Map.of("breaker.primary.state", s % 3 == 0 ? 2.0 : 0.0,
                        "pool.primary.awaiting", (double) (s % 50)));
            }
            readers.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(engine.counts().get("evaluations")).isEqualTo(2000L);
    }
}
