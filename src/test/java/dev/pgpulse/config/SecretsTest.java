package dev.pgpulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.pgpulse.config.ConfigFixture.failure;
import static dev.pgpulse.config.ConfigFixture.flags;
import static dev.pgpulse.config.ConfigFixture.load;
import static dev.pgpulse.config.ConfigFixture.pgpass;
import static dev.pgpulse.config.ConfigFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** A password reaches the endpoint and nothing else: no toString, setting, warning or problem shows it. */
class SecretsTest {
    private static final String PW = "s3cr3t-pw";

    @TempDir
    Path home;

    /** Everything a person or a log could see of a loaded configuration. */
    private static void assertNothingShows(PgPulseConfig config) {
        assertThat(config.toString()).doesNotContain(PW);
        assertThat(config.endpoints()).allSatisfy(e -> assertThat(e.toString()).doesNotContain(PW));
        assertThat(config.settings()).allSatisfy(s -> {
            assertThat(s.displayValue()).doesNotContain(PW);
            assertThat(s.toString()).doesNotContain(PW);
        });
        assertThat(config.warnings()).allSatisfy(w -> assertThat(w).doesNotContain(PW));
    }

    @Test
    void passwordFromDatabaseUrlIsUsedButNeverShown() throws Exception {
        // The JDBC property and the short idle timeout make sure there are warnings to inspect.
        var config = load(home, Map.of("DATABASE_URL", "postgresql://app:" + PW + "@db1:5432/orders?sslmode=require",
                "DATABASE_READ_URLS", "jdbc:postgresql://db2/orders?user=app&password=" + PW + "&tcpKeepAlive=true",
                "PGPULSE_POOL_IDLE_TIMEOUT", "5s"));

        assertThat(config.primary().orElseThrow().password()).isEqualTo(PW);
        assertThat(config.replicas().getFirst().password()).isEqualTo(PW);
        assertThat(config.warnings()).hasSizeGreaterThanOrEqualTo(3);
        assertNothingShows(config);
        assertThat(config.primary().orElseThrow().toString()).contains("password=" + Setting.MASK);
        assertThat(ConfigFixture.setting(config, "primary.password").displayValue()).isEqualTo(Setting.MASK);
        assertThat(ConfigFixture.setting(config, "replica-1.password").displayValue()).isEqualTo(Setting.MASK);
    }

    @Test
    void passwordFromEnvironmentProfileAndPgpassIsNeverShown() throws Exception {
        Path file = write(home.resolve("p.json"), "{\"version\": 1, \"profiles\": {\"a\": {\"primary\": "
                + "{\"host\": \"db1\", \"password\": \"" + PW + "\"}}}}");
        pgpass(home.resolve(".pgpass"), "*:*:*:*:" + PW);

        var fromProfile = load(home, Map.of(), flags().config(file).build());
        var fromEnv = load(home, Map.of("PGHOST", "db1", "PGPASSWORD", PW));
        var fromPgpass = load(home, Map.of("PGHOST", "db1", "DATABASE_READ_URLS", "postgresql://db2"));

        for (var config : List.of(fromProfile, fromEnv, fromPgpass)) {
            assertThat(config.primary().orElseThrow().password()).isEqualTo(PW);
            assertNothingShows(config);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "postgresql://u:" + PW,
            "postgresql://u:" + PW + "/db",
            "postgresql://[u:" + PW,
            "postgresql://u:" + PW + "]x@[h/db",
            "postgresql://u:" + PW + "@h:notaport/db",
            "postgresql://u:" + PW + "@h:99999/db",
            "postgresql://u:" + PW + "@h1,h2:x/db",
            "postgresql://u:" + PW + "@h1,,h2/db",
            "postgresql://u:" + PW + "@h/db?target_session_attrs=any",
            "postgresql://u:" + PW + "@h/db?keepalives=1",
            "postgresql://u:" + PW + "@h/db?sslmode=always",
            "postgresql://u:" + PW + "@h/db?connect_timeout=forever",
            "postgresql://u:" + PW + "%zz@h/db",
            "postgres://u:" + PW + "@h/db#fragment",
            "postgresql://h/db?password=" + PW + "&options=-c",
            "jdbc:postgresql://h1,,h2/db?password=" + PW,
            "jdbc:postgresql://h1,h2/db?password=" + PW + "&targetServerType=secondary",
            "jdbc:postgresql://h/db?password=" + PW + "&sslmode=always",
            "mysql://u:" + PW + "@h/db",
            // An '@' inside a query value: what follows the last '@' is not a host.
            "postgresql://h/db?password=x@" + PW,
            "postgresql://u@h:x/db?password=p@" + PW,
            "jdbc:postgresql://h:x/db?user=u&password=pp@" + PW,
            // A ':' typed for '=': the parameter's "name" is the password.
            "postgresql://u@h/db?password:" + PW,
            "jdbc:postgresql://h/db?password:" + PW + "&sslmode=always"})
    void noProblemAboutABadUrlShowsItsPassword(String url) {
        var fromEnv = failure(home, Map.of("DATABASE_URL", url));
        var fromFlag = failure(home, Map.of(), flags().url(url).build());
        var asReplica = failure(home, Map.of("PGHOST", "h", "DATABASE_READ_URLS", url));

        for (var e : List.of(fromEnv, fromFlag, asReplica)) {
            assertThat(e.getMessage()).doesNotContain(PW);
            assertThat(e.problems()).allSatisfy(p -> assertThat(p).doesNotContain(PW));
        }
    }

