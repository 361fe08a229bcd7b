package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.pgpulse.config.ConfigFixture.failure;
import static dev.pgpulse.config.ConfigFixture.flags;
import static dev.pgpulse.config.ConfigFixture.load;
import static dev.pgpulse.config.ConfigFixture.origin;
import static dev.pgpulse.config.ConfigFixture.setting;
import static dev.pgpulse.config.ConfigFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** With no server configured PgPulse runs its own PostgreSQL; anything naming a primary turns that off. */
class EmbeddedDefaultTest {
    @TempDir
    Path home;

    @Test
    void nothingConfiguredMeansEmbeddedUnderTheXdgDataFolderOfHome() throws Exception {
        var config = load(home, Map.of());

        assertThat(config.isEmbedded()).isTrue();
        assertThat(config.primary()).isEmpty();
        assertThat(config.replicas()).isEmpty();
        assertThat(config.endpoints()).isEmpty();
        var embedded = config.embedded().orElseThrow();
        assertThat(embedded.dataDir()).isEqualTo(home.resolve(".local/share/pgpulse/embedded"));
        assertThat(embedded.pool()).isEqualTo(PoolSizing.development());
        assertThat(embedded.applicationName()).isEqualTo("pgpulse");
        assertThat(config.environment()).isEqualTo(Environment.DEVELOPMENT);
        assertThat(config.startupWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.warnings()).isEmpty();
        assertThat(origin(config, "embedded.data_dir")).isEqualTo("default (XDG data folder)");
        assertThat(setting(config, "primary").displayValue()).contains("embedded PostgreSQL 15", embedded.dataDir().toString());
        assertThat(origin(config, "primary")).isEqualTo("default (no DATABASE_URL, PGHOST or profile)");
    }

    @Test
    void xdgDataHomeMovesTheDataFolder() throws Exception {
        Path xdg = home.resolve("xdg-data");

        var config = load(home, Map.of("XDG_DATA_HOME", xdg.toString()));

        assertThat(config.embedded().orElseThrow().dataDir()).isEqualTo(xdg.resolve("pgpulse/embedded"));
    }

    @Test
    void blankXdgDataHomeIsIgnored() throws Exception {
        var config = load(home, Map.of("XDG_DATA_HOME", "  "));

        assertThat(config.embedded().orElseThrow().dataDir()).isEqualTo(home.resolve(".local/share/pgpulse/embedded"));
    }

    @Test
    void embeddedDataDirKeyWinsOverXdgFromEverySource() throws Exception {
        Path file = write(home.resolve("p.json"), """
                {"version": 1, "profiles": {"a": {"embedded": {"data_dir": "/from/profile"}}}}""");
        Map<String, String> xdg = Map.of("XDG_DATA_HOME", "/xdg");

        var byProfile = load(home, xdg, flags().config(file).build());
        var byEnv = load(home, Map.of("XDG_DATA_HOME", "/xdg", "PGPULSE_EMBEDDED_DATA_DIR", "/from/env"),
                flags().config(file).build());
        var byFlag = load(home, xdg, flags().config(file).set("embedded.data_dir", "/from/flag").build());

        assertThat(byProfile.embedded().orElseThrow().dataDir()).isEqualTo(Path.of("/from/profile"));
        assertThat(byEnv.embedded().orElseThrow().dataDir()).isEqualTo(Path.of("/from/env"));
        assertThat(byFlag.embedded().orElseThrow().dataDir()).isEqualTo(Path.of("/from/flag"));
        assertThat(origin(byFlag, "embedded.data_dir")).isEqualTo("flag --set embedded.data_dir");
    }

    @Test
    void embeddedPoolFollowsTheEnvironmentAndOverrides() throws Exception {
        var config = load(home, Map.of("PGPULSE_ENV", "production", "PGPULSE_PRIMARY_POOL_MAX_SIZE", "4",
                "PGAPPNAME", "console"));

        var embedded = config.embedded().orElseThrow();
        assertThat(embedded.pool().maxPoolSize()).isEqualTo(4);
        assertThat(embedded.pool().minIdle()).isEqualTo(4);
        assertThat(embedded.pool().connectionTimeout()).isEqualTo(PoolSizing.production(ConfigFixture.CORES).connectionTimeout());
        assertThat(embedded.applicationName()).isEqualTo("console");
    }

