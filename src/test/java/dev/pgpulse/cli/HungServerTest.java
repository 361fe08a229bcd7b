package dev.pgpulse.cli;

import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.SilentListener;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `status` and `validate` against servers that accept TCP connections and never answer (a real socket that reads
 * and never writes): they exit 1 within connect_timeout + startup.wait and a margin, naming the endpoint and what
 * timed out, never the password.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(90)
class HungServerTest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(3);
    /** One login slack second, the backoff, and a loaded machine. */
    private static final Duration MARGIN = Duration.ofSeconds(5);
    @TempDir
    Path home;

    private record Timed(CliRun run, Duration took) {
    }

    private Timed run(Map<String, String> env, String... args) throws Exception {
        long t0 = System.nanoTime();
        // a hang fails the bound below instead of the whole class's timeout
        CliRun r = CompletableFuture.supplyAsync(() -> CliRun.of(env, home, args))
                .get(CONNECT_TIMEOUT.plus(STARTUP_WAIT).plus(MARGIN).toSeconds() + 20, TimeUnit.SECONDS);
        return new Timed(r, Duration.ofNanos(System.nanoTime() - t0));
    }

    private static String[] args(String command) {
        return new String[]{command, "--set", "startup.wait=" + STARTUP_WAIT.toSeconds() + "s",
                "--set", "primary.connect_timeout=" + CONNECT_TIMEOUT.toSeconds()};
    }

    @ParameterizedTest
    @ValueSource(strings = {"status", "validate"})
    void aHungPrimaryFailsWithinTheBoundsNamingTheEndpointAndTheLogin(String command) throws Exception {
        try (SilentListener silent = SilentListener.start()) {
            Timed t = run(Map.of("DATABASE_URL", "postgresql://app:s3cr3t-pw@127.0.0.1:" + silent.port() + "/app"),
                    args(command));
            assertThat(t.run().code()).as(t.run().err()).isEqualTo(1);
            assertThat(t.took()).isLessThan(CONNECT_TIMEOUT.plus(STARTUP_WAIT).plus(MARGIN));
            assertThat(t.run().err()).contains("primary (app@127.0.0.1:" + silent.port() + "/app)")
                    .contains("login/startup timed out").contains("within connect_timeout (2s)");
            assertThat(t.run().out() + t.run().err()).doesNotContain("s3cr3t-pw");
            if (command.equals("validate")) {
                assertThat(t.run().out()).containsPattern("endpoint primary\\s+FAIL").contains("checks failed");
            }
        }
    }

    /** The same through the fault proxy's black hole in front of a real PostgreSQL. */
    @Test
    void statusOnABlackHoledPrimaryFailsWithinTheBounds(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            proxy.blackhole(true);
            Timed t = run(Map.of("DATABASE_URL", proxy.through(db).url()), args("status"));
            assertThat(t.run().code()).as(t.run().err()).isEqualTo(1);
            assertThat(t.took()).isLessThan(CONNECT_TIMEOUT.plus(STARTUP_WAIT).plus(MARGIN));
            assertThat(t.run().err()).contains("primary (").contains("login/startup timed out");
            assertThat(proxy.acceptedConnections()).isPositive();
        }
    }

    /** A hung replica does not stop the start; its health probe is bounded and `status` reports it DOWN. */
    @Test
    void aHungReplicaIsReportedDownWithinTheBounds(TestDatabase db) throws Exception {
        try (SilentListener silent = SilentListener.start()) {
            Timed t = run(Map.of("DATABASE_URL", db.url(), "DATABASE_READ_URLS",
                            "postgresql://app:s3cr3t-pw@127.0.0.1:" + silent.port() + "/app?connect_timeout="
                                    + CONNECT_TIMEOUT.toSeconds()),
                    "status", "--set", "startup.wait=" + STARTUP_WAIT.toSeconds() + "s");
            assertThat(t.run().code()).as(t.run().err()).isEqualTo(1);
            // the replica's startup wait, then one health sample bounded by the health pool's 2 s
            assertThat(t.took()).isLessThan(CONNECT_TIMEOUT.plus(STARTUP_WAIT).plus(Duration.ofSeconds(3)).plus(MARGIN));
            assertThat(t.run().out()).containsPattern("replica-1\\s+replica\\s+app@127\\.0\\.0\\.1:" + silent.port()
                    + "/app.*DOWN: replica-1 unreachable: (connect/login|login/startup) timed out")
                    .containsPattern("primary\\s+primary.*ok");
            assertThat(t.run().out() + t.run().err()).doesNotContain("s3cr3t-pw");
        }
    }
}
