package dev.pgpulse.query;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Exports the first result set of a run to a CSV file ({@link CsvWriter}'s format, the bytes psql's {@code \copy
 * ... csv header} writes), streamed: each batch is written as it arrives and nothing of the result is held.
 * Later results, counts and notices go to the optional {@code others} sink, or nowhere.
 * <p>
 * The file appears whole or not at all: rows go to a temp file ({@code 0600}) in the target's folder, which
 * {@link #commit()} fsyncs and renames over the target; {@link #abort()} (a failed or cancelled run) deletes it
 * and leaves an existing target untouched. {@link #rowsWritten()} may be read from any thread (a tab's progress).
 * A write failure stops reading the result; {@link #commit()} then throws it.
 */
public final class CsvSink implements QuerySink, AutoCloseable {
    /**
     * The writer alone (no database) wrote 5-8 M rows/s of (int, md5) with 8 KiB, 64 KiB or 1 MiB, the three within
     * the noise once warm (8 KiB the slowest cold); a whole export runs at 0.3-0.6 M rows/s, set by the server and
     * the driver (docs/PERFORMANCE.md, "Query export"). 64 KiB: fewer write calls at no cost worth counting.
     */
    public static final int DEFAULT_BUFFER_CHARS = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(CsvSink.class);

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final Writer writer;
    private final CsvWriter csv;
    private final QuerySink others;
    private volatile long rows;
    private int state; // 0 before the first result, 1 in it, 2 after it
    private IOException failure;
    private boolean finished;

    private CsvSink(Path target, Path temp, FileChannel channel, int bufferChars, QuerySink others) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel),
                StandardCharsets.UTF_8), bufferChars);
        this.csv = new CsvWriter(writer);
        this.others = others;
    }

    /** A sink for {@code target}; its temp file is made now, so a folder that cannot take it fails at once. */
    public static CsvSink open(Path target) throws IOException {
        return open(target, null, DEFAULT_BUFFER_CHARS);
    }

    /**
     * @param others      where later results, counts and notices go, or null
     * @param bufferChars the writer's buffer
     */
    public static CsvSink open(Path target, QuerySink others, int bufferChars) throws IOException {
        Objects.requireNonNull(target, "target");
        if (bufferChars < 1) {
            throw new IllegalArgumentException("bufferChars must be positive, but was " + bufferChars);
        }
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IOException(abs + " is a folder; give a file in it");
        }
        Path dir = abs.getParent();
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such folder");
        }
        // In the target's folder (a rename across file systems is a copy); createTempFile makes it 0600 on POSIX.
        Path temp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".partial");
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            }
            FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            return new CsvSink(abs, temp, ch, bufferChars, others);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    public Path target() {
        return target;
    }

    /** Rows written so far (to the buffer); readable from any thread. */
    public long rowsWritten() {
        return rows;
    }

    public LongSupplier progress() {
        return this::rowsWritten;
    }

    /** Whether the run gave a result set to write. */
    public boolean hadResult() {
        return state > 0;
    }

    @Override
    public void statementStarted(int index, SqlStatement statement) {
        if (others != null) {
            others.statementStarted(index, statement);
        }
    }

    @Override
    public void columns(int index, List<QueryColumn> columns) {
        if (state == 0) {
            state = 1;
            try {
                csv.header(columns);
            } catch (IOException e) {
                failure = e;
            }
        } else if (others != null) {
            others.columns(index, columns);
        }
    }

    @Override
    public boolean rows(List<String[]> batch) throws InterruptedException {
        if (state != 1) {
            return others == null || others.rows(batch);
        }
        if (failure != null) {
            return false;
        }
        try {
            for (String[] row : batch) {
                csv.row(row);
            }
            rows += batch.size(); // one thread writes; others only read
            return true;
        } catch (IOException e) {
            failure = e;
            return false;
        }
    }

    @Override
    public void resultEnded(long count, boolean complete) {
        if (state == 1) {
            state = 2;
        } else if (others != null) {
            others.resultEnded(count, complete);
        }
    }

    @Override
    public void updated(int index, String command, long count) {
        if (others != null) {
            others.updated(index, command, count);
        }
    }

    @Override
    public void notice(QueryNotice notice) {
        if (others != null) {
            others.notice(notice);
        }
    }

    /**
     * The run ended well: flushes, fsyncs and renames the file over the target. Throws (and removes the temp
     * file, the target untouched) when a write failed or the run gave no result set.
     */
    public void commit() throws IOException {
        if (finished) {
            throw new IllegalStateException("the export of " + target + " is already finished");
        }
        finished = true;
        try {
            if (failure != null) {
                throw failure;
            }
            if (state == 0) {
                throw new IOException("the statements returned no result set: nothing to write to " + target);
            }
            writer.flush();
            channel.force(true);
            channel.close();
            rename();
            syncFolder(target.getParent());
        } catch (IOException | RuntimeException e) {
            discard();
            throw e;
        }
    }

    /** The run failed or was cancelled: the temp file goes, the target stays as it was. */
    public void abort() {
        if (!finished) {
            finished = true;
            discard();
        }
    }

    /** {@link #abort()} unless committed. */
    @Override
    public void close() {
        abort();
    }

    private void discard() {
        try {
            channel.close(); // not the writer: flushing it would write to a file about to go
        } catch (IOException e) {
            LOG.debug("{} - closing the temp file failed: {}", target, e.toString());
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.warn("{} - cannot remove the temp file {}: {}", target, temp, e.toString());
        }
    }

    private void rename() throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename durable; some file systems cannot open a folder for this. */
    private static void syncFolder(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("{} - cannot fsync the folder: {}", dir, e.toString());
        }
    }
}
