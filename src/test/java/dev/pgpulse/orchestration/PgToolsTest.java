package dev.pgpulse.orchestration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.pgpulse.testing.Prerequisite.require;
import static org.awaitility.Awaitility.await;

/** Finding pg_dump/pg_restore: real ones on this machine, and fake ones (shell scripts) for the edge cases. */
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
        require(!distro.isEmpty(), "a distribution PostgreSQL folder /usr/lib/postgresql/<N>/bin (apt-get install postgresql-client-15)");
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

    @Test
    void anOlderPgDumpEarlierOnThePathDoesNotHideANewerOne() throws Exception {
        Path old = fakeTools("old", "9.6.24");
        Path mid = fakeTools("mid", "14.2");
        Path newer = fakeTools("newer", "16.4");
        PgTools tools = PgTools.locate(Map.of("PATH", old + ":" + mid), List.of(newer));
        assertThat(tools.major()).as("the first found is what locate answers for").isEqualTo(9);
        assertThat(tools.forServer(9)).isSameAs(tools);
        assertThat(tools.forServer(13).pgDump()).isEqualTo(mid.resolve("pg_dump"));
        PgTools for15 = tools.forServer(15, "15.19 (Debian 15.19-1.pgdg120+1)");
        assertThat(for15.pgDump()).isEqualTo(newer.resolve("pg_dump"));
        assertThat(for15.pgRestore()).isEqualTo(newer.resolve("pg_restore"));
        assertThat(for15.version()).isEqualTo("16.4");
        assertThat(for15.forServer(16)).isSameAs(for15);
        tools.requireAtLeast(16, "16.1"); // one of them will do
        assertThatThrownBy(() -> tools.forServer(17, "17.2"))
                .isInstanceOf(BackupException.class)
                .hasMessage("pg_dump 16.4 (" + newer.resolve("pg_dump") + "), the newest of 3 found, is older than the "
                        + "server (PostgreSQL 17.2); install the PostgreSQL 17 client tools or newer, or set PG_BIN");
        assertThatThrownBy(() -> tools.requireAtLeast(17, "17.2")).hasMessageContaining("newest of 3 found");
    }

    @Test
    void theRealDistributionToolsAreFoundBehindAnOldOneOnThePath() throws Exception {
        Path real = Path.of("/usr/lib/postgresql/15/bin");
        require(Files.isExecutable(real.resolve("pg_dump")), "PostgreSQL 15 client tools in " + real + " (apt-get install postgresql-client-15)");
        Path old = fakeTools("old", "9.6.24");
        PgTools tools = PgTools.locate(Map.of("PATH", old.toString()), List.of(real));
        assertThat(tools.pgDump()).isEqualTo(old.resolve("pg_dump"));
        PgTools picked = tools.forServer(15);
        assertThat(picked.pgDump()).isEqualTo(real.resolve("pg_dump"));
        assertThat(picked.pgRestore()).isEqualTo(real.resolve("pg_restore"));
        assertThat(picked.major()).isEqualTo(15);
    }

    @Test
    void somethingElseCalledPgDumpEarlyOnIsSkippedWhenARealOneFollows() throws Exception {
        Path odd = fakeTools("odd", null);
        Path good = fakeTools("good", "15.3");
        PgTools tools = PgTools.locate(Map.of("PG_BIN", odd.toString(), "PATH", good.toString()), List.of());
        assertThat(tools.pgDump()).isEqualTo(good.resolve("pg_dump"));
        assertThat(tools.forServer(15)).isSameAs(tools);
    }

    @Test
    void theChildGetsNoInheritedPgVariable() {
        Map<String, String> parent = new HashMap<>(Map.of("PATH", "/usr/bin", "HOME", "/home/dba", "LANG", "C.UTF-8",
                "PGOPTIONS", "-c default_transaction_read_only=on", "PGTARGETSESSIONATTRS", "standby",
                "PGSSLROOTCERT", "/etc/other-ca.pem", "PGSERVICEFILE", "/etc/pg_service.conf",
                "PGPASSWORD", "inherited", "PGHOST", "elsewhere"));
        parent.put("PGSYSCONFDIR", "/etc/postgresql-common");
        parent.put("PGDATABASE", "postgres");
        parent.put("pgpassfile", "/tmp/pgpass"); // Windows names are case-insensitive
        Map<String, String> env = ChildProcess.environment(parent, Map.of("PGAPPNAME", "pgpulse backup", "TZ", "UTC"));
        assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.of("PATH", "/usr/bin", "HOME", "/home/dba",
                "LANG", "C.UTF-8", "PGAPPNAME", "pgpulse backup", "TZ", "UTC"));
        assertThat(ChildProcess.environment(parent, Map.of("PGPASSWORD", "mine"))).containsEntry("PGPASSWORD", "mine")
                .doesNotContainKeys("PGOPTIONS", "PGHOST");
    }

    @Test
    void theShutdownHookStopsTheToolAndDeletesItsFiles() throws Exception {
        Path partial = Files.writeString(tmp.resolve("db-20260101-000000.dump.partial"), "half");
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (ChildProcess guard = ChildProcess.guard("pgpulse-test-exit")) {
            guard.deleteAtExit(partial);
            AtomicBoolean ranAtExit = new AtomicBoolean();
            guard.atExit(() -> ranAtExit.set(true));
            Thread hook = guard.exitHook();
            assertThat(hook.getName()).isEqualTo("pgpulse-test-exit");
            assertThat(hook.isVirtual()).isFalse();
            assertThatThrownBy(() -> Runtime.getRuntime().addShutdownHook(hook))
                    .as("registered while the guard is open").isInstanceOf(IllegalArgumentException.class);

            Future<?> run = runner.submit(() -> guard.run(List.of("/bin/sh", "-c", "exec sleep 60"), Map.of(), true, null));
            ProcessHandle sleep = await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().map(c -> c.endsWith("sleep")).orElse(false)).findFirst(),
                    Optional::isPresent).orElseThrow();
            List<Path> temps = tempFilesOf(sleep);
            assertThat(temps).isNotEmpty().allMatch(Files::exists);

            hook.run(); // what the JVM does on SIGTERM
            assertThat(sleep.isAlive()).isFalse();
            assertThat(partial).doesNotExist();
            assertThat(temps).noneMatch(Files::exists);
            assertThat(ranAtExit).isTrue();
            try {
                run.get(10, TimeUnit.SECONDS); // the waiting thread comes back too
            } catch (ExecutionException outputGone) {
                // the hook may have deleted the output before the thread read it: either way it returned
            }
            // a guard whose hook has run starts nothing more
            assertThatThrownBy(() -> guard.run(List.of("/bin/true"), Map.of(), false, null))
                    .isInstanceOf(BackupException.class).hasMessageContaining("shutting down");
            guard.close();
            assertThat(Runtime.getRuntime().removeShutdownHook(hook)).as("removed when the guard closes").isFalse();
        } finally {
            runner.shutdownNow();
        }
    }

    /** The temporary files a running tool writes to: its stdout and stderr, as /proc shows them. */
    private static List<Path> tempFilesOf(ProcessHandle p) throws IOException {
        require(OS.LINUX.isCurrentOs(), "/proc (Linux)");
        List<Path> files = new ArrayList<>();
        for (String fd : List.of("1", "2")) {
            Path target = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "fd", fd));
            if (target.getFileName().toString().startsWith("pgpulse-")) {
                files.add(target);
            }
        }
        return files;
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
