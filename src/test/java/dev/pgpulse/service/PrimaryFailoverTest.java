package dev.pgpulse.service;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.pool.Route;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.testing.ReplicationCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A primary listing two hosts (a primary and its streaming standby): after the standby is promoted, writes go to it
 * without a restart of PgPulse, health and the event log say which host is the primary now, and the old primary,
 * back as a standby on its old port (first in the list), is never written to.
 */
@Timeout(300)
class PrimaryFailoverTest {
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryFailoverTest.class);
    /** A promotion, the breaker's wait and pgjdbc's host recheck: seconds; this is the bound. */
    private static final Duration WRITES_BACK_WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void promotionOfTheStandbyMovesWritesToTheNewPrimaryWithoutARestart() throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(dir.resolve("cluster"), 1)) {
            int oldPort = cluster.primaryPort();
            int newPort = cluster.standbyPort(0);
            String oldHost = "localhost:" + oldPort;
            String newHost = "localhost:" + newPort;
            ReplicationCluster.sql(cluster.primary().jdbcUrl(),
                    "create table failover_probe (id bigserial primary key, port int not null)");
            PgPulseConfig config = new ConfigLoader(Map.of("DATABASE_URL", "postgresql://" + EmbeddedServer.SUPERUSER
                    + "@" + oldHost + "," + newHost + "/" + EmbeddedServer.DATABASE), dir, "tester", 2)
                    .load(Overrides.none());
            EndpointConfig primary = config.primary().orElseThrow();
            assertThat(primary.primaryOnly()).isTrue();
            assertThat(primary.jdbcUrl()).contains("targetServerType=primary");

            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                    dir.resolve("alert-rules.json"), false))) {
                assertThat(write(o)).as("before the failover writes go to the first host").hasValue(oldPort);
                await().atMost(Duration.ofSeconds(20)).until(() -> serving(o).equals(Optional.of(oldHost)));

                cluster.failover(0);
                long t0 = System.nanoTime();
                List<String> failures = new ArrayList<>();
                await().atMost(WRITES_BACK_WITHIN).pollInterval(Duration.ofMillis(100)).until(() -> {
                    Result<Integer> r = writeResult(o);
                    if (r instanceof Result.Failure<Integer> f && failures.size() < 20) {
                        failures.add(f.category() + ": " + f.message());
                    }
                    return r instanceof Result.Success<Integer> ok && ok.value() == newPort;
                });
                LOG.info("writes back on the new primary {} ms after the failover; failures meanwhile: {}",
                        (System.nanoTime() - t0) / 1_000_000, failures);
                assertThat(ReplicationCluster.queryLong(cluster.primary().jdbcUrl(),
                        "select count(*) from failover_probe where port = " + newPort)).isPositive();

                // health says which host is the primary now, and the move was told once
                await().atMost(Duration.ofSeconds(20)).until(() -> serving(o).equals(Optional.of(newHost)));
                EndpointStatus status = o.health().latest().endpoint("primary").orElseThrow();
                assertThat(status.severalHosts()).isTrue();
                assertThat(status.server().inRecovery()).isFalse();
                assertThat(status.server().serverPort()).isEqualTo(newPort);
                assertThat(moves(o)).singleElement().satisfies(m -> {
                    assertThat(m.endpoint()).isEqualTo("primary");
                    assertThat(m.from()).isEqualTo(oldHost);
                    assertThat(m.to()).isEqualTo(newHost);
                });

                // the old primary comes back as a standby, on its port, first in the list: never written to
                EmbeddedServer rejoined = cluster.rejoinOldPrimaryAsStandby();
                assertThat(rejoined.port()).isEqualTo(oldPort);
                assertThat(ReplicationCluster.queryLong(rejoined.jdbcUrl(),
                        "select case when pg_is_in_recovery() then 1 else 0 end")).isOne();
                // new connections must ask again: drop the pooled ones, and keep writing past pgjdbc's host recheck
                o.service().endpoints().primary().dataSource().getHikariPoolMXBean().softEvictConnections();
                long until = System.nanoTime() + Duration.ofSeconds(EndpointConfig.HOST_RECHECK_SECONDS * 3L).toNanos();
                int writes = 0;
                while (System.nanoTime() < until) {
                    assertThat(write(o)).as("write %d after the old primary rejoined", writes).hasValue(newPort);
                    writes++;
                    if (writes % 10 == 0) {
                        o.service().endpoints().primary().dataSource().getHikariPoolMXBean().softEvictConnections();
                    }
                    Thread.onSpinWait();
                }
                assertThat(writes).isGreaterThan(10);
                long total = ReplicationCluster.queryLong(cluster.primary().jdbcUrl(),
                        "select count(*) from failover_probe where port = " + newPort);
                assertThat(ReplicationCluster.queryLong(rejoined.jdbcUrl(),
                        "select count(*) from failover_probe where port = " + newPort))
                        .as("the rejoined standby follows the new primary").isLessThanOrEqualTo(total);
                await().atMost(Duration.ofSeconds(20)).until(() -> serving(o).equals(Optional.of(newHost)));
                assertThat(moves(o)).as("the rejoined standby is no move").hasSize(1);
                // pgpulse profiles test / the console's Test connection reach the new primary through the same list
                var tested = dev.pgpulse.pool.ConnectionTest.test(config);
                assertThat(tested.ok()).as(tested.summary()).isTrue();
                assertThat(tested.endpoints().getFirst().inRecovery()).isFalse();
            }
        }
    }

    /** The port the write landed on (inet_server_port() of the server that took it), or empty when it failed. */
    private static Optional<Integer> write(Orchestrator o) {
        return writeResult(o) instanceof Result.Success<Integer> ok ? Optional.of(ok.value()) : Optional.empty();
    }

    private static Result<Integer> writeResult(Orchestrator o) {
        return o.service().query("failover.write", Route.WRITE, c -> {
            try (PreparedStatement st = c.prepareStatement("insert into failover_probe (port) "
                    + "values (inet_server_port()) returning port"); ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    private static Optional<String> serving(Orchestrator o) {
        var h = o.health().latest();
        return h == null ? Optional.empty() : h.endpoint("primary").map(EndpointStatus::servingHost);
    }

    private static List<ResilienceEvent.PrimaryMoved> moves(Orchestrator o) {
        return o.service().guard().events().recent().stream().filter(ResilienceEvent.PrimaryMoved.class::isInstance)
                .map(ResilienceEvent.PrimaryMoved.class::cast).toList();
    }
}
