package dev.pgpulse.query;

import dev.pgpulse.config.Environment;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The CSV export against a real PostgreSQL: psql's bytes, the file whole or not at all, 0600, progress. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CsvSinkTest {
    /** Every kind of value whose CSV form can go wrong, with SET TIME ZONE so both clients print the same zone. */
    private static final String MIXED = """
            SELECT * FROM (VALUES
              (1, 'plain', 'a,b', 'say "hi"', E'two\\nlines', E'cr\\rhere', ' spaced ', '', NULL::text,
               '{"k": [1, "x,y"]}'::jsonb, ARRAY['a b', NULL, 'c,d', '"q"']::text[], '2026-12-02 10:00:00.5+00'::timestamptz,
               '\\x00ff2c22'::bytea, 1.50::numeric, 2.5::float8, true),
              (-2147483648, 'é ü 日本', '\\.', ',', '"', E'\\n', NULL, 'NULL', '',
               'null'::jsonb, '{}'::text[], 'infinity'::timestamptz, ''::bytea, NULL, 'NaN'::float8, NULL)
            ) AS t(id, plain, comma, quote, newline, cr, spaced, empty, nul, doc, arr, at, raw, n, f, b)
            ORDER BY id""";
    private QueryFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private QueryOutcome export(TestDatabase db, String script, CsvSink sink) throws Exception {
        fixture = new QueryFixture(db.env(), Environment.DEVELOPMENT, Map.of("pool.max_size", "2"));
        return fixture.runner.prepare(QueryRequest.run("primary", SqlScript.split(script)).withFetchSize(7))
                .execute(sink);
    }

    @Test
    void theFileIsByteForByteWhatPsqlCopyWritesForTheSameQuery(TestDatabase db, @TempDir Path dir) throws Exception {
        Path psql = Tools.require("psql", "postgresql-client");
        Path ours = dir.resolve("ours.csv");
        try (CsvSink sink = CsvSink.open(ours)) {
            QueryOutcome outcome = export(db, "SET TIME ZONE 'Asia/Kolkata';\n" + MIXED, sink);
            assertThat(outcome).isInstanceOf(QueryOutcome.Completed.class);
            sink.commit();
            assertThat(sink.rowsWritten()).isEqualTo(2);
        }
        Path theirs = dir.resolve("psql.csv");
        String copy = "SET TIME ZONE 'Asia/Kolkata'; \\copy (" + MIXED.replace("\n", " ") + ") to '" + theirs
                + "' csv header";
        ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", db.host(),
                "-p", String.valueOf(db.port()), "-U", db.user(), "-d", db.database(), "-f", "-")
                .redirectErrorStream(true);
        pb.environment().put("PGCLIENTENCODING", "UTF8");
        if (db.password() != null) {
            pb.environment().put("PGPASSWORD", db.password());
        }
        Process p = pb.start();
        p.getOutputStream().write(copy.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(said).isZero();
        byte[] expected = Files.readAllBytes(theirs);
        assertThat(new String(Files.readAllBytes(ours), StandardCharsets.UTF_8))
                .isEqualTo(new String(expected, StandardCharsets.UTF_8));
        assertThat(Files.readAllBytes(ours)).isEqualTo(expected);
        // what it proves: the cases are in there
        String text = new String(expected, StandardCharsets.UTF_8);
        assertThat(text).contains("\"a,b\"", "\"say \"\"hi\"\"\"", ",\"\",", " spaced ", "\\x00ff2c22", "+05:30");
    }

    @Test
    void aOneColumnBackslashDotIsQuotedAsCopyDoesAndLaterResultsGoToTheListener(TestDatabase db, @TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("one.csv");
        RecordingSink others = new RecordingSink();
        try (CsvSink sink = CsvSink.open(out, others, 16)) {
            export(db, "SELECT '\\.' AS \"a,b\" UNION ALL SELECT NULL; SELECT 2 AS second; "
                    + "DO $$ BEGIN RAISE NOTICE 'hi'; END $$", sink);
            sink.commit();
        }
        assertThat(Files.readString(out)).isEqualTo("\"a,b\"\n\"\\.\"\n\n");
        assertThat(others.events).contains("columns 1 [second:int4]", "ended 1", "notice NOTICE hi");
        assertThat(others.rowsOf(0)).containsExactly("[2]");
    }

    @Test
    void aSuccessfulExportReplacesTheFileAtomicallyWithMode0600AndNoTempLeft(TestDatabase db, @TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("export.csv");
        Files.writeString(out, "old\n");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
        try (CsvSink sink = CsvSink.open(out)) {
            // while it runs, the old file is still whole and the rows go elsewhere
            assertThat(Files.readString(out)).isEqualTo("old\n");
            export(db, "SELECT g FROM generate_series(1, 50) g", sink);
            assertThat(Files.readString(out)).isEqualTo("old\n");
            sink.commit();
        }
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(51).startsWith("g", "1").endsWith("50");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        assertThat(listing(dir)).containsExactly("export.csv");
    }

    @Test
    void aCancelledExportLeavesTheOldFileAndNoTemp(TestDatabase db, @TempDir Path dir) throws Exception {
        Path out = dir.resolve("export.csv");
        Files.writeString(out, "old\n");
        fixture = new QueryFixture(db.env(), Environment.DEVELOPMENT, Map.of("pool.max_size", "2"));
        try (CsvSink sink = CsvSink.open(out)) {
            QueryRun run = fixture.runner.prepare(QueryRequest.run("primary",
                    SqlScript.split("SELECT g, pg_sleep(0.001) FROM generate_series(1, 1000000) g")).withFetchSize(10));
            CompletableFuture<QueryOutcome> outcome = CompletableFuture.supplyAsync(() -> run.execute(sink));
            // progress is readable from here while the run's thread writes
            await().atMost(30, TimeUnit.SECONDS).until(() -> sink.rowsWritten() >= 20);
            assertThat(listing(dir)).hasSize(2);
            run.cancel();
            assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(QueryOutcome.Cancelled.class);
            sink.abort();
        }
        assertThat(Files.readString(out)).isEqualTo("old\n");
        assertThat(listing(dir)).containsExactly("export.csv");
    }

    @Test
    void aFailedRunOrOneWithoutResultsWritesNothing(TestDatabase db, @TempDir Path dir) throws Exception {
        Path out = dir.resolve("export.csv");
        try (CsvSink sink = CsvSink.open(out)) {
            QueryOutcome outcome = export(db, "SELECT 1/0", sink);
            assertThat(outcome).isInstanceOf(QueryOutcome.Failed.class);
        }
        assertThat(listing(dir)).isEmpty();
        fixture.close();
        try (CsvSink sink = CsvSink.open(out)) {
            export(db, "SET work_mem = '8MB'", sink);
            assertThat(sink.hadResult()).isFalse();
            assertThatThrownBy(sink::commit).hasMessageContaining("no result set");
        }
        assertThat(listing(dir)).isEmpty();
        assertThatThrownBy(() -> CsvSink.open(dir.resolve("missing/x.csv"))).hasMessageContaining("missing");
        assertThatThrownBy(() -> CsvSink.open(dir)).hasMessageContaining("is a folder");
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
