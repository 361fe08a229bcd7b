package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.pgpulse.config.ConfigFixture.flags;
import static dev.pgpulse.config.ConfigFixture.load;
import static dev.pgpulse.config.ConfigFixture.origin;
import static dev.pgpulse.config.ConfigFixture.pgpass;
import static dev.pgpulse.config.ConfigFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A profile chosen in the console ({@link Overrides#forProfile}) against the same profile chosen with --profile, and a
 * password asked at connect.
 */
class ConsoleProfileTest {
    private static final String PW = "asked-s3cr3t";
    private static final String FILE = """
            { "version": 1, "default": "prod",
              "profiles": {
                "prod": {
                  "environment": "production",
                  "primary": { "url": "postgresql://ops@prod-db:6432/orders" },
                  "replicas": [ "postgresql://prod-r1/orders" ],
                  "pool": { "max_size": 3 },
                  "alerts": { "webhook_url": "https://hooks.example.com/T0K3N" } },
                "local": { "pool": { "max_size": 2 } } } }
            """;
    /** Everything the environment can say about a target, and libpq's variables that only fill in. */
    private static final Map<String, String> ENV = Map.of(
            "DATABASE_URL", "postgresql://env-user@env-db:5999/envdb",
            "DATABASE_READ_URLS", "postgresql://env-r1/envdb,postgresql://env-r2/envdb",
            "PGHOST", "pghost-db", "PGUSER", "pguser", "PGSSLMODE", "require", "PGPULSE_ENV", "staging",
            "PGPULSE_PRIMARY_HOST", "other-db", "PGPULSE_POOL_MIN_IDLE", "1");

    @TempDir
    Path home;

    private Path file() {
        return write(home.resolve("profiles.json"), FILE);
    }

    @Test
    void withProfileTheEnvironmentsTargetWinsAsBefore() throws Exception {
        var config = load(home, ENV, flags().config(file()).profile("prod").build());

        assertThat(config.primary().orElseThrow().host()).isEqualTo("other-db");
        assertThat(config.environment()).isEqualTo(Environment.STAGING);
        assertThat(config.replicas()).extracting(EndpointConfig::host).containsExactly("env-r1", "env-r2");
        // the profile did not name the target, so nothing says it runs on "prod" (the console's header, its history)
        assertThat(config.profile()).isEmpty();
    }

    @Test
    void aProfileNamesTheTargetOnlyWhenNothingAboveItNamesAPrimary() throws Exception {
        Path file = file();
        assertThat(load(home, Map.of(), flags().config(file).build()).profile()).contains("prod");
        assertThat(load(home, Map.of("PGHOST", "elsewhere"), flags().config(file).build()).profile()).isEmpty();
        assertThat(load(home, Map.of(), flags().config(file).url("postgresql://x@flag-db/app").build()).profile()).isEmpty();
        // an embedded profile with nothing else configured is the target
        assertThat(load(home, Map.of(), flags().config(file).profile("local").build()).profile()).contains("local");
    }

    @Test
    void chosenInTheConsoleTheProfilesTargetWinsAndLibpqVariablesOnlyFillIn() throws Exception {
        Path file = file();
        var config = load(home, ENV, Overrides.forProfile(file, "prod", null));

        var p = config.primary().orElseThrow();
        assertThat(p.displayTarget()).isEqualTo("ops@prod-db:6432/orders");
        assertThat(p.sslMode()).as("PGSSLMODE fills what the URL leaves out").isEqualTo("require");
        assertThat(config.environment()).isEqualTo(Environment.PRODUCTION);
        assertThat(config.replicas()).extracting(EndpointConfig::displayTarget)
                .as("PGUSER fills the replica's user").containsExactly("pguser@prod-r1:5432/orders");
        assertThat(p.pool().maxPoolSize()).isEqualTo(3);
        assertThat(p.pool().minIdle()).as("a PGPULSE_POOL_* setting still applies below the profile").isEqualTo(1);
        assertThat(config.monitoring().webhook().orElseThrow().toString()).isEqualTo("https://hooks.example.com/T0K3N");
        assertThat(origin(config, "alerts.webhook_url")).isEqualTo("profile " + file + " [prod] alerts.webhook_url");
        assertThat(origin(config, "environment")).isEqualTo("profile " + file + " [prod] environment");
        assertThat(config.profile()).contains("prod");
    }

    @Test
    void anEmbeddedProfileChosenInTheConsoleStaysEmbeddedWhateverTheEnvironmentSays() throws Exception {
        var config = load(home, ENV, Overrides.forProfile(file(), "local", null));

        assertThat(config.isEmbedded()).isTrue();
        assertThat(config.environment()).as("PGPULSE_ENV is the target's, not read").isEqualTo(Environment.DEVELOPMENT);
        assertThat(config.embedded().orElseThrow().pool().maxPoolSize()).isEqualTo(2);
        assertThat(config.profile()).contains("local");
    }

    @Test
    void aChosenProfileThatIsGoneIsOneLineNamingIt() throws Exception {
        var gone = ConfigFixture.failure(home, Map.of(), Overrides.forProfile(file(), "staging", null));
        assertThat(gone.problems()).singleElement().asString()
                .startsWith("profile 'staging' (from the console's choice) is not in ").contains("prod, local");
        var noFile = ConfigFixture.failure(home, Map.of(), Overrides.forProfile(null, "prod", null));
        assertThat(noFile.problems()).singleElement().asString().startsWith("profile 'prod': there is no profile file at");
    }

    @Test
    void withoutAProfileThereIsNone() throws Exception {
        assertThat(load(home, Map.of("PGHOST", "db1")).profile()).isEmpty();
    }

    @Test
    void theAskedPasswordComesLastAfterUrlPgpasswordAndPgpass() throws Exception {
        Path file = write(home.resolve("p.json"), """
                { "version": 1, "profiles": { "p": {
                  "primary": { "url": "postgresql://app@db1/app" },
                  "replicas": [ "postgresql://app@db2/app", "postgresql://app@db3/app" ] } } }
                """);
        pgpass(home.resolve(".pgpass"), "db2:*:*:app:from-pgpass");

        var asked = load(home, Map.of(), Overrides.forProfile(file, "p", PW));
        assertThat(asked.endpoints()).extracting(EndpointConfig::password).containsExactly(PW, "from-pgpass", PW);
        assertThat(origin(asked, "primary.password")).isEqualTo("asked at connect (kept in memory)");
        assertThat(ConfigFixture.setting(asked, "primary.password").source().kind()).isEqualTo(ConfigSource.Kind.ASKED);
        assertThat(ConfigFixture.setting(asked, "primary.password").displayValue()).isEqualTo(Setting.MASK);
        assertThat(asked.toString()).doesNotContain(PW);

        var env = load(home, Map.of("PGPASSWORD", "from-env"), Overrides.forProfile(file, "p", PW));
        assertThat(env.endpoints()).extracting(EndpointConfig::password)
                .as("PGPASSWORD before .pgpass and the asked one, as libpq").containsExactly("from-env", "from-env", "from-env");

        var flagsWithPassword = load(home, Map.of(), flags().config(file).build().withPassword(PW));
        assertThat(flagsWithPassword.primary().orElseThrow().password()).isEqualTo(PW);
    }

    @Test
    void overridesNeverShowTheAskedPassword() {
        Overrides o = Overrides.forProfile(Path.of("/x.json"), "p", PW);
        assertThat(o.toString()).doesNotContain(PW).contains("password=" + Setting.MASK).contains("chosen in the console");
        assertThat(o.withPassword(null).password()).isNull();
        assertThat(new Overrides(null, null, null, List.of(), null, Map.of()).profileWins()).isFalse();
    }

    @Test
    void theLoaderNamesTheProfileFileItReads() {
        ConfigLoader plain = new ConfigLoader(Map.of(), home, "u", 1);
        assertThat(plain.profileFile(Overrides.none())).isEqualTo(home.resolve(ConfigLoader.DEFAULT_PROFILE_FILE));
        ConfigLoader withEnv = new ConfigLoader(Map.of("PGPULSE_CONFIG", "/etc/p.json"), home, "u", 1);
        assertThat(withEnv.profileFile(Overrides.none())).isEqualTo(Path.of("/etc/p.json"));
        assertThat(withEnv.profileFile(flags().config(Path.of("/a.json")).build())).isEqualTo(Path.of("/a.json"));
    }
}
