package dev.pgpulse.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Command-line tools some tests drive (pgbench, promtool), found in the distribution's PostgreSQL folders or on PATH;
 * a missing one is a {@link Prerequisite} (fails under CI, skips elsewhere).
 */
public final class Tools {
    private Tools() {
    }

    /** The tool, or the test fails (CI) or is skipped (elsewhere) naming the package that provides it. */
    public static Path require(String name, String debianPackage) {
        return require(name, debianPackage, System.getenv());
    }

    static Path require(String name, String debianPackage, java.util.Map<String, String> env) {
        Optional<Path> found = find(name, env.get("PATH"));
        if (found.isPresent()) {
            return found.get();
        }
        Prerequisite.require(false, name + " not found (PATH, /usr/lib/postgresql/<N>/bin); on Debian: apt-get install "
                + debianPackage, env);
        throw new AssertionError("unreachable: Prerequisite.require either fails or aborts");
    }

    /** Newest PostgreSQL distribution folder first, then PATH (Debian's /usr/bin/pgbench is a wrapper script). */
    static Optional<Path> find(String name, String path) {
        Path pg = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(pg)) {
            try (Stream<Path> versions = Files.list(pg)) {
                Optional<Path> hit = versions.map(v -> v.resolve("bin").resolve(name)).filter(Files::isExecutable)
                        .max(Comparator.comparing(p -> p.getParent().getParent().getFileName().toString(),
                                Comparator.comparingInt(Tools::major)));
                if (hit.isPresent()) {
                    return hit;
                }
            } catch (java.io.IOException e) {
                // fall through to PATH
            }
        }
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
                .filter(Files::isExecutable).findFirst();
    }

    private static int major(String folder) {
        try {
            return Integer.parseInt(folder);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
