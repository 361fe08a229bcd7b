package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.pgpulse.config.ConfigFixture.flags;
import static dev.pgpulse.config.ConfigFixture.load;
import static dev.pgpulse.config.ConfigFixture.origin;
import static dev.pgpulse.config.ConfigFixture.pgpass;
import static dev.pgpulse.config.ConfigFixture.pgpassWithMode;
import static dev.pgpulse.config.ConfigFixture.setting;
import static org.assertj.core.api.Assertions.assertThat;

/** libpq's password file, read directly and through the loader. */
class PgPassTest {
    @TempDir
    Path home;

    private final List<String> warnings = new ArrayList<>();

    private Optional<PgPass.Match> lookup(Path file, String host, int port, String db, String user) {
        return PgPass.lookup(file, host, port, db, user, warnings);
    }

    @Test
    void exactLineMatchesAndReportsItsLineNumber() {
        Path file = pgpass(home.resolve("pass"), "other:5432:app:app:wrong", "db1:5432:orders:app:right");

        assertThat(lookup(file, "db1", 5432, "orders", "app")).contains(new PgPass.Match("right", 2));
        assertThat(warnings).isEmpty();
    }

    @Test
    void eachFieldMustMatch() {
        Path file = pgpass(home.resolve("pass"), "db1:5432:orders:app:pw");

        assertThat(lookup(file, "db2", 5432, "orders", "app")).isEmpty();
        assertThat(lookup(file, "db1", 5433, "orders", "app")).isEmpty();
        assertThat(lookup(file, "db1", 5432, "other", "app")).isEmpty();
        assertThat(lookup(file, "db1", 5432, "orders", "root")).isEmpty();
    }

    @Test
    void starMatchesAnythingInTheFirstFourFields() {
        Path file = pgpass(home.resolve("pass"), "*:*:*:*:any");

        assertThat(lookup(file, "db9", 6000, "x", "y")).map(PgPass.Match::password).contains("any");
    }

    @Test
    void firstMatchingLineWins() {
        Path file = pgpass(home.resolve("pass"), "db1:*:*:app:specific", "*:*:*:*:general", "db1:5432:orders:app:later");

        assertThat(lookup(file, "db1", 5432, "orders", "app")).contains(new PgPass.Match("specific", 1));
        assertThat(lookup(file, "db2", 5432, "orders", "app")).contains(new PgPass.Match("general", 2));
    }

    @Test
    void backslashEscapesColonAndBackslash() {
        Path file = pgpass(home.resolve("pass"), "db\\:1:5432:my\\\\db:app:pa\\:ss\\\\word:tail");

        assertThat(lookup(file, "db:1", 5432, "my\\db", "app")).map(PgPass.Match::password)
                .as("the fifth field is the rest of the line, colons included").contains("pa:ss\\word:tail");
    }

    @Test
    void commentsBlankAndShortLinesAreSkippedButCounted() {
        Path file = pgpass(home.resolve("pass"), "# db1:5432:orders:app:commented", "", "db1:5432:orders",
                "  db1:5432:orders:app:real");

        assertThat(lookup(file, "db1", 5432, "orders", "app")).contains(new PgPass.Match("real", 4));
    }

    @Test
    void splitKeepsFieldsAndPassword() {
        assertThat(PgPass.split("h:1:d:u:p:q")).containsExactly("h", "1", "d", "u", "p:q");
        assertThat(PgPass.split("h\\:x:1:d")).containsExactly("h:x", "1", "d");
    }

