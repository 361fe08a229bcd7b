package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.pgpulse.config.ConfigFixture.flags;
import static dev.pgpulse.config.ConfigFixture.load;
import static dev.pgpulse.config.ConfigFixture.origin;
import static dev.pgpulse.config.ConfigFixture.setting;
import static org.assertj.core.api.Assertions.assertThat;

/** Each source on its own: libpq and twelve-factor variables, PGPULSE_* keys and the command-line flags. */
class EnvironmentSourcesTest {
    @TempDir
    Path home;

    @Test
    void everyLibpqVariableReachesThePrimary() throws Exception {
        var config = load(home, Map.of("PGHOST", "db1.example", "PGPORT", "6432", "PGDATABASE", "orders",
                "PGUSER", "app", "PGPASSWORD", "pw", "PGSSLMODE", "verify-full", "PGAPPNAME", "nightly",
                "PGCONNECT_TIMEOUT", "7"));

        var p = config.primary().orElseThrow();
        assertThat(config.isEmbedded()).isFalse();
        assertThat(p.role()).isEqualTo(EndpointConfig.Role.PRIMARY);
        assertThat(p.name()).isEqualTo("primary");
        assertThat(p.host()).isEqualTo("db1.example");
        assertThat(p.port()).isEqualTo(6432);
        assertThat(p.database()).isEqualTo("orders");
        assertThat(p.user()).isEqualTo("app");
        assertThat(p.password()).isEqualTo("pw");
        assertThat(p.sslMode()).isEqualTo("verify-full");
        assertThat(p.applicationName()).isEqualTo("nightly");
        assertThat(p.connectTimeout()).as("a bare PGCONNECT_TIMEOUT is seconds, as in libpq").isEqualTo(Duration.ofSeconds(7));
        assertThat(origin(config, "primary.host")).isEqualTo("env PGHOST");
        assertThat(origin(config, "primary.port")).isEqualTo("env PGPORT");
        assertThat(origin(config, "primary.database")).isEqualTo("env PGDATABASE");
        assertThat(origin(config, "primary.user")).isEqualTo("env PGUSER");
        assertThat(origin(config, "primary.password")).isEqualTo("env PGPASSWORD");
        assertThat(origin(config, "primary.sslmode")).isEqualTo("env PGSSLMODE");
        assertThat(origin(config, "primary.application_name")).isEqualTo("env PGAPPNAME");
        assertThat(origin(config, "primary.connect_timeout")).isEqualTo("env PGCONNECT_TIMEOUT");
        assertThat(setting(config, "primary.connect_timeout").displayValue()).isEqualTo("7s");
        assertThat(setting(config, "primary.host").source().kind()).isEqualTo(ConfigSource.Kind.ENVIRONMENT);
    }

    @Test
    void whatNothingSetsFallsBackToLibpqDefaults() throws Exception {
        var p = load(home, Map.of("PGHOST", "h")).primary().orElseThrow();

        assertThat(p.port()).isEqualTo(5432);
        assertThat(p.user()).as("libpq's default user is the OS user").isEqualTo(ConfigFixture.OS_USER);
        assertThat(p.database()).as("libpq's default database is the user name").isEqualTo(ConfigFixture.OS_USER);
        assertThat(p.sslMode()).isEqualTo("prefer");
        assertThat(p.applicationName()).isEqualTo("pgpulse");
        assertThat(p.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.password()).isNull();
    }

