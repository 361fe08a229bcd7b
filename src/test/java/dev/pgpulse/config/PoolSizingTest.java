package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static dev.pgpulse.config.ConfigFixture.failure;
import static dev.pgpulse.config.ConfigFixture.flags;
import static dev.pgpulse.config.ConfigFixture.origin;
import static dev.pgpulse.config.ConfigFixture.setting;
import static org.assertj.core.api.Assertions.assertThat;

/** Presets per environment, per-endpoint overrides, and HikariCP-style warn-and-clamp versus reject. */
class PoolSizingTest {
    @TempDir
    Path home;

    private PgPulseConfig load(int cores, String... envPairs) throws ConfigException {
        Map<String, String> env = new HashMap<>(Map.of("PGHOST", "db1"));
        for (int i = 0; i < envPairs.length; i += 2) {
            env.put(envPairs[i], envPairs[i + 1]);
        }
        return new ConfigLoader(env, home, ConfigFixture.OS_USER, cores).load(Overrides.none());
    }

    private PoolSizing primaryPool(String... envPairs) throws ConfigException {
        return load(ConfigFixture.CORES, envPairs).primary().orElseThrow().pool();
    }

    @Test
    void developmentPresetIsSmallAndStrict() {
        assertThat(PoolSizing.development()).isEqualTo(new PoolSizing(5, 1, Duration.ofSeconds(5), Duration.ofMinutes(1),
                Duration.ofMinutes(30), Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(30)));
    }

    @Test
    void stagingPreset() {
        assertThat(PoolSizing.staging()).isEqualTo(new PoolSizing(10, 2, Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofSeconds(60)));
    }

    @Test
    void productionPresetIsFixedSizeFromCores() {
        assertThat(PoolSizing.production(8)).isEqualTo(new PoolSizing(17, 17, Duration.ofSeconds(30), Duration.ofMinutes(10),
                Duration.ofMinutes(30), Duration.ofMinutes(2), Duration.ofSeconds(60), Duration.ofSeconds(60)));
        assertThat(PoolSizing.productionPoolSize(1)).isEqualTo(3);
        assertThat(PoolSizing.productionPoolSize(0)).as("never below one core").isEqualTo(3);
        assertThat(PoolSizing.preset(Environment.PRODUCTION, 2)).isEqualTo(PoolSizing.production(2));
        assertThat(PoolSizing.preset(Environment.STAGING, 2)).isEqualTo(PoolSizing.staging());
        assertThat(PoolSizing.preset(Environment.DEVELOPMENT, 2)).isEqualTo(PoolSizing.development());
    }

    @ParameterizedTest
    @CsvSource({"development,1,5,1", "staging,1,10,2", "production,1,3,3", "production,4,9,9", "production,16,33,33"})
    void loaderAppliesThePresetOfTheEnvironment(String environment, int cores, int max, int minIdle) throws Exception {
        var config = load(cores, "PGPULSE_ENV", environment);

        var pool = config.primary().orElseThrow().pool();
        assertThat(pool).isEqualTo(new PoolSizing(max, minIdle, pool.connectionTimeout(), pool.idleTimeout(),
                pool.maxLifetime(), pool.keepalive(), pool.leakDetectionThreshold(), pool.statementTimeout()));
        assertThat(pool).isEqualTo(PoolSizing.preset(config.environment(), cores));
        assertThat(config.warnings()).isEmpty();
        assertThat(origin(config, "primary.pool.max_size")).isEqualTo("default (" + environment + " preset)");
        assertThat(setting(config, "primary.pool.max_size").displayValue()).isEqualTo(Integer.toString(max));
    }

    @Test
    void productionMinIdleFollowsAnOverriddenMax() throws Exception {
        assertThat(primaryPool("PGPULSE_ENV", "production", "PGPULSE_POOL_MAX_SIZE", "20").minIdle()).isEqualTo(20);
        assertThat(primaryPool("PGPULSE_ENV", "production", "PGPULSE_POOL_MAX_SIZE", "2").minIdle()).isEqualTo(2);
    }

    @Test
    void elsewhereMinIdleKeepsThePresetFloorWithinMax() throws Exception {
        assertThat(primaryPool("PGPULSE_ENV", "staging", "PGPULSE_POOL_MAX_SIZE", "20").minIdle()).isEqualTo(2);
        assertThat(primaryPool("PGPULSE_ENV", "staging", "PGPULSE_POOL_MAX_SIZE", "1").minIdle()).isEqualTo(1);
    }

    @Test
    void explicitMinIdleIsKept() throws Exception {
        assertThat(primaryPool("PGPULSE_ENV", "production", "PGPULSE_POOL_MIN_IDLE", "2").minIdle()).isEqualTo(2);
    }

