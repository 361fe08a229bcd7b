package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pgpulse profiles list|test} in process, over the same store and connection test as the console's dialog. */
@Timeout(60)
@ExtendWith(PostgresExtension.class)
class ProfilesCommandTest {
    @TempDir
    Path home;

    private CliRun run(String... args) {
        return CliRun.of(Map.of("DATABASE_URL", "postgresql://ignored-db/x"), home, args);
    }

    private void file(String json) throws Exception {
        Path f = home.resolve(ConfigLoader.DEFAULT_PROFILE_FILE);
        Files.createDirectories(f.getParent());
        Files.writeString(f, json);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private String profiles(TestDatabase db, int closed) {
        return """
                { "version": 1, "default": "good",
                  "profiles": {
                    "good": { "environment": "staging",
                              "primary": { "url": "postgresql://%s@%s:%d/%s" },
                              "replicas": [ "postgresql://%s@%s:%d/%s" ],
                              "alerts": { "webhook_url": "https://hooks.example.com/T0K3N" } },
                    "down": { "primary": { "url": "postgresql://u@127.0.0.1:%d/x?connect_timeout=2" } },
                    "local": { } } }
                """.formatted(db.user(), db.host(), db.port(), db.database(), db.user(), db.host(), db.port(),
                db.database(), closed);
    }

    @Test
    void listShowsEveryProfileWithoutSecrets(TestDatabase db) throws Exception {
        file(profiles(db, closedPort()));
        CliRun r = run("profiles", "list");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("good ", "down ", "local ", "staging", "(embedded PostgreSQL)", "yes")
                .doesNotContain("T0K3N");
        assertThat(r.out().lines().filter(l -> l.startsWith("good")).findFirst().orElseThrow()).contains("yes");
    }

    @Test
    void testReportsTheVersionOrTheReasonAndExitsOneWhenAServerDidNotAnswer(TestDatabase db) throws Exception {
        // a profile holds no password: this needs a server that trusts the test's connections (the embedded one does)
        org.junit.jupiter.api.Assumptions.assumeTrue(db.password() == null || db.password().isEmpty());
        int closed = closedPort();
        file(profiles(db, closed));
        String version;
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("show server_version")) {
            rs.next();
            version = rs.getString(1);
        }

        CliRun good = run("profiles", "test", "good");
        assertThat(good.code()).as(good.err()).isZero();
        assertThat(good.out()).startsWith("good: PostgreSQL " + version + " on primary, replica-1")
                .contains("PostgreSQL " + version + " (primary)").doesNotContain("ignored-db");

        CliRun all = run("profiles", "test");
        assertThat(all.code()).as(all.err()).isEqualTo(1);
        assertThat(all.out()).contains("good: PostgreSQL " + version)
                .contains("down: FAILED: primary (u@127.0.0.1:" + closed + "/x): ")
                .contains("[08001]")
                .contains("local: the embedded PostgreSQL starts when you switch");
    }

    @Test
    void aMissingProfileOrABrokenFileIsUsage() throws Exception {
        CliRun none = run("profiles", "test");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("no profiles in");
        assertThat(run("profiles", "list").out()).startsWith("No profiles in");

        file("{ \"version\": 1, \"profiles\": { \"a\": { } } }");
        CliRun missing = run("profiles", "test", "b");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("there is no profile 'b'").contains("profiles there: a");

        file("{ \"version\": 1, \"profiles\": { \"a\": { \"password\": hunter2 } } }");
        CliRun broken = run("profiles", "list");
        assertThat(broken.code()).isEqualTo(2);
        assertThat(broken.err()).contains("is not valid JSON").doesNotContain("hunter2");
        assertThat(run("profiles").code()).isEqualTo(2);

        Path other = Files.writeString(home.resolve("other.json"), "{ \"version\": 1, \"profiles\": { \"elsewhere\": { } } }");
        CliRun given = run("profiles", "list", "--config", other.toString());
        assertThat(given.code()).as(given.err()).isZero();
        assertThat(given.out()).contains("elsewhere");
    }
}
