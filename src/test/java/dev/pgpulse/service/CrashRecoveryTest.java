package dev.pgpulse.service;

import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server crashes, it is not shut down: a PostgreSQL of the test's own (never the machine's) is killed with
 * SIGKILL at the moment a COMMIT has been sent, or in the middle of a stream of transactions, and started again on
 * the same data folder and port. Whatever the service answered is then checked against the table over a direct
 * connection: a Success is in the table exactly once, a Failure that does not say its outcome is unknown is not
 * in it at all, and only outcomeUnknown may go either way. Never a false "committed".
 */
@Timeout(180)
class CrashRecoveryTest {
    private static final Logger LOG = LoggerFactory.getLogger(CrashRecoveryTest.class);
    @TempDir
    Path dir;
    private Path dataDir;
    private EmbeddedServer server;
    private int port;
    private TestDatabase direct;
    private FaultProxy proxy;
    private ServiceFixture f;
    private final ExecutorService pool = Executors.newFixedThreadPool(1,
            Thread.ofPlatform().name("crash-test-", 0).factory());

    @BeforeEach
    void start() throws Exception {
        dataDir = dir.resolve("data");
        server = EmbeddedServer.start(dataDir, 0);
        port = server.port();
        direct = new TestDatabase("localhost", port, EmbeddedServer.SUPERUSER, null, EmbeddedServer.DATABASE);
        try (Connection c = direct.connect(); Statement st = c.createStatement()) {
            st.execute("create table item(id int primary key, note text)");
        }
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        if (f != null) {
            f.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        server.close();
    }

    private static final Map<String, String> SETTINGS = Map.of("pool.max_size", "2", "pool.min_idle", "0",
            "pool.connection_timeout", "500ms", "retry.max_attempts", "3", "retry.initial_backoff", "100ms",
            "breaker.minimum_calls", "1000");

    private Result<Integer> insert(int id) {
        return f.service.transaction("crash.insert", TxOptions.readCommitted(), c -> {
            try (PreparedStatement st = c.prepareStatement("insert into item values (?, 'crash')")) {
                st.setInt(1, id);
                return st.executeUpdate();
            }
        });
    }

    /**
     * SIGKILL to the postmaster (no shutdown, no checkpoint: crash recovery at the next start), waits until it and
     * its backends are gone (a new postmaster refuses shared memory still attached), then starts the server again
     * on the same folder and port.
     */
    private void crashAndRestart() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().strip());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> children = postmaster.children().toList();
        assertThat(postmaster.destroyForcibly()).as("SIGKILL sent to " + pid).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> !postmaster.isAlive()
                && children.stream().noneMatch(ProcessHandle::isAlive));
        assertThat(Path.of("/proc", Long.toString(pid))).doesNotExist();
        // releases zonky's folder lock; its pg_ctl stop finds no server and says so
        server.close();
        server = EmbeddedServer.start(dataDir, port);
    }

    private int rows(int id) throws Exception {
        try (Connection c = direct.connect();
             PreparedStatement st = c.prepareStatement("select count(*) from item where id = ?")) {
            st.setInt(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The one rule: what the service said agrees with the table. */
    private void agrees(int id, Result<Integer> r) throws Exception {
        int rows = rows(id);
        if (r.isSuccess()) {
            assertThat(rows).as("id " + id + " answered committed: " + r).isEqualTo(1);
        } else if (!((Result.Failure<Integer>) r).outcomeUnknown()) {
            assertThat(rows).as("id " + id + " answered not committed: " + r).isZero();
        } else {
            assertThat(rows).as("id " + id + " outcome unknown").isBetween(0, 1);
        }
    }

    @ParameterizedTest(name = "COMMIT forwarded to the server first: {0}")
    @ValueSource(booleans = {true, false})
    void thePostmasterKilledRightAfterACommitWasSentNeverYieldsAFalseCommitted(boolean forwardFirst)
            throws Exception {
        proxy = FaultProxy.start("localhost", port);
        f = new ServiceFixture(proxy.through(direct), SETTINGS);
        // committed before the crash, over a connection of its own: pgjdbc sends a connection's later COMMITs as
        // a prepared statement whose text the proxy's trigger would not see
        try (Connection c = direct.connect(); Statement st = c.createStatement()) {
            st.execute("insert into item values (1, 'before the crash')");
        }

        proxy.cutWhenClientSends("COMMIT", forwardFirst);
        Future<Result<Integer>> call = pool.submit(() -> insert(2));
        assertThat(proxy.awaitTrigger(Duration.ofSeconds(20))).as(() -> "COMMIT sent; the call: "
                + (call.isDone() ? call.resultNow() : "running")).isTrue();
        crashAndRestart();
        // once the server is back the answer is at hand: the resolver must not wait out its 30 s bound
        Result<Integer> r = call.get(15, TimeUnit.SECONDS);
        LOG.info("COMMIT {} then SIGKILL: the service answered {}, the table has {} row(s)",
                forwardFirst ? "forwarded" : "dropped", r, rows(2));
        agrees(2, r);
        assertThat(rows(1)).as("committed before the crash, replayed from the WAL").isEqualTo(1);
        // the resolver sees the restart (a new pg_postmaster_start_time) and does not trust the old id's status
        if (r instanceof Result.Failure<Integer> failure) {
            assertThat(failure.category()).isIn(ErrorCategory.COMMIT_UNKNOWN, ErrorCategory.CONNECTION);
        }
        assertThat(insert(3).isSuccess()).as("the service works again after the restart").isTrue();
        assertThat(rows(3)).isEqualTo(1);
    }

    @Test
    void aStreamOfTransactionsAgreesWithTheTableAfterTheServerIsKilledUnderIt() throws Exception {
        f = new ServiceFixture(direct, SETTINGS);
        List<Result<Integer>> results = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger successesAfterRestart = new AtomicInteger();
        AtomicBoolean restarted = new AtomicBoolean();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int id = 1; !stop.get() && id < 100_000; id++) {
                Result<Integer> r = insert(id);
                results.add(r);
                if (r.isSuccess()) {
                    successes.incrementAndGet();
                }
                if (restarted.get() && r.isSuccess()) {
                    successesAfterRestart.incrementAndGet();
                }
            }
        }, pool);
        // a counter, not a stream over the list: the writer appends to it meanwhile
        await().atMost(Duration.ofSeconds(30)).until(() -> successes.get() >= 50);
        crashAndRestart();
        restarted.set(true);
        await().atMost(Duration.ofSeconds(60)).until(() -> successesAfterRestart.get() >= 20);
        stop.set(true);
        writer.get(60, TimeUnit.SECONDS);

        List<Result<Integer>> all;
        synchronized (results) {
            all = List.copyOf(results);
        }
        long failures = all.stream().filter(r -> !r.isSuccess()).count();
        long unknown = all.stream().filter(r -> r instanceof Result.Failure<Integer> x && x.outcomeUnknown()).count();
        LOG.info("{} transactions around a SIGKILL of the postmaster: {} failed, {} of them with an unknown outcome",
                all.size(), failures, unknown);
        assertThat(all).as("the crash was felt: a call failed or needed another attempt")
                .anyMatch(r -> !r.isSuccess() || r.attempts() > 1);
        for (int i = 0; i < all.size(); i++) {
            agrees(i + 1, all.get(i));
        }
    }
}