    @Test
    void connectTimeoutWithAUnitIsTakenAsADurationAndFractionsOfASecondWarn() throws Exception {
        var config = load(home, Map.of("PGHOST", "h", "PGCONNECT_TIMEOUT", "2500ms"));

        assertThat(config.primary().orElseThrow().connectTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.warnings()).singleElement().asString().contains("primary.connect_timeout", "2500ms", "whole seconds");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres://app:pw@db1:6432/orders?sslmode=require",
            "postgresql://app:pw@db1:6432/orders?sslmode=require",
            "jdbc:postgresql://db1:6432/orders?user=app&password=pw&sslmode=require"})
    void databaseUrlInEachFormGivesTheSamePrimary(String url) throws Exception {
        var config = load(home, Map.of("DATABASE_URL", url));

        var p = config.primary().orElseThrow();
        assertThat(p.displayTarget()).isEqualTo("app@db1:6432/orders");
        assertThat(p.password()).isEqualTo("pw");
        assertThat(p.sslMode()).isEqualTo("require");
        assertThat(config.replicas()).isEmpty();
        assertThat(origin(config, "primary.host")).isEqualTo("env DATABASE_URL");
        assertThat(origin(config, "primary.password")).isEqualTo("env DATABASE_URL");
    }

    @Test
    void databaseUrlDecodesPercentEscapedCredentials() throws Exception {
        var p = load(home, Map.of("DATABASE_URL", "postgresql://app%2Bops:p%40ss%3Aword@h/db")).primary().orElseThrow();

        assertThat(p.user()).isEqualTo("app+ops");
        assertThat(p.password()).isEqualTo("p@ss:word");
    }

    @Test
    void databaseReadUrlsBecomeNamedReplicasInOrder() throws Exception {
        var config = load(home, Map.of("DATABASE_URL", "postgresql://app:pw@db1/orders",
                "DATABASE_READ_URLS", " postgresql://ro:ro-pw@db2:5433/orders , ,jdbc:postgresql://db3/orders?user=ro3 "));

        assertThat(config.replicas()).extracting(EndpointConfig::name).containsExactly("replica-1", "replica-2");
        assertThat(config.replicas()).extracting(EndpointConfig::role).containsOnly(EndpointConfig.Role.REPLICA);
        assertThat(config.replicas()).extracting(EndpointConfig::displayTarget)
                .containsExactly("ro@db2:5433/orders", "ro3@db3:5432/orders");
        assertThat(config.replicas().getFirst().password()).isEqualTo("ro-pw");
        assertThat(config.endpoints()).extracting(EndpointConfig::name).containsExactly("primary", "replica-1", "replica-2");
        assertThat(origin(config, "replica-2.host")).isEqualTo("env DATABASE_READ_URLS");
    }

    @Test
    void replicaUrlsLeavingOutCredentialsAndDatabaseTakeThemFromLibpqVariables() throws Exception {
        var config = load(home, Map.of("PGHOST", "db1", "PGUSER", "app", "PGPASSWORD", "pw", "PGDATABASE", "orders",
                "DATABASE_READ_URLS", "postgresql://db2,postgresql://other@db3/archive"));

        var r1 = config.replicas().get(0);
        var r2 = config.replicas().get(1);
        assertThat(r1.displayTarget()).isEqualTo("app@db2:5432/orders");
        assertThat(r1.password()).isEqualTo("pw");
        assertThat(origin(config, "replica-1.user")).isEqualTo("env PGUSER");
        assertThat(origin(config, "replica-1.database")).isEqualTo("env PGDATABASE");
        assertThat(r2.displayTarget()).as("what the URL gives wins").isEqualTo("other@db3:5432/archive");
        assertThat(origin(config, "replica-2.user")).isEqualTo("env DATABASE_READ_URLS");
    }

    @ParameterizedTest
    @CsvSource({"development,DEVELOPMENT", "dev,DEVELOPMENT", "DEV,DEVELOPMENT", "Development,DEVELOPMENT",
            "staging,STAGING", "STAGING,STAGING", "production,PRODUCTION", "prod,PRODUCTION", "PROD,PRODUCTION",
            "Production,PRODUCTION"})
    void pgpulseEnvAcceptsFullAndShortNamesInAnyCase(String raw, Environment expected) throws Exception {
        var config = load(home, Map.of("PGHOST", "h", "PGPULSE_ENV", raw));

        assertThat(config.environment()).isEqualTo(expected);
        assertThat(setting(config, "environment").displayValue()).isEqualTo(expected.label());
        assertThat(origin(config, "environment")).isEqualTo("env PGPULSE_ENV");
    }

    @Test
    void withoutPgpulseEnvTheEnvironmentIsDevelopmentByDefault() throws Exception {
        var config = load(home, Map.of("PGHOST", "h"));

        assertThat(config.environment()).isEqualTo(Environment.DEVELOPMENT);
        assertThat(origin(config, "environment")).isEqualTo("default (no PGPULSE_ENV)");
    }

    @Test
    void pgpulseVariablesSetPoolKeysForEveryEndpointOrForOne() throws Exception {
        var config = load(home, Map.of("PGHOST", "db1", "DATABASE_READ_URLS", "postgresql://db2,postgresql://db3",
                "PGPULSE_POOL_MAX_SIZE", "7", "PGPULSE_PRIMARY_POOL_MAX_SIZE", "12",
                "PGPULSE_REPLICA_1_POOL_MIN_IDLE", "0", "PGPULSE_STARTUP_WAIT", "45s"));

        var primary = config.primary().orElseThrow().pool();
        var r1 = config.replicas().get(0).pool();
        var r2 = config.replicas().get(1).pool();
        assertThat(primary.maxPoolSize()).isEqualTo(12);
        assertThat(r1.maxPoolSize()).isEqualTo(7);
        assertThat(r2.maxPoolSize()).isEqualTo(7);
        assertThat(r1.minIdle()).isZero();
        assertThat(r2.minIdle()).as("development preset").isEqualTo(1);
        assertThat(primary.minIdle()).isEqualTo(1);
        assertThat(config.startupWait()).isEqualTo(Duration.ofSeconds(45));
        assertThat(origin(config, "primary.pool.max_size")).isEqualTo("env PGPULSE_PRIMARY_POOL_MAX_SIZE");
        assertThat(origin(config, "replica-2.pool.max_size")).isEqualTo("env PGPULSE_POOL_MAX_SIZE");
        assertThat(origin(config, "replica-1.pool.min_idle")).isEqualTo("env PGPULSE_REPLICA_1_POOL_MIN_IDLE");
        assertThat(origin(config, "startup.wait")).isEqualTo("env PGPULSE_STARTUP_WAIT");
    }

    @Test
    void pgpulsePrimaryHostNamesAPrimaryLikePghost() throws Exception {
        var config = load(home, Map.of("PGPULSE_PRIMARY_HOST", "db9", "PGPULSE_PRIMARY_PORT", "6000"));

        assertThat(config.isEmbedded()).isFalse();
        assertThat(config.primary().orElseThrow().host()).isEqualTo("db9");
        assertThat(config.primary().orElseThrow().port()).isEqualTo(6000);
    }

    @Test
    void everySettableKeyHasTheDocumentedVariableName() {
        assertThat(Keys.envName("pool.max_size")).isEqualTo("PGPULSE_POOL_MAX_SIZE");
        assertThat(Keys.envName("primary.pool.max_size")).isEqualTo("PGPULSE_PRIMARY_POOL_MAX_SIZE");
        assertThat(Keys.envName("replica-1.pool.min_idle")).isEqualTo("PGPULSE_REPLICA_1_POOL_MIN_IDLE");
        assertThat(Keys.envName("startup.wait")).isEqualTo("PGPULSE_STARTUP_WAIT");
        assertThat(Keys.settable()).contains("replica-16.pool.keepalive").doesNotContain("replica-17.pool.keepalive");
        assertThat(Keys.isSettable("replica-16.pool.max_size")).isTrue();
        assertThat(Keys.isSettable("replica-17.pool.max_size")).isFalse();
        assertThat(Keys.isSettable("primary.url")).isFalse();
        assertThat(Keys.settable()).allMatch(Keys::isSettable);
    }

    @Test
    void urlFlagReplicaFlagsEnvFlagAndSetFlagsEachTakeEffect() throws Exception {
        var config = load(home, Map.of(), flags().url("postgresql://app@db1/orders")
                .replica("postgresql://app@db2/orders").replica("postgresql://app@db3/orders")
                .env("staging").set("pool.max_size", "4").set("primary.sslmode", "disable").set("startup.wait", "2m")
                .build());

        assertThat(config.primary().orElseThrow().displayTarget()).isEqualTo("app@db1:5432/orders");
        assertThat(config.primary().orElseThrow().sslMode()).isEqualTo("disable");
        assertThat(config.replicas()).extracting(EndpointConfig::host).containsExactly("db2", "db3");
        assertThat(config.environment()).isEqualTo(Environment.STAGING);
        assertThat(config.endpoints()).allSatisfy(e -> assertThat(e.pool().maxPoolSize()).isEqualTo(4));
        assertThat(config.startupWait()).isEqualTo(Duration.ofMinutes(2));
        assertThat(origin(config, "primary.host")).isEqualTo("flag --url");
        assertThat(origin(config, "replica-2.host")).isEqualTo("flag --replica");
        assertThat(origin(config, "environment")).isEqualTo("flag --env");
        assertThat(origin(config, "primary.sslmode")).isEqualTo("flag --set primary.sslmode");
        assertThat(origin(config, "replica-1.pool.max_size")).isEqualTo("flag --set pool.max_size");
        assertThat(setting(config, "primary.host").source().kind()).isEqualTo(ConfigSource.Kind.FLAG);
    }

    @Test
    void setPrimaryHostFlagAloneNamesAPrimary() throws Exception {
        var config = load(home, Map.of(), flags().set("primary.host", "db7").build());

        assertThat(config.isEmbedded()).isFalse();
        assertThat(config.primary().orElseThrow().host()).isEqualTo("db7");
    }

    @Test
    void pgconnectTimeoutOfManyDigitsIsStillSecondsAndOverAnHourIsRejected() {
        var e = ConfigFixture.failure(home, Map.of("PGHOST", "h", "PGCONNECT_TIMEOUT", "1000000"));

        assertThat(e.problems()).singleElement().asString()
                .contains("primary.connect_timeout", "'1000000'", "env PGCONNECT_TIMEOUT", "at most 1h");
    }
}
