package dev.pgpulse.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * Reads a small configuration file (a profile file, the alert rules, .pgpass) whole, refusing what is not a
 * regular file or is too large to be one: {@code /dev/zero} would fill the heap, and a FIFO would block the
 * read forever. The checks look at the file's attributes first and never open a FIFO or device.
 */
public final class SmallFile {
    /** Far above any hand-written profile or rules file, far below what would strain the heap. */
    public static final int DEFAULT_LIMIT = 1024 * 1024;

    /** The file exists but is not one to read: its message says why, to follow the file's name. */
    public static final class Refused extends IOException {
        Refused(String why) {
            super(why);
        }
    }

    private SmallFile() {
    }

    /**
     * @throws java.nio.file.NoSuchFileException when it does not exist
     * @throws Refused                           when it is not a regular file or is over {@code limit} bytes
     */
    public static byte[] read(Path file, int limit) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        if (attrs.isDirectory()) {
            throw new Refused("is a folder, not a file");
        }
        if (!attrs.isRegularFile()) {
            throw new Refused("is not a regular file (a device, FIFO or socket); only regular files are read");
        }
        if (attrs.size() > limit) {
            throw new Refused("is " + size(attrs.size()) + ", over the " + size(limit) + " limit for this file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            // Read one byte past the limit: the file may have grown since its size was read.
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new Refused("is over the " + size(limit) + " limit for this file");
            }
            return bytes;
        }
    }

    public static String readString(Path file, int limit) throws IOException {
        return new String(read(file, limit), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String size(long bytes) {
        return bytes >= 1024 * 1024 ? String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024))
                : bytes >= 1024 ? bytes / 1024 + " KB" : bytes + " bytes";
    }
}
