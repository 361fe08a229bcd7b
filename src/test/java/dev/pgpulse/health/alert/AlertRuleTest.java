package dev.pgpulse.health.alert;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertRuleTest {

    private static AlertRule rule(String id, String name, String metric, double threshold, Duration forDuration) {
        return new AlertRule(id, name, metric, Operator.GT, threshold, forDuration, Severity.WARNING, true);
    }

    @Test
    void acceptsAGoodRule() {
        assertThatCode(() -> rule("a.b_c-9", "x".repeat(120), "pool.replica-2.awaiting", 0, Duration.ofHours(24)))
                .doesNotThrowAnyException();
    }

    @Test
    void unknownMetricNamesRuleValueAndTheKnownKeys() {
        assertThatThrownBy(() -> rule("pool-waiting", "Waiting", "pool.primary.wating", 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rule 'pool-waiting': metric 'pool.primary.wating' is not a known metric key; expected one of "
                        + MetricKeys.describe());
    }

    @Test
    void badValuesEachNamed() {
        assertThatThrownBy(() -> rule("Bad Id", "n", "server.rollback_ratio", 0, Duration.ZERO))
                .hasMessageStartingWith("rule id 'Bad Id' is not a valid id; expected a slug matching");
        assertThatThrownBy(() -> rule("x".repeat(65), "n", "server.rollback_ratio", 0, Duration.ZERO))
                .hasMessageContaining("is not a valid id");
        assertThatThrownBy(() -> rule("r", " ", "server.rollback_ratio", 0, Duration.ZERO))
                .hasMessage("rule 'r': name ' ' is blank; expected 1 to 120 characters");
        assertThatThrownBy(() -> rule("r", "x".repeat(121), "server.rollback_ratio", 0, Duration.ZERO))
                .hasMessageEndingWith("is 121 characters long; expected at most 120");
        assertThatThrownBy(() -> rule("r", "Pool\nfull", "server.rollback_ratio", 0, Duration.ZERO))
                .hasMessage("rule 'r': name 'Pool\nfull' holds a line break or another control character; "
                        + "expected one line of text");
        assertThatThrownBy(() -> rule("r", "tab\there", "server.rollback_ratio", 0, Duration.ZERO))
                .hasMessageEndingWith("expected one line of text");
        assertThatThrownBy(() -> rule("r", "line\u2028sep", "server.rollback_ratio", 0, Duration.ZERO))
                .hasMessageEndingWith("expected one line of text");
        assertThatThrownBy(() -> rule("r", "n", "server.rollback_ratio", Double.POSITIVE_INFINITY, Duration.ZERO))
                .hasMessage("rule 'r': threshold Infinity is not finite; expected a finite number such as 0.8");
        assertThatThrownBy(() -> rule("r", "n", "server.rollback_ratio", 0, Duration.ofSeconds(-5)))
                .hasMessage("rule 'r': for -5s is negative; expected a duration from 0s to 24h");
        assertThatThrownBy(() -> rule("r", "n", "server.rollback_ratio", 0, Duration.ofHours(25)))
                .hasMessage("rule 'r': for 25h is longer than 24h; expected a duration from 0s to 24h");
        assertThatThrownBy(() -> new AlertRule("r", "n", "server.rollback_ratio", null, 0, Duration.ZERO, Severity.INFO, true))
                .hasMessage("rule 'r': comparator is missing; expected one of >, >=, <, <=, ==, !=");
        assertThatThrownBy(() -> new AlertRule("r", "n", "server.rollback_ratio", Operator.GT, 0, Duration.ZERO, null, true))
                .hasMessage("rule 'r': severity is missing; expected one of info, warning, critical");
    }
}
