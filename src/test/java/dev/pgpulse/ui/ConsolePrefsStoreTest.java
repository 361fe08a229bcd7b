package dev.pgpulse.ui;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgpulse.testing.LogCapture;
import dev.pgpulse.testing.ReadOnlyFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.pgpulse.testing.Prerequisite.require;

/** Loading and saving the console's preferences, and what the store reports as wrong. */
class ConsolePrefsStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-04T05:06:07Z"), ZoneOffset.UTC);
    private static final String BROKEN = "console.json.broken-20250304-050607";

    @TempDir
    Path dir;

    private final ConsolePrefsStore store = new ConsolePrefsStore(CLOCK);

    private Path file() {
        return dir.resolve("console.json");
    }

    private ConsolePrefsStore.Loaded loadFrom(String json) throws IOException {
        Files.writeString(file(), json);
        return store.load(file());
    }

    private List<String> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void defaultFileIsUnderDotConfig() {
        assertThat(ConsolePrefsStore.defaultFile(Path.of("/home/ann")))
                .isEqualTo(Path.of("/home/ann/.config/pgpulse/console.json"));
    }

    @Test
    void roundTrip() throws Exception {
        ConsolePrefs p = new ConsolePrefs(1500.5, 900, Duration.ofMillis(500), false, Duration.ofMinutes(90));
        store.save(file(), p);

        ConsolePrefsStore.Loaded loaded = store.load(file());
        assertThat(loaded.prefs()).isEqualTo(p);
        assertThat(loaded.problems()).isEmpty();

        JsonNode json = new ObjectMapper().readTree(file().toFile());
        assertThat(json.get("pollInterval").textValue()).isEqualTo("500ms");
        assertThat(json.get("historyWindow").textValue()).isEqualTo("90m");
        assertThat(json.get("windowHeight").isIntegralNumber()).isTrue();
        assertThat(json.properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactly("windowWidth", "windowHeight", "pollInterval", "demoWorkload", "historyWindow");
        // pretty-printed, one field a line
        assertThat(Files.readAllLines(file())).hasSize(7);
    }

    @Test
    void defaultsRoundTripAsReadableText() throws Exception {
        store.save(file(), ConsolePrefs.defaults());
        assertThat(Files.readString(file())).contains("\"windowWidth\" : 1280,", "\"pollInterval\" : \"1s\"",
                "\"historyWindow\" : \"15m\"").endsWith("}\n");
        assertThat(store.load(file())).isEqualTo(new ConsolePrefsStore.Loaded(ConsolePrefs.defaults()));
    }

    @Test
    void missingFileGivesTheDefaultsWithoutWarning() throws Exception {
        ConsolePrefsStore.Loaded loaded = store.load(file());
        assertThat(loaded.prefs()).isEqualTo(ConsolePrefs.defaults());
        assertThat(loaded.problems()).isEmpty();
        assertThat(files(dir)).isEmpty();
    }

    @Test
    void missingFieldsTakeTheirDefaultSilently() throws Exception {
        ConsolePrefsStore.Loaded loaded = loadFrom("{\"demoWorkload\": false, \"pollInterval\": null}");
        assertThat(loaded.prefs()).isEqualTo(ConsolePrefs.defaults().withDemoWorkload(false));
        assertThat(loaded.problems()).isEmpty();
    }

    @Test
    void corruptFileIsMovedAsideAndTheDefaultsLoad() throws Exception {
        String broken = "{\n  \"windowWidth\": 1280,\n  oops\n}\n";
        ConsolePrefsStore.Loaded loaded;
        try (LogCapture logs = new LogCapture(ConsolePrefsStore.class)) {
            loaded = loadFrom(broken);
            assertThat(logs.events(Level.WARN, "is not valid JSON")).hasSize(1);
        }

        assertThat(loaded.prefs()).isEqualTo(ConsolePrefs.defaults());
        assertThat(files(dir)).containsExactly(BROKEN);
        assertThat(Files.readString(dir.resolve(BROKEN))).isEqualTo(broken);
        assertThat(loaded.problems()).singleElement().satisfies(w -> assertThat(w)
                .contains(file().toString())
                .contains("is not valid JSON at line 3, column")
                .contains("moved it to " + dir.resolve(BROKEN))
                .contains("default preferences")
                .doesNotContain("\n"));
    }

    @Test
    void anEarlierCorruptFileIsNeverOverwritten() throws Exception {
        loadFrom("not json");
        ConsolePrefsStore.Loaded second = loadFrom("[1, 2]");

        assertThat(files(dir)).containsExactly(BROKEN, BROKEN + "-1");
        assertThat(Files.readString(dir.resolve(BROKEN))).isEqualTo("not json");
        assertThat(Files.readString(dir.resolve(BROKEN + "-1"))).isEqualTo("[1, 2]");
        assertThat(second.problems()).singleElement().asString()
                .contains("holds [1,2] instead of a JSON object").contains(BROKEN + "-1");
    }

    @Test
    void emptyFileAndTrailingGarbageCountAsCorrupt() throws Exception {
        assertThat(loadFrom("").problems()).singleElement().asString().contains("is empty");
        Files.delete(dir.resolve(BROKEN));
        assertThat(loadFrom("{} {}").problems()).singleElement().asString().contains("is not valid JSON");
        assertThat(files(dir)).containsExactly(BROKEN);
    }

    @Test
    void unreadableFileIsMovedAside() throws Exception {
        // A folder where the file should be: reading it fails whoever runs the test.
        Files.createDirectory(file());
        ConsolePrefsStore.Loaded loaded = store.load(file());

        assertThat(loaded.prefs()).isEqualTo(ConsolePrefs.defaults());
        assertThat(loaded.problems()).singleElement().asString().contains("cannot be read").contains(BROKEN);
        assertThat(Files.isDirectory(dir.resolve(BROKEN))).isTrue();
    }

    @Test
    void pollIntervalNotOfferedSnapsToTheNearestWithAWarning() throws Exception {
        ConsolePrefsStore.Loaded loaded = loadFrom("{\"pollInterval\": \"3s\", \"demoWorkload\": false}");

        assertThat(loaded.prefs().pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(loaded.prefs().demoWorkload()).isFalse();
        assertThat(loaded.problems()).singleElement().asString()
                .contains("field 'pollInterval'")
                .contains("\"3s\"")
                .contains("500ms, 1s, 2s, 5s, 10s")
                .contains("using the nearest, 2s");
        assertThat(files(dir)).containsExactly("console.json");
    }

    @Test
    void pollIntervalThatIsNoDurationTakesTheDefaultWithAWarning() throws Exception {
        ConsolePrefsStore.Loaded loaded = loadFrom("{\"pollInterval\": \"abc\", \"windowWidth\": 1600}");

        assertThat(loaded.prefs()).isEqualTo(ConsolePrefs.defaults().withWindow(1600, 800));
        assertThat(loaded.problems()).singleElement().asString()
                .contains("field 'pollInterval'").contains("\"abc\" is not a duration").contains("using the default 1s");
    }

    /** A number without a unit used to be milliseconds here and seconds in the rules file: it takes the default, naming the fix. */
    @Test
    void aDurationWithoutAUnitTakesTheDefaultWithTheFix() throws Exception {
        ConsolePrefsStore.Loaded loaded = loadFrom("{\"pollInterval\": 5000, \"historyWindow\": \"30\"}");

        assertThat(loaded.prefs()).isEqualTo(ConsolePrefs.defaults());
        assertThat(loaded.problems()).containsExactly(
                "console preferences file " + file() + " field 'pollInterval': 5000 has no unit; write \"5000s\" (seconds) "
                        + "or \"5000ms\"; using the default 1s",
                "console preferences file " + file() + " field 'historyWindow': \"30\" has no unit; write \"30s\" (seconds) "
                        + "or \"30ms\"; using the default 15m");
        assertThat(files(dir)).as("the file is not moved aside").containsExactly("console.json");
    }

    @Test
    void everyDurationRoundTrips() throws Exception {
        for (Duration poll : ConsolePrefs.POLL_INTERVALS) {
            for (Duration history : List.of(Duration.ofMinutes(1), Duration.ofSeconds(61), Duration.ofMillis(90_001),
                    Duration.ofMinutes(90), Duration.ofHours(2))) {
                ConsolePrefs p = ConsolePrefs.defaults().withPollInterval(poll).withHistoryWindow(history);
                store.save(file(), p);

                assertThat(store.load(file())).as(Files.readString(file())).isEqualTo(new ConsolePrefsStore.Loaded(p));
            }
        }
    }

    @Test
    void badWindowSizesAreClampedWithAWarningEach() throws Exception {
        ConsolePrefsStore.Loaded loaded = loadFrom("""
                {"windowWidth": -5, "windowHeight": 100000, "historyWindow": "15m"}""");

        assertThat(loaded.prefs().windowWidth()).isEqualTo(640);
        assertThat(loaded.prefs().windowHeight()).isEqualTo(4320);
        assertThat(loaded.prefs().historyWindow()).isEqualTo(Duration.ofMinutes(15));
        assertThat(loaded.problems()).containsExactly(
                "console preferences file " + file() + " field 'windowWidth': -5 is below the minimum 640; using 640",
                "console preferences file " + file() + " field 'windowHeight': 100000 is above the maximum 4320; using 4320");
    }

    @Test
    void valuesOfTheWrongTypeTakeTheirDefaultAndTheRestIsKept() throws Exception {
        ConsolePrefsStore.Loaded loaded = loadFrom("""
                {"windowWidth": "wide", "windowHeight": 1000, "pollInterval": "10s",
                 "demoWorkload": "yes", "historyWindow": "5s"}""");

        assertThat(loaded.prefs()).isEqualTo(
                new ConsolePrefs(1280, 1000, Duration.ofSeconds(10), true, Duration.ofMinutes(1)));
        assertThat(loaded.problems()).hasSize(3);
        assertThat(loaded.problems().get(0)).contains("'windowWidth'", "\"wide\" is not a number", "default 1280");
        assertThat(loaded.problems().get(1)).contains("'demoWorkload'", "\"yes\" is not true or false", "default true");
        assertThat(loaded.problems().get(2)).contains("'historyWindow'", "\"5s\" is below the minimum 1m", "using 1m");
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        ConsolePrefsStore.Loaded loaded = loadFrom("""
                {"windowWidth": 1024, "theme": "dark", "nested": {"a": [1, 2]}, "schemaVersion": 7}""");

        assertThat(loaded.prefs()).isEqualTo(ConsolePrefs.defaults().withWindow(1024, 800));
        assertThat(loaded.problems()).isEmpty();
        assertThat(files(dir)).containsExactly("console.json");
    }

    @Test
    void saveCreatesTheFoldersAndLeavesNoTempFiles() throws Exception {
        Path nested = ConsolePrefsStore.defaultFile(dir.resolve("home"));
        store.save(nested, ConsolePrefs.defaults());
        store.save(nested, ConsolePrefs.defaults().withDemoWorkload(false));

        assertThat(files(nested.getParent())).containsExactly("console.json");
        assertThat(store.load(nested).prefs().demoWorkload()).isFalse();
    }

    @Test
    void saveMakesTheFileUserOnlyEvenWhenItWasWider() throws Exception {
        Files.writeString(file(), "{}");
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));

        store.save(file(), ConsolePrefs.defaults());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
    }

    @Test
    void saveReplacesAnExistingFileByRenaming() throws Exception {
        String old = "{\"windowWidth\": 1024}\n";
        Files.writeString(file(), old);
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Object keyBefore = Files.readAttributes(file(), java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        ConsolePrefs next = ConsolePrefs.defaults().withPollInterval(Duration.ofSeconds(10));
        if (posix) {
            // A reader that opened the old file keeps seeing all of it: the new content arrives by rename,
            // the old file is never truncated or written in place.
            try (FileChannel reader = FileChannel.open(file(), StandardOpenOption.READ)) {
                store.save(file(), next);
                ByteBuffer buf = ByteBuffer.allocate(1024);
                reader.read(buf, 0);
                assertThat(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)).isEqualTo(old);
            }
        } else {
            store.save(file(), next);
        }

        assertThat(store.load(file())).isEqualTo(new ConsolePrefsStore.Loaded(next));
        assertThat(files(dir)).containsExactly("console.json");
        Object keyAfter = Files.readAttributes(file(), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        if (keyBefore != null) {
            assertThat(keyAfter).isNotEqualTo(keyBefore);
        }
    }

    @Test
    void saveIntoAReadOnlyFolderFailsAndKeepsTheOldFile() throws Exception {
        require(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "a file system with POSIX permissions");
        Path folder = Files.createDirectory(dir.resolve("ro"));
        Path target = folder.resolve("console.json");
        String old = "{\"windowWidth\": 1024}\n";
        Files.writeString(target, old);

        try (var ro = ReadOnlyFolder.of(folder)) {
            assertThatThrownBy(() -> store.save(target, ConsolePrefs.defaults().withDemoWorkload(false)))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot save console preferences to " + target + ": ")
                    .hasMessageNotContaining("\n");
        }
        assertThat(Files.readString(target)).isEqualTo(old);
        assertThat(files(folder)).containsExactly("console.json");
    }

    @Test
    void aFolderThatCannotBeWrittenIsAProblemAtLoadAndTheFileStillLoads() throws Exception {
        require(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "a file system with POSIX permissions");
        Path folder = Files.createDirectory(dir.resolve("ro"));
        Path target = folder.resolve("console.json");
        Files.writeString(target, "{\"windowWidth\": 1024}\n");

        ConsolePrefsStore.Loaded loaded;
        try (var ro = ReadOnlyFolder.of(folder); LogCapture logs = new LogCapture(ConsolePrefsStore.class)) {
            loaded = store.load(target);
            assertThat(logs.events(Level.WARN, "is not writable")).hasSize(1);
        }
        assertThat(loaded.prefs()).isEqualTo(ConsolePrefs.defaults().withWindow(1024, 800));
        assertThat(loaded.problems()).containsExactly("console preferences cannot be saved to " + target
                + ": the folder " + folder + " is not writable");
    }

    @Test
    void aFileWhereTheFolderShouldBeIsAProblemAtLoad() throws Exception {
        Files.writeString(dir.resolve("blocker"), "x");
        Path target = dir.resolve("blocker").resolve("pgpulse").resolve("console.json");

        ConsolePrefsStore.Loaded loaded = store.load(target);

        assertThat(loaded.prefs()).isEqualTo(ConsolePrefs.defaults());
        assertThat(loaded.problems()).last().isEqualTo("console preferences cannot be saved to " + target + ": "
                + dir.resolve("blocker") + " is not a folder");
        assertThat(Files.readString(dir.resolve("blocker"))).isEqualTo("x");
    }

    @Test
    void saveWhereTheFolderIsAFileFailsWithAClearMessage() throws Exception {
        Files.writeString(dir.resolve("blocker"), "x");
        Path target = dir.resolve("blocker").resolve("console.json");

        assertThatThrownBy(() -> store.save(target, ConsolePrefs.defaults()))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot save console preferences to " + target + ": ");
        assertThat(Files.readString(dir.resolve("blocker"))).isEqualTo("x");
    }
}
