package dev.pgpulse.service;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.resilience.ResilienceEvent;
import dev.pgpulse.testing.FaultProxy;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that stops answering at COMMIT (the fault proxy swallows the COMMIT and black-holes everything after
 * it; every TCP connection stays up): the COMMIT's read gives up at statement_timeout + the read margin, the
 * resolver asks for its bound, each attempt bounded too, and the call ends COMMIT_UNKNOWN instead of hanging.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(90)
class HungCommitTest {
    private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration READ_LIMIT = STATEMENT_TIMEOUT.plusSeconds(5); // ConnectionBounds' margin
    private static final Duration RESOLVE_BOUND = Duration.ofSeconds(3);
    private TestDatabase db;
    private FaultProxy proxy;
    private DatabaseService service;
    private final EventLog events = new EventLog(EventLog.DEFAULT_CAPACITY);

    @BeforeEach
    void setUp(TestDatabase server) throws Exception {
        db = server.freshDatabase("pgpulse_hung_commit");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("create table item(id int primary key, note text)");
        }
        proxy = FaultProxy.start(db.host(), db.port());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PgPulseConfig config = new ConfigLoader(Map.of("DATABASE_URL", proxy.through(db).url()),
                Path.of("/nonexistent-home"), "tester", 2).load(new Overrides(null, null, null, List.of(), null,
                Map.of("pool.statement_timeout", STATEMENT_TIMEOUT.toSeconds() + "s", "pool.max_size", "3",
                        "pool.connection_timeout", "500ms", "startup.wait", "2s")));
        Guard guard = new Guard(config.resilience(), meters, events, Clock.systemUTC());
        service = new DatabaseService(Endpoints.open(config, meters), guard, meters, Clock.systemUTC(), RESOLVE_BOUND);
    }

    @AfterEach
    void tearDown() {
        service.shutdown(Duration.ofSeconds(2));
        proxy.close();
    }

    @Test
    void aCommitTheServerNeverAnswersEndsUnknownWithinTheReadLimitAndTheResolveBound() throws Exception {
        proxy.blackholeWhenClientSends("COMMIT");
        long t0 = System.nanoTime();
        Result<String> r = CompletableFuture.supplyAsync(() -> service.transaction("add", TxOptions.readCommitted(), c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("insert into item values (1, 'never acknowledged')");
            }
            return "done";
        })).get(60, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(proxy.triggerFired()).isTrue();
        assertThat(r).isInstanceOfSatisfying(Result.Failure.class, f -> {
            assertThat(f.category()).isEqualTo(ErrorCategory.COMMIT_UNKNOWN);
            assertThat(f.outcomeUnknown()).isTrue();
        });
        assertThat(events.recent()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(
                ResilienceEvent.CommitResolved.class, cr -> assertThat(cr.outcome()).isEqualTo("UNKNOWN")));
        // the COMMIT's read limit, then the resolver's bound (its last attempt may overrun by a connection timeout
        // and a validation), and a margin for a loaded machine
        assertThat(took).isBetween(READ_LIMIT.plus(RESOLVE_BOUND).minusMillis(500),
                READ_LIMIT.plus(RESOLVE_BOUND).plusSeconds(5));
    }

    @Test
    void theResolverStaysWithinItsBoundWhenTheServerStopsAnswering() throws Exception {
        DatabaseService.TxId xid = service.transaction("xid", TxOptions.readCommitted(), c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("insert into item values (2, 'x')");
                try (ResultSet rs = st.executeQuery("select pg_current_xact_id()::text, pg_postmaster_start_time()::text")) {
                    rs.next();
                    return new DatabaseService.TxId(rs.getString(1), rs.getString(2));
                }
            }
        }).orElseThrow();
        // the pooled connections sit idle past HikariCP's 500 ms bypass, so borrowing one validates it
        Thread.sleep(700);
        proxy.blackhole(true);
        CommitResolver resolver = new CommitResolver(Duration.ofSeconds(1), Duration.ofMillis(100));
        long t0 = System.nanoTime();
        assertThat(resolver.resolve(service.endpoints().primary(), xid)).isEqualTo(CommitResolver.Outcome.UNKNOWN);
        // 1 s, and at most one attempt over it: a 500 ms connection timeout, a validation no longer than that
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(900), Duration.ofMillis(3_500));
    }
}
