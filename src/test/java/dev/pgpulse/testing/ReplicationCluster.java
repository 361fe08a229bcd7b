package dev.pgpulse.testing;

import dev.pgpulse.embedded.EmbeddedServer;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real streaming-replication cluster for tests: a scratch embedded primary and standbys made from it with
 * {@code pg_basebackup -R -X stream}, each through a physical slot of its own ({@code standby_<i>}), every server on a
 * port picked up front so that a stopped one comes back where its peers (and the test's pools) expect it.
 *
 * <p>Every wait is bounded and says what it waited for; {@link #close()} stops every server this started, and a
 * failed {@link #start} stops what it had started before throwing.
 */
public final class ReplicationCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationCluster.class);
    /** A streaming standby of a fresh primary is up and caught up within seconds; this is the bound. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration BASEBACKUP_WAIT = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(100);
    /** The slot of a rejoined old primary on the new primary. */
    static final String REJOINED_SLOT = "old_primary";

    /** One server's place: its folder and port are fixed; its server is null while stopped. */
    private static final class Node {
        final String name;
        final Path dir;
        final int port;
        final String slot;
        EmbeddedServer server;
        /** A primary stopped by a failover: its folder now belongs to whatever rejoins there. */
        boolean retired;

        Node(String name, Path dir, int port, String slot) {
            this.name = name;
            this.dir = dir;
            this.port = port;
            this.slot = slot;
        }

        String jdbcUrl() {
            return "jdbc:postgresql://localhost:" + port + "/" + EmbeddedServer.DATABASE;
        }
    }

    private final Path dir;
    private final Path basebackup;
    private final List<Node> standbys = new ArrayList<>();
    /** Standbys not addressed by index: an old primary rejoined after a failover. */
    private final List<Node> others = new ArrayList<>();
    private Node primary;
    /** The primary stopped by the last {@link #failover}, until it rejoins. */
    private Node formerPrimary;
    private boolean closed;

    private ReplicationCluster(Path dir, Path basebackup) {
        this.dir = dir;
        this.basebackup = basebackup;
    }

    /**
     * A scratch primary ({@link EmbeddedServer#startScratch}) and {@code standbys} streaming standbys
     * ({@code pg_basebackup -R -X stream -C -S standby_<i>}, a physical slot each), all on free ports, each standby
     * streaming and caught up before this returns.
     */
    public static ReplicationCluster start(Path dir, int standbys) throws Exception {
        if (standbys < 0) {
            throw new IllegalArgumentException("standbys must be at least 0, but was " + standbys);
        }
        ReplicationCluster c = new ReplicationCluster(dir, Tools.require("pg_basebackup", "postgresql-client-15"));
        try {
            Files.createDirectories(dir);
            int[] ports = freePorts(standbys + 1);
            c.primary = new Node("primary", dir.resolve("primary"), ports[0], null);
            c.primary.server = EmbeddedServer.startScratch(c.primary.dir, c.primary.port);
            for (int i = 0; i < standbys; i++) {
                Node s = new Node("standby_" + i, dir.resolve("standby_" + i), ports[i + 1], "standby_" + i);
                c.standbys.add(s);
                c.basebackup(c.primary, s);
                s.server = EmbeddedServer.startScratch(s.dir, s.port);
            }
            for (Node s : c.standbys) {
                c.awaitStreaming(s, c.primary, WAIT);
                c.awaitCaughtUp(s, WAIT);
            }
            LOG.info("{} - primary on port {}, standbys on {}", dir, c.primary.port,
                    c.standbys.stream().map(s -> Integer.toString(s.port)).toList());
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /** The current primary (standby i's server after {@link #failover(int)}); null once closed. */
    public synchronized EmbeddedServer primary() {
        return primary.server;
    }

    /** The i-th standby as started (0-based); null while stopped, and once it was promoted by a failover. */
    public synchronized EmbeddedServer standby(int i) {
        Node s = node(i);
        return s == primary ? null : s.server;
    }

    /** The i-th standby's port, the same across {@link #stopStandby} and {@link #startStandby}. */
    public synchronized int standbyPort(int i) {
        return node(i).port;
    }

    /** The current primary's port. */
    public synchronized int primaryPort() {
        return primary.port;
    }

    /** Pauses the i-th standby's replay and waits until it is paused ({@code pg_get_wal_replay_pause_state()}). */
    public void pauseReplay(int i) throws Exception {
        Node s = running(i);
        sql(s.jdbcUrl(), "select pg_wal_replay_pause()");
        until(s.name + " replay paused", WAIT, () -> "paused".equals(queryString(s.jdbcUrl(),
                "select pg_get_wal_replay_pause_state()")), () -> "pause state "
                + queryString(s.jdbcUrl(), "select pg_get_wal_replay_pause_state()"));
    }

    /** Resumes the i-th standby's replay (it catches up by itself; {@link #awaitCaughtUp} waits for that). */
    public void resumeReplay(int i) throws Exception {
        Node s = running(i);
        sql(s.jdbcUrl(), "select pg_wal_replay_resume()");
        until(s.name + " replay resumed", WAIT, () -> "not paused".equals(queryString(s.jdbcUrl(),
                "select pg_get_wal_replay_pause_state()")), () -> "pause state "
                + queryString(s.jdbcUrl(), "select pg_get_wal_replay_pause_state()"));
    }

    /**
     * Waits until the i-th standby has replayed the primary's WAL as it stood on entry: its
     * {@code pg_last_wal_replay_lsn()} at least the primary's {@code pg_current_wal_lsn()} read first.
     */
    public void awaitCaughtUp(int i, Duration within) throws Exception {
        awaitCaughtUp(running(i), within);
    }

    /** Stops the i-th standby; its data folder is kept, for {@link #startStandby}. */
    public void stopStandby(int i) throws Exception {
        EmbeddedServer s;
        synchronized (this) {
            Node n = standbyNode(i);
            s = n.server;
            n.server = null;
        }
        if (s != null) {
            s.close();
        }
    }

    /** Starts the i-th standby again on the same data folder and port; it streams again from the current primary. */
    public void startStandby(int i) throws Exception {
        Node n;
        synchronized (this) {
            n = standbyNode(i);
            if (n.server != null) {
                throw new IllegalStateException(n.name + " is running on port " + n.port);
            }
            n.server = EmbeddedServer.startScratch(n.dir, n.port);
        }
        awaitStreaming(n, primary, WAIT);
    }

    /**
     * Stops the current primary (its data kept), promotes standby i ({@code pg_promote(true, 60)}) and points every
     * other running standby at it: a slot of its own on the new primary, then {@code primary_conninfo} through
     * {@code ALTER SYSTEM} and {@code pg_reload_conf()} (reloadable since PostgreSQL 13: the walreceiver restarts
     * with it), and waits until each streams from it and has caught up. A stopped standby's
     * {@code postgresql.auto.conf} is pointed at the new primary, so it streams from it once started. After this,
     * {@link #primary()} is standby i's server and {@link #standby(int) standby(i)} is null.
     */
    public synchronized void failover(int i) throws Exception {
        Node promoted = running(i);
        Node old = primary;
        // a clean stop: the walsenders hand every connected standby the WAL up to the shutdown checkpoint first, so
        // none is ahead of the one promoted and all can follow it onto its new timeline
        if (old.server != null) {
            old.server.close();
            old.server = null;
        }
        if (queryLong(promoted.jdbcUrl(), "select case when pg_promote(true, 60) then 1 else 0 end") != 1) {
            throw new AssertionError(promoted.name + " was not promoted within 60 s (pg_promote returned false); "
                    + "see " + serverLog(promoted));
        }
        until(promoted.name + " out of recovery", WAIT, () -> queryLong(promoted.jdbcUrl(),
                "select case when pg_is_in_recovery() then 1 else 0 end") == 0, () -> "still in recovery");
        primary = promoted;
        old.retired = true;
        formerPrimary = old;
        String conninfo = "host=localhost port=" + promoted.port + " user=" + EmbeddedServer.SUPERUSER;
        List<Node> follow = new ArrayList<>();
        for (Node s : followers()) {
            if (queryLong(promoted.jdbcUrl(), "select count(*) from pg_replication_slots where slot_name = '"
                    + s.slot + "'") == 0) {
                sql(promoted.jdbcUrl(), "select pg_create_physical_replication_slot('" + s.slot + "', true)");
            }
            if (s.server == null) {
                // ALTER SYSTEM needs a running server; its file's last line for a setting wins
                Files.writeString(s.dir.resolve("postgresql.auto.conf"), "primary_conninfo = '" + conninfo + "'\n",
                        java.nio.file.StandardOpenOption.APPEND);
                continue;
            }
            sql(s.jdbcUrl(), "alter system set primary_conninfo = '" + conninfo + "'", "select pg_reload_conf()");
            follow.add(s);
        }
        for (Node s : follow) {
            awaitStreaming(s, promoted, WAIT);
            awaitCaughtUp(s, WAIT);
        }
        LOG.info("{} - {} promoted on port {}; old primary stopped on port {}", dir, promoted.name, promoted.port,
                old.port);
    }

    /**
     * After {@link #failover}: the old primary's folder is replaced by a {@code pg_basebackup -R} of the new primary
     * (through a slot {@value #REJOINED_SLOT}) and started on its old port as a standby, streaming and caught up;
     * returns its server. {@link #close()} stops it.
     */
    public synchronized EmbeddedServer rejoinOldPrimaryAsStandby() throws Exception {
        if (formerPrimary == null) {
            throw new IllegalStateException("no old primary to rejoin: call failover(i) first");
        }
        Node old = formerPrimary;
        Node rejoined = new Node("rejoined " + old.name, old.dir, old.port, REJOINED_SLOT);
        deleteTree(old.dir);
        basebackup(primary, rejoined);
        rejoined.server = EmbeddedServer.startScratch(rejoined.dir, rejoined.port);
        formerPrimary = null;
        others.add(rejoined);
        awaitStreaming(rejoined, primary, WAIT);
        awaitCaughtUp(rejoined, WAIT);
        return rejoined.server;
    }

    /** Runs the statements on one connection, as user postgres. */
    public static void sql(String jdbcUrl, String... statements) throws Exception {
        try (Connection c = connect(jdbcUrl); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /** The first column of the first row, as user postgres. */
    public static long queryLong(String jdbcUrl, String sql) throws Exception {
        try (Connection c = connect(jdbcUrl); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from " + sql + " on " + jdbcUrl);
            }
            return rs.getLong(1);
        }
    }

    /** Stops every server this started, standbys first; never throws (a failure is logged). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Node> order = new ArrayList<>(followers());
        order.add(primary);
        if (formerPrimary != null) {
            order.add(formerPrimary);
        }
        for (Node n : order) {
            if (n == null || n.server == null) {
                continue;
            }
            try {
                n.server.close();
            } catch (RuntimeException e) {
                LOG.warn("{} - {} on port {} did not stop cleanly: {}", dir, n.name, n.port, e.toString());
            } finally {
                n.server = null;
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------

    /** Every standby but the primary: the indexed ones and the rejoined ones. */
    private List<Node> followers() {
        return Stream.concat(standbys.stream(), others.stream()).filter(n -> n != primary).toList();
    }

    private synchronized Node node(int i) {
        if (i < 0 || i >= standbys.size()) {
            throw new IndexOutOfBoundsException("standby must be between 0 and " + (standbys.size() - 1)
                    + ", but was " + i);
        }
        return standbys.get(i);
    }

    /** The i-th standby, which must still be one (not promoted). */
    private synchronized Node standbyNode(int i) {
        Node n = node(i);
        if (n == primary) {
            throw new IllegalStateException(n.name + " is the primary since failover(" + i + ")");
        }
        if (n.retired) {
            throw new IllegalStateException(n.name + " was a primary stopped by a later failover");
        }
        return n;
    }

    /** The i-th standby, which must be running. */
    private synchronized Node running(int i) {
        Node n = standbyNode(i);
        if (n.server == null) {
            throw new IllegalStateException(n.name + " is stopped; startStandby(" + i + ") first");
        }
        return n;
    }

    private void awaitCaughtUp(Node s, Duration within) throws Exception {
        String target = queryString(primary.jdbcUrl(), "select pg_current_wal_lsn()::text");
        until(s.name + " replayed up to the primary's " + target, within, () -> queryLong(s.jdbcUrl(),
                "select case when pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn then 1 else 0 end") == 1,
                () -> "replayed up to " + queryString(s.jdbcUrl(), "select pg_last_wal_replay_lsn()::text")
                        + ", replay " + queryString(s.jdbcUrl(), "select pg_get_wal_replay_pause_state()"));
    }

    /** Until the standby's walreceiver streams from the given server (its port: every server is on localhost). */
    private void awaitStreaming(Node s, Node from, Duration within) throws Exception {
        until(s.name + " streaming from " + from.name + " on port " + from.port, within, () -> queryLong(s.jdbcUrl(),
                "select count(*) from pg_stat_wal_receiver where status = 'streaming' and sender_port = "
                        + from.port) == 1,
                () -> "walreceiver: " + queryString(s.jdbcUrl(), "select coalesce((select status || ' from port '"
                        + " || sender_port from pg_stat_wal_receiver), 'none')") + "; see " + serverLog(s));
    }

    /** pg_basebackup of {@code from} into {@code to}'s folder, with a slot of {@code to}'s on {@code from}. */
    private void basebackup(Node from, Node to) throws Exception {
        Path out = to.dir.resolveSibling(to.dir.getFileName() + ".basebackup.txt");
        List<String> command = List.of(basebackup.toString(), "-h", "localhost", "-p", Integer.toString(from.port),
                "-U", EmbeddedServer.SUPERUSER, "-D", to.dir.toString(), "-R", "-X", "stream", "-C", "-S", to.slot,
                "--no-password");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(BASEBACKUP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("pg_basebackup for " + to.name + " did not finish within " + BASEBACKUP_WAIT
                    + ": " + String.join(" ", command) + "\n" + read(out));
        }
        if (p.exitValue() != 0 || !Files.exists(to.dir.resolve("standby.signal"))) {
            throw new AssertionError("pg_basebackup for " + to.name + " failed (exit " + p.exitValue() + "): "
                    + String.join(" ", command) + "\n" + read(out));
        }
    }

    private static void until(String what, Duration within, Callable<Boolean> condition, Callable<String> state)
            throws Exception {
        try {
            await(what).atMost(within).pollInterval(POLL).pollDelay(Duration.ZERO).ignoreExceptions()
                    .until(condition);
        } catch (ConditionTimeoutException e) {
            String seen;
            try {
                seen = state.call();
            } catch (Exception unreadable) {
                seen = "unreadable: " + unreadable;
            }
            throw new AssertionError("not " + what + " within " + within + " (" + seen + ")", e);
        }
    }

    private static String queryString(String jdbcUrl, String sql) throws SQLException {
        try (Connection c = connect(jdbcUrl); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static Connection connect(String jdbcUrl) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", EmbeddedServer.SUPERUSER);
        p.setProperty("connectTimeout", "10");
        p.setProperty("loginTimeout", "10");
        // pg_promote(true, 60) and a test's bulk insert are the longest statements run here
        p.setProperty("socketTimeout", "120");
        return DriverManager.getConnection(jdbcUrl, p);
    }

    private static Path serverLog(Node n) {
        return n.dir.resolveSibling(n.dir.getFileName() + ".server.log");
    }

    private static String read(Path out) {
        try {
            return Files.readString(out);
        } catch (IOException e) {
            return "(" + out + " unreadable: " + e + ")";
        }
    }

    /** Distinct free ports on the loopback, all held open together while they are drawn. */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
