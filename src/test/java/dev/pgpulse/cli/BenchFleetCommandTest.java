package dev.pgpulse.cli;

import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pgpulse bench fleet} runs end to end on a real PostgreSQL (two databases of the test server as two clusters,
 * behind a real agent that is scraped) and prints its figures and verdicts. Only the report's shape is checked:
 * benchmarks are not tests, so no figure is held to a bound here.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class BenchFleetCommandTest {
    private static final String N = "\\d[\\d,]*(?:\\.\\d+)?";

    @TempDir
    Path home;

    @Test
    void watchesTwoClustersBehindTheAgentAndPrintsTheFiguresAndTheTarget(TestDatabase db) throws Exception {
        CliRun r = CliRun.of(db.env(), home, "bench", "fleet", "--clusters", "2", "--interval", "200ms", "--duration",
                "2s", "--scrape-every", "500ms");

        String o = r.out();
        assertThat(r.code()).as(r.err() + o).isZero();
        assertThat(o).containsPattern("(?m)^PgPulse bench fleet - 2 clusters \\(databases fleet_1\\.\\.fleet_2, 2 "
                        + "created for this run\\) on configured server ")
                .containsPattern("health every 200ms; GET http://127\\.0\\.0\\.1:\\d+/metrics every 500ms")
                .containsPattern("(?m)^warm-up: 3 health rounds per cluster; measured: 2s$")
                .containsPattern("(?m)^  fleet +" + N + " s CPU over " + N + " s wall = " + N + " % of one core "
                        + "\\(the scraping client's own " + N + " s subtracted\\)$")
                .containsPattern("(?m)^  per cluster +" + N + " % of one core; " + N + " ms CPU per health round \\("
                        + N + " rounds in all\\)$")
                .containsPattern("(?m)^  rounds +\\d+( to \\d+| each) per cluster \\(" + N + " expected\\); ")
                .containsPattern("(?m)^  before the fleet " + N + " MiB; start of window " + N + " MiB; end " + N
                        + " MiB: [+-]" + N + " MiB \\([+-]" + N + " %\\)$")
                .containsPattern("(?m)^  per cluster +-?" + N + " MiB at the end")
                .containsPattern("(?m)^THREADS live \\d+ before the fleet, \\d+ at the start, \\d+ at the end "
                        + "\\(peak \\d+\\)$")
                .containsPattern("(?m)^SCRAPE \\d+ of /metrics; the last " + N + " bytes \\(" + N + " per cluster\\), "
                        + N + " series; median " + N + " ms$")
                .containsPattern("(?m)^target: at most 10 % of one core for 20 clusters at a 10 s interval \\(0\\.5 % "
                        + "per cluster: 1\\.0 % for 2\\)")
                .containsPattern("(?m)^CPU: " + N + " % of one core for 2 clusters at 200ms \\(target <= 1\\.0 %\\): "
                        + "(PASS|MISSED)$")
                .containsPattern("(?m)^heap: [+-]" + N + " % from start to end after GC \\(target <= 10 %\\): "
                        + "(PASS|MISSED)$");
        // what it created it dropped
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from pg_database where datname in ('fleet_1', 'fleet_2')")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void withNothingConfiguredTheDatabasesAreOnTheEmbeddedDefault() {
        CliRun r = CliRun.of(Map.of(), home, "bench", "fleet", "--clusters", "2", "--interval", "200ms", "--duration",
                "1s", "--scrape-every", "0");
        assertThat(r.code()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).containsPattern("(?m)^PgPulse bench fleet - 2 clusters \\(databases fleet_1\\.\\.fleet_2, 2 "
                        + "created for this run\\) on embedded PostgreSQL at postgresql://postgres@localhost:\\d+/postgres$")
                .containsPattern("health every 200ms; no scrapes")
                .contains("SCRAPE none in the window")
                .containsPattern("(?m)^CPU: " + N + " % of one core for 2 clusters at 200ms");
    }

    @Test
    void noClustersIsOneLineAndExitTwo() {
        CliRun r = CliRun.of(Map.of(), home, "bench", "fleet", "--clusters", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(
                "pgpulse: bench fleet: --clusters 0: expected a whole number from 1 to 200");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void everyBadOptionIsReportedAtOnce() {
        CliRun r = CliRun.of(Map.of(), home, "bench", "fleet", "--interval", "10", "--duration", "5h",
                "--scrape-every", "-1s");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(
                "pgpulse: bench fleet: --interval '10' has no unit; write \"10s\" (seconds) or \"10ms\"",
                "pgpulse: bench fleet: --duration 5h: expected from 1s to 2h",
                "pgpulse: bench fleet: --scrape-every -1s: expected from 100ms to 10m, or 0 for none");
    }
}
