package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pgpulse bench} runs end to end against a real PostgreSQL and prints what it measured. Only the shape
 * of the output is checked: benchmarks are not tests, so no figure is asserted beyond being a positive number.
 */
@ExtendWith(PostgresExtension.class)
class BenchCommandTest {
    private static final String NUMBER = "(\\d[\\d,]*(?:\\.\\d+)?)";

    @TempDir
    Path home;

    @Test
    void measuresRawAndServiceSideBySideAndTheFailFastPath(TestDatabase db) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var context = new PgPulseCli.Context(new ConfigLoader(db.env(), home, "tester", 2), new PrintWriter(out),
                new PrintWriter(err));

        int code = PgPulseCli.run(context, "bench", "--threads", "1,2", "--seconds", "1", "--rounds", "2",
                "--warmup", "0");

        String o = out.toString();
        assertThat(code).as(err + o).isZero();
        assertThat(o).containsPattern("pool primary: max 2, min idle 2")
                .containsPattern("(?m)^THREADS\\s+PATH\\s+CALLS/S\\s+P50 µs\\s+P99 µs\\s+JVM CPU µs/CALL\\s+PER ROUND");
        for (int threads : new int[] {1, 2}) {
            for (String path : new String[] {"raw", "service"}) {
                Matcher m = Pattern.compile("(?m)^\\s*" + threads + "\\s+" + path + "\\s+" + NUMBER + "\\s+" + NUMBER
                        + "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + " " + NUMBER + "$").matcher(o);
                assertThat(m.find()).as(threads + " " + path + " row in%n%s", o).isTrue();
                for (int g = 1; g <= 6; g++) {
                    assertThat(positive(m.group(g))).as("column %d of the %d %s row", g, threads, path).isTrue();
                }
            }
            assertThat(o).containsPattern("(?m)^\\s*" + threads + "\\s+service/raw\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}"
                    + "\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3} \\d+\\.\\d{3}$");
        }
        assertThat(o).containsPattern("fail-fast: primary breaker FORCED OPEN, 100,000 calls .*all CIRCUIT_OPEN; "
                        + "median \\d+\\.\\d+ µs")
                .containsPattern("hikaricp\\.connections\\.acquire count unchanged \\(([\\d,]+) before, \\1 after\\)")
                .containsPattern("(?m)^service/raw latency ratio at 2 threads: \\d+\\.\\d{3} \\(target <= 1\\.05\\): "
                        + "(met|MISSED)$")
                .containsPattern("(?m)^OPEN fail-fast median: \\d+\\.\\d+ µs \\(target < 1 ms\\): (met|MISSED)$");
    }

    @Test
    void aThreadCountOfZeroIsAUsageError() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var context = new PgPulseCli.Context(new ConfigLoader(java.util.Map.of(), home, "tester", 2),
                new PrintWriter(out), new PrintWriter(err));
        assertThat(PgPulseCli.run(context, "bench", "--threads", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--threads");
    }

    @Test
    void everyBadOptionIsReportedAtOnceAndTheLengthsAreCapped() {
        CliRun r = CliRun.of(java.util.Map.of(), home, "bench", "--threads", "0", "--seconds", "86400", "--rounds",
                "1000", "--warmup", "-1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(
                "pgpulse: bench: --threads takes thread counts from 1 to 1024, e.g. --threads 1,8",
                "pgpulse: bench: --seconds 86400: expected a whole number from 1 to 300",
                "pgpulse: bench: --rounds 1000: expected a whole number from 1 to 20",
                "pgpulse: bench: --warmup -1: expected a whole number from 0 to 60");
    }

    private static boolean positive(String number) {
        return Double.parseDouble(number.replace(",", "")) > 0;
    }
}
