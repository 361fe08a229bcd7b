package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static dev.pgpulse.config.ConfigFixture.failure;
import static dev.pgpulse.config.ConfigFixture.flags;
import static dev.pgpulse.config.ConfigFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Every problem is one line naming the key, the bad value, what was expected and where the value came from. */
class BadInputTest {
    @TempDir
    Path home;

    @Test
    void nonsenseDatabaseUrlIsExactlyOneProblem() {
        var e = failure(home, Map.of("DATABASE_URL", "nonsense"));

        assertThat(e.problems()).singleElement().asString()
                .contains("DATABASE_URL", "'nonsense'", "expected postgresql://", "env DATABASE_URL")
                .doesNotContain(System.lineSeparator());
    }

    @Test
    void readRoutingValuesAreCheckedAndSaySo() {
        var bytes = failure(home, Map.of("PGHOST", "h", "PGPULSE_READS_MAX_LAG_BYTES", "lots"));
        assertThat(bytes.problems()).singleElement().asString().isEqualTo("reads.max_lag_bytes = 'lots' (from env"
                + " PGPULSE_READS_MAX_LAG_BYTES): expected a size such as 16MB, 512kB or 1048576 (bytes)");
        var fallback = failure(home, Map.of("PGHOST", "h"), flags().set("reads.fallback", "replica").build());
        assertThat(fallback.problems()).singleElement().asString().contains("reads.fallback", "'replica'",
                "primary (reads go to the primary) or fail");
        var lag = failure(home, Map.of("PGHOST", "h"), flags().set("reads.max_lag", "10").build());
        assertThat(lag.problems()).singleElement().asString().contains("reads.max_lag", "'10'");
    }

    @Test
    void portOutOfRangeIsRejected() {
        var e = failure(home, Map.of("PGHOST", "h", "PGPORT", "99999"));

        assertThat(e.problems()).singleElement().asString()
                .isEqualTo("primary.port = '99999' (from env PGPORT): expected a whole number from 1 to 65535");
    }

    @Test
    void portInTheUrlIsCheckedToo() {
        var e = failure(home, Map.of(), flags().url("postgresql://h:0/db").build());

        assertThat(e.problems()).singleElement().asString().contains("primary.port", "'0'", "flag --url", "1 to 65535");
    }

    @Test
    void unknownSslmodeListsTheKnownOnes() {
        var e = failure(home, Map.of("DATABASE_URL", "postgresql://h/db?sslmode=always"));

        assertThat(e.problems()).singleElement().asString()
                .contains("primary.sslmode", "'always'", "env DATABASE_URL", "disable, allow, prefer, require, verify-ca, verify-full");
    }

