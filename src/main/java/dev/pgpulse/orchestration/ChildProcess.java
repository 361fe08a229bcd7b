package dev.pgpulse.orchestration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the PostgreSQL client tools, one at a time, under a guard: while the guard is open a JVM shutdown hook
 * (SIGTERM, Ctrl-C) stops the running tool, deletes the files registered with {@link #deleteAtExit} and the
 * tool's temporary output, then runs the {@link #atExit} actions. Without it the JVM would halt with the tool
 * still running, as an orphan, and no {@code finally} block would remove what it left. A {@code kill -9} runs no
 * hook: then the tool dies with the JVM by a signal the kernel sends (see {@link Spawner}).
 */
final class ChildProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
    private static final int STDERR_TAIL_BYTES = 16 * 1024;
    /** How long a stopped tool gets to exit after SIGTERM before it is killed, and after that. */
    private static final Duration GRACE = Duration.ofSeconds(2);

    /** How a child process ended: its exit code, its standard output when asked for, and its last error line. */
    record Run(int exitCode, List<String> stdout, String error) {
    }

    private final Thread hook;
    private final List<Path> files = new ArrayList<>();
    private final List<Runnable> actions = new ArrayList<>();
    private Process running;
    private boolean exiting;

    private ChildProcess(String name) {
        hook = Thread.ofPlatform().name(name).unstarted(this::onExit);
    }

    /** Opens a guard: registers its shutdown hook (a platform thread called {@code name}). */
    static ChildProcess guard(String name) throws BackupException {
        ChildProcess guard = new ChildProcess(name);
        try {
            Runtime.getRuntime().addShutdownHook(guard.hook);
        } catch (IllegalStateException shuttingDown) {
            throw new BackupException("not starting " + name + ": PgPulse is shutting down");
        }
        return guard;
    }

    /** Runs one tool under a guard of its own. */
    static Run once(List<String> command, Map<String, String> set, boolean captureStdout, Duration timeout)
            throws BackupException, InterruptedException {
        try (ChildProcess guard = guard("pgpulse-" + toolName(command) + "-exit")) {
            return guard.run(command, set, captureStdout, timeout);
        }
    }

    /** A file to delete if the JVM exits while the guard is open (after the running tool is stopped). */
    synchronized ChildProcess deleteAtExit(Path file) {
        files.add(file);
        return this;
    }

    /** A file that is no longer this guard's to delete (it was renamed into place). */
    synchronized void keep(Path file) {
        files.remove(file);
    }

    /** Something to do if the JVM exits while the guard is open, after the tool is stopped and files deleted. */
    synchronized ChildProcess atExit(Runnable action) {
        actions.add(action);
        return this;
    }

    /** The shutdown hook itself (tests run it by hand). */
    Thread exitHook() {
        return hook;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to remove
        }
    }

    /**
     * Runs a tool and waits for it; the calling thread stays interruptible (output goes to temporary files, so
     * nothing blocks on a pipe). On interrupt or timeout the child is stopped before this returns. The child's
     * environment is this process's without any {@code PG*} variable, plus {@code set}.
     *
     * @param set     variables to set in the child's environment (this is how a password travels)
     * @param timeout how long to wait, or null for as long as it takes
     */
    Run run(List<String> command, Map<String, String> set, boolean captureStdout, Duration timeout)
            throws BackupException, InterruptedException {
        return run(command, set, captureStdout, timeout, null);
    }

    /**
     * What a caller watching a long tool is told while it runs: each new line of its stderr (pg_dump's
     * {@code --verbose} lines), then a tick, about every {@link #WATCH_EVERY}; on the waiting thread.
     */
    interface Watcher {
        void line(String line);

        void tick();
    }

    static final Duration WATCH_EVERY = Duration.ofMillis(200);

    /** {@link #run} with a watcher (null for none); a watcher that throws is logged and the tool runs on. */
    Run run(List<String> command, Map<String, String> set, boolean captureStdout, Duration timeout, Watcher watcher)
            throws BackupException, InterruptedException {
        String tool = toolName(command);
        Path err = null;
        Path out = null;
        try {
            err = tempFile(tool, ".err");
            out = captureStdout ? tempFile(tool, ".out") : null;
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectError(err.toFile())
                    .redirectOutput(out == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(out.toFile()));
            builder.environment().clear();
            builder.environment().putAll(environment(System.getenv(), set));
            Process process;
            synchronized (this) {
                if (exiting) {
                    throw new BackupException("not starting " + tool + ": PgPulse is shutting down");
                }
                process = Spawner.start(builder);
                running = process;
            }
            process.getOutputStream().close();
            try {
                if (timeout == null && watcher != null) {
                    StderrTail tail = new StderrTail(err);
                    while (!process.waitFor(WATCH_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
                        tail.drain(watcher, false);
                    }
                    tail.drain(watcher, true);
                } else if (timeout == null) {
                    process.waitFor();
                } else if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    stop(process);
                    throw new BackupException(command.getFirst() + " did not finish within " + timeout.toSeconds()
                            + " s; check that it is PostgreSQL's " + tool);
                }
            } catch (InterruptedException e) {
                stop(process);
                throw e;
            }
            // Lenient decoding: tools print in the locale's charset, and a message beats a decoding error.
            List<String> stdout = out == null ? List.of()
                    : new String(Files.readAllBytes(out), Charset.defaultCharset()).lines().toList();
            return new Run(process.exitValue(), stdout, lastError(tail(err), tool));
        } catch (IOException e) {
            throw new BackupException("could not run " + command.getFirst() + ": " + e.getMessage(), e);
        } finally {
            synchronized (this) {
                running = null;
                files.remove(err);
                files.remove(out);
            }
            deleteQuietly(err);
            deleteQuietly(out);
        }
    }

    /**
     * A child's environment: {@code parent} without any {@code PG*} variable (PGOPTIONS, PGSERVICEFILE,
     * PGTARGETSESSIONATTRS, PGSSLROOTCERT and the rest could each change where or how the tools connect),
     * then {@code set}.
     */
    static Map<String, String> environment(Map<String, String> parent, Map<String, String> set) {
        Map<String, String> env = new HashMap<>();
        parent.forEach((name, value) -> {
            if (!name.toUpperCase(Locale.ROOT).startsWith("PG")) {
                env.put(name, value);
            }
        });
        env.putAll(set);
        return env;
    }

    /**
     * Reads what a tool appended to its stderr file since the last call, whole lines only until the end. Bytes are
     * decoded by one decoder that keeps a character split across two reads; the last call reads to the end of the
     * file, the others up to the size seen when they began (a tool writing fast cannot keep one call going). A run of
     * more than {@link #MAX_LINE} characters without a newline is passed on in pieces of that size.
     */
    static final class StderrTail {
        static final int MAX_LINE = 16 * 1024;
        private static final int CHUNK = 64 * 1024;
        private final Path file;
        private long position;
        private final StringBuilder pending = new StringBuilder();
        private final CharsetDecoder decoder = Charset.defaultCharset().newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final ByteBuffer bytes = ByteBuffer.allocate(CHUNK);
        private final CharBuffer chars = CharBuffer.allocate(CHUNK);

        StderrTail(Path file) {
            this.file = file;
        }

        void drain(Watcher watcher, boolean last) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long end = ch.size();
                while (last || position < end) {
                    int n = ch.read(bytes, position);
                    if (n <= 0) {
                        break;
                    }
                    position += n;
                    decode(false);
                    lines(watcher);
                }
            } catch (IOException e) {
                LOG.debug("could not read {}: {}", file, e.getMessage());
            }
            if (last) {
                decode(true);
                decoder.flush(chars);
                chars.flip();
                pending.append(chars);
                chars.clear();
                lines(watcher);
                if (!pending.isEmpty()) {
                    String line = pending.toString().stripTrailing();
                    pending.setLength(0);
                    tell(() -> watcher.line(line));
                }
            }
            tell(watcher::tick);
        }

        /** Decodes what {@link #bytes} holds, keeping the bytes of an unfinished character for the next read. */
        private void decode(boolean endOfInput) {
            bytes.flip();
            CoderResult r;
            do {
                r = decoder.decode(bytes, chars, endOfInput);
                chars.flip();
                pending.append(chars);
                chars.clear();
            } while (r.isOverflow());
            bytes.compact();
        }

        private void lines(Watcher watcher) {
            int from = 0;
            int nl;
            while ((nl = pending.indexOf("\n", from)) >= 0 || pending.length() - from > MAX_LINE) {
                int cut = nl >= 0 && nl - from <= MAX_LINE ? nl : from + MAX_LINE;
                String line = pending.substring(from, cut).stripTrailing();
                from = cut == nl ? nl + 1 : cut;
                tell(() -> watcher.line(line));
            }
            pending.delete(0, from);
        }

        private static void tell(Runnable r) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("a tool's watcher failed: {}", e.toString());
            }
        }
    }

    /** The line worth showing: the last one saying "error:", else the last non-blank one, without the tool's prefix. */
    static String lastError(List<String> stderr, String tool) {
        String pick = null;
        for (String line : stderr) {
            if (line.contains("error:")) {
                pick = line;
            }
        }
        if (pick == null) {
            pick = stderr.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(no message)");
        }
        String s = pick.strip();
        for (String prefix : List.of(tool + ": error: ", tool + ": ")) {
            if (s.startsWith(prefix)) {
                return s.substring(prefix.length());
            }
        }
        return s;
    }

    static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", file, e.getMessage());
        }
    }

    /** The shutdown hook: stop the tool first (Windows cannot delete a file a process holds open), then clean up. */
    private void onExit() {
        Process process;
        List<Path> toDelete;
        List<Runnable> toRun;
        synchronized (this) {
            exiting = true;
            process = running;
            toDelete = List.copyOf(files);
            toRun = List.copyOf(actions);
        }
        if (process != null && process.isAlive()) {
            LOG.warn("PgPulse is exiting: stopping {} (pid {})", process.info().command().orElse("a tool"),
                    process.pid());
            stop(process);
        }
        toDelete.forEach(ChildProcess::deleteQuietly);
        for (Runnable action : toRun) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("cleanup at exit failed: {}", e.toString());
            }
        }
    }

    private synchronized Path tempFile(String tool, String suffix) throws IOException {
        Path file = Files.createTempFile("pgpulse-" + tool + "-", suffix);
        files.add(file);
        return file;
    }

    /** SIGTERM to the tool (and anything it started), SIGKILL when it is still there after {@link #GRACE}. */
    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String toolName(List<String> command) {
        return Path.of(command.getFirst()).getFileName().toString();
    }

    /** The end of a tool's stderr: enough for its last message, bounded however much it printed. */
    private static List<String> tail(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, f.length() - STDERR_TAIL_BYTES);
            byte[] bytes = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(bytes);
            return new String(bytes, Charset.defaultCharset()).lines().toList();
        }
    }
}
