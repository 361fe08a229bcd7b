package dev.pgpulse.embedded;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.testing.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded default holds the user's data: it must survive restarts and never be shared by two servers. */
class EmbeddedServerTest {
    private Path tempDir;
    private Logger logger;
    private Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void setUp() throws Exception {
        tempDir = Files.createTempDirectory("pgpulse-embedded-test");
        logger = (Logger) LoggerFactory.getLogger(EmbeddedServer.class);
        previousLevel = logger.getLevel();
        // The assertions read INFO lines whatever logback-test.xml says.
        logger.setLevel(Level.INFO);
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void tearDown() throws Exception {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
        PostgresExtension.deleteTree(tempDir);
    }

    private List<String> infoLines() {
        synchronized (appender) {
            return appender.list.stream().filter(e -> e.getLevel() == Level.INFO)
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private static Connection connect(EmbeddedServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), EmbeddedServer.SUPERUSER, null);
    }

    @Test
    void dataPersistsAcrossRestartsAndTheLogGivesTheUrl() throws Exception {
        Path dataDir = tempDir.resolve("data");
        String firstUrl;
        try (EmbeddedServer first = EmbeddedServer.start(dataDir, 0)) {
            firstUrl = first.url();
            assertThat(first.dataDir()).isEqualTo(dataDir);
            assertThat(first.url()).isEqualTo("postgresql://postgres@localhost:" + first.port() + "/postgres");
            try (Connection c = connect(first); Statement st = c.createStatement()) {
                // the user's data: durable like any PostgreSQL (zonky's test default is fsync off)
                for (String durable : List.of("fsync", "synchronous_commit")) {
                    try (var rs = st.executeQuery("show " + durable)) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).as(durable).isEqualTo("on");
                    }
                }
                st.execute("create table kept (id int primary key, note text)");
                st.execute("insert into kept values (1, 'survives a restart')");
            }
        }
        assertThat(infoLines()).anySatisfy(line -> assertThat(line)
                .startsWith("Embedded PostgreSQL 15 at " + firstUrl).contains("new data in " + dataDir));
        assertThat(infoLines()).anySatisfy(line -> assertThat(line)
                .isEqualTo("Embedded PostgreSQL stopped; data kept in " + dataDir));
        assertThat(dataDir.resolve("PG_VERSION")).exists();

