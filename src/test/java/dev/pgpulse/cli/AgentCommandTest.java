package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.SilentListener;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * `pgpulse agent` checks where it will listen before it connects to any database: the database here is a hung
 * server (a socket that accepts and never answers), so reaching it would cost the whole startup wait, and the
 * test sees whether it was reached at all.
 */
@Timeout(60)
class AgentCommandTest {
    @TempDir
    Path home;

    @ParameterizedTest
    @ValueSource(strings = {"not an address!", "no-such-host.invalid", "192.0.2.1", "999.1.1.1", ""})
    void aBadBindIsAUsageErrorFoundBeforeConnecting(String bind) throws Exception {
        try (SilentListener db = SilentListener.start()) {
            long t0 = System.nanoTime();
            CliRun r = CliRun.of(Map.of("DATABASE_URL", "postgresql://app:s3cr3t-pw@127.0.0.1:" + db.port() + "/app"),
                    home, "agent", "--port", "0", "--bind", bind, "--set", "startup.wait=20s");
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).startsWith("pgpulse: agent: --bind " + bind + ": ").contains("127.0.0.1")
                    .doesNotContain("s3cr3t-pw");
            assertThat(r.out()).isEmpty();
            assertThat(db.acceptedConnections()).as("no database connection was tried").isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aPortInUseFailsBeforeConnecting() throws Exception {
        try (SilentListener db = SilentListener.start();
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRun r = CliRun.of(Map.of("DATABASE_URL", "postgresql://app@127.0.0.1:" + db.port() + "/app"), home,
                    "agent", "--port", Integer.toString(taken.getLocalPort()), "--set", "startup.wait=20s");
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(db.acceptedConnections()).as("no database connection was tried").isZero();
        }
    }

    /** The line saying where the agent listens is a URL that works, brackets and all for an IPv6 address. */
    @ParameterizedTest
    @ValueSource(strings = {"::1", "[::1]", "127.0.0.1"})
    @ExtendWith(PostgresExtension.class)
    void theListeningLineIsAUrlThatAnswers(String bind, TestDatabase db) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PgPulseCli.Context context = new PgPulseCli.Context(new ConfigLoader(db.env(), home, "tester", 2),
                new PrintWriter(out, true), new PrintWriter(err, true));
        Thread agent = Thread.ofPlatform().start(() -> PgPulseCli.run(context, "agent", "--port", "0", "--bind", bind));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains(" listening on http://")
                    || !agent.isAlive());
            java.util.regex.Matcher url = java.util.regex.Pattern.compile("listening on (http://\\S+) ").matcher(out.toString());
            assertThat(url.find()).as(out + err.toString()).isTrue();
            String expectedHost = bind.contains(":") ? "[::1]" : bind;
            assertThat(url.group(1)).startsWith("http://" + expectedHost + ":");
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.group(1) + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"status\"");
        } finally {
            agent.interrupt();
            agent.join(Duration.ofSeconds(20));
        }
        assertThat(agent.isAlive()).isFalse();
    }
}
