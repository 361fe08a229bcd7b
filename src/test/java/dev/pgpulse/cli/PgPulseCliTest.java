package dev.pgpulse.cli;

import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The commands run in-process with their own environment and streams, against a real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
class PgPulseCliTest {
    @TempDir
    Path home;

    private CliRun run(Map<String, String> env, String... args) {
        return CliRun.of(env, home, args);
    }

    @Test
    void helpListsTheCommands() {
        CliRun r = run(Map.of(), "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: pgpulse").contains("console").contains("config").contains("status");
    }

    @Test
    void noCommandOpensTheConsoleAndSaysWhyNotWithoutADisplay() {
        CliRun r = run(Map.of());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("no display").contains("DISPLAY").contains("pgpulse status");
    }

    @Test
    void theConsoleReportsBadConfigurationBeforeAnyWindow() {
        CliRun r = run(Map.of("DISPLAY", ":0", "DATABASE_URL", "nonsense"), "console");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("DATABASE_URL").contains("nonsense");
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun r = run(Map.of(), "config", "--no-such-flag");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--no-such-flag");
    }

    @Test
    void configPrintsValuesWithSourcesAndMasksThePassword() {
        CliRun r = run(Map.of("DATABASE_URL", "postgresql://app:s3cr3t-pw@db1.example:6432/sales",
                "PGPULSE_ENV", "prod"), "config", "--set", "pool.max_size=7");
        assertThat(r.code()).isZero();
        assertThat(r.out() + r.err()).doesNotContain("s3cr3t-pw");
        assertThat(r.out())
                .contains("environment: production")
                .contains("target: primary app@db1.example:6432/sales")
                .containsPattern("primary\\.host\\s+db1\\.example\\s+env DATABASE_URL")
                .containsPattern("primary\\.password\\s+\\*{8}\\s+env DATABASE_URL")
                .containsPattern("primary\\.pool\\.max_size\\s+7\\s+flag --set pool\\.max_size")
                .containsPattern("primary\\.pool\\.min_idle\\s+7\\s+default \\(production preset\\)");
    }

    @Test
    void configShowsThatTheEmbeddedDefaultWouldStart() {
        CliRun r = run(Map.of(), "config");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("embedded PostgreSQL 15")
                .contains(home.resolve(".local/share/pgpulse/embedded").toString());
    }

    @Test
    void nonsenseDatabaseUrlIsOneLineAndExitCodeTwo() {
        CliRun r = run(Map.of("DATABASE_URL", "nonsense"), "config");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("DATABASE_URL").contains("'nonsense'").contains("expected postgresql://")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void everyProblemIsReportedOnItsOwnLine() {
        CliRun r = run(Map.of("PGPORT", "99999", "PGHOST", "h", "PGPULSE_ENV", "qa"), "status");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(2);
        assertThat(r.err()).contains("primary.port = '99999' (from env PGPORT)")
                .contains("environment = 'qa' (from env PGPULSE_ENV)");
    }

    @Test
    void statusQueriesEveryPoolOfAConfiguredTarget(TestDatabase db) {
        Map<String, String> env = new HashMap<>(db.env());
        CliRun r = run(env, "status");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("configured target").contains("health: UP").doesNotContain("embedded server:")
                .containsPattern("primary\\s+primary\\s+\\S+@\\S+:" + db.port() + "/" + db.database()
                        + "\\s+\\d+\\.\\d+\\s+no\\s+\\d+\\.\\d+ ms\\s+ok")
                .containsPattern("(?m)^POOL\\s+ACTIVE")
                .containsPattern("(?m)^primary\\s+0\\s+\\d+\\s+\\d+\\s+5\\s+");
    }

    @Test
    void statusOfAProfileWithClustersIsOneLinePerCluster(TestDatabase db) throws Exception {
        TestDatabase west = db.freshDatabase("status_west");
        try {
            java.nio.file.Path file = home.resolve("profiles.json");
            java.nio.file.Files.writeString(file, """
                    { "version": 1, "default": "fleet", "profiles": { "fleet": { "clusters": {
                        "east": { "primary": { "url": "%s" } },
                        "west": { "primary": { "url": "%s" } } } } } }
                    """.formatted(db.url(), west.url()));
            CliRun r = run(Map.of(), "status", "--config", file.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("PgPulse status - 2 clusters")
                    .containsPattern("(?m)^CLUSTER\\s+HEALTH\\s+POOLS IN USE\\s+BREAKERS\\s+WORST LAG\\s+ALERTS\\s+TARGET")
                    .containsPattern("(?m)^east\\s+UP\\s+\\d+ of \\d+\\s+all closed\\s+-\\s+none\\s+\\S+/" + db.database())
                    .containsPattern("(?m)^west\\s+UP\\s+\\d+ of \\d+\\s+all closed\\s+-\\s+none\\s+\\S+/status_west");
        } finally {
            db.dropDatabase("status_west");
        }
    }

    @Test
    void statusNamesWhichOfThePrimarysHostsTakesTheWrites(TestDatabase db) {
        // a host that refuses first (an old primary down after a failover), then the server
        String hosts = "127.0.0.1:1," + db.host() + ":" + db.port();
        Map<String, String> env = new HashMap<>(Map.of("DATABASE_URL", "postgresql://" + db.user() + "@" + hosts + "/"
                + db.database()));
        if (db.password() != null && !db.password().isEmpty()) {
            env.put("PGPASSWORD", db.password());
        }
        CliRun r = run(env, "status");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(db.user() + "@" + hosts + "/" + db.database())
                .contains("primary (writes) on " + db.host() + ":" + db.port() + ", of 127.0.0.1:1, " + db.host() + ":"
                        + db.port());
    }

    @Test
    void statusStartsTheEmbeddedDefaultWhenNothingIsConfigured() throws Exception {
        Path data = home.resolve("embedded-data");
        CliRun r = run(Map.of("PGPULSE_EMBEDDED_DATA_DIR", data.toString()), "status");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("embedded PostgreSQL at postgresql://postgres@localhost:")
                .containsPattern("(?m)^embedded server: running \\(pid \\d+\\)$")
                .containsPattern("primary\\s+primary\\s+postgres@localhost:\\d+/postgres\\s+15\\.\\d+\\s+no");
        assertThat(Files.exists(data.resolve("PG_VERSION"))).as("data kept after shutdown").isTrue();
        assertThat(Files.exists(data.resolve("postmaster.pid"))).as("server stopped on exit").isFalse();
    }

    @Test
    void statusOnAnUnreachableServerFailsWithOneClearLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun r = run(Map.of("DATABASE_URL", "postgresql://app@127.0.0.1:" + port + "/app",
                "PGPULSE_STARTUP_WAIT", "1s"), "status");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip().lines().filter(l -> l.startsWith("pgpulse:"))).hasSize(1);
        assertThat(r.err()).contains("primary (app@127.0.0.1:" + port + "/app): no connection within 1s")
                .contains("startup.wait");
    }
}
