package dev.pgpulse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Files a configuration reader must refuse rather than read: a real FIFO, a device, a large file. */
public final class OddFiles {
    public static final Path DEV_ZERO = Path.of("/dev/zero");

    private OddFiles() {
    }

    /** A named pipe made by mkfifo(1): opening it for reading blocks until a writer comes, which none does. */
    public static Path fifo(Path path) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("mkfifo " + path + " failed");
            }
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A regular file of 10 MB of spaces: valid JSON whitespace, so only its size is wrong. */
    public static Path tenMegabytes(Path path) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            return Files.write(path, " ".repeat(10 * 1024 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A symbolic link at {@code link} to {@code target}, so a fixed path (the rules file) can be a device. */
    public static Path link(Path link, Path target) {
        try {
            Files.createDirectories(link.toAbsolutePath().getParent());
            return Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
