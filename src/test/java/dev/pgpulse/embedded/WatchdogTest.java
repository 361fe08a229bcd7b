package dev.pgpulse.embedded;

import dev.pgpulse.testing.PostgresExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watchdog's script, on real processes: when PgPulse's end of the pipe closes it signals the pid that
 * postmaster.pid names only if that process is still the one it was started for (same start time), so a pid
 * reused since by any process is left alone. (Its run against a real postmaster after a real kill -9 of
 * bin/pgpulse is ChildrenDieWithPgPulseIT's.)
 */
class WatchdogTest {
    private Path dir;
    private Process target;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("pgpulse-watchdog-test");
        // stands in for the postmaster: dies of SIGINT's default action, set again as the postmaster sets its own
        // handler (a test run started in the background inherits SIGINT ignored, and so would a plain sleep)
        target = new ProcessBuilder("perl", "-e", "$SIG{INT} = 'DEFAULT'; sleep 600").start();
        Files.writeString(dir.resolve("postmaster.pid"), target.pid() + "\n" + dir + "\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        target.destroyForcibly();
        target.waitFor(10, TimeUnit.SECONDS);
        PostgresExtension.deleteTree(dir);
    }

    /** Runs the script for {@code id} and closes the pipe as PgPulse's death would; waits for the script's end. */
    private void watchdogActsFor(Postmaster.Id id) throws Exception {
        Process watchdog = new ProcessBuilder("/bin/sh", "-c", Watchdog.SCRIPT, "pgpulse-watchdog", dir.toString(),
                Long.toString(id.pid()), Long.toString(id.startTicks())).redirectErrorStream(true).start();
        watchdog.getOutputStream().close();
        assertThat(watchdog.waitFor(20, TimeUnit.SECONDS)).as("the watchdog ends once the pipe is closed").isTrue();
    }

    @Test
    void itStopsTheProcessItWasStartedFor() throws Exception {
        watchdogActsFor(Postmaster.identify(target.pid()).orElseThrow());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !target.isAlive());
    }

    @Test
    void aSignalToPgPulsesProcessGroupDoesNotEndItBeforeItActs() throws Exception {
        Postmaster.Id id = Postmaster.identify(target.pid()).orElseThrow();
        Process watchdog = new ProcessBuilder("/bin/sh", "-c", Watchdog.SCRIPT, "pgpulse-watchdog", dir.toString(),
                Long.toString(id.pid()), Long.toString(id.startTicks())).redirectErrorStream(true).start();
        // what Ctrl-C in a terminal, or `timeout`, sends to every process of the group
        for (String signal : new String[] {"HUP", "INT", "TERM"}) {
            new ProcessBuilder("kill", "-" + signal, Long.toString(watchdog.pid())).start().waitFor();
        }
        assertThat(watchdog.waitFor(1, TimeUnit.SECONDS)).as("still watching after HUP, INT and TERM").isFalse();
        assertThat(target.isAlive()).isTrue();
        watchdog.getOutputStream().close(); // PgPulse's end of the pipe closes: now it acts
        assertThat(watchdog.waitFor(20, TimeUnit.SECONDS)).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !target.isAlive());
    }

    @Test
    void aProcessThatReusedThePidIsLeftAlone() throws Exception {
        Postmaster.Id now = Postmaster.identify(target.pid()).orElseThrow();
        // the pid postmaster.pid names, but the postmaster it was started for began at another time
        watchdogActsFor(new Postmaster.Id(now.pid(), now.startTicks() - 1, now.bootId()));
        assertThat(target.isAlive()).as("not signalled").isTrue();
        assertThat(Postmaster.identify(target.pid())).contains(now);
    }
}
