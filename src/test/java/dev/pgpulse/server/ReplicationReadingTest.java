package dev.pgpulse.server;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.ReplicationCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.pgpulse.testing.ReplicationCluster.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real streaming standby ({@link ReplicationCluster}: pg_basebackup of an embedded primary, through a physical
 * slot): the primary's replication readout lists it as streaming with its LSNs, shows its lag in bytes while its
 * replay is paused and the primary writes, and lists the slot as active with the WAL it retains.
 */
@Timeout(180)
class ReplicationReadingTest {
    @TempDir
    Path dir;

    private static Readout read(ServerReadings r, ServerReadings.Kind kind) {
        var out = r.read(kind);
        assertThat(out.isSuccess()).as(out.toString()).isTrue();
        return out.orElseThrow();
    }

    @Test
    void aStreamingStandbyShowsWithItsLagAndItsSlot() throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(dir.resolve("cluster"), 1)) {
            EmbeddedServer primary = cluster.primary();
            var config = new ConfigLoader(Map.of("DATABASE_URL", primary.url()), dir, "tester", 2)
                    .load(Overrides.none());
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofSeconds(5),
                    dir.resolve("alert-rules.json"), false))) {
                ServerReadings readings = ServerReadings.of(o);
                await().atMost(Duration.ofSeconds(30)).until(() -> read(readings, ServerReadings.Kind.STANDBYS)
                        .rows().stream().anyMatch(r -> "streaming".equals(r.values().get(2))));
                Readout standbys = read(readings, ServerReadings.Kind.STANDBYS);
                assertThat(standbys.note()).isEmpty();
                Readout.Row row = standbys.rows().getFirst();
                assertThat(row.flagged()).isFalse();
                assertThat((String) row.values().get(4)).matches("[0-9A-F]+/[0-9A-F]+");
                assertThat(row.values().get(7)).as("replay LSN").isNotNull();

                Readout.Row slot = read(readings, ServerReadings.Kind.SLOTS).rows().stream()
                        .filter(r -> "standby_0".equals(r.values().get(0))).findFirst().orElseThrow();
                assertThat(slot.values().get(3)).isEqualTo("active");
                assertThat(slot.flagged()).isFalse();
                assertThat((Long) slot.values().get(5)).isNotNull();

                cluster.pauseReplay(0);
                sql(primary.jdbcUrl(), "create table replication_probe (id int, pad text)",
                        "insert into replication_probe select g, repeat('x', 200) from generate_series(1, 20000) g");
                await().atMost(Duration.ofSeconds(30)).until(() -> read(readings, ServerReadings.Kind.STANDBYS)
                        .rows().stream().anyMatch(r -> r.values().get(8) != null && (Long) r.values().get(8) > 0));
                cluster.resumeReplay(0);
                await().atMost(Duration.ofSeconds(30)).until(() -> read(readings, ServerReadings.Kind.STANDBYS)
                        .rows().stream().anyMatch(r -> Long.valueOf(0).equals(r.values().get(8))));
                assertThat(List.of(standbys.columns().get(8).name())).containsExactly("Lag");
            }
        }
    }
}
