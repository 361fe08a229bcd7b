package dev.pgpulse.demo;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.OperationStats;
import dev.pgpulse.service.ServiceSnapshot;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@ExtendWith(PostgresExtension.class)
class DemoWorkloadTest {
    private static final Logger LOG = LoggerFactory.getLogger(DemoWorkloadTest.class);

    @Test
    void movesEveryGaugeWithoutTrippingTheBreakerAndStopsCleanly(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("pgpulse_demo_workload").migrated();
        PgPulseConfig config = new ConfigLoader(db.env(), Path.of("/nonexistent-home"), "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null,
                        Map.of("startup.wait", "2s", "pool.connection_timeout", "1s", "query.slow_threshold", "300ms")));
        var meters = new SimpleMeterRegistry();
        Guard guard = new Guard(config.resilience(), meters, new EventLog(EventLog.DEFAULT_CAPACITY), Clock.systemUTC());
        try (DatabaseService service = new DatabaseService(Endpoints.open(config, meters), guard, meters,
                Clock.systemUTC())) {
            Duration threshold = config.resilience().slowQueryThreshold();
            DemoWorkload demo = new DemoWorkload(service, new BillRepository(service), threshold,
                    DemoWorkload.Settings.defaults(), new SplittableRandom(42));
            try {
                long t0 = System.nanoTime();
                demo.start();
                demo.start();
                assertThat(demo.isRunning()).isTrue();

                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    DemoWorkload.Stats s = demo.stats();
                    assertThat(s.reads()).isPositive();
                    assertThat(s.writes()).isPositive();
                    assertThat(s.slow()).isPositive();
                    assertThat(s.failures()).isPositive();
                    assertThat(operations(service.snapshot()).keySet()).contains("bills.recent", "bills.find",
                            "bills.create", "bills.update_status", DemoWorkload.REPORT, DemoWorkload.BAD_QUERY);
                });
                DemoWorkload.Stats first = demo.stats();
                double seconds = (System.nanoTime() - t0) / 1e9;
                LOG.info("demo workload after {} s: {} ({} calls/s)", String.format("%.1f", seconds), first,
                        String.format("%.1f", first.calls() / seconds));

                ServiceSnapshot snapshot = service.snapshot();
                Map<String, OperationStats> ops = operations(snapshot);
                assertThat(ops.get("bills.recent").calls()).isPositive();
                assertThat(ops.get(DemoWorkload.REPORT).calls()).isPositive();
                assertThat(ops.get(DemoWorkload.BAD_QUERY).failureCount()).isEqualTo(ops.get(DemoWorkload.BAD_QUERY).calls());
                assertThat(snapshot.slowQueries()).anySatisfy(q -> {
                    assertThat(q.operation()).isEqualTo(DemoWorkload.REPORT);
                    assertThat(q.duration()).isGreaterThanOrEqualTo(threshold);
                });
                assertThat(snapshot.breakers()).singleElement().satisfies(b -> {
                    assertThat(b.endpoint()).isEqualTo("primary");
                    assertThat(b.state()).as("deliberate errors do not count against the breaker").isEqualTo(BreakerState.CLOSED);
                });
                try (Connection c = db.connect(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("select count(*) from bills")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isPositive();
                }

                long stopStart = System.nanoTime();
                demo.stop();
                assertThat(Duration.ofNanos(System.nanoTime() - stopStart)).isLessThan(Duration.ofMillis(1500));
                assertThat(demo.isRunning()).isFalse();
                DemoWorkload.Stats stopped = demo.stats();
                Thread.sleep(500);
                assertThat(demo.stats()).as("no calls after stop").isEqualTo(stopped);
                demo.stop();

                demo.start();
                assertThat(demo.isRunning()).isTrue();
                await().atMost(Duration.ofSeconds(5)).until(() -> demo.stats().calls() > stopped.calls() + 5);
            } finally {
                demo.close();
            }
            demo.close();
            assertThat(demo.isRunning()).isFalse();
            assertThatThrownBy(demo::start).isInstanceOf(IllegalStateException.class);
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                    .noneSatisfy(t -> assertThat(t.getName()).startsWith("pgpulse-demo-")));
            assertThat(guard.breaker(service.endpoints().primary()).getState().name()).isEqualTo("CLOSED");
        }
    }

    private static Map<String, OperationStats> operations(ServiceSnapshot snapshot) {
        return snapshot.operations().stream().collect(Collectors.toMap(OperationStats::operation, o -> o));
    }
}
