package dev.pgpulse;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped logback.xml, configured for real into its own context, on a fresh PGPULSE_LOG_DIR. */
class LogFolderTest {
    @TempDir
    Path tmp;

    private static LoggerContext configure(Path logDir) throws Exception {
        LoggerContext context = new LoggerContext();
        // What SLF4J's binding would give the context it creates.
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        // What logback would read from the environment variable: a context property is looked up first.
        context.putProperty("PGPULSE_LOG_DIR", logDir.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogFolderTest.class.getResource("/logback.xml"));
        return context;
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void theLogFolderAndFileAreTheUsersOnly() throws Exception {
        Path logDir = tmp.resolve("fresh/logs");
        LoggerContext context = configure(logDir);
        try {
            context.getLogger("dev.pgpulse.Probe").info("a line for the file");
        } finally {
            context.stop();
        }

        Path file = logDir.resolve("pgpulse.log");
        assertThat(Files.readString(file)).contains("a line for the file");
        assertThat(mode(logDir)).isEqualTo("rwx------");
        assertThat(mode(file)).isEqualTo("rw-------");
    }

    @Test
    void anOlderWideFolderOfOursIsTightenedButASharedOneOnlyHasOurFilesTightened() throws Exception {
        Path ours = Files.createDirectories(tmp.resolve("ours"));
        Files.writeString(ours.resolve("pgpulse.log"), "old\n");
        Files.setPosixFilePermissions(ours, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(ours.resolve("pgpulse.log"), PosixFilePermissions.fromString("rw-r--r--"));
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.writeString(shared.resolve("someone-else.txt"), "x");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));

        configure(ours).stop();
        configure(shared).stop();

        assertThat(mode(ours)).isEqualTo("rwx------");
        assertThat(mode(ours.resolve("pgpulse.log"))).isEqualTo("rw-------");
        assertThat(mode(shared)).as("not ours to change").isEqualTo("rwxr-xr-x");
        assertThat(mode(shared.resolve("pgpulse.log"))).isEqualTo("rw-------");
        assertThat(mode(shared.resolve("someone-else.txt"))).isNotEqualTo("rw-------");
    }

    /**
     * PGPULSE_LOG_DIR may be a shared folder (/tmp, say) where another user planted pgpulse.log as a symlink to a
     * file of root's, or as a FIFO: PgPulse (often root) must neither chmod nor write the symlink's target, nor
     * hang opening the FIFO. Both are replaced by our own 0600 file; a rolled log's name that is a symlink is
     * not followed either.
     */
    @Test
    void aPlantedSymlinkOrFifoInASharedFolderIsNeitherFollowedNorOpened() throws Exception {
        Path victim = Files.writeString(tmp.resolve("victim.conf"), "precious\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        for (boolean fifo : new boolean[] {false, true}) {
            Path shared = Files.createDirectories(tmp.resolve(fifo ? "shared-fifo" : "shared-link"));
            Files.writeString(shared.resolve("someone-else.txt"), "x");
            if (fifo) {
                Process mkfifo = new ProcessBuilder("mkfifo", shared.resolve("pgpulse.log").toString()).start();
                assertThat(mkfifo.waitFor()).isZero();
            } else {
                Files.createSymbolicLink(shared.resolve("pgpulse.log"), victim);
            }
            Files.createSymbolicLink(shared.resolve("pgpulse.2026-01-01.0.log"), victim);

            java.util.concurrent.Future<?> run = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()
                    .submit(() -> {
                        LoggerContext context = configure(shared);
                        context.getLogger("dev.pgpulse.Probe").info("a line for the file");
                        context.stop();
                        return null;
                    });
            // a FIFO with no reader would block the appender's open for ever
            run.get(30, java.util.concurrent.TimeUnit.SECONDS);

            Path file = shared.resolve("pgpulse.log");
            assertThat(Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
            assertThat(Files.readString(file)).contains("a line for the file");
            assertThat(mode(file)).isEqualTo("rw-------");
            assertThat(Files.readString(victim)).as("the target was not written").isEqualTo("precious\n");
            assertThat(mode(victim)).as("nor its mode changed").isEqualTo("rw-r--r--");
        }
    }
}
