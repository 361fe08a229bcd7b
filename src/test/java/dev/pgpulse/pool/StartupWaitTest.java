package dev.pgpulse.pool;

import dev.pgpulse.testing.LogCapture;
import ch.qos.logback.classic.Level;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.pgpulse.testing.SilentListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Endpoints.open waits for a server that is still coming up, and fails fast and clearly on everything else. */
@ExtendWith(PostgresExtension.class)
class StartupWaitTest {

    @TempDir
    Path home;

    @Test
    void nothingListeningFailsAfterTheBoundWithAdvice() throws Exception {
        int port = PoolTesting.freePort();
        PgPulseConfig config = PoolTesting.config("postgresql://postgres@localhost:" + port + "/postgres", home,
                List.of(), Map.of("startup.wait", "1s"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Endpoints.open(config, new SimpleMeterRegistry()))
                .isInstanceOfSatisfying(EndpointStartupException.class, e -> {
                    assertThat(e.getMessage())
                            .startsWith("primary (postgres@localhost:" + port + "/postgres)")
                            .contains("within 1s")
                            .contains("[08001]")
                            .contains("Check that PostgreSQL runs")
                            .contains("startup.wait (PGPULSE_STARTUP_WAIT)");
                    assertThat(e.getCause()).isInstanceOf(SQLException.class);
                });
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        // It retried for the whole bound rather than giving up on the first refusal, and did not overrun it much.
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }

    /**
     * A server that accepts the TCP connection and never answers (here a real socket that reads and never
     * writes) must not hang the start: each attempt is bounded by connect_timeout, retried until startup.wait,
     * with TLS negotiation (sslmode prefer, require) and without it (disable).
     */
    @ParameterizedTest
    @ValueSource(strings = {"prefer", "disable", "require"})
    void aServerThatAcceptsAndNeverAnswersFailsWithinTheBoundsNamingTheLogin(String sslmode) throws Exception {
        try (SilentListener silent = SilentListener.start()) {
            PgPulseConfig config = PoolTesting.config("postgresql://postgres:s3cr3t-pw@127.0.0.1:" + silent.port()
                    + "/postgres?sslmode=" + sslmode, home, List.of(), Map.of("startup.wait", "3s",
                    "primary.connect_timeout", "2"));
            long t0 = System.nanoTime();
            CompletableFuture<Endpoints> open = CompletableFuture.supplyAsync(() -> {
                try {
                    return Endpoints.open(config, new SimpleMeterRegistry());
                } catch (EndpointStartupException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            // connect_timeout + startup.wait, one login slack second and a margin for a loaded machine
            assertThatThrownBy(() -> open.get(12, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(EndpointStartupException.class)
                    .cause()
                    .hasMessageStartingWith("primary (postgres@127.0.0.1:" + silent.port() + "/postgres)")
                    .hasMessageContaining("within 3s")
                    .hasMessageContaining("login/startup timed out")
                    .hasMessageContaining("within connect_timeout (2s)")
                    .hasMessageNotContaining("s3cr3t-pw");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took).as("startup.wait is spent, connect_timeout + wait + slack is not overrun much")
                    .isBetween(Duration.ofMillis(2_900), Duration.ofSeconds(9));
            assertThat(silent.acceptedConnections()).as("it retried").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void missingDatabaseFailsAtOnceWithItsSqlState(TestDatabase db) throws Exception {
        TestDatabase missing = new TestDatabase(db.host(), db.port(), db.user(), db.password(), "no_such_db");
        PgPulseConfig config = PoolTesting.config(missing.url(), home, List.of(), Map.of("startup.wait", "20s"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Endpoints.open(config, new SimpleMeterRegistry()))
                .isInstanceOfSatisfying(EndpointStartupException.class, e -> {
                    assertThat(e.getMessage())
                            .startsWith("primary (")
                            .contains("/no_such_db")
                            .contains("[3D000]")
                            .contains("create the database");
                    assertThat(e.getCause()).isInstanceOfSatisfying(SQLException.class,
                            s -> assertThat(s.getSQLState()).isEqualTo("3D000"));
                });
        // Waiting cannot create a database, so the 20 s bound must not be spent.
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void passwordNeverAppearsInTheFailure() throws Exception {
        int port = PoolTesting.freePort();
        PgPulseConfig config = PoolTesting.config("postgresql://postgres:s3cr3t-pw@localhost:" + port + "/postgres",
                home, List.of(), Map.of("startup.wait", "0"));
        assertThatThrownBy(() -> Endpoints.open(config, new SimpleMeterRegistry()))
                .isInstanceOf(EndpointStartupException.class)
                .hasMessageNotContaining("s3cr3t-pw")
                .hasMessageContaining("postgres@localhost:" + port);
    }

    @Test
    void serverThatStartsLateIsWaitedFor() throws Exception {
        int port = PoolTesting.freePort();
        Path dataHome = Files.createTempDirectory("pgpulse-late-server");
        PgPulseConfig config = PoolTesting.config("postgresql://postgres@localhost:" + port + "/postgres", home,
                List.of(), Map.of("startup.wait", "30s"));
        EmbeddedServer late = null;
        try (LogCapture log = new LogCapture(StartupWait.class)) {
            // The server starts only once open() has been refused and is waiting, so the wait itself is exercised.
            CompletableFuture<EmbeddedServer> starting = CompletableFuture.supplyAsync(() -> {
                await().atMost(Duration.ofSeconds(10)).until(
                        () -> !log.events(Level.INFO, "primary - server not ready").isEmpty());
                try {
                    return EmbeddedServer.start(dataHome.resolve("data"), port);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Endpoints endpoints = Endpoints.open(config, new SimpleMeterRegistry())) {
                late = starting.get(60, TimeUnit.SECONDS);
                try (Connection c = endpoints.primary().connection()) {
                    assertThat(PoolTesting.queryString(c, "select current_setting('port')"))
                            .isEqualTo(Integer.toString(port));
                }
                assertThat(log.events(Level.INFO, "primary - server accepts connections after")).hasSize(1);
            } finally {
                if (late == null) {
                    late = starting.handle((s, e) -> s).get(60, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (late != null) {
                late.close();
            }
            PostgresExtension.deleteTree(dataHome);
        }
    }
}