    @Test
    void perEndpointOverridesTouchOnlyThatEndpoint() throws Exception {
        var config = load(ConfigFixture.CORES, "DATABASE_READ_URLS", "postgresql://r1,postgresql://r2",
                "PGPULSE_ENV", "staging", "PGPULSE_REPLICA_2_POOL_STATEMENT_TIMEOUT", "0",
                "PGPULSE_PRIMARY_POOL_CONNECTION_TIMEOUT", "2s", "PGPULSE_REPLICA_1_POOL_MAX_LIFETIME", "1h");

        var primary = config.primary().orElseThrow().pool();
        var r1 = config.replicas().get(0).pool();
        var r2 = config.replicas().get(1).pool();
        assertThat(primary.connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r1.connectionTimeout()).isEqualTo(PoolSizing.staging().connectionTimeout());
        assertThat(r1.maxLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(primary.maxLifetime()).isEqualTo(PoolSizing.staging().maxLifetime());
        assertThat(r2.statementTimeout()).as("zero disables the statement timeout").isZero();
        assertThat(r1.statementTimeout()).isEqualTo(PoolSizing.staging().statementTimeout());
    }

    @Test
    void idleTimeoutBelowTenSecondsIsRaisedWithAWarning() throws Exception {
        var config = load(ConfigFixture.CORES, "PGPULSE_POOL_IDLE_TIMEOUT", "5s");

        assertThat(config.primary().orElseThrow().pool().idleTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.warnings()).singleElement().asString().contains("primary.pool.idle_timeout", "5s", "using 10s");
    }

    @Test
    void idleTimeoutNotBelowMaxLifetimeIsDisabledWithAWarning() throws Exception {
        var config = load(ConfigFixture.CORES, "PGPULSE_POOL_IDLE_TIMEOUT", "40m");

        assertThat(config.primary().orElseThrow().pool().idleTimeout()).isZero();
        assertThat(config.warnings()).singleElement().asString().contains("idle_timeout 40m", "max_lifetime 30m");
    }

    @Test
    void keepaliveNotBelowMaxLifetimeIsDisabledWithAWarning() throws Exception {
        var config = load(ConfigFixture.CORES, "PGPULSE_POOL_KEEPALIVE", "30m");

        assertThat(config.primary().orElseThrow().pool().keepalive()).isZero();
        assertThat(config.warnings()).singleElement().asString().contains("primary.pool.keepalive", "30m", "disabled");
    }

    @Test
    void keepaliveBelowThirtySecondsIsDisabledWithAWarning() throws Exception {
        var config = load(ConfigFixture.CORES, "PGPULSE_POOL_KEEPALIVE", "10s");

        assertThat(config.primary().orElseThrow().pool().keepalive()).isZero();
        assertThat(config.warnings()).singleElement().asString().contains("keepalive 10s", "disabled");
    }

    @Test
    void leakDetectionBelowTwoSecondsIsDisabledWithAWarning() throws Exception {
        var config = load(ConfigFixture.CORES, "PGPULSE_POOL_LEAK_DETECTION", "1s");

        assertThat(config.primary().orElseThrow().pool().leakDetectionThreshold()).isZero();
        assertThat(config.warnings()).singleElement().asString().contains("primary.pool.leak_detection", "1s", "disabled");
    }

    @Test
    void maxLifetimeBelowThirtySecondsFallsBackToThePresetWithAWarning() throws Exception {
        var config = load(ConfigFixture.CORES, "PGPULSE_POOL_MAX_LIFETIME", "10s");

        assertThat(config.primary().orElseThrow().pool().maxLifetime()).isEqualTo(PoolSizing.development().maxLifetime());
        assertThat(config.warnings()).singleElement().asString().contains("max_lifetime 10s", "30m");
    }

    @Test
    void softValuesAreWarnedOncePerEndpoint() throws Exception {
        var config = load(ConfigFixture.CORES, "DATABASE_READ_URLS", "postgresql://r1", "PGPULSE_POOL_IDLE_TIMEOUT", "5s");

        assertThat(config.warnings()).hasSize(2)
                .anySatisfy(w -> assertThat(w).startsWith("primary.pool.idle_timeout"))
                .anySatisfy(w -> assertThat(w).startsWith("replica-1.pool.idle_timeout"));
    }

    @Test
    void minIdleAboveMaxSizeIsRejected() {
        var e = failure(home, Map.of("PGHOST", "h", "PGPULSE_POOL_MIN_IDLE", "8"), flags().set("pool.max_size", "4").build());

        assertThat(e.problems()).singleElement().asString()
                .contains("primary.pool.min_idle", "'8'", "env PGPULSE_POOL_MIN_IDLE", "at most primary.pool.max_size (4)");
    }

    @Test
    void connectionTimeoutBelowHikarisMinimumIsRejected() {
        var e = failure(home, Map.of("PGHOST", "h", "PGPULSE_POOL_CONNECTION_TIMEOUT", "100ms"));

        assertThat(e.problems()).singleElement().asString()
                .contains("primary.pool.connection_timeout", "'100ms'", "env PGPULSE_POOL_CONNECTION_TIMEOUT", "250ms");
    }

    @Test
    void maxSizeZeroIsRejected() {
        var e = failure(home, Map.of("PGHOST", "h"), flags().set("primary.pool.max_size", "0").build());

        assertThat(e.problems()).singleElement().asString()
                .contains("primary.pool.max_size", "'0'", "flag --set primary.pool.max_size", "whole number from 1 to 10000");
    }

    @Test
    void maxSizeInWordsIsRejected() {
        var e = failure(home, Map.of("PGHOST", "h", "PGPULSE_PRIMARY_POOL_MAX_SIZE", "ten"));

        assertThat(e.problems()).singleElement().asString()
                .isEqualTo("primary.pool.max_size = 'ten' (from env PGPULSE_PRIMARY_POOL_MAX_SIZE): expected a whole "
                        + "number from 1 to 10000");
    }

    @Test
    void badReplicaPoolValueNamesTheReplicasKey() {
        var e = failure(home, Map.of("PGHOST", "h", "DATABASE_READ_URLS", "postgresql://r1",
                "PGPULSE_REPLICA_1_POOL_MAX_SIZE", "-3"));

        assertThat(e.problems()).singleElement().asString()
                .contains("replica-1.pool.max_size", "'-3'", "env PGPULSE_REPLICA_1_POOL_MAX_SIZE");
    }
}
