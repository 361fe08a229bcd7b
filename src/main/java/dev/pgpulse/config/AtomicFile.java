package dev.pgpulse.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The one way PgPulse replaces a file (console preferences, alert rules, a finished backup) and the one way it
 * moves a file aside: one it cannot use ({@code .broken-}), or a load test report a new run replaces
 * ({@code .previous-}). A replaced file holds either its old content or all of the new, after a crash
 * or a power cut: the new content goes to a temp file in the same folder (a rename across file systems is a
 * copy), is fsynced, renamed over the file (atomically where the file system can, else with a plain replacing
 * move) and the folder is fsynced, so the rename itself survives.
 */
public final class AtomicFile {
    /** {@code <name>.broken-<yyyyMMdd-HHmmss>[-n]}: a file PgPulse could not use, moved aside. */
    public static final String BROKEN = ".broken-";
    /** {@code <name>.previous-<yyyyMMdd-HHmmss>[-n]}: a file a new run replaces (a load test report), kept. */
    public static final String PREVIOUS = ".previous-";

    /** What the written file's permissions are, on a POSIX file system. */
    public enum Mode {
        /** {@code 0600}: the file may hold secrets (a webhook URL's token). */
        OWNER_ONLY,
        /** The replaced file's permissions; {@code 0600} for a new file. */
        KEEP_EXISTING
    }

    /** Writes the content to the stream it is given; may throw, and the file is then left as it was. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Where {@link #moveAside} put the file, or where it tried to and why it could not. */
    public record Aside(Path target, IOException failure) {
        public Aside {
            Objects.requireNonNull(target, "target");
        }

        public boolean moved() {
            return failure == null;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(AtomicFile.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);
    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");

    private AtomicFile() {
    }

    /** {@link #write(Path, Mode, Content)} of bytes. */
    public static void write(Path file, byte[] bytes, Mode mode) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        write(file, mode, out -> out.write(bytes));
    }

    /**
     * Replaces {@code file} (creating its folders) with what {@code content} writes. On any failure the temp file
     * is removed and {@code file} is as it was.
     */
    public static void write(Path file, Mode mode, Content content) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        // createTempFile makes it 0600 on POSIX; never wider while the content is being written.
        Path tmp = Files.createTempFile(dir, abs.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = Channels.newOutputStream(ch);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            setMode(tmp, abs, mode);
            rename(tmp, abs);
            tmp = null;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    log.warn("{} - cannot remove the temp file {}: {}", abs, tmp, e.toString());
                }
            }
        }
        syncFolder(dir);
    }

    /**
     * Puts a file written elsewhere in the same folder (a backup's {@code .partial}) in place: fsyncs it, renames it
     * to {@code target} as {@link #write} does and fsyncs the folder. The file keeps its permissions.
     */
    public static void moveIntoPlace(Path written, Path target) throws IOException {
        try (FileChannel ch = FileChannel.open(written, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        rename(written, target);
        syncFolder(target.toAbsolutePath().getParent());
    }

    /**
     * Moves {@code file} aside to {@code <name>.broken-<yyyyMMdd-HHmmss>} (with {@code -1}, {@code -2}, ... when
     * taken), so a file PgPulse cannot use is kept for the user and never overwrites an earlier one.
     *
     * @param clock for the time stamp
     */
    public static Aside moveAside(Path file, Clock clock) {
        return moveAside(file, BROKEN, clock);
    }

    /**
     * Moves a file that a new one is about to replace (and that is not a whole-file replace, such as a report
     * written as it goes) to {@code <name>.previous-<yyyyMMdd-HHmmss>}, the same way as {@link #moveAside}.
     */
    public static Aside keepPrevious(Path file, Clock clock) {
        return moveAside(file, PREVIOUS, clock);
    }

    private static Aside moveAside(Path file, String suffix, Clock clock) {
        Path abs = file.toAbsolutePath();
        String base = abs.getFileName() + suffix + LocalDateTime.now(clock).format(STAMP);
        Path target = abs.resolveSibling(base);
        for (int n = 1; ; n++) {
            try {
                // No REPLACE_EXISTING: an earlier file moved aside must never be overwritten.
                Files.move(abs, target);
                return new Aside(target, null);
            } catch (FileAlreadyExistsException e) {
                target = abs.resolveSibling(base + "-" + n);
            } catch (IOException e) {
                return new Aside(target, e);
            }
        }
    }

    private static void setMode(Path tmp, Path target, Mode mode) throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Set<PosixFilePermission> perms = OWNER_RW;
        if (mode == Mode.KEEP_EXISTING) {
            try {
                perms = Files.getPosixFilePermissions(target);
            } catch (NoSuchFileException e) {
                // a new file: owner-only
            }
        }
        Files.setPosixFilePermissions(tmp, perms);
    }

    private static void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            log.debug("{} - atomic rename not supported, replacing the file with a plain move: {}", to, e.toString());
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename durable; some file systems (and Windows) cannot open a folder for this. */
    private static void syncFolder(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("{} - cannot fsync the folder: {}", dir, e.toString());
        }
    }
}