    @Test
    void missingFileIsSilentlyNothing() {
        assertThat(lookup(home.resolve("nope"), "h", 5432, "d", "u")).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void fileReadableByOthersIsIgnoredWithAChmodHint() {
        Path file = pgpassWithMode(home.resolve("pass"), "rw-r--r--", "*:*:*:*:pw");

        assertThat(lookup(file, "h", 5432, "d", "u")).isEmpty();
        assertThat(warnings).singleElement().asString().contains(file.toString(), "rw-r--r--", "chmod 0600 " + file);
    }

    @Test
    void fileReadableByGroupOnlyIsIgnoredToo() {
        Path file = pgpassWithMode(home.resolve("pass"), "rw-r-----", "*:*:*:*:pw");

        assertThat(lookup(file, "h", 5432, "d", "u")).isEmpty();
        assertThat(warnings).hasSize(1);
    }

    @Test
    void matchNeverPrintsThePassword() {
        assertThat(new PgPass.Match("s3cr3t-pw", 3).toString()).doesNotContain("s3cr3t-pw").contains("line=3");
    }

    @Test
    void loaderUsesPgpassInHomeAndNamesFileAndLine() throws Exception {
        Path file = pgpass(home.resolve(".pgpass"), "# mine", "db1:5432:orders:app:from-pgpass");

        var config = load(home, Map.of("PGHOST", "db1", "PGUSER", "app", "PGDATABASE", "orders"));

        assertThat(config.primary().orElseThrow().password()).isEqualTo("from-pgpass");
        assertThat(origin(config, "primary.password")).isEqualTo(".pgpass " + file + " line 2");
        assertThat(setting(config, "primary.password").source().kind()).isEqualTo(ConfigSource.Kind.PGPASS);
        assertThat(setting(config, "primary.password").displayValue()).isEqualTo(Setting.MASK);
    }

    @Test
    void pgpassfileReplacesTheHomeFile() throws Exception {
        pgpass(home.resolve(".pgpass"), "*:*:*:*:home-file");
        Path other = pgpass(home.resolve("elsewhere/pass"), "*:*:*:*:pgpassfile");

        var config = load(home, Map.of("PGHOST", "db1", "PGPASSFILE", other.toString()));

        assertThat(config.primary().orElseThrow().password()).isEqualTo("pgpassfile");
        assertThat(origin(config, "primary.password")).isEqualTo(".pgpass " + other + " line 1");
    }

    @Test
    void lookupUsesTheResolvedDefaultsForDatabaseUserAndPort() throws Exception {
        // With no PGUSER/PGDATABASE libpq looks the file up with the OS user as both; so must we.
        pgpass(home.resolve(".pgpass"), "db1:5432:orders:osuser:wrong", "db1:5432:osuser:osuser:right");

        var config = load(home, Map.of("PGHOST", "db1"));

        assertThat(config.primary().orElseThrow().password()).isEqualTo("right");
    }

    @Test
    void explicitPasswordsWinOverPgpass() throws Exception {
        pgpass(home.resolve(".pgpass"), "*:*:*:*:from-pgpass");

        var byUrl = load(home, Map.of("DATABASE_URL", "postgresql://app:from-url@db1/orders"));
        var byEnv = load(home, Map.of("PGHOST", "db1", "PGPASSWORD", "from-env"));

        assertThat(byUrl.primary().orElseThrow().password()).isEqualTo("from-url");
        assertThat(origin(byUrl, "primary.password")).isEqualTo("env DATABASE_URL");
        assertThat(byEnv.primary().orElseThrow().password()).isEqualTo("from-env");
        assertThat(origin(byEnv, "primary.password")).isEqualTo("env PGPASSWORD");
    }

    @Test
    void eachReplicaLooksUpItsOwnLine() throws Exception {
        Path file = pgpass(home.resolve(".pgpass"), "db1:*:*:*:primary-pw", "db2:*:*:*:replica-pw");

        var config = load(home, Map.of("PGHOST", "db1", "DATABASE_READ_URLS", "postgresql://db2,postgresql://db3"));

        assertThat(config.primary().orElseThrow().password()).isEqualTo("primary-pw");
        assertThat(config.replicas().get(0).password()).isEqualTo("replica-pw");
        assertThat(origin(config, "replica-1.password")).isEqualTo(".pgpass " + file + " line 2");
        assertThat(config.replicas().get(1).password()).isNull();
        assertThat(config.replicas().get(1).hasPassword()).isFalse();
    }

    @Test
    void noMatchingLineLeavesNoPasswordAndSaysWhere() throws Exception {
        Path file = pgpass(home.resolve(".pgpass"), "elsewhere:*:*:*:pw");

        var config = load(home, Map.of(), flags().url("postgresql://db1/app").build());

        assertThat(config.primary().orElseThrow().password()).isNull();
        assertThat(setting(config, "primary.password").displayValue()).isEqualTo("(none)");
        assertThat(origin(config, "primary.password")).contains(file.toString());
    }

    @Test
    void worldReadableFileIsIgnoredByTheLoaderWithAWarning() throws Exception {
        Path file = pgpassWithMode(home.resolve(".pgpass"), "rw-r--r--", "*:*:*:*:pw");

        var config = load(home, Map.of("PGHOST", "db1"));

        assertThat(config.primary().orElseThrow().password()).isNull();
        assertThat(config.warnings()).singleElement().asString().contains(file.toString(), "chmod 0600");
    }

    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    @Test
    void aFifoOrDeviceAsThePasswordFileIsIgnoredWithAWarning() {
        Path fifo = dev.pgpulse.testing.OddFiles.fifo(home.resolve("pgpass-fifo"));

        assertThat(lookup(fifo, "db1", 5432, "orders", "app")).isEmpty();
        assertThat(lookup(dev.pgpulse.testing.OddFiles.DEV_ZERO, "db1", 5432, "orders", "app")).isEmpty();

        assertThat(warnings).containsExactly(
                "password file " + fifo + " is not a plain file and was ignored, as libpq does",
                "password file /dev/zero is not a plain file and was ignored, as libpq does");
    }
}