        // The second run goes the product's way: configuration, embedded start, then pools on it.
        PgPulseConfig config = new ConfigLoader(Map.of(), tempDir, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of("embedded.data_dir", dataDir.toString())));
        assertThat(config.isEmbedded()).isTrue();
        try (EmbeddedServer second = EmbeddedServer.start(config.embedded().orElseThrow())) {
            assertThat(infoLines()).anySatisfy(line -> assertThat(line)
                    .startsWith("Embedded PostgreSQL 15 at " + second.url()).contains("postgresql://")
                    .contains("existing data in " + dataDir));
            PgPulseConfig running = config.withEmbeddedPrimary(second.endpoint(config.embedded().orElseThrow()));
            try (Endpoints endpoints = Endpoints.open(running, new SimpleMeterRegistry());
                 Connection c = endpoints.primary().connection();
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select id, note from kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.getString(2)).isEqualTo("survives a restart");
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void secondServerOnAFolderInUseFailsAndLeavesTheFirstRunning() throws Exception {
        Path dataDir = tempDir.resolve("data");
        try (EmbeddedServer first = EmbeddedServer.start(dataDir, 0)) {
            // Closed at once should it start, so a broken lock cannot leave a second postmaster behind.
            assertThatThrownBy(() -> EmbeddedServer.start(dataDir, 0).close()).isInstanceOf(EmbeddedStartException.class)
                    .hasMessageContaining("could not start on " + dataDir)
                    .hasMessageContaining("this PgPulse (pid " + ProcessHandle.current().pid() + ") already runs it")
                    .hasMessageContaining("embedded.data_dir (PGPULSE_EMBEDDED_DATA_DIR)");

            try (Connection c = connect(first); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    private record Stray(long pid, int port) {
    }

    /**
     * A postmaster nobody owns on {@code dataDir}, after a first run of {@link EmbeddedServer} created the cluster:
     * started with pg_ctl as zonky runs it (inside unshare -U when root, as PostgreSQL refuses to run as root),
     * with {@code options} added to the server's.
     */
    private Stray strayPostmaster(Path dataDir, String options) throws Exception {
        EmbeddedServer first = EmbeddedServer.start(dataDir, 0);
        int port = first.port();
        long firstPid = Postmaster.pid(dataDir).orElseThrow();
        Path pgCtl = Path.of(ProcessHandle.of(firstPid).orElseThrow().info().command().orElseThrow())
                .resolveSibling("pg_ctl");
        String firstCmdline = Files.readString(Path.of("/proc/" + firstPid + "/cmdline"));
        first.close();
        try (DataDirLock after = DataDirLock.acquire(dataDir)) {
            // the token the lock recorded is on the command line of the server zonky started
            assertThat(firstCmdline.split("\0")).contains(Postmaster.INSTANCE + "="
                    + after.previousInstance().orElseThrow());
        }
        List<String> cmd = new java.util.ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("unshare", "-U"));
        }
        cmd.addAll(List.of(pgCtl.toString(), "-D", dataDir.toString(), "-o", "-p " + port + " -F" + options, "-w", "-t", "60",
                "start"));
        Process pgctl = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tempDir.resolve("stray.log").toFile()).start();
        assertThat(pgctl.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(pgctl.exitValue()).as(Files.readString(tempDir.resolve("stray.log"))).isZero();
        long stray = Postmaster.pid(dataDir).orElseThrow();
        assertThat(Postmaster.isPostgres(stray)).as("a postmaster no PgPulse owns").isTrue();
        return new Stray(stray, port);
    }

    /**
     * A PgPulse killed with SIGKILL leaves its postmaster running (pg_ctl started it: it is nobody's child). The
     * next start on the folder must not wait 60 s for a server that cannot start: it stops the stray one and is
     * up within seconds. (The kill itself is ChildrenDieWithPgPulseIT's, on a real bin/pgpulse.)
     */
    @Test
    void aServerLeftRunningByADeadPgPulseIsStoppedAndTheNextStartIsUpInSeconds() throws Exception {
        Path dataDir = tempDir.resolve("data");
        // What the dead PgPulse did: took the lock, recorded the token of the server it started with that token,
        // and died (the lock went with it).
        String token = java.util.UUID.randomUUID().toString();
        long stray = strayPostmaster(dataDir, " -c " + Postmaster.INSTANCE + "=" + token).pid();
        try (DataDirLock dead = DataDirLock.acquire(dataDir)) {
            dead.recordInstance(token);
        }

        long t0 = System.nanoTime();
        try (EmbeddedServer second = EmbeddedServer.start(dataDir, 0)) {
            long ms = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            LoggerFactory.getLogger(EmbeddedServerTest.class).info("start over a stray postmaster: {} ms", ms);
            assertThat(ms).as("up within seconds, not after a 60 s wait").isLessThan(15_000);
            assertThat(Postmaster.alive(stray)).as("the stray postmaster was stopped").isFalse();
            assertThat(Postmaster.pid(dataDir).orElseThrow()).isNotEqualTo(stray);
            try (Connection c = connect(second); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    /**
     * PgPulse often runs as root: a live PostgreSQL it did not start (a DBA's cluster whose folder
     * embedded.data_dir names, one started by hand, another cluster's backend on a pid a stale postmaster.pid
     * names) must never be signalled, whatever postmaster.pid says and whether or not the lock holds a token.
     * The start is refused at once, naming the pid, and that server keeps serving.
     */
    @Test
    void aPostgresPgPulseDidNotStartIsNeverSignalledAndTheStartIsRefused() throws Exception {
        Path dataDir = tempDir.resolve("data");
        Stray server = strayPostmaster(dataDir, "");
        long foreign = server.pid();
        int port = server.port();
        Postmaster.Id id = Postmaster.identify(foreign).orElseThrow();
        try {
            for (String recorded : List.of("", java.util.UUID.randomUUID().toString())) {
                // nothing recorded (an older PgPulse), or the token of PgPulse's last server there, stopped since
                try (DataDirLock last = DataDirLock.acquire(dataDir)) {
                    if (!recorded.isEmpty()) {
                        last.recordInstance(recorded);
                    }
                }
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> EmbeddedServer.start(dataDir, 0).close())
                        .isInstanceOf(EmbeddedStartException.class)
                        .hasMessageContaining("names PostgreSQL (pid " + foreign + "), a live process PgPulse did "
                                + "not start")
                        .hasMessageContaining("embedded.data_dir");
                assertThat(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                        .as("refused at once").isLessThan(5_000);
                assertThat(Postmaster.identify(foreign)).as("the foreign server was not signalled").contains(id);
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres",
                        EmbeddedServer.SUPERUSER, null); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("select 1")) {
                    assertThat(rs.next()).as("it still serves").isTrue();
                }
            }
        } finally {
            new ProcessBuilder("kill", "-s", "INT", Long.toString(foreign)).start().waitFor();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> !Postmaster.alive(foreign));
        }
    }

    /**
     * The lock file and the server log live beside the data folder, so in a shared folder (embedded.data_dir under
     * /tmp) anyone may plant them as symlinks first: PgPulse, often root, must not truncate or write their targets.
     */
    @Test
    void aLockFileOrServerLogPlantedAsASymlinkIsNotFollowed() throws Exception {
        Path victim = Files.writeString(tempDir.resolve("victim.conf"), "precious\n");
        for (String beside : List.of(".lock", ".server.log")) {
            Path dataDir = tempDir.resolve("data" + beside.replace('.', '-'));
            Path planted = Files.createSymbolicLink(tempDir.resolve(dataDir.getFileName() + beside), victim);
            assertThatThrownBy(() -> EmbeddedServer.start(dataDir, 0).close())
                    .isInstanceOf(EmbeddedStartException.class)
                    .hasMessageContaining("could not start on " + dataDir)
                    .hasMessageContaining(planted.toString());
            assertThat(Files.readString(victim)).as(beside + " followed").isEqualTo("precious\n");
        }
    }

    @Test
    void aDataFolderWhoseParentsDoNotExistYetIsCreated() throws Exception {
        Path dataDir = tempDir.resolve("a/b/c/data");
        try (EmbeddedServer server = EmbeddedServer.start(dataDir, 0)) {
            assertThat(dataDir.resolve("PG_VERSION")).exists();
            assertThat(tempDir.resolve("a/b/c/data.lock")).content().contains("pid=" + ProcessHandle.current().pid());
        }
    }

    @Test
    void aPortInUseIsNamedAsTheCause() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path dataDir = tempDir.resolve("data");
            assertThatThrownBy(() -> EmbeddedServer.start(dataDir, taken.getLocalPort()).close())
                    .isInstanceOf(EmbeddedStartException.class)
                    .hasMessageContaining("port " + taken.getLocalPort() + " on localhost is in use by another program")
                    .hasMessageNotContaining("PgPulse uses");
        }
    }

    @Test
    void aDataFolderThatIsAFileIsNamedAsTheCause() throws Exception {
        Path file = Files.writeString(tempDir.resolve("not-a-folder"), "x");
        assertThatThrownBy(() -> EmbeddedServer.start(file, 0).close()).isInstanceOf(EmbeddedStartException.class)
                .hasMessage("embedded PostgreSQL could not start on " + file + ": it is a file, not a folder; fix it, "
                        + "or choose another folder with embedded.data_dir (PGPULSE_EMBEDDED_DATA_DIR)");
    }

    @Test
    void anInitdbFailureIsExplainedByInitdbsOwnLine() throws Exception {
        Path dataDir = Files.createDirectories(tempDir.resolve("data"));
        Files.writeString(dataDir.resolve("notes.txt"), "not a database cluster");
        assertThatThrownBy(() -> EmbeddedServer.start(dataDir, 0).close()).isInstanceOf(EmbeddedStartException.class)
                .hasMessageContaining("could not start on " + dataDir + ": creating its database cluster (initdb) "
                        + "failed: initdb: error: directory \"" + dataDir + "\" exists but is not empty")
                .hasMessageContaining("PostgreSQL's own output is in " + EmbeddedServer.serverLog(dataDir))
                .hasMessageNotContaining("another PgPulse");
    }
}