    /**
     * libpq reads a URL or "key=value ..." given as the database name; PgPulse does not, and would have shown it in
     * {@code pgpulse config}, its target line and the server's "database ... does not exist".
     */
    @ParameterizedTest
    @ValueSource(strings = {"PGDATABASE=postgresql://u:" + PW + "@h/db", "PGDATABASE=host=h password=" + PW,
            "PGHOST=postgresql://u:" + PW + "@h/db", "PGHOST=jdbc:postgresql://h/db?password=" + PW,
            "PGUSER=postgres://u:" + PW + "@h/db", "PGPULSE_PRIMARY_DATABASE=dbname=x password=" + PW})
    void aConnectionStringInAVariableForANameIsRefusedUnshown(String assignment) {
        String var = assignment.substring(0, assignment.indexOf('='));
        Map<String, String> env = new java.util.HashMap<>(Map.of(var, assignment.substring(var.length() + 1)));
        env.putIfAbsent("PGHOST", "db1");

        var e = failure(home, env);

        assertThat(e.problems()).singleElement().asString().doesNotContain(PW).contains("(from env " + var + ")")
                .contains("connection URL or string").contains("DATABASE_URL");
    }

    @Test
    void aConnectionStringInSetPrimaryHostIsRefusedUnshown() {
        var e = failure(home, Map.of(), flags().set("primary.host", "postgresql://u:" + PW + "@h/db").build());

        assertThat(e.getMessage()).doesNotContain(PW).contains("primary.host (from flag --set primary.host)");
    }

    @Test
    void anUnquotedPasswordInAProfileIsNotQuotedInTheJsonError() {
        Path file = write(home.resolve("p.json"), "{\"version\": 1, \"profiles\": {\"a\": {\"primary\": "
                + "{\"host\": \"db1\", \"password\": " + PW + "}}}}");

        var e = failure(home, Map.of(), flags().config(file).build());

        assertThat(e.problems()).singleElement().asString().doesNotContain(PW).contains("not valid JSON at line 1")
                .contains("not in double quotes");
    }

    @Test
    void aCommaInAReplicaPasswordDoesNotSplitTheList() throws Exception {
        var config = load(home, Map.of("PGHOST", "h", "DATABASE_READ_URLS",
                "postgresql://app:a," + PW + "@db2/app , jdbc:postgresql://db3/app?user=app&password=b," + PW));

        assertThat(config.replicas()).extracting(EndpointConfig::host).containsExactly("db2", "db3");
        assertThat(config.replicas()).extracting(EndpointConfig::password).containsExactly("a," + PW, "b," + PW);
        assertNothingShows(config);
    }

    @Test
    void aCommaThatCannotBeAPasswordsIsRejectedClearly() {
        var e = failure(home, Map.of("PGHOST", "h", "DATABASE_READ_URLS", "postgresql://db2/app,db3/app"));

        assertThat(e.problems()).singleElement().asString().startsWith("replica-1.url = 'postgresql://db2/app,db3/app'")
                .contains("does not start a new URL").contains("%2C");
    }

