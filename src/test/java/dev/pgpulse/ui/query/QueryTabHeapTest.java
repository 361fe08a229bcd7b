package dev.pgpulse.ui.query;

import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ten million rows browsed through the Query tab's grid and exported to CSV from the tab, in a console whose heap
 * is capped at 256 MB (a JVM of its own, {@link QueryTabHeapHarness}): no OutOfMemoryError, the grid never holds
 * more than its window, every row read, the file whole. The times are printed, not asserted (docs/PERFORMANCE.md).
 */
@ExtendWith(PostgresExtension.class)
class QueryTabHeapTest {
    static final long ROWS = 10_000_000;

    @TempDir
    Path home;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void tenMillionRowsAreBrowsedAndExportedFromTheTabInA256MbHeap(TestDatabase db) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString());
        Path csv = home.resolve("series.csv");
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                "--enable-native-access=ALL-UNNAMED", "-Dglass.platform=Monocle", "-Dmonocle.platform=Headless",
                "-Dprism.order=sw", "-cp", System.getProperty("java.class.path"),
                QueryTabHeapHarness.class.getName(), db.url(), Long.toString(ROWS), home.toString(), csv.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("DATABASE_"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("PGPULSE_LOG_DIR", home.resolve("logs").toString());
        Process p = pb.start();
        Map<String, String> figures = new HashMap<>();
        StringBuilder tail = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                int eq = line.indexOf('=');
                if (eq > 0 && line.substring(0, eq).matches("[a-z_]+")) {
                    figures.put(line.substring(0, eq), line.substring(eq + 1));
                    System.out.println("QueryTabHeapTest: " + line);
                } else if (line.contains("OutOfMemory") || line.contains("Exception") || line.contains("ERROR")) {
                    tail.append(line).append('\n');
                }
            }
        } finally {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertThat(p.exitValue()).as("exit (3 is an OutOfMemoryError)\n" + tail).isZero();
        assertThat(figures.get("browsed_rows")).isEqualTo(Long.toString(ROWS));
        assertThat(Integer.parseInt(figures.get("window_max_held"))).isLessThanOrEqualTo(FxResultSink.DEFAULT_WINDOW);
        assertThat(figures.get("export_status")).startsWith(String.format(java.util.Locale.ROOT, "Exported %,d rows", ROWS));
        assertThat(lines(csv)).isEqualTo(ROWS + 1);

        // psql's \copy of the same query on the same server, timed here: the reference for docs/PERFORMANCE.md
        Path psql = dev.pgpulse.testing.Tools.require("psql", "postgresql-client");
        Path theirs = home.resolve("psql.csv");
        ProcessBuilder copy = new ProcessBuilder(psql.toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", db.host(),
                "-p", String.valueOf(db.port()), "-U", db.user(), "-d", db.database(), "-c",
                "\\copy (SELECT g, md5(g::text) FROM generate_series(1, " + ROWS + ") g) to '" + theirs + "' csv header")
                .redirectErrorStream(true);
        if (db.password() != null) {
            copy.environment().put("PGPASSWORD", db.password());
        }
        long t0 = System.nanoTime();
        Process c = copy.start();
        String said = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(c.waitFor(120, TimeUnit.SECONDS)).isTrue();
        double psqlSeconds = (System.nanoTime() - t0) / 1e9;
        assertThat(c.exitValue()).as(said).isZero();
        System.out.printf(java.util.Locale.ROOT, "QueryTabHeapTest: psql_copy_seconds=%.2f psql_rows_per_s=%.0f%n",
                psqlSeconds, ROWS / psqlSeconds);
        assertThat(java.nio.file.Files.mismatch(csv, theirs)).as("the tab's export is psql's bytes").isEqualTo(-1L);
    }

    private static long lines(Path file) throws Exception {
        long n = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(b) > 0) {
                b.flip();
                while (b.hasRemaining()) {
                    if (b.get() == '\n') {
                        n++;
                    }
                }
                b.clear();
            }
        }
        return n;
    }
}
