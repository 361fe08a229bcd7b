package dev.pgpulse.cli;

import dev.pgpulse.testing.Prerequisite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where a loadtest report goes when something is already there: an earlier report behind a symbolic link is
 * kept, not emptied; two runs in the same second keep both; a folder that cannot take the kept copy is named as
 * the reason; a device such as /dev/null is written and closed without a failure.
 */
class LoadtestReportTest {
    private static final Clock SAME_SECOND = Clock.fixed(Instant.parse("2026-12-02T03:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static void writeRow(Path report, Clock clock) throws IOException {
        try (LoadtestReport r = LoadtestReport.create(report, clock)) {
            r.add(UUID.randomUUID(), LoadtestCommand.Fate.COMMITTED);
        }
    }

    private Stream<Path> kept(String prefix) throws IOException {
        return Files.list(dir).filter(p -> p.getFileName().toString().startsWith(prefix));
    }

    @Test
    void anEarlierReportBehindASymbolicLinkIsKept() throws IOException {
        Path real = dir.resolve("real.csv");
        Files.writeString(real, "earlier run\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), real);

        writeRow(link, SAME_SECOND);

        assertThat(kept("real.csv.previous-")).singleElement()
                .satisfies(p -> assertThat(Files.readString(p)).isEqualTo("earlier run\n"));
        assertThat(Files.readString(link)).endsWith(",COMMITTED\n");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void twoRunsInTheSameSecondKeepBothEarlierReports() throws IOException {
        Path report = dir.resolve("r.csv");
        writeRow(report, SAME_SECOND);
        writeRow(report, SAME_SECOND);
        writeRow(report, SAME_SECOND);

        assertThat(kept("r.csv.previous-").map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("r.csv.previous-20261202-030000", "r.csv.previous-20261202-030000-1");
    }

    @Test
    void aFolderThatCannotTakeTheKeptCopyIsTheReason() throws IOException {
        Path report = dir.resolve("r.csv");
        Files.writeString(report, "earlier run\n");
        try (var ro = dev.pgpulse.testing.ReadOnlyFolder.of(dir)) {
            // mode bits refuse with EACCES; the immutable attribute (as root) with EPERM
            String why = ro.immutable() ? "Operation not permitted" : "permission denied; its folder is not writable";
            assertThatThrownBy(() -> LoadtestReport.create(report, SAME_SECOND)).isInstanceOf(IOException.class)
                    .hasMessage("the earlier report there could not be kept as r.csv.previous-20261202-030000 ("
                            + why + "); give another --report");
            assertThat(Files.readString(report)).isEqualTo("earlier run\n");
        }
    }

    @Test
    void devNullIsWrittenAndClosedWithoutAFailure() throws IOException {
        Prerequisite.require(Files.exists(Path.of("/dev/null")), "/dev/null");
        writeRow(Path.of("/dev/null"), SAME_SECOND);
        assertThat(Files.isRegularFile(Path.of("/dev/null"))).isFalse();
    }
}