    @Test
    void aPasswordInUrlFlagsWorksButWarnsOnce() throws Exception {
        var config = load(home, Map.of(), flags().url("postgresql://app:" + PW + "@db1/app")
                .replica("postgresql://app:" + PW + "@db2/app").build());
        var without = load(home, Map.of(), flags().url("postgresql://app@db1/app").build());

        assertThat(config.primary().orElseThrow().password()).isEqualTo(PW);
        assertThat(config.warnings()).filteredOn(w -> w.contains("other users of this machine"))
                .extracting(w -> w.substring(0, w.indexOf(' '))).containsExactly("--url", "--replica");
        assertNothingShows(config);
        assertThat(without.warnings()).noneMatch(w -> w.contains("other users"));
    }

    @Test
    void theWebhookUrlsPathUserInfoAndQueryAreNeverShown() throws Exception {
        var config = load(home, Map.of("PGPULSE_ALERTS_WEBHOOK_URL",
                "https://hookuser:" + PW + "@hooks.slack.com/services/T000/B000/" + PW + "?token=" + PW));

        assertThat(ConfigFixture.setting(config, "alerts.webhook_url").displayValue())
                .isEqualTo("https://hooks.slack.com/\u2026");
        assertThat(config.monitoring().toString()).contains("webhook=https://hooks.slack.com/\u2026");
        assertThat(config.monitoring().webhook().orElseThrow().toString()).as("the notifier gets it whole").contains(PW);
        assertNothingShows(config);
        assertThat(config.toString()).doesNotContain("T000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://u:" + PW + "@h/x?token=" + PW, "ftp://hooks.example/api/webhooks/123/" + PW,
            "hooks.slack.com/services/T000/B000/" + PW, "https://discord.com/api/webhooks/123/" + PW + " x"})
    void aWrongWebhookUrlIsRefusedWithoutItsPath(String url) {
        var bad = failure(home, Map.of("PGPULSE_ALERTS_WEBHOOK_URL", url));

        assertThat(bad.problems()).singleElement().asString().startsWith("alerts.webhook_url = '")
                .contains("expected an http:// or https:// URL").doesNotContain(PW).doesNotContain("webhooks/123")
                .doesNotContain("T000");
    }

    @Test
    void passwordOnTheCommandLineIsRefusedWithoutRepeatingIt() {
        var e = failure(home, Map.of("PGHOST", "h"), flags().set("primary.password", PW).build());

        assertThat(e.getMessage()).doesNotContain(PW);
    }

    @Test
    void overridesToStringMasksUrlsAndOmitsSettingValues() {
        var o = flags().url("postgresql://u:" + PW + "@h/db").replica("jdbc:postgresql://r/db?password=" + PW)
                .set("primary.sslmode", PW).build();

        assertThat(o.toString()).doesNotContain(PW).contains("primary.sslmode");
    }

    @Test
    void rawValuesDoNotPrintThemselves() {
        assertThat(new ConfigValue(PW, ConfigSource.env("PGPASSWORD")).toString()).doesNotContain(PW);
    }

    @Test
    void everyKeyEndingInPasswordIsMasked() {
        assertThat(Setting.of("primary.password", PW, ConfigSource.env("PGPASSWORD")).displayValue()).isEqualTo(Setting.MASK);
        assertThat(Setting.of("replica-3.password", PW, ConfigSource.env("X")).displayValue()).isEqualTo(Setting.MASK);
        assertThat(Setting.of("primary.user", "app", ConfigSource.env("PGUSER")).displayValue()).isEqualTo("app");
    }

    @Test
    void jdbcUrlWithUserinfoDoesNotShowThePassword() {
        var e = failure(home, Map.of("DATABASE_URL", "jdbc:postgresql://u:" + PW + "@h/db"));

        assertThat(e.getMessage()).doesNotContain(PW);
    }

    @Test
    void passwordContainingAnAtSignIsMaskedWhole() {
        var e = failure(home, Map.of("DATABASE_URL", "postgresql://u:s3cr@3t-pw@h1,h2/db?sslmode=always"));

        assertThat(e.getMessage()).doesNotContain("3t-pw");
    }

    @Test
    void unencodedSlashOrQuestionMarkInAPasswordIsRejectedWithoutShowingIt() {
        var slash = failure(home, Map.of("DATABASE_URL", "postgresql://u:s3cr3t/pw@h/db"));
        var question = failure(home, Map.of("DATABASE_URL", "postgresql://u:s3cr?et-pw@h/db"));

        assertThat(slash.problems()).singleElement().asString().contains("percent-encode").doesNotContain("s3cr3t");
        assertThat(question.problems()).singleElement().asString().contains("percent-encode")
                .doesNotContain("s3cr").doesNotContain("et-pw");
    }
}
