package dev.pgpulse.query;

import ch.qos.logback.classic.Level;
import dev.pgpulse.config.SmallFile;
import dev.pgpulse.query.QueryHistory.Entry;
import dev.pgpulse.query.QueryHistory.Outcome;
import dev.pgpulse.testing.LogCapture;
import dev.pgpulse.testing.OddFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryHistoryTest {
    private static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path file() {
        return QueryHistory.defaultFile(dir);
    }

    private static Entry ran(String sql, int second) {
        return new Entry(sql, "primary", T0.plusSeconds(second), Outcome.rows(1), Duration.ofMillis(5));
    }

    private static String fileText(Path file) throws Exception {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Test
    void newestFirstAndTheSameStatementMovesToTheTop() {
        QueryHistory h = QueryHistory.inMemory(10);
        h.add(ran("SELECT 1", 1));
        h.add(ran("SELECT 2", 2));
        h.add(new Entry("  SELECT 1\n", "replica", T0.plusSeconds(3), Outcome.failed("57014"), Duration.ofSeconds(2)));
        assertThat(h.entries()).extracting(e -> e.statement().strip()).containsExactly("SELECT 1", "SELECT 2");
        Entry top = h.entries().getFirst();
        assertThat(top.endpoint()).isEqualTo("replica");
        assertThat(top.outcome()).isEqualTo(Outcome.failed("57014"));
        assertThat(top.outcome()).hasToString("failed, SQLSTATE 57014");
        assertThat(top.ranAt()).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void keepsAtMostMaxEntriesDroppingTheOldest() {
        QueryHistory h = QueryHistory.inMemory(3);
        for (int i = 1; i <= 5; i++) {
            h.add(ran("SELECT " + i, i));
        }
        assertThat(h.entries()).extracting(Entry::statement).containsExactly("SELECT 5", "SELECT 4", "SELECT 3");
        assertThat(QueryHistory.load(file()).entries()).isEmpty();
        assertThat(QueryHistory.DEFAULT_MAX_ENTRIES).isEqualTo(500);
    }

    @Test
    void aLongStatementIsKeptCutWithAMarkerSayingItsLength() {
        QueryHistory h = QueryHistory.inMemory(10);
        String big = "SELECT '" + "x".repeat(100_000) + "'";
        Entry kept = h.add(ran(big, 1));
        assertThat(kept.statement()).startsWith(big.substring(0, QueryHistory.MAX_STATEMENT_CHARS))
                .contains(QueryHistory.CUT_MARKER).endsWith(big.length() + " characters in all]");
        assertThat(kept.statement().length()).isLessThan(QueryHistory.MAX_STATEMENT_CHARS + 100);
    }

    @Test
    void theFileNeverOutgrowsWhatItIsReadBackWith() throws Exception {
        QueryHistory h = QueryHistory.load(file(), 500, CLOCK);
        for (int i = 0; i < 40; i++) {
            // control characters are 6 bytes each in JSON: 40 of these would be ~15 MB
            h.add(ran("SELECT '" + i + "\u0001".repeat(60_000) + "'", i));
        }
        assertThat(Files.size(file())).isLessThanOrEqualTo(SmallFile.DEFAULT_LIMIT);
        QueryHistory again = QueryHistory.load(file(), 500, CLOCK);
        assertThat(again.warnings()).isEmpty();
        assertThat(again.entries()).isEqualTo(h.entries()).isNotEmpty().hasSizeLessThan(40);
        assertThat(again.entries().getFirst().statement()).startsWith("SELECT '39");
    }

    @Test
    void aRestartReadsWhatTheLastRunWroteInAFileOnlyItsOwnerReads() throws Exception {
        QueryHistory h = QueryHistory.load(file());
        h.add(ran("SELECT 1", 1));
        h.add(new Entry("UPDATE t SET a = 1", "replica", T0.plusSeconds(2), Outcome.updated(7), Duration.ofMillis(9)));
        h.add(new Entry("SELEC 1", "primary", T0.plusSeconds(3), Outcome.failed("42601"), Duration.ZERO));
        assertThat(Files.getPosixFilePermissions(file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        QueryHistory restarted = QueryHistory.load(file());
        assertThat(restarted.warnings()).isEmpty();
        assertThat(restarted.problem()).isEmpty();
        assertThat(restarted.entries()).isEqualTo(h.entries()).hasSize(3);
        assertThat(restarted.entries().get(1).outcome()).hasToString("OK, 7 updated");
    }

    @Test
    void nothingMaskedIsEverOnDisk() throws Exception {
        QueryHistory h = QueryHistory.load(file());
        h.add(ran("CREATE ROLE app LOGIN PASSWORD 'hunter2-role'", 1));
        h.add(ran("ALTER USER app WITH ENCRYPTED PASSWORD $q$hunter2-dollar$q$ VALID UNTIL 'infinity'", 2));
        h.add(ran("CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'app', password 'hunter2-mapping')", 3));
        h.add(ran("CREATE SUBSCRIPTION s CONNECTION 'host=db password=hunter2-conninfo' PUBLICATION p", 4));
        h.add(ran("SELECT dblink_connect('postgresql://app:hunter2-uri@db/x')", 5));
        byte[] bytes = Files.readAllBytes(file());
        assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("hunter2").contains("********")
                .contains("CREATE ROLE app LOGIN PASSWORD '********'");
        assertThat(h.entries()).noneMatch(e -> e.statement().contains("hunter2")).allMatch(Entry::masked);
        h.add(ran("SELECT '********'", 6));
        assertThat(h.entries().getFirst().masked()).as("nothing was masked in it").isFalse();
        assertThat(QueryHistory.load(file()).entries()).isEqualTo(h.entries());
    }

    @Test
    void aHandEditedSecretIsMaskedWhenRead() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), """
                {"schemaVersion":1,"entries":[{"statement":"ALTER ROLE a PASSWORD 'typed-in'","endpoint":"p",
                "ranAt":"2026-12-02T08:00:00Z","outcome":"UPDATED","count":0,"durationMs":3}]}""");
        QueryHistory h = QueryHistory.load(file());
        assertThat(h.entries()).singleElement().extracting(Entry::statement)
                .isEqualTo("ALTER ROLE a PASSWORD '********'");
    }

    @Test
    void aCorruptOrWrongVersionFileIsMovedAsideAndTheHistoryStartsEmpty() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "{ not json");
        try (LogCapture logs = new LogCapture(QueryHistory.class)) {
            QueryHistory h = QueryHistory.load(file(), 500, CLOCK);
            assertThat(h.entries()).isEmpty();
            assertThat(h.warnings()).singleElement().asString().contains("is not valid JSON").contains("moved aside");
            assertThat(logs.events(Level.WARN, "moved aside")).hasSize(1);
            h.add(ran("SELECT 1", 1));
            assertThat(QueryHistory.load(file()).entries()).hasSize(1);
        }
        Files.writeString(file(), "{\"schemaVersion\": 2, \"entries\": []}");
        QueryHistory h = QueryHistory.load(file(), 500, Clock.offset(CLOCK, Duration.ofMinutes(1)));
        assertThat(h.warnings()).singleElement().asString().contains("\"schemaVersion\" 2; expected 1");
        try (Stream<Path> files = Files.list(file().getParent())) {
            assertThat(files.filter(p -> p.getFileName().toString().contains(".broken-"))).hasSize(2);
        }
        assertThat(Files.exists(file())).isFalse();
    }

    @Test
    void aFifoIsLeftAloneAndWritesAreRefusedWithTheReason() throws Exception {
        OddFiles.fifo(file());
        QueryHistory h = QueryHistory.load(file());
        assertThat(h.warnings()).singleElement().asString().contains("not a regular file");
        h.add(ran("SELECT 1", 1));
        assertThat(h.entries()).hasSize(1);
        assertThat(h.problem()).get().asString().contains("not a regular file").contains("this run only");
        assertThat(Files.isRegularFile(file())).isFalse();
        assertThat(Files.exists(file())).isTrue();
    }

    @Test
    void aFailedWriteKeepsTheHistoryAndSaysWhyOnce() throws Exception {
        Path blocker = dir.resolve("not-a-folder");
        Files.writeString(blocker, "a file where the history's folder would be");
        Path inside = blocker.resolve("query-history.json");
        try (LogCapture logs = new LogCapture(QueryHistory.class)) {
            QueryHistory h = QueryHistory.load(inside);
            h.add(ran("SELECT 1", 1));
            h.add(ran("SELECT 2", 2));
            assertThat(h.entries()).hasSize(2);
            assertThat(h.problem()).get().asString().contains("could not be written").contains("this run only");
            assertThat(logs.events(Level.WARN, "could not be written")).hasSize(1);
        }
    }

    @Test
    void badValuesAreRefusedSayingWhatIsWrong() {
        assertThatThrownBy(() -> Outcome.failed("oops"))
                .hasMessage("a SQLSTATE is 5 characters of 0-9 and A-Z, not oops");
        assertThatThrownBy(() -> new Outcome(QueryHistory.Kind.ROWS, -1, null))
                .hasMessage("a row count is 0 or more, not -1");
        assertThatThrownBy(() -> ran(" ", 0)).hasMessageContaining("needs a statement");
    }
}