    @Test
    void credentialsAloneDoNotNameAServer() throws Exception {
        // A shell with PGUSER/PGPASSWORD exported for other tools still gets the embedded default.
        var config = load(home, Map.of("PGUSER", "app", "PGPASSWORD", "pw", "PGDATABASE", "orders"));

        assertThat(config.isEmbedded()).isTrue();
    }

    @Test
    void pghostSwitchesEmbeddedOff() throws Exception {
        assertConfigured(load(home, Map.of("PGHOST", "db1")), "db1");
    }

    @Test
    void databaseUrlSwitchesEmbeddedOff() throws Exception {
        assertConfigured(load(home, Map.of("DATABASE_URL", "postgresql://db1/app")), "db1");
    }

    @Test
    void urlFlagSwitchesEmbeddedOff() throws Exception {
        assertConfigured(load(home, Map.of(), flags().url("postgresql://db1/app").build()), "db1");
    }

    @Test
    void profileWithPrimarySwitchesEmbeddedOffButOneWithoutDoesNot() throws Exception {
        Path with = write(home.resolve("with.json"), """
                {"version": 1, "profiles": {"a": {"primary": {"host": "db1"}}}}""");
        Path without = write(home.resolve("without.json"), """
                {"version": 1, "profiles": {"a": {"environment": "staging", "pool": {"max_size": 3}}}}""");

        assertConfigured(load(home, Map.of(), flags().config(with).build()), "db1");
        var embedded = load(home, Map.of(), flags().config(without).build());
        assertThat(embedded.isEmbedded()).isTrue();
        assertThat(embedded.environment()).isEqualTo(Environment.STAGING);
        assertThat(embedded.embedded().orElseThrow().pool().maxPoolSize()).isEqualTo(3);
    }

    @Test
    void replicasWithoutPrimaryAreAnError() {
        var byEnv = failure(home, Map.of("DATABASE_READ_URLS", "postgresql://r1/app"));
        var byFlag = failure(home, Map.of(), flags().replica("postgresql://r1/app").build());

        assertThat(byEnv.problems()).singleElement().asString()
                .contains("replicas", "env DATABASE_READ_URLS", "no primary", "DATABASE_URL, PGHOST or --url");
        assertThat(byFlag.problems()).singleElement().asString().contains("flag --replica", "no primary");
    }

    @Test
    void embeddedConfigurationGetsItsPrimaryOnceTheServerRuns() throws Exception {
        var config = load(home, Map.of());
        var running = new EndpointConfig("primary", EndpointConfig.Role.PRIMARY, "localhost", 54321, "postgres",
                "postgres", null, "disable", "pgpulse", Duration.ofSeconds(10), PoolSizing.development());

        var started = config.withEmbeddedPrimary(running);

        assertThat(started.isEmbedded()).isTrue();
        assertThat(started.endpoints()).containsExactly(running);
        assertThatIllegalStateException().isThrownBy(() -> load(home, Map.of("PGHOST", "h")).withEmbeddedPrimary(running));
    }

    @Test
    void aConfigurationIsEitherAPrimaryOrEmbedded() {
        assertThatIllegalArgumentException().isThrownBy(() -> new PgPulseConfig(Environment.DEVELOPMENT,
                Optional.empty(), List.of(), Optional.empty(), Duration.ZERO, ResilienceSettings.defaults(),
                MonitoringSettings.defaults(), new OperationsSettings(List.of("classpath:db/migration"), "pgpulse_schema_history", true, Path.of("/tmp")),
                List.of(), List.of()));
    }

    private static void assertConfigured(PgPulseConfig config, String host) {
        assertThat(config.isEmbedded()).isFalse();
        assertThat(config.embedded()).isEmpty();
        assertThat(config.primary()).hasValueSatisfying(p -> assertThat(p.host()).isEqualTo(host));
        assertThat(config.settings()).noneMatch(s -> s.key().equals(Keys.EMBEDDED_DATA_DIR));
    }
}
