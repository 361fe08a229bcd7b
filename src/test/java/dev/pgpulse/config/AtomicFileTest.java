package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFileTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-04T05:06:07Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void writeReplacesTheFileWholeAndLeavesNoTempFile() throws Exception {
        Path file = Files.writeString(dir.resolve("prefs.json"), "old content, longer than the new one");

        AtomicFile.write(file, "new".getBytes(StandardCharsets.UTF_8), AtomicFile.Mode.OWNER_ONLY);

        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(files()).containsExactly("prefs.json");
    }

    @Test
    void writeCreatesTheMissingFolders() throws Exception {
        Path file = dir.resolve("a/b/rules.json");

        AtomicFile.write(file, "x".getBytes(StandardCharsets.UTF_8), AtomicFile.Mode.OWNER_ONLY);

        assertThat(Files.readString(file)).isEqualTo("x");
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("rules.json");
        }
    }

    @Test
    void aWriteThatFailsHalfWayLeavesTheOriginalAndNoTempFile() throws Exception {
        Path file = Files.writeString(dir.resolve("prefs.json"), "the original");

        assertThatThrownBy(() -> AtomicFile.write(file, AtomicFile.Mode.OWNER_ONLY, out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");

        assertThat(Files.readString(file)).isEqualTo("the original");
        assertThat(files()).containsExactly("prefs.json");
    }

    @Test
    void aRenameThatFailsLeavesTheTargetAndNoTempFile() throws Exception {
        // A file cannot be renamed over a folder, even by root.
        Path target = Files.createDirectory(dir.resolve("rules.json"));
        Files.writeString(target.resolve("inside"), "kept");

        assertThatThrownBy(() -> AtomicFile.write(target, "x".getBytes(StandardCharsets.UTF_8), AtomicFile.Mode.OWNER_ONLY))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("rules.json");

        assertThat(files()).containsExactly("rules.json");
        assertThat(Files.readString(target.resolve("inside"))).isEqualTo("kept");
    }

    @Test
    void ownerOnlyIs0600EvenOverAWiderFile() throws Exception {
        Path file = Files.writeString(dir.resolve("console.json"), "{}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        AtomicFile.write(file, "{ }".getBytes(StandardCharsets.UTF_8), AtomicFile.Mode.OWNER_ONLY);

        assertThat(mode(file)).isEqualTo("rw-------");
    }

    @Test
    void keepExistingKeepsTheReplacedFilesModeAndMakesANewOne0600() throws Exception {
        Path file = Files.writeString(dir.resolve("shared.txt"), "a");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        AtomicFile.write(file, "b".getBytes(StandardCharsets.UTF_8), AtomicFile.Mode.KEEP_EXISTING);
        Path fresh = dir.resolve("fresh.txt");
        AtomicFile.write(fresh, "c".getBytes(StandardCharsets.UTF_8), AtomicFile.Mode.KEEP_EXISTING);

        assertThat(mode(file)).isEqualTo("rw-r-----");
        assertThat(Files.readString(file)).isEqualTo("b");
        assertThat(mode(fresh)).isEqualTo("rw-------");
    }

    @Test
    void moveIntoPlaceRenamesAndKeepsTheMode() throws Exception {
        Path partial = Files.writeString(dir.resolve("db.dump.partial"), "dump");
        Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));

        AtomicFile.moveIntoPlace(partial, dir.resolve("db.dump"));

        assertThat(files()).containsExactly("db.dump");
        assertThat(Files.readString(dir.resolve("db.dump"))).isEqualTo("dump");
        assertThat(mode(dir.resolve("db.dump"))).isEqualTo("rw-------");
    }

    @Test
    void moveIntoPlaceOfAMissingFileFailsAndCreatesNothing() {
        assertThatThrownBy(() -> AtomicFile.moveIntoPlace(dir.resolve("gone.partial"), dir.resolve("gone")))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(dir.resolve("gone")).doesNotExist();
    }

    @Test
    void moveAsideUsesOneSuffixAndNeverOverwritesAnEarlierFile() throws Exception {
        Path file = dir.resolve("alert-rules.json");
        Files.writeString(dir.resolve("alert-rules.json.broken-20250304-050607"), "first");
        Files.writeString(file, "second");

        AtomicFile.Aside aside = AtomicFile.moveAside(file, CLOCK);

        assertThat(aside.moved()).isTrue();
        assertThat(aside.target()).isEqualTo(dir.resolve("alert-rules.json.broken-20250304-050607-1"));
        assertThat(files()).containsExactly("alert-rules.json.broken-20250304-050607",
                "alert-rules.json.broken-20250304-050607-1");
        assertThat(Files.readString(dir.resolve("alert-rules.json.broken-20250304-050607"))).isEqualTo("first");
        assertThat(Files.readString(aside.target())).isEqualTo("second");
    }

    @Test
    void moveAsideThatCannotMoveSaysWhereItTried() {
        AtomicFile.Aside aside = AtomicFile.moveAside(dir.resolve("console.json"), CLOCK);

        assertThat(aside.moved()).isFalse();
        assertThat(aside.failure()).isInstanceOf(NoSuchFileException.class);
        assertThat(aside.target()).isEqualTo(dir.resolve("console.json.broken-20250304-050607"));
    }
}
