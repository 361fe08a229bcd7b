package dev.pgpulse.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who runs the embedded server on a data folder: a lock on {@code <folder>.lock} beside it, held by the PgPulse
 * that started the server for as long as it runs, with that PgPulse's pid and start time written in it for
 * messages, and the instance token it gives the server it starts (on the postmaster's command line, see
 * {@link Postmaster#INSTANCE}), written before the start: the next PgPulse stops that server, should its PgPulse
 * have died (even in the middle of starting it), and no other. The kernel drops the lock when the process dies, by any signal, so a lock that can be taken means
 * no live PgPulse owns the folder (whatever pid a file names, and however pids were reused since).
 *
 * <p>Beside the folder, not in it: initdb wants an empty folder. POSIX record locks belong to the process, and
 * closing any channel on the file drops them all, so a second start in the same JVM is caught by {@link #HELD}
 * before any channel is opened.
 */
final class DataDirLock implements AutoCloseable {
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private final Optional<String> previous;
    private final String owner;

    private DataDirLock(Path key, FileChannel channel, FileLock lock, Optional<String> previous, String owner) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
        this.previous = previous;
        this.owner = owner;
    }

    static Path lockFile(Path dataDir) {
        Path abs = dataDir.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".lock");
    }

    /** Takes the folder, or says which live PgPulse has it. */
    static DataDirLock acquire(Path dataDir) throws EmbeddedStartException {
        Path key = dataDir.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": this PgPulse "
                    + "(pid " + ProcessHandle.current().pid() + ") already runs it; give a second server its own "
                    + "folder with embedded.data_dir (PGPULSE_EMBEDDED_DATA_DIR)", null);
        }
        Path file = lockFile(dataDir);
        FileChannel channel = null;
        try {
            // never through a symlink: in a shared folder anyone may plant one, and this truncates what it opens
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileLock lock = channel.tryLock();
            Map<String, String> was = read(channel);
            if (lock == null) {
                String owner = owner(was);
                channel.close();
                HELD.remove(key);
                throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": another "
                        + "PgPulse " + owner + " is running on this folder; stop it first, or give this one its own "
                        + "folder with embedded.data_dir (PGPULSE_EMBEDDED_DATA_DIR)", null);
            }
            ProcessHandle self = ProcessHandle.current();
            String started = self.info().startInstant().map(i -> i.truncatedTo(ChronoUnit.SECONDS).toString())
                    .orElse("?");
            String owner = "pid=" + self.pid() + "\nstarted=" + started + "\n";
            DataDirLock taken = new DataDirLock(key, channel, lock,
                    Optional.ofNullable(was.get("instance")).filter(t -> !t.isBlank()), owner);
            taken.write(owner);
            return taken;
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(key);
            throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": cannot write "
                    + "its lock file " + file + " (" + e.getMessage() + "); check that the folder " + file.getParent()
                    + " is yours and writable", e);
        }
    }

    /** The instance token of the server the previous holder of the lock started, if any: the only one to stop. */
    Optional<String> previousInstance() {
        return previous;
    }

    /** Records the token of the server this PgPulse is about to start, for the next one should this one die. */
    void recordInstance(String token) throws IOException {
        write(owner + "instance=" + token + "\n");
    }

    private void write(String content) throws IOException {
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(true);
    }

    private static Map<String, String> read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        channel.read(buffer, 0);
        Map<String, String> values = new HashMap<>();
        for (String line : new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return values;
    }

    /** "(pid 4242, running since 2026-12-01T22:00:00Z)", or "" when the file says nothing readable. */
    private static String owner(Map<String, String> was) {
        String pid = was.get("pid");
        String started = was.get("started");
        if (pid == null) {
            return "";
        }
        return "(pid " + pid + (started == null || started.equals("?") ? "" : ", running since " + started) + ")";
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
        HELD.remove(key);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

}
