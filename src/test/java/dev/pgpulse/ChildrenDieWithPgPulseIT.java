package dev.pgpulse;

import dev.pgpulse.testing.Launcher;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nothing lost, nothing left behind, on a real {@code bin/pgpulse} stopped by SIGTERM or killed with SIGKILL: the
 * loadtest report is finished (SIGTERM) or a prefix of whole lines (SIGKILL) and tells the truth about the table;
 * pg_dump and pg_restore die with PgPulse (a killed backup is never completed, a killed restore never commits);
 * the embedded server does not outlive a killed PgPulse, and the next start is up within seconds either way.
 * The databases are this test JVM's PostgreSQL; PgPulse's own embedded server lives in the test's home folder.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ChildrenDieWithPgPulseIT {
    private static final Pattern REPORT_LINE = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
            + "[0-9a-f]{12},(COMMITTED|FAILED|UNKNOWN)");
    private static final int CONCURRENCY = 4;

    @TempDir
    Path home;

    private int launches;

    /** A real bin/pgpulse (see {@link Launcher}), its output in numbered files. */
    private Process launch(Map<String, String> extraEnv, String... args) throws IOException {
        ProcessBuilder pb = Launcher.builder(home, extraEnv, args);
        int n = ++launches;
        return pb.redirectOutput(home.resolve("out-" + n + ".txt").toFile())
                .redirectError(home.resolve("err-" + n + ".txt").toFile()).start();
    }

    private String out(int launch) throws IOException {
        return Files.readString(home.resolve("out-" + launch + ".txt"), StandardCharsets.UTF_8);
    }

    private String err(int launch) throws IOException {
        return Files.readString(home.resolve("err-" + launch + ".txt"), StandardCharsets.UTF_8);
    }

    private int finish(Process p, Duration within) throws InterruptedException {
        assertThat(p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)).as("bin/pgpulse finished within " + within)
                .isTrue();
        return p.exitValue();
    }

    // ---- loadtest -------------------------------------------------------------------------------------------

    @Test
    void sigtermDuringALoadtestFinishesTheReportAndItTellsTheTruth(TestDatabase server) throws Exception {
        stopALoadtestBySignal(server.freshDatabase("it_loadtest_term"), "TERM", 143);
    }

    /** Ctrl-C in a terminal is SIGINT to the foreground group: the same finish as SIGTERM. */
    @Test
    void ctrlCDuringALoadtestFinishesTheReportToo(TestDatabase server) throws Exception {
        stopALoadtestBySignal(server.freshDatabase("it_loadtest_int"), "INT", 130);
    }

    private void stopALoadtestBySignal(TestDatabase db, String signal, int exitCode) throws Exception {
        Path report = home.resolve(signal + ".csv");
        Process p = loadtestUnderWay(db, report);
        int launch = launches;
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(p.pid())).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(finish(p, Duration.ofSeconds(60))).as("exit on SIG" + signal).isEqualTo(exitCode);
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(report);
        assertThat(text).as("the report ends with a whole line").endsWith("\n");
        List<String> lines = text.lines().toList();
        assertThat(lines).allMatch(l -> REPORT_LINE.matcher(l).matches()).hasSizeBetween(500, 49_999);
        assertThat(out(launch).strip()).as("one summary line that names the file")
                .matches("loadtest: " + lines.size() + " of 50000 rows attempted in [\\d.]+ s \\(concurrency 4\\): "
                        + "\\d+ COMMITTED, \\d+ FAILED, \\d+ UNKNOWN \\(stopped by a signal\\); report: "
                        + Pattern.quote(report.toString()));
        Set<String> inTable = ids(db);
        checkTruth(lines, inTable);
        Set<String> reported = new HashSet<>();
        lines.forEach(l -> reported.add(l.substring(0, 36)));
        assertThat(reported).as("the rows in flight were finished and recorded: no row without a line")
                .containsAll(inTable);
    }

    @Test
    void sigkillDuringALoadtestLeavesAPrefixOfWholeLinesThatTellsTheTruth(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("it_loadtest_kill");
        Path report = home.resolve("kill.csv");
        Process p = loadtestUnderWay(db, report);
        try {
            p.destroyForcibly(); // SIGKILL: no hook runs, only what was written counts
            finish(p, Duration.ofSeconds(30));
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(report);
        // LoadtestReport's contract: a row is a line that ends in a newline. Each line is one write(2), so only a
        // kill inside the write of a line straddling a page boundary could leave a fragment after the last one.
        int end = text.lastIndexOf('\n');
        String fragment = text.substring(end + 1);
        assertThat(fragment.length()).as("at most a fragment of one line after the last newline").isLessThan(46);
        assertThat(fragment).doesNotContain(",COMMITTED").doesNotContain(",FAILED").doesNotContain(",UNKNOWN");
        List<String> lines = text.substring(0, end + 1).lines().toList();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(500).allMatch(l -> REPORT_LINE.matcher(l).matches());
        Set<String> inTable = ids(db);
        checkTruth(lines, inTable);
        Set<String> reported = new HashSet<>();
        lines.forEach(l -> reported.add(l.substring(0, 36)));
        Set<String> unrecorded = new HashSet<>(inTable);
        unrecorded.removeAll(reported);
        assertThat(unrecorded).as("only rows in flight at the kill (one per worker) can lack a line")
                .hasSizeLessThanOrEqualTo(CONCURRENCY);
    }

    /** A loadtest of 50,000 rows with at least 500 of them in its report. */
    private Process loadtestUnderWay(TestDatabase db, Path report) throws IOException {
        Process p = launch(db.env(), "loadtest", "--writes", "50000", "--concurrency", Integer.toString(CONCURRENCY),
                "--report", report.toString());
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> lineCount(report) >= 500);
        } catch (RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
        return p;
    }

    private static void checkTruth(List<String> lines, Set<String> inTable) {
        int committed = 0;
        for (String line : lines) {
            String id = line.substring(0, 36);
            switch (line.substring(37)) {
                case "COMMITTED" -> {
                    committed++;
                    assertThat(inTable).as("COMMITTED row %s is in pgpulse_loadtest", id).contains(id);
                }
                case "FAILED" -> assertThat(inTable).as("FAILED row %s is not", id).doesNotContain(id);
                default -> { }
            }
        }
        assertThat(committed).as("rows were committed before the stop").isPositive();
    }

    private static long lineCount(Path report) {
        try (Stream<String> s = Files.lines(report)) {
            return s.count();
        } catch (IOException | java.io.UncheckedIOException notYet) {
            return 0;
        }
    }

    private static Set<String> ids(TestDatabase db) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select id::text from pgpulse_loadtest")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    // ---- backup and restore ---------------------------------------------------------------------------------

    @Test
    void pgDumpDiesWithAKilledPgPulseAndNoBackupIsCompleted(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("it_backup_kill");
        db.exec("create table t(id int primary key, body text)",
                "insert into t select g, md5(g::text) from generate_series(1, 2000) g");
        Path dir = home.resolve("backups");
        try (Connection locker = db.connect(); Statement st = locker.createStatement()) {
            // pg_dump waits for this lock (up to its 60 s lock wait): a backup under way, for as long as we like
            locker.setAutoCommit(false);
            st.execute("lock table t in access exclusive mode");
            Process p = launch(db.env(), "backup", "--out", dir.toString());
            long pgDump;
            try {
                pgDump = await().atMost(Duration.ofSeconds(60)).until(() -> child(p, "pg_dump", "-Fc"),
                        Optional::isPresent).orElseThrow();
                p.destroyForcibly();
                finish(p, Duration.ofSeconds(10));
            } finally {
                p.destroyForcibly();
            }
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pgDump));
            LoggerFactory.getLogger(ChildrenDieWithPgPulseIT.class).info("pg_dump gone {} ms after the kill",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            locker.rollback();
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(f -> f.getFileName().toString()).toList();
            assertThat(names).as("the claim is left, nothing is renamed into a backup").singleElement()
                    .satisfies(n -> assertThat(n).endsWith(".dump.partial"));
        }
        Process list = launch(db.env(), "backups", "--dir", dir.toString());
        int launch = launches;
        assertThat(finish(list, Duration.ofSeconds(60))).as(err(launch)).isZero();
        assertThat(out(launch)).contains(".dump.partial").contains("incomplete");
    }

    @Test
    void pgRestoreDiesWithAKilledPgPulseAndTheRestoreNeverCommits(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("it_restore_kill");
        db.exec("create table t(id int primary key, body text)",
                "insert into t select g, md5(g::text) from generate_series(1, 100) g");
        Path dir = home.resolve("backups");
        Process backup = launch(db.env(), "backup", "--out", dir.toString());
        int backupLaunch = launches;
        assertThat(finish(backup, Duration.ofSeconds(90))).as(err(backupLaunch)).isZero();
        Path file;
        try (Stream<Path> s = Files.list(dir)) {
            file = s.filter(f -> f.toString().endsWith(".dump")).findFirst().orElseThrow();
        }
        // rows the backup does not have: a restore that completed would take them away
        db.exec("insert into t select g, 'after the backup' from generate_series(101, 150) g");
        try (Connection locker = db.connect(); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("lock table t in access share mode"); // pg_restore --clean's DROP TABLE waits for it
            Process p = launch(db.env(), "restore", file.toString(), "--target-db", "it_restore_kill", "--over-source");
            long pgRestore;
            try {
                pgRestore = await().atMost(Duration.ofSeconds(60))
                        .until(() -> child(p, "pg_restore", "--single-transaction"), Optional::isPresent).orElseThrow();
                await().atMost(Duration.ofSeconds(30)).until(() -> restoreWaitsOnTheLock(db));
                p.destroyForcibly();
                finish(p, Duration.ofSeconds(10));
            } finally {
                p.destroyForcibly();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pgRestore));
            locker.rollback();
        }
        // its server session ends when it next reads from the dead client; until then it could still commit
        await().atMost(Duration.ofSeconds(30)).until(() -> restoreSessions(db) == 0);
        assertThat(db.queryLong("select count(*) from t")).as("the killed restore was rolled back, not completed")
                .isEqualTo(150);
    }

    /** A restore's session is named {@code pgpulse restore <pid>-<n>}, so that a cancel ends only its own. */
    private static boolean restoreWaitsOnTheLock(TestDatabase db) throws SQLException {
        return db.queryLong("select count(*) from pg_stat_activity where application_name like 'pgpulse restore %' "
                + "and wait_event_type = 'Lock'") > 0;
    }

    private static long restoreSessions(TestDatabase db) throws SQLException {
        return db.queryLong("select count(*) from pg_stat_activity where application_name like 'pgpulse restore %'");
    }


    // ---- the embedded server --------------------------------------------------------------------------------

    @Test
    void theEmbeddedServerStopsWhenPgPulseIsKilledAndTheNextStartIsQuick() throws Exception {
        long postmaster = killAnAgentOnTheEmbeddedServer(false);
        await("the watchdog stopped the orphan").atMost(Duration.ofSeconds(15)).until(() -> !alive(postmaster));
        assertStartsWithinSeconds(postmaster);
    }

    @Test
    void withoutTheWatchdogTheNextStartStopsTheStrayServerAndIsUpWithinSeconds() throws Exception {
        long postmaster = killAnAgentOnTheEmbeddedServer(true);
        assertThat(alive(postmaster)).as("left running, as with no watchdog").isTrue();
        int launch = assertStartsWithinSeconds(postmaster);
        assertThat(err(launch)).contains("PostgreSQL (pid " + postmaster + ") is still running on")
                .contains("left by a PgPulse that is gone");
    }

    /**
     * A PgPulse killed while pg_ctl is starting its server (no watchdog yet: it starts once the server is up)
     * leaves a postmaster that comes up after PgPulse is gone. The lock recorded its token before the start, so
     * the next start knows it for PgPulse's and stops it, instead of refusing it as someone else's.
     */
    @Test
    void aServerWhoseStartWasUnderWayWhenPgPulseWasKilledIsStoppedByTheNextStart() throws Exception {
        Process p = launch(Map.of(), "status");
        Path pidFile = home.resolve(".local/share/pgpulse/embedded/postmaster.pid");
        long pgCtl = await("pg_ctl starting the server").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(5))
                .until(() -> child(p, "pg_ctl", "start"), Optional::isPresent).orElseThrow();
        p.destroyForcibly();
        finish(p, Duration.ofSeconds(10));
        // pg_ctl, nobody's child now, brings the server up
        long postmaster = await("the orphaned server up").atMost(Duration.ofSeconds(60)).until(() -> {
            try {
                return Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
            } catch (IOException | RuntimeException notYet) {
                return -1L;
            }
        }, pid -> pid > 0 && alive(pid) && !alive(pgCtl));
        int launch = assertStartsWithinSeconds(postmaster);
        assertThat(err(launch)).contains("PostgreSQL (pid " + postmaster + ") is still running on")
                .contains("left by a PgPulse that is gone");
    }

    /** Two PgPulses on one embedded folder: the second is told which one has it, by pid, and fails at once. */
    @Test
    void aSecondPgPulseOnTheSameFolderIsToldWhichPgPulseHasIt() throws Exception {
        Process agent = launch(Map.of(), "agent", "--port", "0");
        int agentLaunch = launches;
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> out(agentLaunch).contains("listening on http://"));
            long t0 = System.nanoTime();
            Process second = launch(Map.of(), "status");
            int launch = launches;
            assertThat(finish(second, Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("refused at once, no 60 s wait")
                    .isLessThan(15_000);
            assertThat(err(launch)).contains("embedded PostgreSQL could not start on "
                    + home.resolve(".local/share/pgpulse/embedded") + ": another PgPulse (pid " + agent.pid()
                    + ", running since ").contains("is running on this folder; stop it first");
            assertThat(agent.isAlive()).as("the first one is untouched").isTrue();
        } finally {
            agent.destroy();
            agent.waitFor(30, TimeUnit.SECONDS);
            agent.destroyForcibly();
        }
    }

    /** Starts an agent on the embedded default, SIGKILLs it (and first its watchdog, if asked); the postmaster's pid. */
    private long killAnAgentOnTheEmbeddedServer(boolean watchdogToo) throws Exception {
        Process p = launch(Map.of(), "agent", "--port", "0");
        int launch = launches;
        Path pidFile = home.resolve(".local/share/pgpulse/embedded/postmaster.pid");
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> out(launch).contains("listening on http://127.0.0.1:"));
            long postmaster = Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
            assertThat(alive(postmaster)).isTrue();
            if (watchdogToo) {
                long watchdog = child(p, "pgpulse-watchdog").orElseThrow();
                ProcessHandle.of(watchdog).ifPresent(ProcessHandle::destroyForcibly);
                await().atMost(Duration.ofSeconds(10)).until(() -> !alive(watchdog));
            }
            p.destroyForcibly();
            finish(p, Duration.ofSeconds(10));
            return postmaster;
        } finally {
            p.destroyForcibly();
        }
    }

    private int assertStartsWithinSeconds(long oldPostmaster) throws Exception {
        long t0 = System.nanoTime();
        Process status = launch(Map.of(), "status");
        int launch = launches;
        int code = finish(status, Duration.ofSeconds(90));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        LoggerFactory.getLogger(ChildrenDieWithPgPulseIT.class).info("status after a killed PgPulse: {} ms", ms);
        assertThat(code).as(err(launch)).isZero();
        assertThat(ms).as("a whole bin/pgpulse status, JVM start included, not a 60 s wait").isLessThan(15_000);
        assertThat(alive(oldPostmaster)).isFalse();
        return launch;
    }

    // ---- /proc ----------------------------------------------------------------------------------------------

    /** A descendant of {@code p} whose command line holds every one of {@code words}. */
    private static Optional<Long> child(Process p, String... words) {
        return p.toHandle().descendants().map(ProcessHandle::pid).filter(pid -> {
            String cmdline = cmdline(pid);
            for (String w : words) {
                if (!cmdline.contains(w)) {
                    return false;
                }
            }
            return true;
        }).findFirst();
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }

    /** Running (a zombie nobody reaped yet has exited: it counts as gone). */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }
}
