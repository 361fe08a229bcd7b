package dev.pgpulse.pool;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Environment;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.config.ProfileSpec;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.SilentListener;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The profiles dialog's "Test connection": the server's version, or the exact reason, always within its bounds. */
@ExtendWith(PostgresExtension.class)
class ConnectionTestTest {

    @TempDir
    Path home;

    @Test
    void aReachableServerReportsItsVersionOnEveryEndpoint(TestDatabase db) throws Exception {
        PgPulseConfig config = PoolTesting.config(db.url(), home, List.of(db.url()), Map.of());
        String version;
        try (Connection c = db.connect()) {
            version = PoolTesting.queryString(c, "show server_version");
        }

        var result = ConnectionTest.test(config);

        assertThat(result.ok()).isTrue();
        assertThat(result.embedded()).isFalse();
        assertThat(result.needsPassword()).isFalse();
        assertThat(result.endpoints()).extracting(ConnectionTest.EndpointResult::name).containsExactly("primary", "replica-1");
        assertThat(result.endpoints()).allSatisfy(e -> {
            assertThat(e.ok()).isTrue();
            assertThat(e.serverVersion()).isEqualTo(version);
            assertThat(e.inRecovery()).isFalse();
            assertThat(e.reason()).isNull();
            assertThat(e.displayTarget()).isEqualTo(db.user() + "@" + db.host() + ":" + db.port() + "/" + db.database());
        });
        assertThat(result.summary()).isEqualTo("PostgreSQL " + version + " on primary, replica-1");
    }

    @Test
    void aPrimaryListingSeveralHostsIsTestedOnTheOneThatAnswers(TestDatabase db) throws Exception {
        int closed = PoolTesting.freePort();
        String auth = db.password() == null || db.password().isEmpty() ? db.user() : db.user() + ":" + db.password();
        String hosts = "127.0.0.1:" + closed + "," + db.host() + ":" + db.port();
        PgPulseConfig config = PoolTesting.config("postgresql://" + auth + "@" + hosts + "/" + db.database(), home,
                List.of(), Map.of());

        var result = ConnectionTest.test(config);

        assertThat(result.ok()).as(result.summary()).isTrue();
        assertThat(result.endpoints()).singleElement().satisfies(e -> {
            assertThat(e.inRecovery()).isFalse();
            assertThat(e.displayTarget()).isEqualTo(db.user() + "@" + hosts + "/" + db.database());
        });

        // no host answering is one failure, naming them all
        int other = PoolTesting.freePort();
        var none = ConnectionTest.test(PoolTesting.config("postgresql://" + auth + "@127.0.0.1:" + closed
                + ",127.0.0.1:" + other + "/" + db.database(), home, List.of(), Map.of()));
        assertThat(none.ok()).isFalse();
        assertThat(none.endpoints()).singleElement().satisfies(e -> {
            assertThat(e.ok()).isFalse();
            assertThat(e.displayTarget()).contains("127.0.0.1:" + closed + ",127.0.0.1:" + other);
            assertThat(e.reason()).isNotBlank().doesNotContain("\n");
        });
    }

    @Test
    void aClosedPortIsRefusedAtOnce() throws Exception {
        int port = PoolTesting.freePort();
        PgPulseConfig config = PoolTesting.config("postgresql://postgres:s3cr3t-pw@localhost:" + port + "/postgres",
                home, List.of(), Map.of());
        long t0 = System.nanoTime();

        var result = ConnectionTest.test(config);

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        var e = result.endpoints().getFirst();
        assertThat(e.ok()).isFalse();
        assertThat(e.sqlState()).isEqualTo("08001");
        assertThat(e.reason()).contains("refused").endsWith("[08001]").doesNotContain("s3cr3t-pw").doesNotContain("\n");
        assertThat(e.needsPassword()).isFalse();
        assertThat(result.summary()).startsWith("primary (postgres@localhost:" + port + "/postgres): ");
    }

