package dev.pgpulse.pool;

import dev.pgpulse.testing.LogCapture;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** pool.leak_detection must reach HikariCP, whose warning is what tells a developer where a connection leaked. */
@ExtendWith(PostgresExtension.class)
class LeakDetectionTest {
    private static final String LEAK_LOGGER = "com.zaxxer.hikari.pool.ProxyLeakTask";

    @Test
    void connectionHeldPastTheThresholdIsReportedThenUnleaked(TestDatabase db, @TempDir Path home) throws Exception {
        PgPulseConfig config = PoolTesting.config(db.url(), home, List.of(), Map.of("pool.leak_detection", "2s"));
        var meters = new SimpleMeterRegistry();
        try (LogCapture log = new LogCapture(LEAK_LOGGER);
             Endpoints endpoints = Endpoints.open(config, meters)) {
            assertThat(endpoints.primary().dataSource().getLeakDetectionThreshold()).isEqualTo(2_000);
            assertThat(endpoints.primary().leakDetections()).isZero();
            String holder = Thread.currentThread().getName();
            long t0 = System.nanoTime();
            try (Connection leaked = endpoints.primary().connection()) {
                assertThat(PoolTesting.queryString(leaked, "select 1")).isEqualTo("1");
                await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(50))
                        .until(() -> !log.events(Level.WARN, "Connection leak detection triggered").isEmpty());
                long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                // Fired by the threshold, not by something else that happened to log early.
                assertThat(heldMs).isGreaterThanOrEqualTo(1_900);
            }

            ILoggingEvent warning = log.events(Level.WARN, "Connection leak detection triggered").getFirst();
            assertThat(warning.getLoggerName()).isEqualTo(LEAK_LOGGER);
            assertThat(warning.getFormattedMessage()).contains("on thread " + holder);
            // HikariCP's message names the connection, not the pool: the pool shows as the housekeeper thread
            // it runs on ("primary housekeeper").
            assertThat(warning.getThreadName()).startsWith("primary");
            assertThat(warning.getThrowableProxy()).isNotNull();
            assertThat(warning.getThrowableProxy().getMessage()).isEqualTo("Apparent connection leak detected");
            assertThat(warning.getThrowableProxy().getStackTraceElementProxyArray())
                    .anySatisfy(frame -> assertThat(frame.getSTEAsString()).contains(getClass().getName()));

            // HikariCP logs the return on the closing thread, so it is there by now.
            assertThat(log.events(Level.INFO, "was returned to the pool (unleaked)")).hasSize(1);
            assertThat(log.events(Level.WARN, "Connection leak detection triggered")).hasSize(1);
            assertThat(endpoints.primary().leakDetections()).isEqualTo(1);
            assertThat(meters.get("pgpulse.pool.leak.detections").tag("endpoint", "primary").counter().count())
                    .isEqualTo(1.0);
        }
    }
}
