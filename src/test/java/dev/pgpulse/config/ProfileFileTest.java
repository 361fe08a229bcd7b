package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.pgpulse.config.ConfigFixture.failure;
import static dev.pgpulse.config.ConfigFixture.flags;
import static dev.pgpulse.config.ConfigFixture.load;
import static dev.pgpulse.config.ConfigFixture.origin;
import static dev.pgpulse.config.ConfigFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** The JSON profile file: its format, which file and which profile are read, and what goes wrong. */
class ProfileFileTest {
    /** The example of ProfileFile's javadoc, plus a second profile to choose between. */
    private static final String DOCUMENTED = """
            { "version": 1, "default": "local",
              "profiles": {
                "local": {
                  "environment": "development",
                  "primary": { "url": "postgresql://app@db1:5432/app", "pool": { "max_size": 8 } },
                  "replicas": [ "postgresql://app@db2:5432/app", { "url": "postgresql://app@db3/app", "pool": { "max_size": 4 } } ],
                  "pool": { "connection_timeout": "5s" },
                  "startup": { "wait": "30s" },
                  "embedded": { "data_dir": "/srv/pgpulse/embedded" } },
                "prod": {
                  "environment": "production",
                  "primary": { "host": "prod-db", "port": 6432, "database": "orders", "user": "ops" } } } }
            """;

    @TempDir
    Path home;

    private Path file() {
        return write(home.resolve("work/profiles.json"), DOCUMENTED);
    }