    @Test
    void aHungEndpointCostsItsConnectTimeoutAndTheOthersAreTestedMeanwhile(TestDatabase db) throws Exception {
        try (SilentListener silent = SilentListener.start()) {
            // primary fine, replica hung: the two run together, so the whole test is the hung one's bound
            PgPulseConfig config = PoolTesting.config(db.url(), home,
                    List.of("postgresql://postgres@127.0.0.1:" + silent.port() + "/postgres?connect_timeout=2"), Map.of());
            long t0 = System.nanoTime();

            var result = ConnectionTest.test(config);

            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took).as("connect_timeout 2s + the 1s login slack, and a margin for a loaded machine")
                    .isBetween(Duration.ofMillis(1_900), Duration.ofSeconds(7));
            assertThat(result.endpoints().get(0).ok()).isTrue();
            var hung = result.endpoints().get(1);
            assertThat(hung.ok()).isFalse();
            assertThat(hung.reason()).contains("login/startup timed out").contains("within connect_timeout (2s)");
            assertThat(hung.needsPassword()).isFalse();
            assertThat(result.ok()).isFalse();
            assertThat(result.summary()).startsWith("replica-1 (postgres@127.0.0.1:" + silent.port() + "/postgres): "
                    + "login/startup timed out");
            assertThat(silent.acceptedConnections()).isEqualTo(1);
        }
    }

    @Test
    void aMissingDatabaseIsNamedWithItsSqlState(TestDatabase db) throws Exception {
        TestDatabase missing = new TestDatabase(db.host(), db.port(), db.user(), db.password(), "no_such_db");
        var e = ConnectionTest.test(PoolTesting.config(missing.url(), home, List.of(), Map.of())).endpoints().getFirst();
        assertThat(e.ok()).isFalse();
        assertThat(e.sqlState()).isEqualTo("3D000");
        assertThat(e.reason()).contains("\"no_such_db\" does not exist").endsWith("[3D000]");
        assertThat(e.needsPassword()).isFalse();
    }

    @Test
    void theEmbeddedDefaultHasNothingToConnectToYet() throws Exception {
        PgPulseConfig config = new ConfigLoader(Map.of(), home, "tester", 2).load(Overrides.none());
        var result = ConnectionTest.test(config);
        assertThat(result.ok()).isTrue();
        assertThat(result.embedded()).isTrue();
        assertThat(result.endpoints()).isEmpty();
        assertThat(result.summary()).contains("embedded PostgreSQL starts when you switch");
    }

    /**
     * A server of its own that asks one role for a SCRAM password (the shared test server trusts local connections):
     * none given, a wrong one, then the one asked at connect, through the dialog's path (an unsaved profile).
     */
    @Test
    void aServerAskingForAPasswordSaysSoAndTheAskedOneIsUsed() throws Exception {
        Path dir = Files.createTempDirectory("pgpulse-test-pw");
        try (EmbeddedServer server = EmbeddedServer.startScratch(dir.resolve("data"), 0)) {
            Path hba = server.dataDir().resolve("pg_hba.conf");
            Files.writeString(hba, "host all pulse_pw 127.0.0.1/32 scram-sha-256\nhost all pulse_pw ::1/128 scram-sha-256\n"
                    + Files.readString(hba));
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), EmbeddedServer.SUPERUSER, "");
                 Statement st = c.createStatement()) {
                st.execute("create role pulse_pw login password 'r1ght-pw'");
                st.execute("select pg_reload_conf()");
            }
            var spec = new ProfileSpec("pw", "postgresql://pulse_pw@localhost:" + server.port() + "/postgres",
                    List.of(), Environment.DEVELOPMENT, Map.of(), null);
            ConfigLoader loader = new ConfigLoader(Map.of(), home, "tester", 2);

            var none = ConnectionTest.test(loader.load(spec, null)).endpoints().getFirst();
            assertThat(none.ok()).isFalse();
            assertThat(none.needsPassword()).isTrue();
            assertThat(none.sqlState()).isEqualTo("08004");
            assertThat(none.reason()).contains("SCRAM").contains("no password was provided");

            var wrong = ConnectionTest.test(loader.load(spec, "wr0ng-pw"));
            assertThat(wrong.needsPassword()).isTrue();
            assertThat(wrong.endpoints().getFirst().sqlState()).isEqualTo("28P01");
            assertThat(wrong.summary()).contains("password authentication failed").doesNotContain("wr0ng-pw");

            var right = ConnectionTest.test(loader.load(spec, "r1ght-pw"));
            assertThat(right.ok()).isTrue();
            assertThat(right.needsPassword()).isFalse();
            assertThat(right.summary()).startsWith("PostgreSQL 15.").doesNotContain("r1ght-pw");
        } finally {
            PostgresExtension.deleteTree(dir);
        }
    }
}
