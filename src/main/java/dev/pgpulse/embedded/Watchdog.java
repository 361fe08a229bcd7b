package dev.pgpulse.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small shell process that stops the embedded server when PgPulse dies without stopping it (SIGKILL, a
 * crash, the OOM killer). It reads a pipe whose other end only PgPulse holds and never writes: the kernel
 * closes that end when PgPulse's process ends, however it ends, and the read returns end-of-file. The shell
 * then sends the postmaster SIGINT (fast shutdown), if {@code postmaster.pid} still names it and the process on
 * that pid still has the postmaster's start time (so a pid reused since, by whatever process, is left alone).
 *
 * <p>It carries no death signal of its own and ignores the signals sent to a whole process group (HUP, INT, QUIT,
 * TERM): it must outlive PgPulse to do its one job. A normal stop ends it
 * first, then stops the server. Where it cannot run, the next start still finds the server and stops it
 * ({@link Postmaster#stopOrphan}).
 */
final class Watchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    // the signals a terminal or `timeout` sends to PgPulse's whole process group are ignored: the watchdog's job
    // starts when PgPulse is gone, and a group signal that also killed a JVM which then could not stop the server
    // itself (a display lost under GTK exits without shutdown hooks) would leave the server running
    static final String SCRIPT = "trap '' HUP INT QUIT TERM; while read -r _; do :; done; "
            + "[ \"$(head -n 1 \"$1/postmaster.pid\" 2>/dev/null)\" = \"$2\" ] "
            // starttime, field 22 of stat: the 20th after the last ") " (comm may hold spaces and parentheses)
            + "&& [ \"$(sed 's/.*) //' \"/proc/$2/stat\" 2>/dev/null | cut -d ' ' -f 20)\" = \"$3\" ] "
            + "&& kill -INT \"$2\"";

    private final Process process;
    private final OutputStream pipe;

    private Watchdog(Process process) {
        this.process = process;
        this.pipe = process.getOutputStream();
    }

    /** Starts one for the {@code postmaster} on {@code dataDir}; null (with a warning) when it cannot. */
    static Watchdog start(Path dataDir, Postmaster.Id postmaster) {
        long pid = postmaster.pid();
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", SCRIPT, "pgpulse-watchdog",
                    dataDir.toAbsolutePath().toString(), Long.toString(pid), Long.toString(postmaster.startTicks()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            LOG.debug("watchdog (pid {}) stops PostgreSQL (pid {}) should PgPulse die", p.pid(), pid);
            return new Watchdog(p);
        } catch (IOException e) {
            LOG.warn("no watchdog for the embedded PostgreSQL ({}): if PgPulse is killed, the next start stops it",
                    e.getMessage());
            return null;
        }
    }

    long pid() {
        return process.pid();
    }

    /** Ends the watchdog without letting it act: killed before its pipe is closed, so its read never returns. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            pipe.close();
        } catch (IOException ignored) {
            // the process is gone; nothing reads the pipe any more
        }
    }
}
