package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code loadtest} across a real server restart: every row the report calls COMMITTED is in the table, every
 * row it calls FAILED is not. The server is the test's own embedded one, stopped and started on its port.
 */
@ExtendWith(PostgresExtension.class)
class LoadtestCommandTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void reportsEveryRowTruthfullyAcrossAServerRestart() throws Exception {
        Path data = dir.resolve("data");
        EmbeddedServer server = EmbeddedServer.start(data, 0);
        int port = server.port();
        String jdbc = "jdbc:postgresql://localhost:" + port + "/postgres";
        Path report = dir.resolve("report.csv");
        ExecutorService pool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("loadtest-test-", 0).factory());
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var context = new PgPulseCli.Context(new ConfigLoader(
                    Map.of("DATABASE_URL", "postgresql://postgres@localhost:" + port + "/postgres"), dir, "tester", 2),
                    new PrintWriter(out), new PrintWriter(err));
            var run = CompletableFuture.supplyAsync(() -> PgPulseCli.run(context, "loadtest", "--writes", "1200",
                    "--concurrency", "4", "--rate", "250", "--deadline", "90", "--report", report.toString(),
                    "--set", "pool.connection_timeout=500ms", "--set", "breaker.wait_in_open=500ms",
                    "--set", "breaker.minimum_calls=5", "--set", "breaker.window_size=10",
                    "--set", "retry.max_attempts=3", "--set", "retry.max_backoff=300ms"), pool);

            await().atMost(Duration.ofSeconds(30)).until(() -> rows(jdbc) >= 200);
            server.close();
            Thread.sleep(2500);
            server = EmbeddedServer.start(data, port);

            assertThat(run.get(100, TimeUnit.SECONDS)).as(err.toString()).isZero();
            assertThat(out.toString()).startsWith("loadtest: 1200 of 1200 rows attempted");

            List<String> lines = Files.readAllLines(report);
            assertThat(lines).hasSize(1200);
            Set<String> inTable = ids(jdbc);
            Map<String, Integer> fates = new HashMap<>();
            for (String line : lines) {
                String[] parts = line.split(",");
                fates.merge(parts[1], 1, Integer::sum);
                switch (parts[1]) {
                    case "COMMITTED" -> assertThat(inTable).as("COMMITTED row %s", parts[0]).contains(parts[0]);
                    case "FAILED" -> assertThat(inTable).as("FAILED row %s", parts[0]).doesNotContain(parts[0]);
                    case "UNKNOWN" -> { }
                    default -> throw new AssertionError("bad line: " + line);
                }
            }
            Set<String> reported = new HashSet<>();
            lines.forEach(l -> reported.add(l.split(",")[0]));
            assertThat(reported).as("every row in the table was reported").containsAll(inTable);
            assertThat(fates.getOrDefault("COMMITTED", 0)).isGreaterThan(200);
            assertThat(fates.getOrDefault("FAILED", 0) + fates.getOrDefault("UNKNOWN", 0))
                    .as("the outage was felt: " + fates).isGreaterThan(0);
            assertThat(out.toString()).contains(fates.getOrDefault("COMMITTED", 0) + " COMMITTED");
        } finally {
            pool.shutdownNow();
            server.close();
            PostgresExtension.deleteTree(data);
        }
    }

    /**
     * A report path that cannot be a file is refused before anything is written: no table, no rows, exit 2 and
     * one line saying what to give instead (it used to run every write and then lose the report).
     */
    @Test
    @Timeout(60)
    void aReportPathThatIsAFolderOrEmptyIsRefusedBeforeTheFirstWrite(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("loadtest_bad_report");
        Path folder = Files.createDirectory(dir.resolve("reports"));
        CliRun asFolder = CliRun.of(db.env(), dir, "loadtest", "--writes", "20", "--report", folder.toString());
        assertThat(asFolder.code()).isEqualTo(2);
        assertThat(asFolder.err().strip().lines()).hasSize(1);
        assertThat(asFolder.err()).contains("--report " + folder + " is a folder")
                .contains(folder.resolve("loadtest.csv").toString());

        CliRun empty = CliRun.of(db.env(), dir, "loadtest", "--writes", "20", "--report", "");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err().strip()).isEqualTo("pgpulse: loadtest: --report is empty; give a file to write, e.g. "
                + "--report loadtest.csv");

        CliRun noFolder = CliRun.of(db.env(), dir, "loadtest", "--writes", "20", "--report",
                dir.resolve("missing/r.csv").toString());
        assertThat(noFolder.code()).isEqualTo(2);
        assertThat(noFolder.err()).contains("its folder " + dir.resolve("missing") + " does not exist");

        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select to_regclass('pgpulse_loadtest') is null")) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("no table was made, so no row was written").isTrue();
        }
        assertThat(folder).isEmptyDirectory();
    }

    /** The summary is one line naming the report file; the rows are in the file, not on the terminal. */
    @Test
    @Timeout(60)
    void theSummaryNamesTheReportFileAndTheRowsGoInIt(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("loadtest_summary");
        Path report = dir.resolve("r.csv");
        CliRun run = CliRun.of(db.env(), dir, "loadtest", "--writes", "300", "--concurrency", "3", "--report",
                report.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().strip().lines()).hasSize(1);
        assertThat(run.out().strip()).matches("loadtest: 300 of 300 rows attempted in [\\d.]+ s \\(concurrency 3\\): "
                + "300 COMMITTED, 0 FAILED, 0 UNKNOWN; report: " + java.util.regex.Pattern.quote(report.toString()));
        List<String> lines = Files.readAllLines(report);
        assertThat(lines).hasSize(300).allMatch(l -> l.matches("[0-9a-f-]{36},COMMITTED"));
        assertThat(Files.readString(report)).endsWith("\n");
        Set<String> inTable = new HashSet<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select id::text from pgpulse_loadtest")) {
            while (rs.next()) {
                inTable.add(rs.getString(1));
            }
        }
        assertThat(inTable).containsExactlyInAnyOrderElementsOf(lines.stream().map(l -> l.split(",")[0]).toList());
    }

    /** A second run to the same --report keeps the first run's report (the record of that run) beside it. */
    @Test
    @Timeout(60)
    void aSecondRunKeepsTheEarlierReport(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("loadtest_keep_report");
        Path report = dir.resolve("again.csv");
        CliRun first = CliRun.of(db.env(), dir, "loadtest", "--writes", "20", "--report", report.toString());
        assertThat(first.code()).as(first.err()).isZero();
        String firstReport = Files.readString(report);
        CliRun second = CliRun.of(db.env(), dir, "loadtest", "--writes", "30", "--report", report.toString());
        assertThat(second.code()).as(second.err()).isZero();
        List<Path> kept;
        try (var files = Files.list(dir)) {
            kept = files.filter(p -> p.getFileName().toString().startsWith("again.csv.previous-")).toList();
        }
        assertThat(kept).hasSize(1);
        assertThat(Files.readString(kept.getFirst())).isEqualTo(firstReport);
        assertThat(Files.readAllLines(report)).hasSize(30);
        assertThat(second.out().strip()).endsWith("report: " + report + " (the earlier report is kept as "
                + kept.getFirst().getFileName() + ")");
    }

    /**
     * A full disk: /dev/full answers every write with ENOSPC, as a full file system does. The run stops at the first
     * row it cannot record (no rows written that the report does not tell of beyond the ones in flight), says why
     * in one line and exits 1, bounded.
     */
    @Test
    @Timeout(60)
    void aReportThatCannotBeWrittenStopsTheRunAndSaysWhy(TestDatabase server) throws Exception {
        dev.pgpulse.testing.Prerequisite.require(Files.exists(Path.of("/dev/full")), "Linux's /dev/full");
        TestDatabase db = server.freshDatabase("loadtest_full_disk");
        CliRun run = CliRun.of(db.env(), dir, "loadtest", "--writes", "100000", "--concurrency", "2", "--report",
                "/dev/full");
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.out()).contains("(stopped: the report could not be written)");
        assertThat(run.err().strip()).startsWith("pgpulse: loadtest: cannot write the report /dev/full: ")
                .contains("No space left on device");
        assertThat(db.queryLong("select count(*) from pgpulse_loadtest")).as("stopped at once, not 100000 rows")
                .isLessThanOrEqualTo(2);
    }

    private static int rows(String jdbc) {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", null); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from pgpulse_loadtest")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            return 0;
        }
    }

    private static Set<String> ids(String jdbc) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", null); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select id::text from pgpulse_loadtest")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