    @Test
    void documentedExampleLoadsEveryValueWithItsPathAsSource() throws Exception {
        Path file = file();
        var config = load(home, Map.of(), flags().config(file).build());

        var p = config.primary().orElseThrow();
        assertThat(p.displayTarget()).isEqualTo("app@db1:5432/app");
        assertThat(p.pool().maxPoolSize()).isEqualTo(8);
        assertThat(p.pool().connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.replicas()).extracting(EndpointConfig::host).containsExactly("db2", "db3");
        assertThat(config.replicas()).extracting(e -> e.pool().maxPoolSize())
                .as("replica-1 keeps the preset, replica-2 has its own pool").containsExactly(5, 4);
        assertThat(config.replicas()).allSatisfy(r -> assertThat(r.pool().connectionTimeout()).hasSeconds(5));
        assertThat(config.startupWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(origin(config, "primary.host")).isEqualTo("profile " + file + " [local] primary.url");
        assertThat(origin(config, "primary.pool.max_size")).isEqualTo("profile " + file + " [local] primary.pool.max_size");
        assertThat(origin(config, "replica-1.host")).isEqualTo("profile " + file + " [local] replicas[0]");
        assertThat(origin(config, "replica-2.host")).isEqualTo("profile " + file + " [local] replicas[1].url");
        assertThat(origin(config, "replica-2.pool.max_size")).isEqualTo("profile " + file + " [local] replica-2.pool.max_size");
        assertThat(origin(config, "startup.wait")).isEqualTo("profile " + file + " [local] startup.wait");
        assertThat(ConfigFixture.setting(config, "environment").source().kind()).isEqualTo(ConfigSource.Kind.PROFILE);
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void profileFlagChoosesOverTheFilesDefault() throws Exception {
        var config = load(home, Map.of(), flags().config(file()).profile("prod").build());

        assertThat(config.environment()).isEqualTo(Environment.PRODUCTION);
        assertThat(config.primary().orElseThrow().displayTarget()).isEqualTo("ops@prod-db:6432/orders");
        assertThat(config.primary().orElseThrow().pool().maxPoolSize()).isEqualTo(ConfigFixture.CORES * 2 + 1);
        assertThat(config.replicas()).isEmpty();
        assertThat(origin(config, "primary.port")).endsWith("[prod] primary.port");
    }

    @Test
    void pgpulseProfileChoosesButTheFlagWins() throws Exception {
        Path file = file();

        var byEnv = load(home, Map.of("PGPULSE_PROFILE", "prod"), flags().config(file).build());
        var byFlag = load(home, Map.of("PGPULSE_PROFILE", "prod"), flags().config(file).profile("local").build());

        assertThat(byEnv.primary().orElseThrow().host()).isEqualTo("prod-db");
        assertThat(byFlag.primary().orElseThrow().host()).isEqualTo("db1");
    }

    @Test
    void aSingleProfileNeedsNoDefault() throws Exception {
        Path file = write(home.resolve("one.json"), """
                {"version": 1, "profiles": {"only": {"primary": {"host": "db-only"}}}}""");

        var config = load(home, Map.of(), flags().config(file).build());

        assertThat(config.primary().orElseThrow().host()).isEqualTo("db-only");
        assertThat(origin(config, "primary.host")).isEqualTo("profile " + file + " [only] primary.host");
    }

    @Test
    void defaultFileUnderHomeIsReadWithoutAnyFlag() throws Exception {
        write(home.resolve(".config/pgpulse/profiles.json"), DOCUMENTED);

        var config = load(home, Map.of());

        assertThat(config.primary().orElseThrow().host()).isEqualTo("db1");
        assertThat(origin(config, "primary.host"))
                .contains(home.resolve(ConfigLoader.DEFAULT_PROFILE_FILE).toString()).contains("[local]");
    }

    @Test
    void pgpulseConfigPointsAtTheFileAndConfigFlagBeatsIt() throws Exception {
        Path fromEnv = write(home.resolve("env.json"), """
                {"version": 1, "profiles": {"a": {"primary": {"host": "from-env-file"}}}}""");
        Path fromFlag = write(home.resolve("flag.json"), """
                {"version": 1, "profiles": {"a": {"primary": {"host": "from-flag-file"}}}}""");
        write(home.resolve(".config/pgpulse/profiles.json"), """
                {"version": 1, "profiles": {"a": {"primary": {"host": "from-default-file"}}}}""");

        var byEnv = load(home, Map.of("PGPULSE_CONFIG", fromEnv.toString()));
        var byFlag = load(home, Map.of("PGPULSE_CONFIG", fromEnv.toString()), flags().config(fromFlag).build());

        assertThat(byEnv.primary().orElseThrow().host()).isEqualTo("from-env-file");
        assertThat(byFlag.primary().orElseThrow().host()).isEqualTo("from-flag-file");
    }

    @Test
    void missingDefaultFileIsNotAProblem() throws Exception {
        assertThat(load(home, Map.of()).isEmbedded()).isTrue();
    }

    @Test
    void passwordInTheFileWorksButWarns() throws Exception {
        Path file = write(home.resolve("p.json"), """
                {"version": 1, "profiles": {"a": {"primary": {"host": "h", "password": "pw"}}}}""");

        var config = load(home, Map.of(), flags().config(file).build());

        assertThat(config.primary().orElseThrow().password()).isEqualTo("pw");
        assertThat(config.warnings()).singleElement().asString().contains("primary.password", "plain text", ".pgpass");
    }

    @Test
    void fieldsNextToTheUrlWinOverTheUrlsParts() throws Exception {
        Path file = write(home.resolve("p.json"), """
                {"version": 1, "profiles": {"a": {"primary": {"url": "postgresql://app@h:5432/db", "port": 7777}}}}""");

        var config = load(home, Map.of(), flags().config(file).build());

        assertThat(config.primary().orElseThrow().port()).isEqualTo(7777);
        assertThat(config.primary().orElseThrow().user()).isEqualTo("app");
    }

    @Test
    void notJsonIsReportedWithLineAndColumn() {
        Path file = write(home.resolve("bad.json"), "{\"version\": 1,\n  \"profiles\": {,}}");

        var e = failure(home, Map.of(), flags().config(file).build());

        assertThat(e.problems()).singleElement().asString()
                .contains(file.toString(), "not valid JSON", "line 2", "column");
    }

    @Test
    void unknownFieldIsReportedWithItsPath() {
        Path file = write(home.resolve("p.json"), """
                {"version": 1, "colour": "blue",
                 "profiles": {"a": {"primary": {"hots": "h", "pool": {"max_sise": 3}}}}}""");

        var e = failure(home, Map.of(), flags().config(file).build());

        assertThat(e.problems()).hasSize(3);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains(file.toString(), "unknown field 'colour'"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("[a] primary.hots", "unknown field", "host"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("[a] primary.pool.max_sise", "max_size"));
    }

    @Test
    void missingProfileNameListsTheProfilesThere() {
        var e = failure(home, Map.of(), flags().config(file()).profile("staging").build());

        assertThat(e.problems()).singleElement().asString()
                .contains("'staging'", "flag --profile", file().toString(), "local, prod");
    }

    @Test
    void missingProfileFromEnvironmentNamesTheVariable() {
        var e = failure(home, Map.of("PGPULSE_PROFILE", "nope"), flags().config(file()).build());

        assertThat(e.problems()).singleElement().asString().contains("'nope'", "env PGPULSE_PROFILE");
    }

    @Test
    void severalProfilesWithoutDefaultMustBeChosen() {
        Path file = write(home.resolve("p.json"), """
                {"version": 1, "profiles": {"a": {}, "b": {}}}""");

        var e = failure(home, Map.of(), flags().config(file).build());

        assertThat(e.problems()).singleElement().asString().contains("2 profiles", "--profile", "PGPULSE_PROFILE", "a, b");
    }

    @Test
    void wrongSchemaVersionIsRejected() {
        Path file = write(home.resolve("p.json"), """
                {"version": 2, "profiles": {"a": {}}}""");

        var e = failure(home, Map.of(), flags().config(file).build());

        assertThat(e.problems()).singleElement().asString().contains("\"version\" is 2", "expected 1");
    }

    @Test
    void missingConfigFileIsAProblemWhetherFromFlagOrEnvironment() {
        Path missing = home.resolve("nowhere.json");

        var byFlag = failure(home, Map.of(), flags().config(missing).build());
        var byEnv = failure(home, Map.of("PGPULSE_CONFIG", missing.toString()));

        assertThat(byFlag.problems()).singleElement().asString().contains(missing.toString(), "does not exist", "--config");
        assertThat(byEnv.problems()).singleElement().asString().contains(missing.toString(), "does not exist", "PGPULSE_CONFIG");
    }

    @Test
    void profileFlagWithoutAnyFileIsAProblem() {
        var e = failure(home, Map.of(), flags().profile("prod").build());

        assertThat(e.problems()).singleElement().asString()
                .contains("--profile prod", home.resolve(ConfigLoader.DEFAULT_PROFILE_FILE).toString(), "--config");
    }

    @Test
    void wrongTypeDeepInTheFileNamesItsFullPath() {
        Path file = write(home.resolve("p.json"), """
                {"version": 1, "profiles": {"a": {"primary": {"host": "h", "pool": {"max_size": [8]}}}}}""");

        var e = failure(home, Map.of(), flags().config(file).build());

        assertThat(e.problems()).singleElement().asString().contains("[a] primary.pool.max_size", "not array");
    }

    /** Bounded on another thread: before the fix, a FIFO blocks the read forever and /dev/zero fills the heap. */
    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    @Test
    void onlyARegularFileOfSensibleSizeIsRead() {
        Path fifo = dev.pgpulse.testing.OddFiles.fifo(home.resolve("fifo.json"));
        Path big = dev.pgpulse.testing.OddFiles.tenMegabytes(home.resolve("big.json"));

        var device = failure(home, Map.of(), flags().config(dev.pgpulse.testing.OddFiles.DEV_ZERO).build());
        var pipe = failure(home, Map.of("PGPULSE_CONFIG", fifo.toString()));
        var large = failure(home, Map.of(), flags().config(big).build());
        var folder = failure(home, Map.of(), flags().config(home).build());

        assertThat(device.problems()).singleElement().asString()
                .isEqualTo("profile file /dev/zero is not a regular file (a device, FIFO or socket); only regular files "
                        + "are read; point --config or PGPULSE_CONFIG at a JSON file");
        assertThat(pipe.problems()).singleElement().asString().startsWith("profile file " + fifo + " is not a regular file");
        assertThat(large.problems()).singleElement().asString()
                .startsWith("profile file " + big + " is 10.0 MB, over the 1.0 MB limit for this file");
        assertThat(folder.problems()).singleElement().asString().contains("is a folder, not a file");
    }

    @Test
    void alertsWebhookUrlIsTheSameSettingAsTheEnvironmentsAndTheEnvironmentWins() throws Exception {
        Path file = write(home.resolve("a.json"), "{ \"version\": 1, \"profiles\": { \"a\": { \"alerts\": "
                + "{ \"webhook_url\": \"https://hooks.example.com/from-profile\" } } } }");
        var fromProfile = load(home, Map.of(), flags().config(file).build());
        assertThat(fromProfile.monitoring().webhook().orElseThrow()).hasToString("https://hooks.example.com/from-profile");
        assertThat(origin(fromProfile, "alerts.webhook_url")).isEqualTo("profile " + file + " [a] alerts.webhook_url");
        var fromEnv = load(home, Map.of("PGPULSE_ALERTS_WEBHOOK_URL", "https://hooks.example.com/from-env"),
                flags().config(file).build());
        assertThat(fromEnv.monitoring().webhook().orElseThrow()).hasToString("https://hooks.example.com/from-env");

        Path typo = write(home.resolve("b.json"), "{ \"version\": 1, \"profiles\": { \"a\": { \"alerts\": "
                + "{ \"webhook\": \"https://h/x\" } } } }");
        assertThat(failure(home, Map.of(), flags().config(typo).build()).problems()).singleElement().asString()
                .contains("[a] alerts.webhook: unknown field; expected one of webhook_url");
    }
}
