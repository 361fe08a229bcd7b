package dev.pgpulse.cli;

import dev.pgpulse.testing.SilentListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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
}
