package dev.pgpulse.orchestration;

import ch.qos.logback.classic.Level;
import dev.pgpulse.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The death signal is tied to the thread that forks (prctl(2)): a tool started from a thread that ends must
 * live on. (That it dies with a killed JVM is {@code ChildrenDieWithPgPulseIT}, on a real bin/pgpulse.)
 */
@Timeout(60)
class SpawnerTest {
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    @Test
    void theToolsRunUnderSetprivWhereTheMachineHasIt() {
        assumeThat(Files.isExecutable(SETPRIV)).as("util-linux setpriv installed").isTrue();
        assertThat(Spawner.prefix()).endsWith("--pdeathsig", "KILL", "--");
        assertThat(Path.of(Spawner.prefix().getFirst()).getFileName().toString()).isEqualTo("setpriv");
    }

    @Test
    void aToolStartedFromAThreadThatEndsLivesOnAndEndsOnItsOwn() throws Exception {
        assumeThat(Files.isExecutable(SETPRIV)).as("util-linux setpriv installed").isTrue();
        Process viaSpawner = startFromAThreadThatEnds(() -> Spawner.start(new ProcessBuilder("sleep", "2")));
        // The control: the same setpriv started from the ending thread itself is killed as the thread ends. It
        // proves this test can see the difference, and why Spawner keeps one thread for every start.
        Process direct = startFromAThreadThatEnds(() -> new ProcessBuilder(SETPRIV.toString(), "--pdeathsig", "KILL",
                "--", "sleep", "2").start());

        assertThat(direct.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(direct.exitValue()).as("killed with its forking thread (128 + SIGKILL)").isEqualTo(137);
        assertThat(viaSpawner.isAlive()).as("the spawner's child outlived the thread that asked for it").isTrue();
        assertThat(viaSpawner.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(viaSpawner.exitValue()).isZero();
    }

    @Test
    void aToolThatRunsLongerThanItsCallersThreadFinishesThroughChildProcess() throws Exception {
        AtomicReference<ChildProcess.Run> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // ChildProcess.run waits on the caller's thread; the child must not depend on any other thread's life.
        Thread caller = Thread.ofPlatform().name("short-lived-caller").start(() -> {
            try {
                result.set(ChildProcess.once(List.of("/bin/sh", "-c", "sleep 1; echo done; exit 3"), java.util.Map.of(),
                        true, Duration.ofSeconds(20)));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        caller.join(Duration.ofSeconds(30));
        assertThat(failure.get()).isNull();
        assertThat(result.get().exitCode()).isEqualTo(3);
        assertThat(result.get().stdout()).containsExactly("done");
    }

    /** No setpriv, or one that does not know --pdeathsig: tools run plainly, after one warning that says so. */
    @Test
    void withoutAWorkingSetprivToolsRunPlainlyAfterOneWarning(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        try (LogCapture log = new LogCapture(Spawner.class)) {
            assertThat(Spawner.find(List.of(dir.resolve("setpriv")))).isEmpty();
            assertThat(log.events(Level.WARN, "setpriv (util-linux) not found")).hasSize(1);
            assertThat(log.events(Level.WARN, "")).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("pg_dump and pg_restore will keep running if PgPulse is killed with SIGKILL"));
        }
        // util-linux before 2.33 answers --pdeathsig with "unrecognized option" and exit 1
        Path old = Files.writeString(dir.resolve("old-setpriv"), "#!/bin/sh\necho \"unrecognized option\" >&2\nexit 1\n");
        Files.setPosixFilePermissions(old, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        try (LogCapture log = new LogCapture(Spawner.class)) {
            assertThat(Spawner.find(List.of(old))).isEmpty();
            assertThat(log.events(Level.WARN, "does not work here (exit 1)")).hasSize(1);
        }
        assumeThat(Files.isExecutable(SETPRIV)).as("util-linux setpriv installed").isTrue();
        assertThat(Spawner.find(List.of(dir.resolve("setpriv"), SETPRIV))).as("the first that exists is used")
                .containsExactly(SETPRIV.toString(), "--pdeathsig", "KILL", "--");
    }

    @Test
    void aMissingProgramIsStillReportedAsOne() {
        assertThatThrownBy(() -> Spawner.start(new ProcessBuilder("/nonexistent/pg_dump", "--version")))
                .isInstanceOf(IOException.class).hasMessageContaining("/nonexistent/pg_dump");
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException gone) {
            return null;
        }
    }

    private interface Start {
        Process start() throws IOException;
    }

    private static Process startFromAThreadThatEnds(Start start) throws Exception {
        AtomicReference<Process> process = new AtomicReference<>();
        AtomicReference<IOException> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("ends-at-once").start(() -> {
            try {
                Process p = start.start();
                // setpriv arms the signal before it execs sleep: end only once it has, or the race decides
                await().atMost(Duration.ofSeconds(5)).until(() -> "sleep".equals(comm(p.pid())));
                process.set(p);
            } catch (IOException e) {
                failure.set(e);
            }
        });
        t.join(Duration.ofSeconds(10));
        assertThat(t.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> process.get() != null);
        return process.get();
    }
}
