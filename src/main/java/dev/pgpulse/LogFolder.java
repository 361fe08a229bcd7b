package dev.pgpulse;

import ch.qos.logback.core.PropertyDefinerBase;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * logback.xml's {@code LOG_DIR}: makes the log folder (0700) and the log file (0600) before the file appender
 * opens it, which would otherwise create them with the umask's 0755 / 0644 for every user of the machine to
 * read. Runs inside logback's configuration, so before the first log line is written anywhere.
 *
 * <p>An existing folder is tightened only when it holds nothing but PgPulse's logs (our folder from an older
 * version); a shared folder someone points {@code PGPULSE_LOG_DIR} at is left as it is, but our files in it
 * are made 0600.
 */
public final class LogFolder extends PropertyDefinerBase {
    /** The file logback.xml's FILE appender writes, and the prefix of its rolled archives. */
    static final String FILE = "pgpulse.log";
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private String dir;

    /** Set by logback from the nested {@code <dir>} element, after variable substitution. */
    public void setDir(String dir) {
        this.dir = dir;
    }

    @Override
    public String getPropertyValue() {
        Path folder = Path.of(dir);
        try {
            if (!Files.isDirectory(folder)) {
                Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                // The umask can only narrow the mode; set it outright so a 0077-less umask cannot widen it either.
                Files.setPosixFilePermissions(folder, OWNER_DIR);
            } else if (onlyOurLogs(folder)) {
                Files.setPosixFilePermissions(folder, OWNER_DIR);
            }
            Path file = folder.resolve(FILE);
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                // In a shared folder anyone may have planted it: a symlink would have the appender write (and the
                // loop below chmod) whatever it points at, as root perhaps; a FIFO would block the appender's open.
                addWarn("replacing " + file + ", a symlink or special file, with PgPulse's own log file");
                Files.delete(file);
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
            } catch (FileAlreadyExistsException e) {
                // kept from an earlier run: tightened below
            }
            try (DirectoryStream<Path> ours = Files.newDirectoryStream(folder, "pgpulse*.log*")) {
                for (Path p : ours) {
                    // never through a symlink: its target is not one of our files
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                                .setPermissions(OWNER_FILE);
                    }
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Logback's own status: the appender then reports the folder it cannot use, if any.
            addWarn("could not make the log folder " + folder + " private to its user: " + e);
        }
        return dir;
    }

    private static boolean onlyOurLogs(Path folder) throws IOException {
        try (DirectoryStream<Path> all = Files.newDirectoryStream(folder)) {
            for (Path p : all) {
                if (!p.getFileName().toString().startsWith("pgpulse")) {
                    return false;
                }
            }
        }
        return true;
    }
}