    @Test
    void unknownEnvironmentIsRejected() {
        var e = failure(home, Map.of("PGPULSE_ENV", "qa"));

        assertThat(e.problems()).singleElement().asString()
                .isEqualTo("environment = 'qa' (from env PGPULSE_ENV): expected development, staging or production "
                        + "(or dev, prod)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "30 seconds", "1.5s", "-5s", "2days", "5 m s"})
    void badDurationIsRejectedWithTheSyntax(String raw) {
        var e = failure(home, Map.of("PGPULSE_STARTUP_WAIT", raw));

        assertThat(e.problems()).singleElement().asString()
                .contains("startup.wait", "'" + raw + "'", "env PGPULSE_STARTUP_WAIT", Durations.EXPECTED);
    }

    /** A number without a unit meant milliseconds in one parser and seconds in another: it is refused, with the fix. */
    @Test
    void aPoolDurationWithoutAUnitIsRefusedWithTheFix() {
        var e = failure(home, Map.of("PGHOST", "h"), flags().set("pool.connection_timeout", "250").build());

        assertThat(e.problems()).singleElement().asString().isEqualTo("primary.pool.connection_timeout = '250' (from "
                + "flag --set pool.connection_timeout): has no unit; write \"250s\" (seconds) or \"250ms\"");
    }

    /** A value pasted by mistake (megabytes, line breaks) is one short line in the refusal, not the whole value. */
    @Test
    void aHugeOrMultiLineValueIsShownOnOneShortLine() {
        String huge = "5\nminutes " + "x".repeat(10_000_000);
        var e = failure(home, Map.of("PGPULSE_STARTUP_WAIT", huge));

        assertThat(e.problems()).singleElement().asString()
                .startsWith("startup.wait = '5\\nminutes xxx").contains("...' (from env PGPULSE_STARTUP_WAIT): ")
                .doesNotContain("\n").hasSizeLessThan(400);
    }

    @Test
    void aDurationWithoutAUnitIsRefusedFromEverySource() {
        write(home.resolve("profiles.json"), """
                {"version": 1, "profiles": {"p": {"primary": {"url": "postgresql://h/db"},
                 "pool": {"idle_timeout": 60000}, "startup": {"wait": "5"}}}}""");
        var e = failure(home, Map.of("PGPULSE_CONFIG", home.resolve("profiles.json").toString(), "PGPULSE_PROFILE", "p",
                "PGPULSE_BREAKER_WAIT_IN_OPEN", "10"));

        assertThat(e.problems()).hasSize(3).allSatisfy(p -> assertThat(p).contains("has no unit; write \"")
                .doesNotContain(System.lineSeparator()));
        assertThat(String.join("\n", e.problems())).contains("breaker.wait_in_open = '10' (from env PGPULSE_BREAKER_WAIT_IN_OPEN)",
                "startup.wait = '5'", "primary.pool.idle_timeout = '60000'", "write \"60000s\" (seconds) or \"60000ms\"");
    }

    /** Zero is zero in every unit, so {@code 0} (which README gives to turn keepalive off) needs none. */
    @Test
    void zeroNeedsNoUnit() throws Exception {
        var config = ConfigFixture.load(home, Map.of("PGHOST", "h", "PGPULSE_POOL_KEEPALIVE", "0"),
                flags().set("startup.wait", "0").build());

        assertThat(config.startupWait()).isZero();
        assertThat(config.primary().orElseThrow().pool().keepalive()).isZero();
        assertThat(ConfigFixture.setting(config, "startup.wait").displayValue()).isEqualTo("0s");
    }

    /** The two keys whose unit PostgreSQL fixes keep it: libpq's connect_timeout (seconds) and statement_timeout (ms). */
    @Test
    void connectTimeoutAndStatementTimeoutReadABareNumberAsPostgresqlDoes() throws Exception {
        var env = ConfigFixture.load(home, Map.of("PGHOST", "h", "PGCONNECT_TIMEOUT", "10",
                "PGPULSE_POOL_STATEMENT_TIMEOUT", "1500"));
        var set = ConfigFixture.load(home, Map.of("PGHOST", "h"), flags().set("primary.connect_timeout", "10")
                .set("pool.statement_timeout", "250").build());
        var url = ConfigFixture.load(home, Map.of("DATABASE_URL", "postgresql://h/db?connect_timeout=10"));

        assertThat(List.of(env, set, url)).extracting(c -> c.primary().orElseThrow().connectTimeout())
                .containsOnly(Duration.ofSeconds(10));
        assertThat(env.primary().orElseThrow().pool().statementTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(set.primary().orElseThrow().pool().statementTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigFixture.setting(env, "primary.connect_timeout").displayValue()).isEqualTo("10s");
    }

    @Test
    void durationOutOfRangeIsRejected() {
        var e = failure(home, Map.of(), flags().set("startup.wait", "2h").build());

        assertThat(e.problems()).singleElement().asString().contains("startup.wait", "'2h'", "flag --set startup.wait",
                "from 0s to 1h");
    }

    @Test
    void durationsParseEveryDocumentedUnit() {
        assertThat(Durations.parse(" 250ms ")).hasValue(Duration.ofMillis(250));
        assertThat(Durations.parse("30S")).hasValue(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).hasValue(Duration.ofMinutes(5));
        assertThat(Durations.parse("5min")).hasValue(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h")).hasValue(Duration.ofHours(1));
        assertThat(Durations.format(Duration.ofMillis(90_000))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(120))).isEqualTo("2h");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void aReplicaListingSeveralHostsIsRefusedInOneLineSayingWhy() {
        var e = failure(home, Map.of("PGHOST", "h", "DATABASE_READ_URLS", "postgresql://r1:5432,r2:5432/db"));

        assertThat(e.problems()).singleElement().asString()
                .contains("replica-1.url", "'postgresql://r1:5432,r2:5432/db'", "env DATABASE_READ_URLS",
                        "lists several hosts", "a replica is one server", "only for the primary")
                .doesNotContain(System.lineSeparator());
    }

    @Test
    void aReplicaMayNotAskForAServerTakingWrites() {
        var e = failure(home, Map.of("PGHOST", "h"),
                flags().replica("postgresql://r1/db?target_session_attrs=read-write").build());

        assertThat(e.problems()).singleElement().asString().contains("replica-1.url", "only the primary's URL may");
    }

    @Test
    void portsThatDoNotPairWithTheHostsAreRefusedAsLibpqWould() {
        var e = failure(home, Map.of("PGHOST", "db1,db2,db3", "PGPORT", "5432,5433"));
        assertThat(e.problems()).singleElement().asString().isEqualTo("primary.port = '5432,5433' (from env PGPORT): "
                + "expected one port for every host, or one per host in the same order (as libpq pairs them), but 2 "
                + "ports were given for 3 hosts");
        var bad = failure(home, Map.of("PGHOST", "db1,db2", "PGPORT", "5432,x"));
        assertThat(bad.problems()).singleElement().asString().contains("primary.port", "'5432,x'",
                "one for each host separated by commas");
        var empty = failure(home, Map.of("PGHOST", "db1,,db2"));
        assertThat(empty.problems()).singleElement().asString().contains("primary.host", "none of them empty");
    }

    @Test
    void aPortListInPgportIsNotAReplicasPort() {
        var e = failure(home, Map.of("PGHOST", "db1,db2", "PGPORT", "5432,5433", "DATABASE_READ_URLS",
                "postgresql://r1/db"));

        assertThat(e.problems()).singleElement().asString().contains("replica-1.port", "'5432,5433'", "env PGPORT",
                "2 ports were given for 1 host");
    }

    @Test
    void unsupportedUriParameterIsRejected() {
        var e = failure(home, Map.of(), flags().url("postgresql://h/db?keepalives=1").build());

        assertThat(e.problems()).singleElement().asString()
                .contains("--url", "keepalives", "flag --url", "expected postgresql://");
    }

    @Test
    void aTargetSessionAttrsThatIsNotAPrimarysIsRefused() {
        var e = failure(home, Map.of(), flags().url("postgresql://h1,h2/db?target_session_attrs=standby").build());

        assertThat(e.problems()).singleElement().asString()
                .contains("--url", "target_session_attrs=standby", "the primary endpoint takes writes");
    }

    @Test
    void badReplicaUrlNamesTheReplica() {
        var e = failure(home, Map.of("PGHOST", "h", "DATABASE_READ_URLS", "postgresql://r1/db,not-a-url,postgresql:///db"));

        assertThat(e.problems()).hasSize(2);
        // The list splits only where a URL starts, so a comma in a password stays in it; this comma cannot be one.
        assertThat(e.problems().get(0)).contains("replica-1.url", "'postgresql://r1/db,not-a-url'", "env DATABASE_READ_URLS",
                "does not start a new URL", "%2C");
        assertThat(e.problems().get(1)).contains("replica-2.url", "names no host");
    }

    @Test
    void moreThanSixteenReplicasAreRejected() {
        var urls = String.join(",", IntStream.rangeClosed(1, 17).mapToObj(i -> "postgresql://r" + i).toList());

        var e = failure(home, Map.of("PGHOST", "h", "DATABASE_READ_URLS", urls));

        assertThat(e.problems()).singleElement().asString().contains("replica-17", "at most 16");
    }

    @Test
    void blankValueIsRejected() {
        var e = failure(home, Map.of("PGHOST", "h"), flags().set("primary.user", " ").build());

        assertThat(e.problems()).singleElement().asString().contains("primary.user", "flag --set primary.user", "non-empty");
    }

    @Test
    void setOfAnUnknownKeyListsTheSettableKeys() {
        var e = failure(home, Map.of(), flags().set("pool.max_conns", "5").build());

        assertThat(e.problems()).singleElement().asString()
                .contains("--set pool.max_conns", "unknown key", "pool.<field>", "max_size");
    }

    @Test
    void setOfAPasswordIsRefused() {
        var e = failure(home, Map.of("PGHOST", "h"), flags().set("primary.password", "hunter2").build());

        assertThat(e.problems()).singleElement().asString()
                .contains("--set primary.password", "command line", "PGPASSWORD", ".pgpass");
    }

    @Test
    void severalBadValuesInTheEnvironmentAreReportedTogether() {
        var e = failure(home, Map.of("PGHOST", "h", "PGPORT", "99999", "PGSSLMODE", "bogus", "PGPULSE_ENV", "qa",
                "PGPULSE_STARTUP_WAIT", "soon", "PGPULSE_POOL_MAX_SIZE", "ten"));

        assertThat(e.problems()).hasSize(5);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("primary.port = '99999'"))
                .anySatisfy(p -> assertThat(p).startsWith("primary.sslmode = 'bogus'"))
                .anySatisfy(p -> assertThat(p).startsWith("environment = 'qa'"))
                .anySatisfy(p -> assertThat(p).startsWith("startup.wait = 'soon'"))
                .anySatisfy(p -> assertThat(p).startsWith("primary.pool.max_size = 'ten'"));
        assertThat(e.getMessage().lines()).hasSize(5);
    }

    @Test
    void severalBadSourcesAreReportedTogether() {
        Path notJson = write(home.resolve("bad.json"), "not json");

        var e = failure(home, Map.of("DATABASE_URL", "nonsense"), flags().config(notJson).set("colour", "red")
                .set("primary.password", "x").build());

        assertThat(e.problems()).hasSize(4);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("'nonsense'"))
                .anySatisfy(p -> assertThat(p).contains("--set colour"))
                .anySatisfy(p -> assertThat(p).contains("--set primary.password"))
                .anySatisfy(p -> assertThat(p).contains("not valid JSON"));
    }

    @Test
    void badUrlAndBadValueElsewhereAreReportedTogether() {
        var e = failure(home, Map.of("DATABASE_URL", "nonsense", "PGHOST", "h", "PGPORT", "99999"));

        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("DATABASE_URL", "'nonsense'"))
                .anySatisfy(p -> assertThat(p).contains("primary.port", "'99999'"));
    }

    @Test
    void aConfigExceptionNeedsAProblem() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ConfigException(List.of()));
        assertThat(new ConfigException("one").problems()).containsExactly("one");
    }

    @Test
    void profileNamedInTheEnvironmentWithoutAProfileFileIsAnError() {
        var e = failure(home, Map.of("PGPULSE_PROFILE", "prod"));

        assertThat(e.problems()).singleElement().asString()
                .contains("PGPULSE_PROFILE = 'prod'").contains("no profile file at").contains("PGPULSE_CONFIG");
    }

    @Test
    void blankPghostIsIgnoredLikeAnUnsetOne() throws Exception {
        var config = ConfigFixture.load(home, Map.of("PGHOST", "   "));

        assertThat(config.isEmbedded()).isTrue();
    }
}
