package dev.pgpulse.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
 *
 * <p>Only a postmaster PgPulse started itself is ever signalled: the one whose command line carries the
 * {@link #INSTANCE} token the folder's {@link DataDirLock} recorded before the start (a backend's or any other
 * program's does not). PgPulse often runs as root, and a {@code postmaster.pid}
 * may name someone else's live server (a DBA pointing {@code embedded.data_dir} at a real cluster's folder) or,
 * left stale by a crash, a pid reused since by any process, even another cluster's backend.
 */
final class Postmaster {
    private static final Logger LOG = LoggerFactory.getLogger(Postmaster.class);
    /** A custom setting given to the servers PgPulse starts ({@code -c pgpulse.instance=<token>}): their mark. */
    static final String INSTANCE = "pgpulse.instance";
    static final Duration FAST_SHUTDOWN = Duration.ofSeconds(20);
    private static final Duration IMMEDIATE_SHUTDOWN = Duration.ofSeconds(5);

    private Postmaster() {
    }

    /**
     * A process as the kernel knows it for its whole life: a pid is reused, but not with the same start time
     * (clock ticks after boot, field 22 of {@code /proc/<pid>/stat}) in the same boot.
     */
    record Id(long pid, long startTicks, String bootId) {
    }

    /** The live process {@code pid} is now, or empty when there is none (or it is a zombie). */
    static Optional<Id> identify(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // after "pid (comm) ", whose comm may hold spaces and parentheses: state is field 3, starttime 22
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (fields.length < 20 || fields[0].equals("Z") || fields[0].equals("X")) {
                return Optional.empty();
            }
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
            return Optional.of(new Id(pid, Long.parseLong(fields[19]), boot));
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
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
        char state = state(pid);
        return state != 'Z' && state != 'X' && state != '-';
    }

