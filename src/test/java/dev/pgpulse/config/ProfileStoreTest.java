package dev.pgpulse.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.pgpulse.config.ConfigFixture.load;
import static dev.pgpulse.config.ConfigFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The profiles dialog's edits of the profile file: read back exactly, nothing it does not model lost, no lost update. */
class ProfileStoreTest {
    /** Every field the dialog does not model, in one profile. */
    private static final String RICH = """
            { "version": 1, "default": "prod",
              "profiles": {
                "prod": {
                  "environment": "production",
                  "primary": { "url": "postgresql://ops@db1:5432/orders", "application_name": "pulse-prod",
                               "pool": { "max_size": 6 } },
                  "replicas": [ { "url": "postgresql://ops@db2/orders", "pool": { "max_size": 4 } }, "postgresql://ops@db3/orders" ],
                  "pool": { "connection_timeout": "5s" },
                  "startup": { "wait": "45s" },
                  "embedded": { "data_dir": "/srv/pgpulse/embedded" } },
                "local": { } } }
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private ProfileStore store() {
        return ProfileStore.forHome(home);
    }

    private Path file() {
        return home.resolve(ConfigLoader.DEFAULT_PROFILE_FILE);
    }

    private JsonNode tree() throws Exception {
        return JSON.readTree(Files.readString(file()));
    }

    @Test
    void aMissingFileIsAnEmptyListing() {
        var listing = store().load();
        assertThat(listing.profiles()).isEmpty();
        assertThat(listing.problems()).isEmpty();
        assertThat(listing.stamp()).isEqualTo(ProfileStore.Stamp.ABSENT);
        assertThat(listing.defaultName()).isNull();
        assertThat(store().file()).isEqualTo(file());
    }

    @Test
    void aSavedProfileLoadsThroughTheConfigurationToWhatWasSaved() throws Exception {
        var spec = new ProfileSpec("prod", "postgresql://ops@db1:6432/orders?sslmode=require",
                List.of("postgresql://ops@db2:6432/orders", "jdbc:postgresql://db3/orders?user=ops"),
                Environment.STAGING, Map.of("max_size", "7", "connection_timeout", "4s", "statement_timeout", "30s"),
                "https://hooks.example.com/services/T0K3N");
        var listing = store().save(spec, null, store().load().stamp());

        assertThat(listing.profiles()).containsExactly(spec);
        assertThat(listing.stamp().exists()).isTrue();
        assertThat(listing.problems()).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
        assertThat(tree().at("/profiles/prod/pool/max_size").isInt()).as("numbers as numbers").isTrue();

        for (Overrides how : List.of(Overrides.forProfile(null, "prod", null),
                new Overrides(null, "prod", null, List.of(), null, Map.of()))) {
            var config = load(home, Map.of(), how);
            assertThat(config.endpoints()).extracting(EndpointConfig::displayTarget)
                    .containsExactly("ops@db1:6432/orders", "ops@db2:6432/orders", "ops@db3:5432/orders");
            assertThat(config.primary().orElseThrow().sslMode()).isEqualTo("require");
            assertThat(config.environment()).isEqualTo(Environment.STAGING);
            assertThat(config.endpoints()).allSatisfy(e -> {
                assertThat(e.pool().maxPoolSize()).isEqualTo(7);
                assertThat(e.pool().connectionTimeout()).isEqualTo(Duration.ofSeconds(4));
                assertThat(e.pool().statementTimeout()).isEqualTo(Duration.ofSeconds(30));
            });
            assertThat(config.monitoring().webhook().orElseThrow().toString())
                    .isEqualTo("https://hooks.example.com/services/T0K3N");
            assertThat(config.profile()).contains("prod");
        }
        // the only profile: the configuration opens on it without --profile
        assertThat(load(home, Map.of()).primary().orElseThrow().host()).isEqualTo("db1");
    }

    @Test
    void anEmbeddedProfileStaysEmbedded() throws Exception {
        store().save(ProfileSpec.embedded("local"), null, ProfileStore.Stamp.ABSENT);
        assertThat(load(home, Map.of("PGHOST", "db9"), Overrides.forProfile(null, "local", null)).isEmbedded()).isTrue();
    }

    @Test
    void editingKeepsEveryFieldTheDialogDoesNotModel() throws Exception {
        write(file(), RICH);
        var listing = store().load();
        assertThat(listing.problems()).isEmpty();
        assertThat(listing.names()).containsExactly("prod", "local");
        assertThat(listing.defaultName()).isEqualTo("prod");
        var prod = listing.find("prod").orElseThrow();
        assertThat(prod.primaryUrl()).as("fields beside the url are folded into what the dialog shows")
                .isEqualTo("postgresql://ops@db1:5432/orders?application_name=pulse-prod");
        assertThat(prod.replicaUrls()).containsExactly("postgresql://ops@db2/orders", "postgresql://ops@db3/orders");
        assertThat(prod.pool()).containsExactly(Map.entry("connection_timeout", "5s"));

        var edited = new ProfileSpec("prod", prod.primaryUrl(), List.of("postgresql://ops@db4/orders",
                "postgresql://ops@db2/orders"), Environment.PRODUCTION, Map.of("connection_timeout", "6s"),
                "https://hooks.example.com/a");
        store().save(edited, "prod", listing.stamp());

        JsonNode t = tree();
        assertThat(t.at("/profiles/prod/startup/wait").asText()).isEqualTo("45s");
        assertThat(t.at("/profiles/prod/embedded/data_dir").asText()).isEqualTo("/srv/pgpulse/embedded");
        assertThat(t.at("/profiles/prod/primary/url").asText()).as("unchanged").isEqualTo("postgresql://ops@db1:5432/orders");
        assertThat(t.at("/profiles/prod/primary/application_name").asText()).isEqualTo("pulse-prod");
        assertThat(t.at("/profiles/prod/primary/pool/max_size").asInt()).isEqualTo(6);
        assertThat(t.at("/profiles/prod/replicas/0").asText()).isEqualTo("postgresql://ops@db4/orders");
        assertThat(t.at("/profiles/prod/replicas/1/pool/max_size").asInt()).as("db2 kept its pool").isEqualTo(4);
        assertThat(t.at("/profiles/local").isObject()).isTrue();
        assertThat(t.get("default").asText()).isEqualTo("prod");

        var config = load(home, Map.of(), Overrides.forProfile(null, "prod", null));
        assertThat(config.primary().orElseThrow().applicationName()).isEqualTo("pulse-prod");
        assertThat(config.primary().orElseThrow().pool().maxPoolSize()).isEqualTo(6);
        assertThat(config.replicas()).extracting(EndpointConfig::host).containsExactly("db4", "db2");
        assertThat(config.replicas()).extracting(e -> e.pool().maxPoolSize()).containsExactly(9, 4);
        assertThat(config.startupWait()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.primary().orElseThrow().pool().connectionTimeout()).isEqualTo(Duration.ofSeconds(6));
        assertThat(store().load().find("prod").orElseThrow()).isEqualTo(edited);
    }

    @Test
    void aNewUrlReplacesTheFieldsItStandsForAndKeepsThePool() throws Exception {
        write(file(), RICH);
        var listing = store().load();
        var prod = listing.find("prod").orElseThrow();
        store().save(new ProfileSpec("prod", "postgresql://dba@db9:5433/orders", prod.replicaUrls(),
                prod.environment(), prod.pool(), null), "prod", listing.stamp());

        JsonNode primary = tree().at("/profiles/prod/primary");
        assertThat(primary.has("application_name")).isFalse();
        assertThat(primary.get("url").asText()).isEqualTo("postgresql://dba@db9:5433/orders");
        assertThat(primary.at("/pool/max_size").asInt()).isEqualTo(6);
        var p = load(home, Map.of(), Overrides.forProfile(null, "prod", null)).primary().orElseThrow();
        assertThat(p.displayTarget()).isEqualTo("dba@db9:5433/orders");
        assertThat(p.applicationName()).isEqualTo("pgpulse");
    }

    @Test
    void aRenameMovesTheDefaultAndATakenNameIsAConflict() throws Exception {
        write(file(), RICH);
        var listing = store().load();
        var prod = listing.find("prod").orElseThrow();
        assertThatThrownBy(() -> store().save(prod.withName("local"), "prod", listing.stamp()))
                .isInstanceOf(ProfileStore.Conflict.class).hasMessageContaining("a profile named 'local' is already in");
        assertThatThrownBy(() -> store().save(ProfileSpec.embedded("prod"), null, listing.stamp()))
                .isInstanceOf(ProfileStore.Conflict.class).hasMessageContaining("'prod' is already");

        var renamed = store().save(prod.withName("production"), "prod", listing.stamp());
        assertThat(renamed.names()).containsExactly("production", "local");
        assertThat(renamed.defaultName()).isEqualTo("production");
        assertThat(tree().at("/profiles/production/startup/wait").asText()).isEqualTo("45s");
        assertThat(load(home, Map.of()).profile()).contains("production");
    }

    @Test
    void anEditBasedOnAnOlderContentIsRefusedEvenWithTheSameModificationTime() throws Exception {
        write(file(), RICH);
        var listing = store().load();
        FileTime mtime = Files.getLastModifiedTime(file());
        String changed = RICH.replace("45s", "50s");
        Files.writeString(file(), changed);
        Files.setLastModifiedTime(file(), mtime);

        assertThatThrownBy(() -> store().save(ProfileSpec.embedded("new"), null, listing.stamp()))
                .isInstanceOf(ProfileStore.Conflict.class)
                .hasMessageContaining("changed on disk since the profiles were read")
                .hasMessageContaining("reload the profiles");
        assertThatThrownBy(() -> store().delete("local", listing.stamp())).isInstanceOf(ProfileStore.Conflict.class);
        assertThatThrownBy(() -> store().setDefault("local", listing.stamp())).isInstanceOf(ProfileStore.Conflict.class);
        assertThat(Files.readString(file())).isEqualTo(changed);

        // the same content written again is no change
        var now = store().load();
        Files.writeString(file(), changed);
        assertThat(store().save(ProfileSpec.embedded("new"), null, now.stamp()).names()).contains("new");
    }

    @Test
    void aBrokenFileIsListedWithItsProblemAndNeverWrittenOver() throws Exception {
        String broken = "{ \"version\": 1, \"profiles\": { \"a\": { \"primary\": { \"password\": hunter2 } } } }";
        write(file(), broken);
        var listing = store().load();
        assertThat(listing.problems()).singleElement().asString().contains("is not valid JSON").doesNotContain("hunter2");
        assertThat(listing.stamp().exists()).isTrue();
        assertThatThrownBy(() -> store().save(ProfileSpec.embedded("b"), null, listing.stamp()))
                .isInstanceOf(ProfileStore.Conflict.class)
                .hasMessageContaining("has problems, so PgPulse does not write over it")
                .hasMessageContaining("fix the file or move it away")
                .hasMessageNotContaining("hunter2");
        assertThat(Files.readString(file())).isEqualTo(broken);

        write(file(), "{ \"version\": 2, \"profiles\": {} }");
        assertThat(store().load().problems()).singleElement().asString().contains("\"version\" is 2");
        write(file(), "{ \"version\": 1, \"profiles\": { \"a\": { \"primary\": { \"url\": \"postgresql://h/d\" }, "
                + "\"colour\": \"red\" } } }");
        assertThat(store().load().problems()).singleElement().asString().contains("[a] colour: unknown field");
        write(file(), "{ \"version\": 1, \"profiles\": { \"a\": { \"environment\": \"moon\" } } }");
        assertThat(store().load().problems()).singleElement().asString().contains("environment 'moon'");
    }

    @Test
    void aSpecWithProblemsIsRefusedWithThemAndNothingIsWritten() {
        var spec = new ProfileSpec("p", "postgresql://ops:hunter2@db1/x", List.of(), null, Map.of("max_size", "0"), null);
        assertThatIllegalArgumentException().isThrownBy(() -> store().save(spec, null, ProfileStore.Stamp.ABSENT))
                .withMessageContaining("remove the password from the URL")
                .withMessageContaining("primary.pool.max_size")
                .withMessageNotContaining("hunter2");
        assertThat(file()).doesNotExist();
    }

    @Test
    void aPasswordAlreadyInTheFileIsKeptAndWarnedAbout() throws Exception {
        write(file(), "{ \"version\": 1, \"profiles\": { \"a\": { \"primary\": { \"url\": \"postgresql://u@h/d\", "
                + "\"password\": \"hunter2\" } } } }");
        var listing = store().load();
        assertThat(listing.problems()).isEmpty();
        assertThat(listing.warnings()).singleElement().asString().contains("stores a password in plain text");
        assertThat(listing.find("a").orElseThrow().primaryUrl()).isEqualTo("postgresql://u@h/d");
        store().save(new ProfileSpec("a", "postgresql://u@h/d", List.of(), Environment.STAGING, Map.of(), null), "a",
                listing.stamp());
        assertThat(tree().at("/profiles/a/primary/password").asText()).isEqualTo("hunter2");
        assertThat(tree().at("/profiles/a/environment").asText()).isEqualTo("staging");
    }

    @Test
    void deleteAndDefault() throws Exception {
        write(file(), RICH);
        var listing = store().setDefault("local", store().load().stamp());
        assertThat(listing.defaultName()).isEqualTo("local");
        assertThat(load(home, Map.of()).isEmbedded()).isTrue();

        listing = store().delete("local", listing.stamp());
        assertThat(listing.names()).containsExactly("prod");
        assertThat(listing.defaultName()).as("the default went with its profile").isNull();
        assertThat(load(home, Map.of()).primary().orElseThrow().host()).isEqualTo("db1");
        assertThatThrownBy(() -> store().delete("gone", store().load().stamp()))
                .isInstanceOf(ProfileStore.Conflict.class).hasMessageContaining("'gone' is not in");

        listing = store().delete("prod", listing.stamp());
        assertThat(listing.profiles()).isEmpty();
        assertThat(file()).as("a file without profiles would stop PgPulse from starting").doesNotExist();
        assertThat(load(home, Map.of()).isEmbedded()).isTrue();
    }
}
