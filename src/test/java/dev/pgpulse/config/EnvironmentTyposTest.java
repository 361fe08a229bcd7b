package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.pgpulse.config.ConfigFixture.failure;
import static dev.pgpulse.config.ConfigFixture.flags;
import static dev.pgpulse.config.ConfigFixture.load;
import static dev.pgpulse.config.ConfigFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What used to pass without a word: a misspelt PGPULSE_* variable, a log level logback does not know, an empty
 * path, a setting for a replica that is not there, digits of another script.
 */
class EnvironmentTyposTest {
    @TempDir
    Path home;

    @Test
    void aMisspeltVariableWarnsWithTheClosestKnownName() throws Exception {
        var config = load(home, Map.of("PGHOST", "h", "PGPULSE_POOL_MAX_SISE", "20", "PGPULSE_REPLICA_1_POOL_MIN_IDEL", "1",
                "PGPULSE_NOTHING_LIKE_ANY", "x"));

        assertThat(config.primary().orElseThrow().pool().maxPoolSize()).as("still the preset").isEqualTo(5);
        assertThat(config.warnings()).containsExactly(
                "PGPULSE_NOTHING_LIKE_ANY is not a PgPulse setting and was ignored; see README, \"Configuration\", "
                        + "for the PGPULSE_* variables",
                "PGPULSE_POOL_MAX_SISE is not a PgPulse setting; did you mean PGPULSE_POOL_MAX_SIZE?",
                "PGPULSE_REPLICA_1_POOL_MIN_IDEL is not a PgPulse setting; did you mean PGPULSE_REPLICA_1_POOL_MIN_IDLE?");
    }

    @Test
    void theVariablesBinPgpulseLogbackAndTheTestsReadAreNotTypos() throws Exception {
        var config = load(home, Map.of("PGHOST", "h", "PGPULSE_JAVA_OPTS", "-Xmx1g", "PGPULSE_TEST_URL", "postgresql://t/t",
                "PGPULSE_LOG_DIR", home.toString(), "PGPULSE_LOG_LEVEL", "debug", "PGPULSE_ENV", "dev",
                "PGPULSE_TESTING", "true", "PGPULSE_POOL_MAX_SIZE", "7", "PGPULSE_PRIMARY_POOL_MIN_IDLE", "2"));

        assertThat(config.warnings()).isEmpty();
        assertThat(config.primary().orElseThrow().pool().maxPoolSize()).isEqualTo(7);
    }

    @Test
    void aLogLevelLogbackDoesNotKnowIsRefused() {
        var e = failure(home, Map.of("PGPULSE_LOG_LEVEL", "LOUD"));

        assertThat(e.problems()).containsExactly("PGPULSE_LOG_LEVEL = 'LOUD' (from env PGPULSE_LOG_LEVEL): expected one "
                + "of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
    }

    @Test
    void aMisspeltSetKeySuggestsTheClosestKey() {
        var e = failure(home, Map.of(), flags().set("pool.max_sise", "20").build());

        assertThat(e.problems()).containsExactly("--set pool.max_sise: unknown key; did you mean pool.max_size?");
    }

    @Test
    void anEmptyValueIsRefusedWhereverItComesFrom() {
        var flag = failure(home, Map.of(), flags().set("backup.dir", "").set("embedded.data_dir", " ").build());
        Path file = write(home.resolve("p.json"), "{\"version\": 1, \"profiles\": {\"a\": {\"embedded\": {\"data_dir\": \"\"}}}}");
        var profile = failure(home, Map.of(), flags().config(file).build());

        assertThat(flag.problems()).containsExactly(
                "backup.dir = '' (from flag --set backup.dir): expected a non-empty value; give one, or drop "
                        + "--set backup.dir for the default",
                "embedded.data_dir = '' (from flag --set embedded.data_dir): expected a non-empty value; give one, or "
                        + "drop --set embedded.data_dir for the default");
        assertThat(profile.problems()).singleElement().asString().startsWith("embedded.data_dir = '' (from profile ")
                .endsWith("expected a folder for the embedded server's data, not an empty value");
    }

    @Test
    void aSettingForAReplicaThatIsNotConfiguredIsRefused() {
        var e = failure(home, Map.of("PGHOST", "h", "DATABASE_READ_URLS", "postgresql://r1/db",
                "PGPULSE_REPLICA_2_POOL_MIN_IDLE", "1"), flags().set("replica-3.pool.max_size", "5").build());
        var none = failure(home, Map.of(), flags().set("replica-1.pool.max_size", "5").build());

        assertThat(e.problems()).containsExactly(
                "replica-3.pool.max_size (from flag --set replica-3.pool.max_size): there is no replica-3; 1 replica is "
                        + "configured (replica-1); add it to DATABASE_READ_URLS, --replica or the profile, or drop the setting",
                "replica-2.pool.min_idle (from env PGPULSE_REPLICA_2_POOL_MIN_IDLE): there is no replica-2; 1 replica is "
                        + "configured (replica-1); add it to DATABASE_READ_URLS, --replica or the profile, or drop the setting");
        assertThat(none.problems()).singleElement().asString().contains("there is no replica-1; no replicas are configured");
    }

    @Test
    void numbersAreAsciiDigitsOnly() {
        var size = failure(home, Map.of("PGHOST", "h"), flags().set("pool.max_size", "٣").build());
        var port = failure(home, Map.of("PGHOST", "h", "PGPORT", "٥٤٣٢"));
        var wide = failure(home, Map.of("PGHOST", "h", "PGPULSE_BREAKER_WINDOW_SIZE", "２０"));
        var duration = failure(home, Map.of("PGHOST", "h", "PGPULSE_STARTUP_WAIT", "٣s"));

        assertThat(size.problems()).singleElement().asString().isEqualTo("primary.pool.max_size = '٣' (from flag --set "
                + "pool.max_size): expected a whole number from 1 to " + PoolSizing.MAX_POOL_SIZE_LIMIT + " (digits 0-9)");
        assertThat(port.problems()).singleElement().asString().startsWith("primary.port = '٥٤٣٢' (from env PGPORT)");
        assertThat(wide.problems()).singleElement().asString().startsWith("breaker.window_size = '２０'");
        assertThat(duration.problems()).singleElement().asString().startsWith("startup.wait = '٣s'");
    }
}
