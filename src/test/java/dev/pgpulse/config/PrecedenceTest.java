package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.pgpulse.config.ConfigFixture.flags;
import static dev.pgpulse.config.ConfigFixture.load;
import static dev.pgpulse.config.ConfigFixture.origin;
import static dev.pgpulse.config.ConfigFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Flags &gt; environment &gt; profile &gt; defaults, decided key by key, and replica lists decided whole. */
class PrecedenceTest {
    @TempDir
    Path home;

    private Path profile(String body) {
        return write(home.resolve("profiles.json"), "{\"version\": 1, \"profiles\": {\"p\": " + body + "}}");
    }

    @Test
    void eachKeyComesFromTheHighestLayerThatSetsIt() throws Exception {
        Path file = profile("""
                {"environment": "staging",
                 "primary": {"host": "profile-host", "port": 6000, "user": "profile-user"},
                 "pool": {"max_size": 8, "connection_timeout": "7s"}}""");

        var config = load(home, Map.of("PGHOST", "env-host", "PGPULSE_ENV", "production"),
                flags().config(file).set("pool.max_size", "3").build());

        var p = config.primary().orElseThrow();
        assertThat(p.host()).isEqualTo("env-host");
        assertThat(p.port()).isEqualTo(6000);
        assertThat(p.user()).isEqualTo("profile-user");
        assertThat(p.pool().maxPoolSize()).isEqualTo(3);
        assertThat(p.pool().connectionTimeout()).hasSeconds(7);
        assertThat(config.environment()).isEqualTo(Environment.PRODUCTION);
        assertThat(origin(config, "primary.host")).isEqualTo("env PGHOST");
        assertThat(origin(config, "primary.port")).isEqualTo("profile " + file + " [p] primary.port");
        assertThat(origin(config, "primary.pool.max_size")).isEqualTo("flag --set pool.max_size");
        assertThat(origin(config, "primary.pool.connection_timeout")).isEqualTo("profile " + file + " [p] pool.connection_timeout");
        assertThat(origin(config, "primary.pool.idle_timeout")).isEqualTo("default (production preset)");
        assertThat(origin(config, "primary.sslmode")).isEqualTo("default (libpq default)");
        assertThat(origin(config, "environment")).isEqualTo("env PGPULSE_ENV");
        assertThat(ConfigFixture.setting(config, "primary.sslmode").source().kind()).isEqualTo(ConfigSource.Kind.DEFAULT);
    }

    @Test
    void envFlagBeatsPgpulseEnvWhichBeatsTheProfile() throws Exception {
        Path file = profile("{\"environment\": \"staging\", \"primary\": {\"host\": \"h\"}}");

        var profileOnly = load(home, Map.of(), flags().config(file).build());
        var withEnv = load(home, Map.of("PGPULSE_ENV", "prod"), flags().config(file).build());
        var withFlag = load(home, Map.of("PGPULSE_ENV", "prod"), flags().config(file).env("dev").build());

        assertThat(profileOnly.environment()).isEqualTo(Environment.STAGING);
        assertThat(withEnv.environment()).isEqualTo(Environment.PRODUCTION);
        assertThat(withFlag.environment()).isEqualTo(Environment.DEVELOPMENT);
        assertThat(origin(withFlag, "environment")).isEqualTo("flag --env");
    }

    @Test
    void databaseUrlPartsBeatPgVariablesWhichFillTheRest() throws Exception {
        var config = load(home, Map.of("DATABASE_URL", "postgresql://url-user@url-host/url-db",
                "PGHOST", "pg-host", "PGUSER", "pg-user", "PGDATABASE", "pg-db", "PGPORT", "6001", "PGSSLMODE", "require"));

        var p = config.primary().orElseThrow();
        assertThat(p.displayTarget()).isEqualTo("url-user@url-host:6001/url-db");
        assertThat(p.sslMode()).isEqualTo("require");
        assertThat(origin(config, "primary.host")).isEqualTo("env DATABASE_URL");
        assertThat(origin(config, "primary.port")).isEqualTo("env PGPORT");
        assertThat(origin(config, "primary.sslmode")).isEqualTo("env PGSSLMODE");
    }

    @Test
    void urlFlagBeatsDatabaseUrlAndTheProfile() throws Exception {
        Path file = profile("{\"primary\": {\"url\": \"postgresql://prof@prof-host/prof-db\"}}");

        var config = load(home, Map.of("DATABASE_URL", "postgresql://env@env-host/env-db"),
                flags().config(file).url("jdbc:postgresql://flag-host/flag-db?user=flag").build());

        assertThat(config.primary().orElseThrow().displayTarget()).isEqualTo("flag@flag-host:5432/flag-db");
        assertThat(origin(config, "primary.host")).isEqualTo("flag --url");
        assertThat(origin(config, "primary.user")).isEqualTo("flag --url");
    }

