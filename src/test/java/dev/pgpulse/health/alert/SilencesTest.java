package dev.pgpulse.health.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pgpulse.testing.OddFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SilencesTest {
    private static final Instant T0 = Instant.parse("2026-12-02T06:00:00Z");
    private static final AlertRule LONG_TX = new AlertRule("long-tx", "Long transaction",
            "server.longest_transaction_seconds", Operator.GT, 60, Duration.ZERO, Severity.WARNING, true);
    private static final AlertRule POOL = new AlertRule("waiting", "Waiting", "pool.*.awaiting", Operator.GT, 0,
            Duration.ZERO, Severity.WARNING, true);

    @TempDir
    Path dir;

    /** A clock the test moves. */
    private static final class Hands extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(T0);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }
    }

    private final Hands clock = new Hands();

    private Path file() {
        return dir.resolve(".config/pgpulse").resolve(Silences.FILE_NAME);
    }

    @Test
    void silencesSurviveARestartInAnOwnerOnlyFileAndEndedOnesAreDropped() throws Exception {
        Silences first = Silences.load(file(), clock);
        assertThat(first.warnings()).isEmpty();
        assertThat(first.active(T0)).isEmpty();
        Silence all = first.add(LONG_TX, Silence.ANY_SUBJECT, Duration.ofHours(2), "  nightly\nbatch  ");
        Silence one = first.add(POOL, "pool.primary.awaiting", Duration.ofMinutes(30), null);
        assertThat(all.comment()).isEqualTo("nightly batch");
        assertThat(all.created()).isEqualTo(T0);
        assertThat(all.until()).isEqualTo(T0.plus(Duration.ofHours(2)));
        assertThat(one.comment()).isEmpty();
        assertThat(first.active(T0)).as("soonest end first").containsExactly(one, all);
        assertThat(Files.getPosixFilePermissions(file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        JsonNode json = JsonMapper.builder().build().readTree(file().toFile());
        assertThat(json.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(json.get("silences")).hasSize(2);

        Silences restarted = Silences.load(file(), clock);
        assertThat(restarted.warnings()).isEmpty();
        assertThat(restarted.active(T0)).containsExactly(one, all);
        assertThat(restarted.covering("long-tx", "server.longest_transaction_seconds", T0.plusSeconds(60))).contains(all);
        assertThat(restarted.covering("waiting", "pool.replica-1.awaiting", T0.plusSeconds(60))).isEmpty();

        // 31 minutes on: the pool silence has ended; it is gone from what is shown, and from the file after a restart
        clock.advance(Duration.ofMinutes(31));
        assertThat(restarted.active(clock.instant())).containsExactly(all);
        Silences later = Silences.load(file(), clock);
        assertThat(later.active(T0)).as("dropped when read").containsExactly(all);
    }

    @Test
    void expiringEndsASilenceForGoodAndIsKeptInTheFile() throws Exception {
        Silences s = Silences.load(file(), clock);
        Silence made = s.add(LONG_TX, Silence.ANY_SUBJECT, Duration.ofHours(1), "");
        assertThat(s.expire("no-such-id")).isFalse();
        assertThat(s.expire(made.id())).isTrue();
        assertThat(s.expire(made.id())).as("only once").isFalse();
        assertThat(s.active(T0)).isEmpty();
        assertThat(s.covering("long-tx", "server.longest_transaction_seconds", T0)).isEmpty();
        assertThat(Silences.load(file(), clock).active(T0)).isEmpty();
    }

    @Test
    void aCorruptFileIsMovedAsideWithAWarningAndTheStoreStartsEmpty() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "{\"schemaVersion\": 1, \"silences\": [ {\"id\": \"x\" ");
        Silences s = Silences.load(file(), clock);
        assertThat(s.warnings()).singleElement().satisfies(w -> assertThat(w)
                .contains(file().toString()).contains("is not valid JSON").contains("moved aside to")
                .contains(Silences.FILE_NAME + ".broken-"));
        assertThat(s.active(T0)).isEmpty();
        try (Stream<Path> files = Files.list(file().getParent())) {
            Path aside = files.filter(p -> p.getFileName().toString().startsWith(Silences.FILE_NAME + ".broken-"))
                    .findFirst().orElseThrow();
            assertThat(Files.readString(aside)).startsWith("{\"schemaVersion\": 1");
        }
        assertThat(file()).doesNotExist();
        s.add(LONG_TX, Silence.ANY_SUBJECT, Duration.ofHours(1), "");
        assertThat(Silences.load(file(), clock).active(T0)).hasSize(1);
    }

    @Test
    void aFileWithABadSilenceOrAnotherVersionIsMovedAsideToo() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), """
                {"schemaVersion": 1, "silences": [{"id": "a", "ruleId": "r", "subject": "*",
                  "created": "2026-12-02T06:00:00Z", "until": "yesterday"}]}""");
        assertThat(Silences.load(file(), clock).warnings()).singleElement().asString()
                .contains("bad silence at index 0");
        Files.writeString(file(), "{\"schemaVersion\": 2, \"silences\": []}");
        assertThat(Silences.load(file(), clock).warnings()).singleElement().asString()
                .contains("\"schemaVersion\" 2; expected 1");
        try (Stream<Path> files = Files.list(file().getParent())) {
            assertThat(files.filter(p -> p.getFileName().toString().contains(".broken-"))).hasSize(2);
        }
    }

    @Test
    void aFifoIsNeitherReadNorOverwritten() throws Exception {
        Files.createDirectories(file().getParent());
        OddFiles.fifo(file());
        Silences s = Silences.load(file(), clock);
        assertThat(s.warnings()).singleElement().asString().contains("not a regular file");
        assertThatThrownBy(() -> s.add(LONG_TX, Silence.ANY_SUBJECT, Duration.ofHours(1), ""))
                .hasMessageContaining("not a regular file").hasMessageContaining("fixed");
        assertThat(Files.isRegularFile(file())).isFalse();
    }

    @Test
    void badInputIsRefusedWithWhatIsWrongAndWhatWouldDo() throws Exception {
        Silences s = Silences.inMemory(clock);
        assertThat(s.file()).isEmpty();
        assertThatThrownBy(() -> s.add(LONG_TX, "*", Duration.ofSeconds(30), ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a silence lasts from 1 min to 30 d, but this one was 30 s; choose a length in that range");
        assertThatThrownBy(() -> s.add(LONG_TX, "*", Duration.ofDays(31), ""))
                .hasMessageContaining("but this one was 31 d");
        assertThatThrownBy(() -> s.add(LONG_TX, "*", null, "")).hasMessageContaining("has no length");
        assertThatThrownBy(() -> s.add(LONG_TX, " ", Duration.ofHours(1), ""))
                .hasMessageContaining("the silence has no subject; give a metric key of rule 'long-tx'");
        assertThatThrownBy(() -> s.add(POOL, "pool.primary.usage_ratio", Duration.ofHours(1), ""))
                .hasMessage("'pool.primary.usage_ratio' is not a subject of rule 'waiting' (it watches pool.*.awaiting); "
                        + "give a metric key it watches, or * for all of them");
        assertThatThrownBy(() -> s.add(LONG_TX, "*", Duration.ofHours(1), "x".repeat(501)))
                .hasMessage("the silence's comment is 501 characters, over the 500 limit; shorten it");
        assertThat(s.active(T0)).isEmpty();
        // the limits themselves are fine
        s.add(LONG_TX, "*", Silences.MIN_LENGTH, "x".repeat(500));
        s.add(LONG_TX, "*", Silences.MAX_LENGTH, "");
        assertThat(s.active(T0)).hasSize(2);
    }

    @Test
    void aFailedWriteChangesNothing() throws Exception {
        Path blocked = dir.resolve("not-a-folder");
        Files.writeString(blocked, "a file where the folder should be");
        Silences s = Silences.load(blocked.resolve(Silences.FILE_NAME), clock);
        assertThatThrownBy(() -> s.add(LONG_TX, "*", Duration.ofHours(1), ""))
                .hasMessageContaining("could not be written").hasMessageContaining("check that its folder is writable");
        assertThat(s.active(T0)).isEmpty();
    }

    private static String silenceJson(String id, String ruleId, String subject, String comment) {
        return "{\"id\": " + quoted(id) + ", \"ruleId\": " + quoted(ruleId) + ", \"subject\": " + quoted(subject)
                + ", \"created\": \"2026-12-02T05:00:00Z\", \"until\": \"2026-12-02T09:00:00Z\", \"comment\": "
                + quoted(comment) + "}";
    }

    private static String quoted(String s) {
        try {
            return new JsonMapper().writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aHandEditedFileWithHostileOrTooManySilencesIsMovedAsideWithAOneLineWarning() throws Exception {
        Files.createDirectories(file().getParent());
        String ok = silenceJson("a1", "long-tx", "*", "fine");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("field 'id'", silenceJson("a1\n07:00:00 INFO forged log line", "long-tx", "*", ""));
        cases.put("field 'ruleId'", silenceJson("a2", "Long TX\u0085", "*", ""));
        cases.put("field 'subject'", silenceJson("a3", "long-tx", "server.longest_transaction_seconds\nx", ""));
        cases.put("field 'comment' is 600 characters", silenceJson("a4", "long-tx", "*", "c".repeat(600)));
        cases.put("longer than the 30 d a silence may", silenceJson("a6", "long-tx", "*", "").replace(
                "2026-12-02T09:00:00Z", "2126-12-02T09:00:00Z"));
        cases.put("holds 501 silences", String.join(",", java.util.Collections.nCopies(501, ok)));
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(file(), "{\"schemaVersion\": 1, \"silences\": [" + c.getValue() + "]}");
            Silences s = Silences.load(file(), clock);
            assertThat(s.active(T0)).as(c.getKey()).isEmpty();
            assertThat(s.warnings()).as(c.getKey()).singleElement().asString().contains(c.getKey())
                    .contains("moved aside").doesNotContain("\n").doesNotContain("\u0085").hasSizeLessThan(600);
        }
        try (Stream<Path> files = Files.list(file().getParent())) {
            assertThat(files.filter(p -> p.getFileName().toString().contains(".broken-"))).hasSize(cases.size());
        }
        // control characters in a comment are made spaces, as in the console
        Files.writeString(file(), "{\"schemaVersion\": 1, \"silences\": ["
                + silenceJson("a5", "long-tx", "*", "batch\u2028run\u001b[31m") + "]}");
        assertThat(Silences.load(file(), clock).active(T0)).singleElement()
                .satisfies(x -> assertThat(x.comment()).isEqualTo("batch run [31m"));
    }

    @Test
    void aHostileSubjectOrLengthGetsAOneLineAnswer() {
        Silences s = Silences.inMemory(clock);
        assertThatThrownBy(() -> s.add(LONG_TX, "server.longest_transaction_seconds\n" + "y".repeat(10_000),
                Duration.ofHours(1), "")).message().doesNotContain("\n").hasSizeLessThan(300)
                .contains("is not a subject of rule 'long-tx'");
        assertThatThrownBy(() -> s.add(LONG_TX, "*", Duration.ofSeconds(Long.MAX_VALUE), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("choose a length in that range");
        assertThatThrownBy(() -> s.add(LONG_TX, "*", Duration.ofHours(-1), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("choose a length in that range");
        assertThat(s.active(T0)).isEmpty();
    }

    @Test
    void aLinkedSilencesFileStaysALink() throws Exception {
        Path real = Files.createDirectories(dir.resolve("dotfiles")).resolve(Silences.FILE_NAME);
        Files.writeString(real, "{\"schemaVersion\": 1, \"silences\": []}");
        OddFiles.link(file(), real);
        Silences s = Silences.load(file(), clock);

        Silence made = s.add(LONG_TX, "*", Duration.ofHours(1), "linked");

        assertThat(Files.isSymbolicLink(file())).as("still a link").isTrue();
        assertThat(Silences.load(real, clock).active(T0)).containsExactly(made);
    }
}
