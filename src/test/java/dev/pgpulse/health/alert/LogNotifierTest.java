package dev.pgpulse.health.alert;

import dev.pgpulse.testing.LogCapture;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class LogNotifierTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static Alert alert(String id, Severity severity, AlertState state) {
        return new Alert(id, "Name", "pool.primary.awaiting", severity, state, 3, 0, Operator.GT, T, T,
                "pool.primary.awaiting = 3 > 0");
    }

    @Test
    void levelFollowsSeverityAndResolvedIsInfo() {
        try (LogCapture logs = new LogCapture(LogNotifier.class)) {
            LogNotifier n = new LogNotifier();
            n.send(alert("crit", Severity.CRITICAL, AlertState.FIRING));
            n.send(alert("warn", Severity.WARNING, AlertState.FIRING));
            n.send(alert("info", Severity.INFO, AlertState.FIRING));
            n.send(alert("gone", Severity.CRITICAL, AlertState.RESOLVED));

            assertThat(logs.events()).extracting(ILoggingEvent::getLevel)
                    .containsExactly(Level.ERROR, Level.WARN, Level.INFO, Level.INFO);
            assertThat(logs.events()).extracting(ILoggingEvent::getFormattedMessage)
                    .satisfiesExactly(
                            m -> assertThat(m).startsWith("crit ").contains("FIRING").contains("pool.primary.awaiting = 3 > 0"),
                            m -> assertThat(m).startsWith("warn "),
                            m -> assertThat(m).startsWith("info "),
                            m -> assertThat(m).startsWith("gone ").contains("RESOLVED"));
        }
    }
}