    @Test
    void environmentBeatsTheProfilesUrlPartByPart() throws Exception {
        Path file = profile("{\"primary\": {\"url\": \"postgresql://prof@prof-host:6000/prof-db?sslmode=require\"}}");

        var config = load(home, Map.of("PGDATABASE", "env-db"), flags().config(file).build());

        var p = config.primary().orElseThrow();
        assertThat(p.displayTarget()).isEqualTo("prof@prof-host:6000/env-db");
        assertThat(p.sslMode()).isEqualTo("require");
        assertThat(origin(config, "primary.database")).isEqualTo("env PGDATABASE");
        assertThat(origin(config, "primary.host")).isEqualTo("profile " + file + " [p] primary.url");
    }

    @Test
    void flagsGeneralPoolKeyBeatsTheProfilesEndpointKey() throws Exception {
        Path file = profile("{\"primary\": {\"host\": \"h\", \"pool\": {\"max_size\": 20}}}");

        var config = load(home, Map.of(), flags().config(file).set("pool.max_size", "6").build());

        assertThat(config.primary().orElseThrow().pool().maxPoolSize()).isEqualTo(6);
        assertThat(origin(config, "primary.pool.max_size")).isEqualTo("flag --set pool.max_size");
    }

    @Test
    void environmentsGeneralPoolKeyBeatsTheProfilesEndpointKeyToo() throws Exception {
        Path file = profile("{\"primary\": {\"host\": \"h\", \"pool\": {\"max_size\": 20}}}");

        var config = load(home, Map.of("PGPULSE_POOL_MAX_SIZE", "6"), flags().config(file).build());

        assertThat(config.primary().orElseThrow().pool().maxPoolSize()).isEqualTo(6);
    }

    @Test
    void withinOneLayerTheEndpointKeyBeatsTheGeneralKey() throws Exception {
        var config = load(home, Map.of("PGHOST", "h", "DATABASE_READ_URLS", "postgresql://r1"),
                flags().set("pool.max_size", "6").set("primary.pool.max_size", "9").set("replica-1.pool.max_size", "2")
                        .build());

        assertThat(config.primary().orElseThrow().pool().maxPoolSize()).isEqualTo(9);
        assertThat(config.replicas().getFirst().pool().maxPoolSize()).isEqualTo(2);
        assertThat(origin(config, "replica-1.pool.max_size")).isEqualTo("flag --set replica-1.pool.max_size");
    }

    @Test
    void replicaListIsTakenWholeFromTheHighestLayerThatGivesOne() throws Exception {
        Path file = profile("{\"primary\": {\"host\": \"h\"}, \"replicas\": [\"postgresql://p1\", \"postgresql://p2\"]}");

        var fromProfile = load(home, Map.of(), flags().config(file).build());
        var fromEnv = load(home, Map.of("DATABASE_READ_URLS", "postgresql://e1"), flags().config(file).build());
        var fromFlags = load(home, Map.of("DATABASE_READ_URLS", "postgresql://e1"),
                flags().config(file).replica("postgresql://f1").replica("postgresql://f2").replica("postgresql://f3")
                        .build());

        assertThat(fromProfile.replicas()).extracting(EndpointConfig::host).containsExactly("p1", "p2");
        assertThat(fromEnv.replicas()).extracting(EndpointConfig::host).as("not merged with the profile's p2")
                .containsExactly("e1");
        assertThat(fromFlags.replicas()).extracting(EndpointConfig::host).containsExactly("f1", "f2", "f3");
    }

    @Test
    void replicasFromTheEnvironmentJoinAPrimaryFromTheProfile() throws Exception {
        Path file = profile("{\"primary\": {\"host\": \"prof-host\"}}");

        var config = load(home, Map.of("DATABASE_READ_URLS", "postgresql://e1"), flags().config(file).build());

        assertThat(config.primary().orElseThrow().host()).isEqualTo("prof-host");
        assertThat(config.replicas()).extracting(EndpointConfig::host).containsExactly("e1");
    }

    @Test
    void startupWaitFollowsTheSameOrder() throws Exception {
        Path file = profile("{\"primary\": {\"host\": \"h\"}, \"startup\": {\"wait\": \"10s\"}}");

        var profileOnly = load(home, Map.of(), flags().config(file).build());
        var env = load(home, Map.of("PGPULSE_STARTUP_WAIT", "20s"), flags().config(file).build());
        var flag = load(home, Map.of("PGPULSE_STARTUP_WAIT", "20s"), flags().config(file).set("startup.wait", "0").build());
        var none = load(home, Map.of("PGHOST", "h"));

        assertThat(profileOnly.startupWait()).hasSeconds(10);
        assertThat(env.startupWait()).hasSeconds(20);
        assertThat(flag.startupWait()).isZero();
        assertThat(none.startupWait()).hasSeconds(30);
        assertThat(origin(none, "startup.wait")).isEqualTo("default (PgPulse default)");
    }
}
