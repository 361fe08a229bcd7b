package dev.pgpulse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's promise, end to end: {@code bin/pgpulse} on the packaged jar, in a clean environment with an
 * empty home folder, as a newcomer would run it. Runs after {@code package} (failsafe).
 */
class LauncherIT {
    @TempDir
    Path home;

    record Run(int code, String out, String err) {
    }

    private Run launch(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = dev.pgpulse.testing.Launcher.builder(home, extraEnv, args);
        Path out = home.resolve("out.txt");
        Path err = home.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("launcher finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void configPrintsTheResolvedConfiguration() throws Exception {
        Run r = launch(Map.of(), "config");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("environment: development").contains("embedded PostgreSQL 15")
                .contains(home.resolve(".local/share/pgpulse/embedded").toString());
    }

    @Test
    void nonsenseDatabaseUrlGivesOneLineAndExitTwo() throws Exception {
        Run r = launch(Map.of("DATABASE_URL", "nonsense"), "config");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("DATABASE_URL").contains("nonsense");
    }

    @Test
    void statusRunsOnTheEmbeddedDefaultWithNothingConfigured() throws Exception {
        Run r = launch(Map.of(), "status");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("embedded PostgreSQL at postgresql://postgres@localhost:")
                .containsPattern("primary\\s+primary\\s+postgres@localhost:\\d+/postgres\\s+15\\.\\d+\\s+no\\s+[\\d.]+ ms\\s+ok");
        assertThat(r.err()).contains("Embedded PostgreSQL 15 at postgresql://");
        assertThat(home.resolve(".local/share/pgpulse/embedded/PG_VERSION")).exists();
        assertThat(home.resolve(".local/share/pgpulse/logs/pgpulse.log")).exists();
    }

    @Test
    void validatePassesOnAFreshMachine() throws Exception {
        Run r = launch(Map.of(), "validate");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("migrations\\s+pass\\s+at version 2").contains("All 5 checks pass.");
    }

    @Test
    void noCommandOpensTheConsoleAndWithoutADisplaySaysWhatToRunInstead() throws Exception {
        Run r = launch(Map.of());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("no display").contains("pgpulse status");
        assertThat(launch(Map.of(), "--help").out()).contains("Usage: pgpulse").contains("console");
    }

    @Test
    void theAgentServesHealthAndStopsCleanlyOnSigterm() throws Exception {
        Path launcher = Path.of("bin/pgpulse").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "agent", "--port", "0");
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("DATABASE_") || k.startsWith("XDG_"));
        env.put("HOME", home.toString());
        Path out = home.resolve("agent-out.txt");
        Path err = home.resolve("agent-err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            var listening = java.util.regex.Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> listening.matcher(Files.readString(out)).find());
            var m = listening.matcher(Files.readString(out));
            assertThat(m.find()).isTrue();
            int port = Integer.parseInt(m.group(1));
            var http = java.net.http.HttpClient.newHttpClient();
            var health = java.net.URI.create("http://127.0.0.1:" + port + "/health");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> http.send(
                    java.net.http.HttpRequest.newBuilder(health).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
            String log = Files.readString(err);
            assertThat(log).contains("agent stopped").contains("PgPulse stopped").contains("Embedded PostgreSQL stopped");
            assertThat(home.resolve(".local/share/pgpulse/embedded/postmaster.pid")).doesNotExist();
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * README's main command on a fresh machine: {@code bin/pgpulse}, nothing configured, opens the console on a
     * real display (Xvfb, JavaFX's own GTK platform, not the tests' Monocle), on the embedded database with the
     * demo workload, and stops cleanly on SIGTERM. Skipped where no Xvfb is installed; fails so in CI (.ci/run installs it).
     */
    @Test
    void theConsoleOpensLiveOnTheEmbeddedDatabaseWithNothingConfigured() throws Exception {
        Path xvfb = Path.of("/usr/bin/Xvfb");
        dev.pgpulse.testing.Prerequisite.require(Files.isExecutable(xvfb), "Xvfb (apt-get install xvfb xauth libgtk-3-0)");
        int display = 80;
        while (Files.exists(Path.of("/tmp/.X11-unix/X" + display)) || Files.exists(Path.of("/tmp/.X" + display + "-lock"))) {
            display++;
        }
        Process x = new ProcessBuilder(xvfb.toString(), ":" + display, "-screen", "0", "1400x900x24", "-nolisten", "tcp")
                .redirectErrorStream(true).redirectOutput(home.resolve("xvfb.txt").toFile()).start();
        Path socket = Path.of("/tmp/.X11-unix/X" + display);
        Process p = null;
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Files.exists(socket));
            ProcessBuilder pb = new ProcessBuilder(Path.of("bin/pgpulse").toAbsolutePath().toString());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("DATABASE_") || k.startsWith("XDG_")
                    || k.equals("WAYLAND_DISPLAY"));
            env.put("HOME", home.toString());
            env.put("DISPLAY", ":" + display);
            Path err = home.resolve("console-err.txt");
            p = pb.redirectOutput(home.resolve("console-out.txt").toFile()).redirectError(err.toFile()).start();
            long t0 = System.nanoTime();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90))
                    .until(() -> Files.readString(err).contains("console open on postgresql://postgres@localhost:"));
            long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            org.slf4j.LoggerFactory.getLogger(LauncherIT.class).info("bin/pgpulse to a live console: {} ms", openMs);
            String log = Files.readString(err);
            assertThat(log).contains("migrated postgres@localhost:").contains("demo - workload started")
                    .doesNotContain("could not start");
            assertThat(p.isAlive()).isTrue();
            p.destroy(); // SIGTERM, as a desktop session's logout would
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
            assertThat(Files.readString(err)).contains("PgPulse stopped").contains("Embedded PostgreSQL stopped");
            assertThat(home.resolve(".local/share/pgpulse/embedded/postmaster.pid")).doesNotExist();
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
            x.destroy();
        }
    }
}
