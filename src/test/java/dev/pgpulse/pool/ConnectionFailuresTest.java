package dev.pgpulse.pool;

import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A connection the pool cannot give (the server refuses new connections, for real, through the fault proxy) counts
 * in pgpulse_connection_failures_total for its endpoint; a query that fails on a good connection does not.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class ConnectionFailuresTest {
    private static final String SERIES = "pgpulse_connection_failures_total{endpoint=\"primary\"}";

    @TempDir
    Path home;

    @Test
    void refusedConnectionsCountPerEndpointAndQueryErrorsDoNot(TestDatabase db) throws Exception {
        var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             Endpoints endpoints = Endpoints.open(PoolTesting.config(proxy.through(db).url(), home, List.of(),
                     Map.of("pool.connection_timeout", "500ms", "pool.min_idle", "0")), meters)) {
            Endpoint primary = endpoints.primary();
            try (Connection c = primary.connection()) {
                assertThatThrownBy(() -> PoolTesting.queryString(c, "select (1/0)::text")).isInstanceOf(SQLException.class);
            }
            assertThat(primary.connectionFailures()).isZero();
            assertThat(meters.scrape()).contains(SERIES + " 0.0");

            proxy.outage();
            // HikariCP hands out a connection used within the last 500 ms without checking it; past that it checks,
            // finds the cut one dead and must connect anew, which the proxy refuses
            Thread.sleep(1_000);
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(primary::connection).isInstanceOf(SQLException.class);
            }
            assertThatThrownBy(primary::healthConnection).isInstanceOf(SQLException.class);
            assertThat(primary.connectionFailures()).isEqualTo(3);
            assertThat(meters.scrape()).contains(SERIES + " 3.0")
                    .contains("# TYPE pgpulse_connection_failures_total counter");

            proxy.restore();
            try (Connection c = primary.connection()) {
                assertThat(PoolTesting.queryString(c, "select 'back'")).isEqualTo("back");
            }
            assertThat(primary.connectionFailures()).isEqualTo(3);
        }
    }
}
