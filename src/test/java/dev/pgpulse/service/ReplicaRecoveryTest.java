package dev.pgpulse.service;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A replica whose breaker opened takes reads again once it is back: routing must not skip it for good. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class ReplicaRecoveryTest {

    @Test
    void readsReturnToAReplicaAfterItsBreakerOpened(TestDatabase db) throws Exception {
        try (FaultProxy primary = FaultProxy.start(db.host(), db.port());
             FaultProxy replica = FaultProxy.start(db.host(), db.port())) {
            var config = new ConfigLoader(Map.of("DATABASE_URL", primary.through(db).url(),
                    "DATABASE_READ_URLS", replica.through(db).url()), Path.of("/nonexistent"), "tester", 2)
                    .load(new Overrides(null, null, null, List.of(), null, Map.of("pool.connection_timeout", "300ms",
                            "breaker.wait_in_open", "300ms", "breaker.minimum_calls", "2", "breaker.window_size", "4",
                            "retry.max_attempts", "1", "startup.wait", "2s")));
            var meters = new SimpleMeterRegistry();
            var guard = new Guard(config.resilience(), meters, new EventLog(100), Clock.systemUTC());
            DatabaseService service = new DatabaseService(Endpoints.open(config, meters), guard, meters, Clock.systemUTC());
            try {
                assertThat(read(service).endpoint()).isEqualTo("replica-1");
                replica.outage();
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    read(service);
                    return guard.breaker("replica-1").getState().name().equals("OPEN");
                });
                // While it is OPEN and its wait is not over, reads go to the primary at once.
                Result<Integer> meanwhile = read(service);
                assertThat(meanwhile.endpoint()).isEqualTo("primary");
                assertThat(meanwhile.isSuccess()).isTrue();

                replica.restore();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> "replica-1".equals(read(service).endpoint())
                                && guard.breaker("replica-1").getState().name().equals("CLOSED"));
            } finally {
                service.shutdown(Duration.ofSeconds(2));
            }
        }
    }

    private static Result<Integer> read(DatabaseService service) {
        return service.query("read", Route.READ, c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}
