package dev.pgpulse;

import dev.pgpulse.testing.Launcher;
import dev.pgpulse.testing.Prerequisite;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The installer's smoke test: the jpackage app-image that {@code mvn -Ppackage package} builds, and the .deb made
 * from it unpacked into a temporary root ({@code dpkg-deb -x}), each launcher run as a newcomer would (home in a
 * test folder, nothing configured, no display). Runs only with {@code -Ppackage} (the profile lifts this class's
 * exclusion from failsafe and the build hands over where the image is); there, a missing image or .deb skips on a
 * developer's machine and fails in CI.
 */
class PackagedAppIT {
    /** Lines the JVM or JavaFX print when the packaged runtime or module path is wrong. */
    private static final List<String> BAD = List.of("Unsupported JavaFX configuration", "WARNING:", "IllegalAccessError",
            "InaccessibleObjectException", "NoClassDefFoundError", "ClassNotFoundException", "Module javafx",
            "java.lang.module.FindException");

    @TempDir
    Path home;

    record Run(int code, String out, String err) {
    }

    private static Path image() {
        String dir = System.getProperty("pgpulse.packaged.image");
        boolean there = dir != null && Files.isExecutable(Path.of(dir, "bin", "pgpulse"));
        Prerequisite.require(there, "the app-image " + (dir == null ? "(pgpulse.packaged.image not set)" : dir)
                + "; build it with mvn -Ppackage package");
        return Path.of(dir);
    }

    private static Path deb() throws IOException {
        Prerequisite.require(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "dpkg-deb (apt-get install dpkg)");
        Prerequisite.require(!Boolean.getBoolean("pgpulse.packaged.deb.skipped"),
                "fakeroot when the package was built (apt-get install fakeroot; -Ppackage builds the .deb only where it is)");
        Path dist = Path.of(System.getProperty("pgpulse.packaged.dist", "target/dist"));
        List<Path> debs;
        try (Stream<Path> s = Files.exists(dist) ? Files.list(dist) : Stream.empty()) {
            debs = s.filter(p -> p.getFileName().toString().matches("pgpulse_.*_amd64\\.deb")).toList();
        }
        Prerequisite.require(debs.size() == 1, "exactly one pgpulse_*_amd64.deb in " + dist + " (found " + debs
                + "); build it with mvn -Ppackage package");
        return debs.getFirst();
    }

