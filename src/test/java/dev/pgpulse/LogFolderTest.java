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
}
