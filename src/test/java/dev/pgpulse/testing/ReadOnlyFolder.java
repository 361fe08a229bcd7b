package dev.pgpulse.testing;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A folder made read-only for this user for the length of a test: mode {@code r-x}, and, because root ignores the
 * mode bits, also the immutable attribute ({@code chattr +i}, e2fsprogs, where the file system allows it). A
 * {@link Prerequisite} when neither stops this user. Closing puts everything back.
 */
public final class ReadOnlyFolder implements AutoCloseable {
    private final Path folder;
    private final Set<PosixFilePermission> before;
    private boolean immutable;

    private ReadOnlyFolder(Path folder) throws IOException {
        this.folder = folder;
        this.before = Files.getPosixFilePermissions(folder);
    }

    public static ReadOnlyFolder of(Path folder) throws IOException {
        Prerequisite.require(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "a file system with POSIX permissions");
        ReadOnlyFolder ro = new ReadOnlyFolder(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            if (canWriteInto(folder)) {
                ro.immutable = chattr("+i", folder);
                Prerequisite.require(ro.immutable && !canWriteInto(folder),
                        "a way to make a folder read-only for this user (as root: chattr +i, e2fsprogs, on ext4)");
            }
        } catch (RuntimeException | Error e) {
            ro.close();
            throw e;
        }
        return ro;
    }

    /** Whether the immutable attribute was needed (root): then a move in it fails with EPERM, not EACCES. */
    public boolean immutable() {
        return immutable;
    }

    @Override
    public void close() throws IOException {
        if (immutable) {
            chattr("-i", folder);
            immutable = false;
        }
        Files.setPosixFilePermissions(folder, before);
    }

    private static boolean canWriteInto(Path folder) {
        try {
            Files.delete(Files.createTempFile(folder, "probe", ".tmp"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean chattr(String flag, Path path) {
        try {
            Process p = new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
