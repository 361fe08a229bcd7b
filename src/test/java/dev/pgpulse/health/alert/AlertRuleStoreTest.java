package dev.pgpulse.health.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class AlertRuleStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-04T05:06:07Z"), ZoneOffset.UTC);
    private static final String BROKEN = "alert-rules.json.broken-20250304-050607";
    private static final String GOOD_RULE = """
            {"id": "pool-waiting", "name": "Waiting", "metric": "pool.*.awaiting", "comparator": ">",
             "threshold": 0, "for": "30s", "severity": "warning", "enabled": true}""";

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("alert-rules.json");
    }

    private AlertRuleStore store() {
        return new AlertRuleStore(file(), CLOCK);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // --- save and load ---

    @Test
    void defaultsRoundTrip() throws Exception {
        store().save(DefaultRules.all());

        AlertRuleStore.LoadResult r = store().load();
        assertThat(r.rules()).isEqualTo(DefaultRules.all());
        assertThat(r.warnings()).isEmpty();
        assertThat(r.defaultsUsed()).isFalse();
    }

    @Test
    void customRulesRoundTrip() throws Exception {
        List<AlertRule> rules = List.of(
                new AlertRule("q95", "Slow finds", "query.findUser.p95_ms", Operator.GE, 250.5,
                        Duration.ofMillis(250), Severity.INFO, false),
                new AlertRule("lag-2", "Lag on replica 2", "replication.lag_seconds", Operator.NE, -1,
                        Duration.ofHours(2), Severity.CRITICAL, true),
                new AlertRule("eq", "Exactly", "server.rollback_ratio", Operator.EQ, 0.1,
                        Duration.ofSeconds(90), Severity.WARNING, true),
                new AlertRule("le", "At most", "pool.replica-1.usage_ratio", Operator.LE, 1e-9,
                        Duration.ZERO, Severity.WARNING, true),
                new AlertRule("odd", "Odd durations", "server.rollback_ratio", Operator.GT, 1,
                        Duration.ofMillis(61_001), Severity.WARNING, true),
                new AlertRule("day", "A whole day", "server.rollback_ratio", Operator.GT, 1,
                        Duration.ofDays(1), Severity.WARNING, true));
        store().save(rules);
        assertThat(store().load().rules()).isEqualTo(rules);
        // Every duration PgPulse writes carries its unit, so no reader can take it for another one.
        JsonNode saved = new ObjectMapper().readTree(file().toFile()).get("rules");
        assertThat(saved).extracting(r -> r.get("for").textValue())
                .containsExactly("250ms", "2h", "90s", "0s", "61001ms", "24h");
    }

    @Test
    void writesReadableJsonWithSchemaVersion1() throws Exception {
        store().save(DefaultRules.all());

        JsonNode root = new ObjectMapper().readTree(file().toFile());
        assertThat(root.get("schemaVersion").intValue()).isEqualTo(1);
        assertThat(root.get("rules")).hasSize(DefaultRules.all().size());
        JsonNode connections = root.get("rules").get(2);
        assertThat(connections.toString()).isEqualTo("{\"id\":\"connections-high\","
                + "\"name\":\"Server connections above 80% of max_connections\","
                + "\"metric\":\"server.connections.used_ratio\",\"comparator\":\">\",\"threshold\":0.8,\"for\":\"5m\","
                + "\"severity\":\"warning\",\"enabled\":true}");
        assertThat(root.get("rules").get(0).get("for").textValue()).isEqualTo("0s");
        JsonNode xid = null;
        for (JsonNode r : root.get("rules")) {
            if (r.get("id").textValue().equals("xid-wraparound")) {
                xid = r;
            }
        }
        assertThat(xid).isNotNull();
        assertThat(xid.get("threshold").asText()).isEqualTo("1500000000");
    }

    @Test
    void saveLeavesNoTempFileAndCreatesTheFolder() throws Exception {
        Path nested = dir.resolve("config/pgpulse/alert-rules.json");
        new AlertRuleStore(nested).save(DefaultRules.all());

        try (Stream<Path> s = Files.list(nested.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("alert-rules.json");
        }
    }

    @Test
    void saveReplacesTheWholeFile() throws Exception {
        store().save(DefaultRules.all());
        List<AlertRule> one = List.of(DefaultRules.all().get(1));

        store().save(one);

        assertThat(files()).containsExactly("alert-rules.json");
        assertThat(store().load().rules()).isEqualTo(one);
        assertThat(Files.readString(file())).doesNotContain("breaker-open");
    }

    @Test
    void saveMakesTheFileUserOnlyEvenWhenItWasWider() throws Exception {
        Files.writeString(file(), "{}");
        Files.setPosixFilePermissions(file(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        store().save(DefaultRules.all());

        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file())))
                .isEqualTo("rw-------");
    }

    @Test
    void saveRefusesDuplicateIds() {
        AlertRule r = DefaultRules.all().getFirst();
        assertThatThrownBy(() -> store().save(List.of(r, r)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot save alert rules: rule id 'breaker-open' is used at index 0 and 1; expected each id once");
        assertThat(file()).doesNotExist();
    }

    @Test
    void durationsAndOptionalFields() throws Exception {
        write("""
                {"schemaVersion": 1, "rules": [
                 {"id": "a", "name": "A", "metric": "server.rollback_ratio", "comparator": "<=", "threshold": 1,
                  "for": "250ms", "severity": "INFO"},
                 {"id": "b", "name": "B", "metric": "server.rollback_ratio", "comparator": "!=", "threshold": 1,
                  "for": "45 S", "severity": "critical", "enabled": false},
                 {"id": "c", "name": "C", "metric": "server.rollback_ratio", "comparator": "==", "threshold": 1,
                  "for": "2h", "severity": "warning"},
                 {"id": "d", "name": "D", "metric": "server.rollback_ratio", "comparator": ">", "threshold": 1,
                  "for": "90min", "severity": "warning"},
                 {"id": "e", "name": "E", "metric": "server.rollback_ratio", "comparator": ">", "threshold": 1,
                  "severity": "warning"}]}""");

        List<AlertRule> rules = store().load().rules();

        assertThat(rules).extracting(AlertRule::forDuration).containsExactly(Duration.ofMillis(250),
                Duration.ofSeconds(45), Duration.ofHours(2), Duration.ofMinutes(90), Duration.ZERO);
        assertThat(rules).extracting(AlertRule::enabled).containsExactly(true, false, true, true, true);
        assertThat(rules.getFirst().severity()).isEqualTo(Severity.INFO);
    }

    @Test
    void anEmptyRuleListIsKept() throws Exception {
        write("{\"schemaVersion\": 1, \"rules\": []}");
        AlertRuleStore.LoadResult r = store().load();
        assertThat(r.rules()).isEmpty();
        assertThat(r.defaultsUsed()).isFalse();
    }

    // --- missing and broken files ---

    @Test
    void missingFileGivesDefaultsAndCreatesNothing() throws Exception {
        AlertRuleStore.LoadResult r = store().load();

        assertThat(r.rules()).isEqualTo(DefaultRules.all());
        assertThat(r.warnings()).isEmpty();
        assertThat(r.defaultsUsed()).isTrue();
        assertThat(files()).isEmpty();
    }

    @Test
    void corruptFileIsMovedAsideBytesIntactAndDefaultsLoad() throws Exception {
        byte[] bytes = "{not json \u00e9\n".getBytes(StandardCharsets.UTF_8);
        Files.write(file(), bytes);

        AlertRuleStore.LoadResult r = store().load();

        assertThat(r.rules()).isEqualTo(DefaultRules.all());
        assertThat(r.defaultsUsed()).isTrue();
        assertThat(files()).containsExactly(BROKEN);
        assertThat(Files.readAllBytes(dir.resolve(BROKEN))).isEqualTo(bytes);
        assertThat(r.warnings()).singleElement().satisfies(w -> assertThat(w)
                .startsWith("alert rules file " + file() + " is not valid JSON at line 1, column 2")
                .contains("moved it to " + dir.resolve(BROKEN))
                .endsWith("and loaded the 16 default rules"));
    }

    @Test
    void anEarlierBrokenFileIsNeverOverwritten() throws Exception {
        Files.writeString(dir.resolve(BROKEN), "first");
        Files.writeString(dir.resolve(BROKEN + "-1"), "second");
        Files.writeString(file(), "third");

        AlertRuleStore.LoadResult r = store().load();

        assertThat(files()).containsExactly(BROKEN, BROKEN + "-1", BROKEN + "-2");
        assertThat(Files.readString(dir.resolve(BROKEN))).isEqualTo("first");
        assertThat(Files.readString(dir.resolve(BROKEN + "-1"))).isEqualTo("second");
        assertThat(Files.readString(dir.resolve(BROKEN + "-2"))).isEqualTo("third");
        assertThat(r.warnings().getFirst()).contains("moved it to " + dir.resolve(BROKEN + "-2"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"schemaVersion\": 2, \"rules\": []}  | has \"schemaVersion\" 2; expected 1",
            "{\"rules\": []}                       | has no \"schemaVersion\"; expected 1",
            "{\"schemaVersion\": \"1\", \"rules\": []} | has \"schemaVersion\" \"1\"; expected 1",
            "[1, 2]                                | does not hold a JSON object with \"schemaVersion\": 1 and \"rules\"",
            "''                                    | does not hold a JSON object with \"schemaVersion\": 1 and \"rules\"",
            "{\"schemaVersion\": 1, \"rules\": []} x | is not valid JSON at line 1"})
    void wrongSchemaIsMovedAsideToo(String content, String reason) throws Exception {
        write(content);

        AlertRuleStore.LoadResult r = store().load();

        assertThat(r.defaultsUsed()).isTrue();
        assertThat(files()).containsExactly(BROKEN);
        assertThat(Files.readString(dir.resolve(BROKEN))).isEqualTo(content);
        assertThat(r.warnings()).singleElement().asString()
                .startsWith("alert rules file " + file() + " " + reason)
                .contains("; moved it to " + dir.resolve(BROKEN) + " and loaded the 16 default rules");
    }

    // --- bad rules: one problem per bad field, the file stays ---

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "unknown metric | \"metric\": \"pool.primary.wating\" | rule 'x' field 'metric': \"pool.primary.wating\" is not a known metric key; expected one of pool.<endpoint>.awaiting, ",
            "bad comparator | \"comparator\": \"=>\" | rule 'x' field 'comparator': \"=>\" is not a comparator; expected one of >, >=, <, <=, ==, !=",
            "text threshold | \"threshold\": \"lots\" | rule 'x' field 'threshold': \"lots\" is not a number; expected a finite number such as 0.8",
            "NaN threshold | \"threshold\": NaN | rule 'x' field 'threshold': NaN is not finite; expected a finite number such as 0.8",
            "huge threshold | \"threshold\": 1e999 | rule 'x' field 'threshold': Infinity is not finite; expected a finite number such as 0.8",
            "missing threshold | \"threshold\": null | rule 'x' field 'threshold' is missing; expected a finite number such as 0.8",
            "negative for | \"for\": \"-5s\" | rule 'x' field 'for': \"-5s\" is negative; expected a duration from 0s to 24h",
            "bare for | \"for\": 90 | rule 'x' field 'for': 90 has no unit; write \"90s\" (seconds) or \"90ms\"",
            "bare for text | \"for\": \" 90\" | rule 'x' field 'for': \" 90\" has no unit; write \"90s\" (seconds) or \"90ms\"",
            "bare negative for | \"for\": -5 | rule 'x' field 'for': -5 has no unit; write \"-5s\" (seconds) or \"-5ms\"",
            "decimal for | \"for\": 1.5 | rule 'x' field 'for': 1.5 is not a duration; expected a whole number and a unit (ms, s, min or m, h, d) such as 250ms, 30s, 5min or 2h, from 0s to 24h",
            "too long for | \"for\": \"25h\" | rule 'x' field 'for': \"25h\" is longer than 24h; expected a duration from 0s to 24h",
            "unparsable for | \"for\": \"soon\" | rule 'x' field 'for': \"soon\" is not a duration; expected a whole number and a unit (ms, s, min or m, h, d) such as 250ms, 30s, 5min or 2h, from 0s to 24h",
            "bad severity | \"severity\": \"fatal\" | rule 'x' field 'severity': \"fatal\" is not a severity; expected one of info, warning, critical",
            "bad enabled | \"enabled\": \"yes\" | rule 'x' field 'enabled': \"yes\" is not a boolean; expected true or false",
            "blank name | \"name\": \"\" | rule 'x' field 'name': \"\" is blank; expected 1 to 120 characters",
            "unknown field | \"treshold\": 3 | rule 'x' field 'treshold': unknown field; expected one of comparator, enabled, for, id, metric, name, severity, threshold",
            "bad id | \"id\": \"Bad Id\" | rule at index 1 field 'id': \"Bad Id\" is not a valid id; expected a slug matching [a-z0-9][a-z0-9._-]{0,63} (lower-case letters, digits, '.', '_', '-')",
            "id not text | \"id\": 7 | rule at index 1 field 'id': 7 is not a string; expected a slug matching [a-z0-9][a-z0-9._-]{0,63}",
            "duplicate id | \"id\": \"pool-waiting\" | rule at index 1 field 'id': \"pool-waiting\" is already the id of the rule at index 0; expected each id once"})
    void eachBadFieldIsOneProblemNamingRuleAndField(String kind, String override, String expected) throws Exception {
        String bad = """
                {"id": "x", "name": "X", "metric": "server.rollback_ratio", "comparator": ">", "threshold": 0.1,
                 "for": "1m", "severity": "warning", "enabled": true, %s}""".formatted(override);
        // A later key wins in Jackson's tree, so the override replaces the good value.
        write("{\"schemaVersion\": 1, \"rules\": [" + GOOD_RULE + ", " + bad + "]}");
        byte[] before = Files.readAllBytes(file());

        AlertRuleException e = catchThrowableOfType(AlertRuleException.class, () -> store().load());

        assertThat(e).as(kind).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("alert-rules.json " + expected);
        assertThat(e.problems().getFirst()).doesNotContain("\n");
        assertThat(files()).containsExactly("alert-rules.json");
        assertThat(Files.readAllBytes(file())).isEqualTo(before);
    }

    @Test
    void missingFieldsAndManyProblemsAreAllListed() throws Exception {
        write("""
                {"schemaVersion": 1, "rules": [
                  {"id": "a", "name": "A", "metric": "server.rollback_ratio", "comparator": ">", "severity": "warning"},
                  {"id": "NOPE", "name": "B", "metric": "nope", "comparator": ">", "threshold": 1, "severity": "warning"},
                  "not a rule"]}""");

        AlertRuleException e = catchThrowableOfType(AlertRuleException.class, () -> store().load());

        assertThat(e.problems()).hasSize(4);
        assertThat(e.problems().get(0)).isEqualTo(
                "alert-rules.json rule 'a' field 'threshold' is missing; expected a finite number such as 0.8");
        assertThat(e.problems().get(1)).startsWith("alert-rules.json rule at index 1 field 'id': \"NOPE\" is not a valid id");
        assertThat(e.problems().get(2)).startsWith("alert-rules.json rule at index 1 field 'metric': \"nope\" is not a known metric key");
        assertThat(e.problems().get(3)).startsWith("alert-rules.json rule at index 2: \"not a rule\" is not an object");
        assertThat(e.getMessage()).isEqualTo(String.join(System.lineSeparator(), e.problems()));
    }

    @Test
    void rulesThatAreNotAnArrayAreAProblemNotABrokenFile() throws Exception {
        write("{\"schemaVersion\": 1, \"rules\": {}, \"extra\": 1}");

        AlertRuleException e = catchThrowableOfType(AlertRuleException.class, () -> store().load());

        assertThat(e.problems()).containsExactly(
                "alert-rules.json field 'extra': unknown field; expected one of rules, schemaVersion",
                "alert-rules.json field 'rules' is {}; expected an array of rule objects");
        assertThat(files()).containsExactly("alert-rules.json");
    }

    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    @Test
    void aDeviceFifoOrHugeFileIsRefusedInOneLineAndLeftInPlace() throws Exception {
        for (String kind : List.of("device", "fifo", "big")) {
            Files.deleteIfExists(file());
            switch (kind) {
                case "device" -> dev.pgpulse.testing.OddFiles.link(file(), dev.pgpulse.testing.OddFiles.DEV_ZERO);
                case "fifo" -> dev.pgpulse.testing.OddFiles.fifo(file());
                default -> dev.pgpulse.testing.OddFiles.tenMegabytes(file());
            }
            for (boolean load : new boolean[] {true, false}) {
                var e = catchThrowableOfType(AlertRuleException.class, () -> {
                    if (load) {
                        store().load();
                    } else {
                        store().read();
                    }
                });
                assertThat(e).as(kind).isNotNull();
                assertThat(e.problems()).as(kind).singleElement().asString()
                        .startsWith("alert rules file " + file())
                        .contains(kind.equals("big") ? "is 10.0 MB, over the 1.0 MB limit" : "is not a regular file")
                        .endsWith("replace it with a JSON rules file or remove it for the default rules");
                assertThat(files()).as("left where it is, not moved aside").containsExactly("alert-rules.json");
            }
        }
    }

    private void write(String content) throws IOException {
        Files.writeString(file(), content);
    }
}
