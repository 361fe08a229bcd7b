package dev.pgpulse.orchestration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Starts the client tools so that they die with PgPulse, however it ends: under util-linux's
 * {@code setpriv --pdeathsig KILL --}, which asks the kernel to SIGKILL the child when its parent goes. A
 * {@code kill -9} runs no shutdown hook, and without this a pg_dump would finish a {@code .partial} nobody
 * renames, and a pg_restore would complete a restore the user killed.
 *
 * <p>The kernel's "parent" is the <em>thread</em> that forked the child, not the process (prctl(2),
 * PR_SET_PDEATHSIG): a tool started from a short-lived thread (a console task, a virtual thread's carrier) would
 * be killed when that thread ends. So every tool is started from one platform thread that lives as long as the
 * JVM, and dies only with it.
 *
 * <p>Where setpriv is missing (or too old for {@code --pdeathsig}, before util-linux 2.33) tools run without it,
 * after one warning; a SIGTERM or Ctrl-C still stops them through {@link ChildProcess}'s shutdown hook.
 */
final class Spawner {
    private static final Logger LOG = LoggerFactory.getLogger(Spawner.class);
    private static final long CHECK_SECONDS = 10;
    /** A daemon thread: it must not keep the JVM up, and the JVM's exit ending it is what kills the children. */
    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("pgpulse-spawner").daemon(true).factory());
    private static volatile List<String> prefix;

    private Spawner() {
    }

    /**
     * Starts {@code builder}'s command under the death signal, from the spawner thread. Not interruptible (a
     * start takes milliseconds, and an abandoned one would leave a child nobody holds); an interrupt that
     * arrives meanwhile is kept for the caller.
     */
    static Process start(ProcessBuilder builder) throws IOException {
        List<String> command = builder.command();
        Path program = Path.of(command.getFirst());
        if (program.isAbsolute() && !Files.isExecutable(program)) {
            // under setpriv a missing program would be setpriv's exit 127; say it as ProcessBuilder would
            throw new IOException("Cannot run program \"" + program + "\": not an executable file");
        }
        List<String> wrapped = new ArrayList<>(prefix());
        wrapped.addAll(command);
        ProcessBuilder b = builder.command(wrapped);
        try {
            return call(b);
        } finally {
            builder.command(command);
        }
    }

    /** {@code setpriv --pdeathsig KILL --}, or nothing where it does not work; found once. */
    static List<String> prefix() {
        List<String> p = prefix;
        if (p == null) {
            synchronized (Spawner.class) {
                p = prefix;
                if (p == null) {
                    p = find(System.getenv("PATH"));
                    prefix = p;
                }
            }
        }
        return p;
    }

    private static List<String> find(String path) {
        List<Path> candidates = new ArrayList<>();
        if (path != null) {
            for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
                if (!dir.isBlank()) {
                    candidates.add(Path.of(dir, "setpriv"));
                }
            }
        }
        candidates.add(Path.of("/usr/bin/setpriv"));
        candidates.add(Path.of("/bin/setpriv"));
        return find(candidates);
    }

    /** The first candidate that is an executable file, if it works; else nothing, after one warning. */
    static List<String> find(List<Path> candidates) {
        for (Path setpriv : candidates) {
            if (Files.isRegularFile(setpriv) && Files.isExecutable(setpriv)) {
                List<String> p = List.of(setpriv.toString(), "--pdeathsig", "KILL", "--");
                String problem = check(p);
                if (problem == null) {
                    LOG.debug("client tools run under {}", String.join(" ", p));
                    return p;
                }
                LOG.warn("{} does not work here ({}): pg_dump and pg_restore will keep running if PgPulse is killed "
                        + "with SIGKILL; install util-linux 2.33 or newer", setpriv, problem);
                return List.of();
            }
        }
        LOG.warn("setpriv (util-linux) not found: pg_dump and pg_restore will keep running if PgPulse is killed "
                + "with SIGKILL; install util-linux");
        return List.of();
    }

    /** Runs {@code setpriv --pdeathsig KILL -- true}: null when it works, else what went wrong. */
    private static String check(List<String> p) {
        List<String> probe = new ArrayList<>(p);
        probe.add("true");
        try {
            Process process = call(new ProcessBuilder(probe).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD));
            process.getOutputStream().close();
            if (!process.waitFor(CHECK_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "no answer within " + CHECK_SECONDS + " s";
            }
            return process.exitValue() == 0 ? null : "exit " + process.exitValue();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static Process call(ProcessBuilder b) throws IOException {
        // submit, not execute: a task that throws must not end the thread (its children would get the signal)
        Future<Process> started = THREAD.submit(b::start);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return started.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
