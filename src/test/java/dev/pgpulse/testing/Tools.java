package dev.pgpulse.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Command-line tools some tests drive (pgbench, promtool). Under CI (environment variable {@code CI} set) a missing
 * tool fails the test, because {@code .ci/run} installs them; on a developer's machine it skips, saying why.
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
        String why = name + " not found (PATH, /usr/lib/postgresql/<N>/bin); on Debian: apt-get install " + debianPackage;
        String ci = env.get("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            throw new AssertionError(why + " (CI must have it: .ci/run installs it)");
        }
        System.err.println("skipped: " + why);
        Assumptions.abort(why);
        return null;
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
