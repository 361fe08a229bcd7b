package dev.pgpulse.cli;

import dev.pgpulse.config.AtomicFile;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;

/**
 * The loadtest report, written as it goes: {@code <uuid>,<COMMITTED|FAILED|UNKNOWN>\n} per attempted row, each
 * line in one {@code write(2)} of its own as soon as the row's fate is known. A SIGTERM or Ctrl-C finishes it
 * (see {@link LoadtestCommand}); after a {@code kill -9} the file holds every line written before the kill,
 * whole, because a process that dies never loses what the kernel already accepted.
 *
 * <p>A reader takes the lines that end in a newline. The only way to see bytes after the last one is a kill -9
 * landing inside the very write of a line that straddles a page boundary of the file (the kernel copies page by
 * page and gives up on a fatal signal between pages): such a fragment has no newline, so it is not a row.
 *
 * <p>A {@link FileOutputStream}, not a {@code FileChannel}: a channel is closed for good when a thread writing to
 * it is interrupted, and stopping the workers interrupts them.
 */
final class LoadtestReport implements AutoCloseable {
    private final Path file;
    private final Path previous;
    private final FileOutputStream out;
    private final int[] counts = new int[LoadtestCommand.Fate.values().length];
    private int lines;
    private boolean closed;

    private LoadtestReport(Path file, Path previous, FileOutputStream out) {
        this.file = file;
        this.previous = previous;
        this.out = out;
    }

    /**
     * What is wrong with {@code report} as a place to write the report, or null: checked before anything
     * else, so a run never does its writes and then finds nowhere to put their record.
     */
    static String problem(Path report) {
        if (report == null || report.toString().isBlank()) {
            return "--report is empty; give a file to write, e.g. --report loadtest.csv";
        }
        Path absolute = report.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return "--report " + report + " is a folder; give a file in it, e.g. --report "
                    + report.resolve("loadtest.csv");
        }
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "--report " + report + ": its folder " + dir + " does not exist";
        }
        if (Files.exists(absolute) && !Files.isWritable(absolute)) {
            return "--report " + report + " exists and is not writable";
        }
        if (!Files.exists(absolute) && !Files.isWritable(dir)) {
            return "--report " + report + ": its folder " + dir + " is not writable";
        }
        return null;
    }

    /**
     * Creates the report file now, so a path that cannot be written fails before the first row. A report of an
     * earlier run at that path is the record of that run: it is kept as {@code <name>.previous-<timestamp>}
     * ({@link AtomicFile#keepPrevious}), never emptied; through a symbolic link, the file it points to is the one kept.
     * Anything but a regular file (a device) is written as it is.
     */
    static LoadtestReport create(Path report, Clock clock) throws IOException {
        Path absolute = report.toAbsolutePath();
        if (Files.isSymbolicLink(absolute) && Files.exists(absolute)) {
            absolute = absolute.toRealPath(); // else the write below would empty the earlier report the link points to
        }
        Path previous = null;
        if (Files.isRegularFile(absolute, LinkOption.NOFOLLOW_LINKS) && Files.size(absolute) > 0) {
            AtomicFile.Aside aside = AtomicFile.keepPrevious(absolute, clock);
            if (!aside.moved()) {
                throw new IOException("the earlier report there could not be kept as " + aside.target().getFileName()
                        + " (" + why(aside.failure()) + "); give another --report");
            }
            previous = aside.target();
        }
        return new LoadtestReport(absolute, previous, new FileOutputStream(absolute.toFile(), false));
    }

    /** The reason alone: an {@link AccessDeniedException}'s message is only the two paths. */
    private static String why(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied; its folder is not writable";
        }
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        return reason != null ? reason : e.getClass().getSimpleName();
    }

    Path file() {
        return file;
    }

    /** Where the earlier report at this path was kept, or null when there was none. */
    Path previous() {
        return previous;
    }

    /** Appends one row's line in a single write. */
    synchronized void add(UUID id, LoadtestCommand.Fate fate) throws IOException {
        if (closed) {
            throw new IOException("the report " + file + " is already closed");
        }
        out.write((id + "," + fate + "\n").getBytes(StandardCharsets.US_ASCII));
        counts[fate.ordinal()]++;
        lines++;
    }

    synchronized int lines() {
        return lines;
    }

    synchronized int count(LoadtestCommand.Fate fate) {
        return counts[fate.ordinal()];
    }

    /** Syncs the file to disk (a power cut is not a kill -9) and closes it; once. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (out) {
            // fsync is for files: a device or a pipe (/dev/null, a FIFO) answers EINVAL, which is no write failure
            if (Files.isRegularFile(file)) {
                out.getFD().sync();
            }
        }
    }
}
