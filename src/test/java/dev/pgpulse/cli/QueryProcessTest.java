package dev.pgpulse.cli;

import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code pgpulse query} as its own JVM (the project's Main on the test's classpath, the launcher's part aside):
 * Ctrl-C cancels the statement on the server, and an export of millions of rows fits a 256 MB heap.
 */
@ExtendWith(PostgresExtension.class)
class QueryProcessTest {
    /** The 10 M rows (~30 s on the 2-core test machine, 2 M took 5 s); the file goes when the test ends. */
    static final int ROWS = 10_000_000;

    @TempDir
    Path home;

    private ProcessBuilder pgpulse(TestDatabase db, List<String> jvm, String... args) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString());
        // without the test classes: the product's own logback.xml, as bin/pgpulse runs it
        String cp = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes")).reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(
                // a test run started in the background inherits SIGINT ignored, and a JVM then never sees Ctrl-C
                "perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die", java));
        cmd.addAll(jvm);
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", cp, "dev.pgpulse.Main", "query", "--url",
                db.url()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("DATABASE_"));
        env.put("HOME", home.toString());
        env.put("PGPULSE_LOG_DIR", home.resolve("logs").toString());
        return pb;
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void ctrlCCancelsTheStatementOnTheServerRemovesThePartialFileAndSaysSo(TestDatabase db) throws Exception {
        String marker = "pgpulse_query_sigint_" + ProcessHandle.current().pid();
        Path err = home.resolve("err.txt");
        Path exports = Files.createDirectories(home.resolve("exports"));
        Process p = pgpulse(db, List.of(), "--csv", exports.resolve("x.csv").toString(),
                "select pg_sleep(30) as " + marker)
                .redirectError(err.toFile()).redirectOutput(home.resolve("out.txt").toFile()).start();
        try {
            String running = "select count(*) from pg_stat_activity where state = 'active' and query like '%"
                    + marker + "%' and pid <> pg_backend_pid()";
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> db.queryLong(running) == 1 || !p.isAlive());
            assertThat(p.isAlive()).as(Files.readString(err)).isTrue();
            long t0 = System.nanoTime();
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
            // the bound the issue sets for the server's side; the test machine is shared, so 1 s plus a margin
            await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(20))
                    .until(() -> db.queryLong(running) == 0);
            long endedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String said = Files.readString(err);
            assertThat(p.exitValue()).as(said).isEqualTo(130); // 128 + SIGINT, as a shell reports Ctrl-C
            assertThat(said).contains("pgpulse: query: cancelled (the statement was cancelled on the server)");
            try (Stream<Path> left = Files.list(exports)) {
                assertThat(left).as("the partial export is removed").isEmpty();
            }
            System.out.println("QueryProcessTest: pg_sleep(30) ended on the server " + endedMs + " ms after SIGINT");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void anExportOfMillionsOfRowsRunsInA256MegabyteHeap(TestDatabase db) throws Exception {
        Path csv = home.resolve("big.csv");
        Path err = home.resolve("err.txt");
        Process p = pgpulse(db, List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), "--csv", csv.toString(),
                "--fetch-size", "10000", "SELECT g, md5(g::text) FROM generate_series(1, " + ROWS + ") g")
                .redirectError(err.toFile()).redirectOutput(home.resolve("out.txt").toFile()).start();
        try {
            assertThat(p.waitFor(170, TimeUnit.SECONDS)).isTrue();
            String said = Files.readString(err);
            assertThat(said).doesNotContain("OutOfMemoryError");
            assertThat(p.exitValue()).as(said).isZero();
            assertThat(said).contains(String.format(java.util.Locale.ROOT, "%,d rows to", ROWS));
            long lines = 0;
            String last = null;
            try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines++;
                    last = l;
                }
            }
            assertThat(lines).isEqualTo(ROWS + 1L);
            assertThat(last).startsWith(ROWS + ",");
            System.out.println("QueryProcessTest: " + said.lines().filter(l -> l.contains("rows to")).findFirst()
                    .orElse(""));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(csv);
        }
    }
}
