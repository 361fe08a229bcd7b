package dev.pgpulse.orchestration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Finding pg_dump/pg_restore: real ones on this machine, and fake ones (shell scripts) for the edge cases. */
@DisabledOnOs(OS.WINDOWS)
class PgToolsTest {
    @TempDir
    Path tmp;

    @Test
    void parsesWhatPgDumpPrints() {
        assertThat(PgTools.parseVersion("pg_dump (PostgreSQL) 15.19 (Debian 15.19-1.pgdg120+1)"))
                .isEqualTo(new PgTools.Version("15.19 (Debian 15.19-1.pgdg120+1)", 15, 19));
        assertThat(PgTools.parseVersion("pg_dump (PostgreSQL) 9.6.24")).isEqualTo(new PgTools.Version("9.6.24", 9, 6));
        assertThat(PgTools.parseVersion("pg_dump (PostgreSQL) 17beta1")).isEqualTo(new PgTools.Version("17beta1", 17, 0));
        assertThat(PgTools.parseVersion("mysqldump  Ver 8.0")).isNull();
    }

    @Test
    void missingToolsSayWhereItLookedAndHowToFix() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThatThrownBy(() -> PgTools.locate(Map.of("PATH", empty.toString(), "PG_BIN", empty.toString()), List.of()))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("not found on PATH, in PG_BIN")
                .hasMessageContaining("postgresql-client-15")
                .hasMessageContaining("set PG_BIN")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aToolOlderThanTheServerIsRefusedWithBothVersions() throws Exception {
        Path old = fakeTools("old", "9.6.24");
        PgTools tools = PgTools.locate(Map.of("PG_BIN", old.toString(), "PATH", ""), List.of());
        assertThat(tools.major()).isEqualTo(9);
        assertThat(tools.minor()).isEqualTo(6);
        assertThat(tools.pgRestore()).isEqualTo(old.resolve("pg_restore"));
        assertThatThrownBy(() -> tools.requireAtLeast(15, "15.19 (Debian 15.19-1.pgdg120+1)"))
                .isInstanceOf(BackupException.class)
                .hasMessage("pg_dump 9.6.24 (" + old.resolve("pg_dump") + ") is older than the server (PostgreSQL "
                        + "15.19); install the PostgreSQL 15 client tools or newer, or set PG_BIN");
        tools.requireAtLeast(9, "9.6.24");
    }

    @Test
    void pgBinWinsOverPathAndPathOverTheDistribution() throws Exception {
        Path pgBin = fakeTools("pgbin", "16.4");
        Path onPath = fakeTools("onpath", "17.2");
        Path distro = fakeTools("distro", "18.0");
        String path = tmp.resolve("nothing-here") + ":" + onPath;
        assertThat(PgTools.locate(Map.of("PG_BIN", pgBin.toString(), "PATH", path), List.of(distro)).version())
                .isEqualTo("16.4");
        assertThat(PgTools.locate(Map.of("PATH", path), List.of(distro)).pgDump()).isEqualTo(onPath.resolve("pg_dump"));
        assertThat(PgTools.locate(Map.of("PATH", ""), List.of(distro)).major()).isEqualTo(18);
        // a PG_BIN without the tools is skipped (with a warning), not fatal
        assertThat(PgTools.locate(Map.of("PG_BIN", tmp.resolve("nothing-here").toString(), "PATH", path), List.of())
                .major()).isEqualTo(17);
    }

    @Test
    void aFolderNeedsBothExecutables() throws Exception {
        Path half = fakeTools("half", "16.4");
        Files.delete(half.resolve("pg_restore"));
        Path notExecutable = fakeTools("noexec", "16.4");
        Files.setPosixFilePermissions(notExecutable.resolve("pg_dump"), PosixFilePermissions.fromString("rw-r--r--"));
        Path good = fakeTools("good", "15.3");
        assertThat(PgTools.locate(Map.of("PATH", half + ":" + notExecutable + ":" + good), List.of()).pgDump())
                .isEqualTo(good.resolve("pg_dump"));
    }

    @Test
    void somethingElseCalledPgDumpIsRefused() throws Exception {
        Path odd = fakeTools("odd", null);
        assertThatThrownBy(() -> PgTools.locate(Map.of("PG_BIN", odd.toString()), List.of()))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("not a PostgreSQL pg_dump version");
    }

    @Test
    void findsTheRealToolsOfThisMachine() throws Exception {
        PgTools tools = PgTools.locate();
        assertThat(tools.major()).isGreaterThanOrEqualTo(15);
        assertThat(Files.isExecutable(tools.pgRestore())).isTrue();
        tools.requireAtLeast(15, "15.19");

        List<Path> distro = PgTools.defaultDistroDirs();
        assumeThat(distro).as("a distribution PostgreSQL folder on this machine").isNotEmpty();
        PgTools fromDistro = PgTools.locate(Map.of("PATH", tmp.toString()), distro);
        assertThat(fromDistro.pgDump().getParent()).isEqualTo(distro.getFirst());
        assertThat(fromDistro.major()).isGreaterThanOrEqualTo(15);
    }

    @Test
    void distributionFoldersComeHighestVersionFirst() {
        List<Path> dirs = PgTools.defaultDistroDirs();
        List<Path> debian = dirs.stream().filter(d -> d.startsWith("/usr/lib/postgresql")).toList();
        List<Integer> versions = debian.stream().map(d -> Integer.parseInt(d.getParent().getFileName().toString()
                .replaceAll("\\D.*", ""))).toList();
        assertThat(versions).isSortedAccordingTo((a, b) -> b - a);
        assertThat(dirs).allMatch(Files::isDirectory);
    }

    /** A folder with executable scripts pg_dump (printing {@code version}, or garbage when null) and pg_restore. */
    private Path fakeTools(String name, String version) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve(name));
        String says = version == null ? "dump tool 1.0" : "pg_dump (PostgreSQL) " + version;
        script(dir.resolve("pg_dump"), "echo '" + says + "'");
        script(dir.resolve("pg_restore"), "echo 'pg_restore (PostgreSQL) " + version + "'");
        return dir;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
