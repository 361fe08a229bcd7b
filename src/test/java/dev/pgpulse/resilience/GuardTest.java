package dev.pgpulse.resilience;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.ResilienceSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The breaker and retry settings a user writes are the ones Resilience4j runs with. */
class GuardTest {

    private static ResilienceSettings settings(Map<String, String> set) throws Exception {
        return new ConfigLoader(Map.of(), Path.of("/nonexistent"), "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, set)).resilience();
    }

    @Test
    void breakerSettingsComeFromTheConfiguration() throws Exception {
        ResilienceSettings s = settings(Map.of("breaker.failure_rate_threshold", "30",
                "breaker.slow_call_rate_threshold", "80", "breaker.slow_call_duration", "2s",
                "breaker.window_type", "time", "breaker.window_size", "60", "breaker.minimum_calls", "25",
                "breaker.wait_in_open", "45s", "breaker.half_open_calls", "5"));
        CircuitBreakerConfig c = new Guard(s, new SimpleMeterRegistry(), new EventLog(10), Clock.systemUTC())
                .breaker("primary").getCircuitBreakerConfig();
        assertThat(c.getFailureRateThreshold()).isEqualTo(30f);
        assertThat(c.getSlowCallRateThreshold()).isEqualTo(80f);
        assertThat(c.getSlowCallDurationThreshold()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.getSlidingWindowType()).isEqualTo(CircuitBreakerConfig.SlidingWindowType.TIME_BASED);
        assertThat(c.getSlidingWindowSize()).isEqualTo(60);
        assertThat(c.getMinimumNumberOfCalls()).isEqualTo(25);
        assertThat(c.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(5);
        assertThat(c.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(45_000L);
    }

    @Test
    void defaultsAreSensibleAndEveryEndpointHasItsOwnBreaker() throws Exception {
        ResilienceSettings s = settings(Map.of());
        assertThat(s).isEqualTo(ResilienceSettings.defaults());
        var meters = new SimpleMeterRegistry();
        Guard guard = new Guard(s, meters, new EventLog(10), Clock.systemUTC());
        assertThat(guard.breaker("primary")).isSameAs(guard.breaker("primary")).isNotSameAs(guard.breaker("replica-1"));
        CircuitBreakerConfig c = guard.breaker("primary").getCircuitBreakerConfig();
        assertThat(c.getSlidingWindowType()).isEqualTo(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED);
        assertThat(c.getSlidingWindowSize()).isEqualTo(20);
        assertThat(guard.retry("op").getRetryConfig().getMaxAttempts()).isEqualTo(3);
        // Resilience4j's own meters, bound to the shared registry.
        assertThat(meters.find("resilience4j.circuitbreaker.state").tag("name", "primary").gauges()).isNotEmpty();
    }

    @Test
    void aTransitionIsPublishedOnceAsAnEvent() throws Exception {
        EventLog log = new EventLog(10);
        Guard guard = new Guard(settings(Map.of()), new SimpleMeterRegistry(), log, Clock.systemUTC());
        guard.breaker("primary").transitionToOpenState();
        assertThat(log.recent()).singleElement().isInstanceOfSatisfying(ResilienceEvent.BreakerTransition.class, t -> {
            assertThat(t.endpoint()).isEqualTo("primary");
            assertThat(t.from()).isEqualTo(BreakerState.CLOSED);
            assertThat(t.to()).isEqualTo(BreakerState.OPEN);
        });
        assertThat(guard.snapshot("primary").state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void theEventLogKeepsOnlyTheNewest() {
        EventLog log = new EventLog(3);
        for (int i = 0; i < 5; i++) {
            log.publish(new ResilienceEvent.BreakerTransition(java.time.Instant.EPOCH, "e" + i, BreakerState.CLOSED,
                    BreakerState.OPEN));
        }
        assertThat(log.recent()).extracting(e -> ((ResilienceEvent.BreakerTransition) e).endpoint())
                .containsExactly("e2", "e3", "e4");
    }
}