    private Run run(Path launcher, Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = Launcher.builder(launcher, home, env, args);
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s %s finished", launcher, List.of(args)).isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String cmd(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", List.of(command), out).isZero();
        return out;
    }

    private static void assertVersion(Run r) {
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("PgPulse " + System.getProperty("pgpulse.version", "")).contains("Java 25");
        assertThat(r.err()).isEmpty();
    }

    /** Every file under dir with its size and modification time, to show that a run wrote nothing there. */
    private static Map<String, String> tree(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                files.put(dir.relativize(f).toString(), a.size() + " " + a.lastModifiedTime());
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                files.put(dir.relativize(d) + "/", a.lastModifiedTime().toString());
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    @Test
    void appImageLauncherPrintsTheVersion() throws Exception {
        assertVersion(run(image().resolve("bin/pgpulse"), Map.of(), "--version"));
    }

    @Test
    void appImageStatusRunsOnTheEmbeddedDefaultWithNothingConfiguredAndWritesOnlyInHome() throws Exception {
        Path image = image();
        Map<String, String> before = tree(image);
        Run r = run(image.resolve("bin/pgpulse"), Map.of(), "status");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("embedded PostgreSQL at postgresql://postgres@localhost:")
                .containsPattern("primary\\s+primary\\s+postgres@localhost:\\d+/postgres\\s+15\\.\\d+\\s+no\\s+[\\d.]+ ms\\s+ok");
        assertThat(r.err()).contains("Embedded PostgreSQL 15 at postgresql://").contains("Embedded PostgreSQL stopped");
        assertThat(BAD).noneMatch(r.err()::contains);
        // data, config and logs in the user's folders, as from the source checkout; nothing in the installed app
        assertThat(home.resolve(".local/share/pgpulse/embedded/PG_VERSION")).exists();
        assertThat(home.resolve(".local/share/pgpulse/logs/pgpulse.log")).exists();
        assertThat(tree(image)).isEqualTo(before);
    }

    @Test
    void appImageRunsJavaFxFromTheModulePathAndShipsTheNoticesForEveryJar() throws Exception {
        Path image = image();
        String cfg = Files.readString(image.resolve("lib/app/pgpulse.cfg"));
        assertThat(cfg).contains("java-options=--module-path=$APPDIR/../javafx")
                .contains("java-options=--add-modules=javafx.controls,javafx.swing")
                .contains("--enable-native-access=ALL-UNNAMED").doesNotContain("javafx-");
        List<Path> jars = new ArrayList<>();
        try (Stream<Path> s = Stream.concat(Files.list(image.resolve("lib/app/libs")), Files.list(image.resolve("lib/javafx")))) {
            s.forEach(jars::add);
        }
        try (Stream<Path> s = Files.list(image.resolve("lib/javafx"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder(
                    "javafx-base-25.0.4-linux.jar", "javafx-controls-25.0.4-linux.jar", "javafx-graphics-25.0.4-linux.jar",
                    "javafx-swing-25.0.4-linux.jar");
        }
        assertThat(image.resolve("lib/app/LICENSE")).content().contains("Apache License");
        assertThat(image.resolve("lib/app/NOTICE")).content().contains("THIRD-PARTY.txt").contains("PostgreSQL");
        assertThat(image.resolve("lib/runtime/legal/java.base")).isDirectory();
        // each bundled jar, artifactId-version[-linux].jar, has its line in the notices, with a licence
        List<String> listed = ThirdPartyNotices.read(image.resolve("lib/app/THIRD-PARTY.txt")).entrySet().stream()
                .filter(e -> ThirdPartyNotices.named(e.getValue()))
                .map(e -> e.getKey().substring(e.getKey().indexOf(':') + 1).replace(':', '-')).toList();
        assertThat(jars).hasSizeGreaterThan(40).allSatisfy(jar -> assertThat(listed)
                .as("%s listed with a licence in THIRD-PARTY.txt", jar.getFileName())
                .contains(jar.getFileName().toString().replaceFirst("(-linux)?\\.jar$", "")));
    }

    @Test
    void appImageWithoutADisplaySaysWhatToRunInstead() throws Exception {
        Run r = run(image().resolve("bin/pgpulse"), Map.of());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("no display").contains("pgpulse status");
    }

    /**
     * The console on a real (virtual) display from the app-image: JavaFX from the module path, so none of the
     * warnings a class-path launch or a missing export prints, and it stops cleanly on SIGTERM.
     */
    @Test
    void appImageOpensTheConsoleWithJavaFxAsNamedModules() throws Exception {
        Path image = image();
        Path xvfb = Path.of("/usr/bin/Xvfb");
        Prerequisite.require(Files.isExecutable(xvfb), "Xvfb (apt-get install xvfb xauth libgtk-3-0)");
        int display = 120;
        while (Files.exists(Path.of("/tmp/.X11-unix/X" + display)) || Files.exists(Path.of("/tmp/.X" + display + "-lock"))) {
            display++;
        }
        Process x = new ProcessBuilder(xvfb.toString(), ":" + display, "-screen", "0", "1400x900x24", "-nolisten", "tcp")
                .redirectErrorStream(true).redirectOutput(home.resolve("xvfb.txt").toFile()).start();
        Process p = null;
        try {
            Path socket = Path.of("/tmp/.X11-unix/X" + display);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
            Path err = home.resolve("console-err.txt");
            p = Launcher.builder(image.resolve("bin/pgpulse"), home, Map.of("DISPLAY", ":" + display))
                    .redirectOutput(home.resolve("console-out.txt").toFile()).redirectError(err.toFile()).start();
            Process console = p;
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> !console.isAlive()
                    || Files.readString(err).contains("console open on postgresql://postgres@localhost:"));
            assertThat(p.isAlive()).as(Files.readString(err)).isTrue();
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
            String log = Files.readString(err);
            assertThat(log).contains("PgPulse stopped").contains("Embedded PostgreSQL stopped");
            assertThat(BAD).noneMatch(log::contains);
            assertThat(home.resolve(".local/share/pgpulse/logs/pgpulse.log")).content()
                    .doesNotContain("IllegalAccessError").doesNotContain("InaccessibleObjectException");
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
            x.destroy();
        }
    }

    @Test
    void debUnpackedIntoATemporaryRootRunsAndDeclaresItsMenuEntryLinkAndGtk() throws Exception {
        Path deb = deb();
        Path root = Files.createDirectory(home.resolve("root"));
        cmd("dpkg-deb", "-x", deb.toString(), root.toString());
        Path launcher = root.resolve("opt/pgpulse/bin/pgpulse");
        assertVersion(run(launcher, Map.of(), "--version"));
        Run config = run(launcher, Map.of(), "config");
        assertThat(config.code()).as(config.err()).isZero();
        assertThat(config.out()).contains("embedded PostgreSQL 15").contains(home.resolve(".local/share/pgpulse/embedded").toString());

        assertThat(cmd("dpkg-deb", "-f", deb.toString(), "Package", "Depends"))
                .contains("Package: pgpulse").containsPattern("Depends: .*\\blibgtk-3-0\\b");
        Path control = home.resolve("control");
        cmd("dpkg-deb", "-e", deb.toString(), control.toString());
        // the menu entry may fail (no /usr/share/desktop-directories on a server: xdg-desktop-menu exits 3), the install not
        assertThat(control.resolve("postinst")).content()
                .containsPattern("if ! \\(\\s*xdg-desktop-menu install /opt/pgpulse/lib/pgpulse-pgpulse.desktop\\s*\\); then")
                .contains("ln -sfn /opt/pgpulse/bin/pgpulse /usr/bin/pgpulse");
        assertThat(control.resolve("prerm")).content().contains("rm -f /usr/bin/pgpulse")
                .containsPattern("if ! \\(\\s*do_if_file_belongs_to_single_package \\S+ xdg-desktop-menu uninstall");
        assertThat(root.resolve("opt/pgpulse/lib/pgpulse-pgpulse.desktop")).content()
                .contains("Name=PgPulse\n").contains("Exec=/opt/pgpulse/bin/pgpulse\n")
                .contains("Icon=/opt/pgpulse/lib/pgpulse.png\n").contains("Categories=Development;Database;\n");
        assertThat(Files.readAllBytes(root.resolve("opt/pgpulse/lib/pgpulse.png")))
                .isEqualTo(Files.readAllBytes(Path.of("icons/pgpulse.png")));
        assertThat(root.resolve("opt/pgpulse/lib/app/THIRD-PARTY.txt")).exists();
    }
}
