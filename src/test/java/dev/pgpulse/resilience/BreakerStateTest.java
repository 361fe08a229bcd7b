package dev.pgpulse.resilience;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.pgpulse.config.ResilienceSettings;
import dev.pgpulse.testing.LogCapture;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Every Resilience4j state has one of ours, with the words a DBA reads and the number alert rules compare. */
class BreakerStateTest {

    @ParameterizedTest
    @EnumSource(CircuitBreaker.State.class)
    void everyResilience4jStateMaps(CircuitBreaker.State state) {
        assertThat(BreakerState.of(state)).isNotNull();
    }

    @Test
    void theMappingIsOneToOneAndDisabledIsForcedClosed() {
        assertThat(Arrays.stream(CircuitBreaker.State.values()).map(BreakerState::of).distinct())
                .containsExactlyInAnyOrder(BreakerState.values());
        assertThat(BreakerState.of(CircuitBreaker.State.DISABLED)).isEqualTo(BreakerState.FORCED_CLOSED);
        assertThat(BreakerState.of(CircuitBreaker.State.FORCED_OPEN)).isEqualTo(BreakerState.FORCED_OPEN);
        assertThat(BreakerState.of(CircuitBreaker.State.HALF_OPEN)).isEqualTo(BreakerState.HALF_OPEN);
    }

    @Test
    void labelsAreWordsAndTheRuleNumbersAreTheDocumentedOnes() {
        assertThat(BreakerState.values())
                .extracting(BreakerState::label, BreakerState::metricValue, BreakerState::rejectsCalls, BreakerState::forced)
                .containsExactly(
                        tuple("CLOSED", 0.0, false, false),
                        tuple("HALF-OPEN", 1.0, false, false),
                        tuple("OPEN", 2.0, true, false),
                        tuple("FORCED OPEN", 3.0, true, true),
                        tuple("FORCED CLOSED", -1.0, false, true),
                        tuple("METRICS ONLY", -2.0, false, false));
        // in a log line or a message, a state reads as its label
        assertThat("breaker " + BreakerState.FORCED_CLOSED).isEqualTo("breaker FORCED CLOSED");
    }

    @Test
    void aForceClosedDrillIsPublishedSnapshotAndLoggedAsForcedClosed() {
        EventLog log = new EventLog(10);
        Guard guard = new Guard(ResilienceSettings.defaults(), new SimpleMeterRegistry(), log, Clock.systemUTC());
        guard.breaker("primary");
        try (LogCapture logged = new LogCapture(Guard.class)) {
            guard.drill("primary", Guard.Drill.FORCE_CLOSED);
            assertThat(logged.events()).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "primary - circuit breaker drill: force closed (was CLOSED)",
                    "primary - circuit breaker CLOSED -> FORCED CLOSED");
        }
        assertThat(guard.snapshot("primary").state()).isEqualTo(BreakerState.FORCED_CLOSED);
        assertThat(guard.state("primary")).isEqualTo(BreakerState.FORCED_CLOSED);
        assertThat(log.recent()).singleElement().isInstanceOfSatisfying(ResilienceEvent.BreakerTransition.class, t -> {
            assertThat(t.from()).isEqualTo(BreakerState.CLOSED);
            assertThat(t.to()).isEqualTo(BreakerState.FORCED_CLOSED);
        });
    }
}
