package dev.pgpulse.health.alert;

import ch.qos.logback.classic.Level;
import dev.pgpulse.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acknowledgements, reminders and silences in the engine: what the listeners (the console) and the notifiers (log,
 * webhook) each get.
 */
class AlertEngineAcksAndSilencesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String KEY = "server.longest_transaction_seconds";
    private static final AlertRule RULE = new AlertRule("long-tx", "Long transaction", KEY, Operator.GT, 60,
            Duration.ZERO, Severity.WARNING, true);
    private static final AlertRule POOL = new AlertRule("waiting", "Waiting", "pool.*.awaiting", Operator.GT, 0,
            Duration.ZERO, Severity.WARNING, true);

    /** What a notifier heard: the alert, and whether it came as a reminder. */
    private record Heard(Alert alert, boolean reminder) {
    }

    private final List<Heard> heard = new CopyOnWriteArrayList<>();
    private final List<Alert> seen = new CopyOnWriteArrayList<>();
    private final AlertNotifier recorder = new AlertNotifier() {
        @Override
        public void send(Alert alert) {
            heard.add(new Heard(alert, false));
        }

        @Override
        public void remind(Alert alert) {
            heard.add(new Heard(alert, true));
        }
    };
    private final Silences silences = Silences.inMemory(Clock.fixed(T0, ZoneOffset.UTC));
    private final AlertEngine engine = new AlertEngine(100, List.of(recorder), Duration.ofMinutes(15), silences);

    AlertEngineAcksAndSilencesTest() {
        engine.putRule(RULE);
        engine.putRule(POOL);
        engine.subscribe(seen::add);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private void eval(long seconds, double value) {
        engine.evaluate(T0.plusSeconds(seconds), Map.of(KEY, value));
    }

    private List<String> heardStates() {
        return heard.stream().map(h -> h.alert().state() + (h.reminder() ? " reminder" : "")).toList();
    }

    @Test
    void aFiringAlertIsRemindedEveryRepeatIntervalOnTheSamplesClockButListenersSeeItOnce() {
        eval(0, 100);
        eval(60, 100);
        eval(899, 100);
        assertThat(heardStates()).containsExactly("FIRING");
        eval(900, 130); // 15 min after it fired
        eval(1000, 140);
        eval(1799, 150);
        eval(1800, 160); // 15 min after the reminder
        assertThat(heardStates()).containsExactly("FIRING", "FIRING reminder", "FIRING reminder");
        Alert reminder = heard.get(1).alert();
        assertThat(reminder.state()).isEqualTo(AlertState.FIRING);
        assertThat(reminder.at()).isEqualTo(T0.plusSeconds(900));
        assertThat(reminder.since()).isEqualTo(T0);
        assertThat(reminder.value()).isEqualTo(130);
        assertThat(reminder.message()).endsWith("still firing after 15 min (reminder)");
        // the console and the history see transitions only
        assertThat(seen).extracting(Alert::state).containsExactly(AlertState.FIRING);
        assertThat(engine.history()).hasSize(1);
        assertThat(engine.counts().get("reminders")).isEqualTo(2);
    }

    @Test
    void anAcknowledgedAlertStaysFiringAndListedGetsNoRemindersAndTheAckIsClearedWhenItResolves() {
        AlertKey key = new AlertKey("long-tx", KEY);
        assertThat(engine.acknowledge(key)).as("nothing fires yet").isFalse();
        eval(0, 100);
        assertThat(engine.acknowledge(key)).isTrue();
        assertThat(engine.acknowledge(key)).as("twice is fine").isTrue();
        assertThat(engine.acknowledged()).containsExactly(key);
        assertThat(engine.acknowledge(new AlertKey("long-tx", "server.other"))).isFalse();

        eval(900, 100);
        eval(2000, 100);
        assertThat(engine.active()).extracting(AlertKey::of).containsExactly(key);
        assertThat(heardStates()).as("no reminder after the ack").containsExactly("FIRING");

        eval(2010, 0);
        eval(2020, 0); // resolves (two false samples in a row for for = 0s)
        assertThat(engine.acknowledged()).isEmpty();
        assertThat(heardStates()).as("the receiver still hears the end").containsExactly("FIRING", "RESOLVED");

        // fires again: a new alert, not acknowledged, reminded again
        eval(2030, 100);
        assertThat(engine.acknowledged()).isEmpty();
        eval(2030 + 900, 100);
        assertThat(heardStates()).containsExactly("FIRING", "RESOLVED", "FIRING", "FIRING reminder");
    }

    @Test
    void changingOrRemovingTheRuleClearsTheAck() {
        eval(0, 100);
        AlertKey key = new AlertKey("long-tx", KEY);
        engine.acknowledge(key);
        engine.putRule(new AlertRule("long-tx", "Long transaction", KEY, Operator.GT, 30, Duration.ZERO,
                Severity.WARNING, true));
        assertThat(engine.acknowledged()).isEmpty();
        eval(10, 100);
        assertThat(engine.acknowledge(key)).isTrue();
        engine.removeRule("long-tx");
        assertThat(engine.acknowledged()).isEmpty();
        assertThat(engine.acknowledge(key)).isFalse();
    }

    @Test
    void aSilencedAlertReachesTheListenersButNoNotifierAndTheLogSaysSilencedOnce() throws Exception {
        Silence s = silences.add(RULE, Silence.ANY_SUBJECT, Duration.ofHours(1), "nightly batch");
        try (LogCapture logs = new LogCapture(AlertEngine.class)) {
            eval(0, 100);
            eval(900, 100);
            eval(1800, 100);
            assertThat(seen).extracting(Alert::state).containsExactly(AlertState.FIRING);
            assertThat(engine.active()).hasSize(1);
            assertThat(heard).as("silenced: no notification, no reminder").isEmpty();
            assertThat(logs.events(Level.INFO, "silenced until " + s.until())).hasSize(1);
        }
        eval(1810, 0);
        eval(1820, 0);
        assertThat(seen).extracting(Alert::state).containsExactly(AlertState.FIRING, AlertState.RESOLVED);
        assertThat(heard).as("no resolution of an alert the receiver never heard of").isEmpty();
        assertThat(engine.counts().get("silenced")).isEqualTo(1);
    }

    @Test
    void aSilenceOnOneSubjectLeavesTheOthersNotifying() throws Exception {
        silences.add(POOL, "pool.replica-1.awaiting", Duration.ofHours(1), "");
        engine.evaluate(T0, Map.of("pool.primary.awaiting", 3.0, "pool.replica-1.awaiting", 2.0));
        assertThat(seen).extracting(Alert::subject)
                .containsExactlyInAnyOrder("pool.primary.awaiting", "pool.replica-1.awaiting");
        assertThat(heard).extracting(h -> h.alert().subject()).containsExactly("pool.primary.awaiting");
    }

    @Test
    void anAlertStillFiringWhenItsSilenceEndsIsToldThenAndOneNotifiedBeforeTheSilenceStillResolvesForTheReceiver()
            throws Exception {
        Silence s = silences.add(RULE, KEY, Duration.ofMinutes(10), "");
        eval(0, 100);
        eval(599, 100);
        assertThat(heard).isEmpty();
        eval(600, 110); // the silence ended at T0 + 10 min
        assertThat(heardStates()).containsExactly("FIRING");
        assertThat(heard.getFirst().alert().message()).endsWith("(silence ended)");
        assertThat(seen).as("not a new transition for the console").hasSize(1);
        eval(1499, 110);
        assertThat(heardStates()).containsExactly("FIRING");
        eval(1500, 110); // a reminder 15 min after it was told
        assertThat(heardStates()).containsExactly("FIRING", "FIRING reminder");

        // silenced while firing after it was told: no more reminders, but the receiver hears it resolve
        Silences later = Silences.inMemory(Clock.fixed(T0.plusSeconds(1500), ZoneOffset.UTC));
        AlertEngine other = new AlertEngine(100, List.of(recorder), Duration.ofMinutes(15), later);
        try {
            heard.clear();
            other.putRule(RULE);
            other.evaluate(T0.plusSeconds(1400), Map.of(KEY, 100.0));
            later.add(RULE, Silence.ANY_SUBJECT, Duration.ofHours(2), "");
            other.evaluate(T0.plusSeconds(1500), Map.of(KEY, 100.0));
            other.evaluate(T0.plusSeconds(1400 + 900), Map.of(KEY, 100.0));
            assertThat(heardStates()).containsExactly("FIRING");
            other.evaluate(T0.plusSeconds(2400), Map.of(KEY, 0.0));
            other.evaluate(T0.plusSeconds(2410), Map.of(KEY, 0.0));
            assertThat(heardStates()).containsExactly("FIRING", "RESOLVED");
        } finally {
            other.close();
        }
        assertThat(s.until()).isEqualTo(T0.plusSeconds(600));
    }

    @Test
    void anAlertAcknowledgedWhileSilencedIsNotToldWhenTheSilenceEnds() throws Exception {
        silences.add(RULE, KEY, Duration.ofMinutes(10), "");
        eval(0, 100);
        engine.acknowledge(new AlertKey("long-tx", KEY));
        eval(600, 100);
        eval(2000, 100);
        assertThat(heard).isEmpty();
    }

    @Test
    void aZeroRepeatIntervalSendsNoReminders() {
        AlertEngine quiet = new AlertEngine(100, List.of(recorder), Duration.ZERO, null);
        try {
            quiet.putRule(RULE);
            for (int i = 0; i < 10; i++) {
                quiet.evaluate(T0.plusSeconds(i * 1000L), Map.of(KEY, 100.0));
            }
            assertThat(heardStates()).containsExactly("FIRING");
        } finally {
            quiet.close();
        }
    }

    @Test
    void aPendingAlertCannotBeAcknowledged() {
        engine.putRule(new AlertRule("slow", "Slow", KEY, Operator.GT, 60, Duration.ofMinutes(1), Severity.WARNING, true));
        eval(0, 100);
        assertThat(engine.stateOf("slow", KEY)).contains(AlertState.PENDING);
        assertThat(engine.acknowledge(new AlertKey("slow", KEY))).isFalse();
        assertThat(engine.acknowledged()).as("long-tx fires, but nobody acknowledged it").isEmpty();
    }
}
