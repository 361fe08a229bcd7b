package dev.pgpulse.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The postmaster a data folder's {@code postmaster.pid} names, seen from outside: is it alive, and stopping one
 * that a dead PgPulse left behind. The embedded server is started through {@code pg_ctl}, so the postmaster is
 * never PgPulse's child: a PgPulse killed with SIGKILL leaves it running, and the next start on the folder
 * would wait for a server that cannot start (PostgreSQL refuses a folder another postmaster holds).
 *
 * <p>Signals, not {@code pg_ctl stop}: running as root, zonky starts PostgreSQL inside {@code unshare -U}, and
 * pg_ctl refuses to run as root. SIGINT is PostgreSQL's fast shutdown (roll back, disconnect, checkpoint),
 * SIGQUIT its immediate one (crash recovery at the next start), SIGKILL the last resort.
 */
final class Postmaster {
    private static final Logger LOG = LoggerFactory.getLogger(Postmaster.class);
    static final Duration FAST_SHUTDOWN = Duration.ofSeconds(20);
    private static final Duration IMMEDIATE_SHUTDOWN = Duration.ofSeconds(5);

    private Postmaster() {
    }

    /** The pid on the first line of {@code postmaster.pid}, when the file is there and says one. */
    static OptionalLong pid(Path dataDir) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.getFirst().strip()));
        } catch (IOException | NumberFormatException e) {
            // no server there, or a file half-written by one starting: nothing to stop
            return OptionalLong.empty();
        }
    }

    /** Alive and not a zombie (a dead process nobody has reaped yet still has a /proc entry). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            char state = close < 0 || close + 2 >= stat.length() ? '?' : stat.charAt(close + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }

    /** A live process whose program is PostgreSQL's server (not some process that reused the pid). */
    static boolean isPostgres(long pid) {
        if (!alive(pid)) {
            return false;
        }
        try {
            String comm = Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
            return comm.startsWith("postgres");
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * Stops the postmaster running on {@code dataDir}, if any: called only while holding the folder's
     * {@link DataDirLock}, so no live PgPulse owns it. Returns the pid it stopped, or empty when none ran.
     */
    static OptionalLong stopOrphan(Path dataDir) throws EmbeddedStartException {
        OptionalLong found = pid(dataDir);
        if (found.isEmpty() || !isPostgres(found.getAsLong())) {
            return OptionalLong.empty();
        }
        long pid = found.getAsLong();
        LOG.warn("PostgreSQL (pid {}) is still running on {}, left by a PgPulse that is gone; stopping it (fast "
                + "shutdown) before starting again", pid, dataDir);
        long t0 = System.nanoTime();
        if (signalAndWait(pid, "INT", FAST_SHUTDOWN) || signalAndWait(pid, "QUIT", IMMEDIATE_SHUTDOWN)) {
            LOG.info("the stray PostgreSQL (pid {}) on {} stopped in {} ms", pid, dataDir,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return found;
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        if (waitGone(pid, IMMEDIATE_SHUTDOWN)) {
            LOG.warn("the stray PostgreSQL (pid {}) on {} had to be killed; it recovers at this start", pid, dataDir);
            return found;
        }
        throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": PostgreSQL (pid "
                + pid + ") left running there by an earlier PgPulse does not stop; stop it (kill " + pid + ") and "
                + "start again", null);
    }

    /** Sends {@code signal} with kill(1) (Java itself can send only TERM and KILL) and waits for the exit. */
    private static boolean signalAndWait(long pid, String signal, Duration wait) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.warn("could not send SIG{} to PostgreSQL (pid {}): {}", signal, pid, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return waitGone(pid, wait);
    }

    private static boolean waitGone(long pid, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (alive(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !alive(pid);
            }
        }
        return true;
    }
}