    /** The process's state letter from {@code /proc/<pid>/stat} ({@code T} stopped, {@code Z} zombie), '-' when gone. */
    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() ? '?' : stat.charAt(close + 2);
        } catch (IOException gone) {
            return '-';
        }
    }

    /**
     * Resumes the postmaster {@code id} and its children if any of them is stopped (SIGSTOP: a DBA's test of a hung
     * server, a debugger): a stopped server cannot shut down, and would be left stopped-but-alive. Only the
     * process that still is {@code id}, and the processes it started, are signalled. Returns how many were stopped.
     */
    static int resume(Id id) {
        Optional<ProcessHandle> postmaster = ProcessHandle.of(id.pid());
        if (postmaster.isEmpty() || !id.equals(identify(id.pid()).orElse(null))) {
            return 0;
        }
        List<String> stopped = java.util.stream.Stream.concat(postmaster.stream(), postmaster.get().descendants())
                .map(ProcessHandle::pid).filter(pid -> Character.toUpperCase(state(pid)) == 'T')
                .map(String::valueOf).toList();
        if (stopped.isEmpty()) {
            return 0;
        }
        LOG.warn("embedded PostgreSQL (pid {}): {} of its processes are stopped (SIGSTOP); resuming them so that it "
                + "can shut down", id.pid(), stopped.size());
        List<String> command = new java.util.ArrayList<>(List.of("kill", "-s", "CONT"));
        command.addAll(stopped);
        run(command, "CONT", id.pid());
        return stopped.size();
    }

    /**
     * For a server PgPulse is stopping itself, when its fast shutdown did not end it: SIGQUIT, then SIGKILL, while
     * {@code id} is still the postmaster carrying {@code token}. True once it is gone.
     */
    static boolean stopStarted(Id id, String token) {
        if (!id.equals(identify(id.pid()).orElse(null))) {
            return true;
        }
        if (!startedWith(id.pid(), token)) {
            LOG.warn("PostgreSQL pid {} no longer carries this PgPulse's mark; not signalling it", id.pid());
            return true;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(id.pid());
        LOG.warn("embedded PostgreSQL (pid {}) did not stop in a fast shutdown; sending SIGQUIT", id.pid());
        if (signalAndWait(id, "QUIT", IMMEDIATE_SHUTDOWN)) {
            return true;
        }
        LOG.warn("embedded PostgreSQL (pid {}) did not stop on SIGQUIT; killing it", id.pid());
        handle.ifPresent(ProcessHandle::destroyForcibly);
        return waitGone(id, IMMEDIATE_SHUTDOWN);
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
     * {@link DataDirLock}, so no live PgPulse owns it. {@code instance} is the token of the server the last PgPulse
     * on the folder started (recorded in the lock); any other live PostgreSQL {@code postmaster.pid} names is
     * refused, never signalled. Returns the pid it stopped, or empty when none ran.
     */
    static OptionalLong stopOrphan(Path dataDir, Optional<String> instance) throws EmbeddedStartException {
        OptionalLong found = pid(dataDir);
        if (found.isEmpty() || !isPostgres(found.getAsLong())) {
            return OptionalLong.empty();
        }
        long pid = found.getAsLong();
        Optional<Id> ours = identify(pid);
        if (instance.isEmpty() || ours.isEmpty() || !startedWith(pid, instance.get())) {
            throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": its "
                    + "postmaster.pid names PostgreSQL (pid " + pid + "), a live process PgPulse did not start (a "
                    + "server of another cluster, or one started by hand); PgPulse stops only servers it started. "
                    + "Stop that one yourself if it should not run, or choose another folder with embedded.data_dir "
                    + "(PGPULSE_EMBEDDED_DATA_DIR)", null);
        }
        Id id = ours.get();
        // captured now: its destroy checks the start time, so it cannot kill a process that reused the pid
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        LOG.warn("PostgreSQL (pid {}) is still running on {}, left by a PgPulse that is gone; stopping it (fast "
                + "shutdown) before starting again", pid, dataDir);
        long t0 = System.nanoTime();
        if (signalAndWait(id, "INT", FAST_SHUTDOWN) || signalAndWait(id, "QUIT", IMMEDIATE_SHUTDOWN)) {
            LOG.info("the stray PostgreSQL (pid {}) on {} stopped in {} ms", pid, dataDir,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return found;
        }
        handle.ifPresent(ProcessHandle::destroyForcibly);
        if (waitGone(id, IMMEDIATE_SHUTDOWN)) {
            LOG.warn("the stray PostgreSQL (pid {}) on {} had to be killed; it recovers at this start", pid, dataDir);
            return found;
        }
        throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": PostgreSQL (pid "
                + pid + ") left running there by an earlier PgPulse does not stop; stop it (kill " + pid + ") and "
                + "start again", null);
    }

    /** Whether the process's command line holds {@code -c pgpulse.instance=<token>}. */
    static boolean startedWith(long pid, String token) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            return List.of(new String(cmdline, java.nio.charset.StandardCharsets.UTF_8).split("\0"))
                    .contains(INSTANCE + "=" + token);
        } catch (IOException gone) {
            return false;
        }
    }

    /** Sends {@code signal} with kill(1) (Java itself can send only TERM and KILL) and waits for the exit. */
    private static boolean signalAndWait(Id id, String signal, Duration wait) {
        long pid = id.pid();
        if (!id.equals(identify(pid).orElse(null))) {
            // gone already (its pid may be another process's by now): nothing of ours to signal
            return true;
        }
        return run(List.of("kill", "-s", signal, Long.toString(pid)), signal, pid) && waitGone(id, wait);
    }

    /** Runs a kill(1) command line; false when it could not be run. */
    private static boolean run(List<String> kill, String signal, long pid) {
        try {
            Process p = new ProcessBuilder(kill)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return true;
        } catch (IOException e) {
            LOG.warn("could not send SIG{} to PostgreSQL (pid {}): {}", signal, pid, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True once the process {@code id} is gone (a new process on its pid does not count as it). */
    private static boolean waitGone(Id id, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (id.equals(identify(id.pid()).orElse(null))) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !id.equals(identify(id.pid()).orElse(null));
            }
        }
        return true;
    }
}
