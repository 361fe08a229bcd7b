package dev.pgpulse.query;

import dev.pgpulse.config.Environment;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The runner against a real PostgreSQL: rows, counts, notices, errors, safety, cancel, the session left clean. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QueryRunnerTest {
    private QueryFixture fixture;

    private QueryFixture fixture(TestDatabase db, Environment environment) throws Exception {
        fixture = new QueryFixture(db.env(), environment, Map.of("pool.max_size", "2"));
        return fixture;
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aScriptStreamsItsRowsInPostgresTextFormWithNullApartFromEmptyAndCountsItsWrites(TestDatabase db)
            throws Exception {
        QueryFixture f = fixture(db, Environment.DEVELOPMENT);
        RecordingSink sink = new RecordingSink();
        QueryOutcome outcome = f.run("""
                CREATE TEMP TABLE t (id int, note text, at timestamptz, doc jsonb, tags int[], raw bytea, n numeric);
                INSERT INTO t VALUES (1, NULL, '2026-12-02 10:00:00+00', '{"a": [1, 2]}', '{1,2,3}', '\\x00ff', 1.50),
                                     (2, '', NULL, NULL, '{}', '', -3);
                SET TIME ZONE 'UTC';
                SELECT * FROM t ORDER BY id;
                DO $$ BEGIN RAISE NOTICE 'hello from %', 'plpgsql'; END $$;
                UPDATE t SET n = n + 1;
                """, sink);
        assertThat(outcome).isInstanceOf(QueryOutcome.Completed.class);
        assertThat(sink.events).contains("updated 0 CREATE TABLE -1", "updated 1 INSERT 2", "updated 5 UPDATE 2",
                "columns 3 [id:int4, note:text, at:timestamptz, doc:jsonb, tags:_int4, raw:bytea, n:numeric]",
                "ended 2", "notice NOTICE hello from plpgsql");
        assertThat(sink.rowsOf(0)).containsExactly(
                "[1, null, 2026-12-02 10:00:00+00, {\"a\": [1, 2]}, {1,2,3}, \\x00ff, 1.50]",
                "[2, , null, null, {}, \\x, -3]");
        List<QueryColumn> cols = sink.columns.getFirst();
        assertThat(cols.get(0).numeric()).isTrue();
        assertThat(cols.get(1).numeric()).isFalse();
        assertThat(cols.get(4).displayType()).isEqualTo("int4[]");
        assertThat(cols.get(6).numeric()).isTrue();
    }

    @Test
    void aSyntaxErrorStopsTheScriptWithItsSqlstateAndThePositionInTheScript(TestDatabase db) throws Exception {
        QueryFixture f = fixture(db, Environment.DEVELOPMENT);
        RecordingSink sink = new RecordingSink();
        String script = "select 1;\n-- a comment\nselect 'é', * frm pg_class;\nselect 3;";
        QueryOutcome outcome = f.run(script, sink);
        assertThat(outcome).isInstanceOf(QueryOutcome.Failed.class);
        QueryError e = ((QueryOutcome.Failed) outcome).error();
        assertThat(e.sqlState()).isEqualTo("42601");
        assertThat(e.statement()).isEqualTo(1);
        assertThat(script.substring(e.position())).startsWith("frm pg_class");
        assertThat(sink.events).doesNotContain("started 2");
        // the error in a function body has no position in the script, but says where
        RecordingSink sink2 = new RecordingSink();
        QueryOutcome inBody = f.run("DO $$ BEGIN PERFORM 1/0; END $$", sink2);
        QueryError e2 = ((QueryOutcome.Failed) inBody).error();
        assertThat(e2.sqlState()).isEqualTo("22012");
        assertThat(e2.where()).contains("PL/pgSQL");
        assertThat(e2.position()).isEqualTo(-1);
    }

    @Test
    void onProductionAWriteIsRefusedReadOnlyEvenAfterATypedCommitAndGoesThroughWhenSwitched(TestDatabase db)
            throws Exception {
        db.exec("DROP TABLE IF EXISTS qr_prod", "CREATE TABLE qr_prod (id int)");
        QueryFixture f = fixture(db, Environment.PRODUCTION);
        RecordingSink sink = new RecordingSink();
        QueryOutcome refused = f.run("INSERT INTO qr_prod VALUES (1)", sink);
        assertThat(((QueryOutcome.Failed) refused).error().sqlState()).isEqualTo("25006");
        QueryOutcome afterCommit = f.run("COMMIT; BEGIN; INSERT INTO qr_prod VALUES (2)", new RecordingSink());
        assertThat(((QueryOutcome.Failed) afterCommit).error().sqlState()).isEqualTo("25006");
        QueryOutcome vacuum = f.run("CREATE TABLE qr_prod2 (id int)", new RecordingSink());
        assertThat(((QueryOutcome.Failed) vacuum).error().sqlState()).isEqualTo("25006");
        assertThat(db.queryLong("select count(*) from qr_prod")).isZero();

        QueryOutcome switched = f.run(QueryRequest.run("primary", SqlScript.split("INSERT INTO qr_prod VALUES (3)"))
                .withReadWrite(true), new RecordingSink());
        assertThat(switched).isInstanceOf(QueryOutcome.Completed.class);
        assertThat(db.queryLong("select count(*) from qr_prod")).isEqualTo(1);
        // the switch was for that run: the pooled session is read-only again, and reset between runs
        QueryOutcome again = f.run("INSERT INTO qr_prod VALUES (4)", new RecordingSink());
        assertThat(((QueryOutcome.Failed) again).error().sqlState()).isEqualTo("25006");
        db.exec("DROP TABLE qr_prod");
    }

    @Test
    void explainAnalyzeOfAWriteIsRefusedUntilConfirmedAndPlainExplainIsAlwaysAllowed(TestDatabase db)
            throws Exception {
        db.exec("DROP TABLE IF EXISTS qr_explain", "CREATE TABLE qr_explain (id int)", "INSERT INTO qr_explain VALUES (1)");
        QueryFixture f = fixture(db, Environment.DEVELOPMENT);
        List<SqlStatement> delete = SqlScript.split("DELETE FROM qr_explain");
        QueryOutcome refused = f.run(QueryRequest.run("primary", delete).withMode(QueryRequest.Mode.EXPLAIN_ANALYZE),
                new RecordingSink());
        assertThat(refused).isInstanceOf(QueryOutcome.Refused.class);
        assertThat(((QueryOutcome.Refused) refused).reason()).contains("EXPLAIN ANALYZE of a write");
        QueryOutcome typed = f.run("explain (analyze, buffers) delete from qr_explain", new RecordingSink());
        assertThat(typed).isInstanceOf(QueryOutcome.Refused.class);
        assertThat(db.queryLong("select count(*) from qr_explain")).isEqualTo(1);

        RecordingSink plan = new RecordingSink();
        assertThat(f.run(QueryRequest.run("primary", delete).withMode(QueryRequest.Mode.EXPLAIN), plan))
                .isInstanceOf(QueryOutcome.Completed.class);
        assertThat(plan.columns.getFirst().getFirst().typeName()).isEqualTo("json");
        assertThat(plan.results.getFirst().getFirst()[0]).contains("\"Operation\": \"Delete\"");
        assertThat(db.queryLong("select count(*) from qr_explain")).isEqualTo(1);

        RecordingSink analyzed = new RecordingSink();
        assertThat(f.run(QueryRequest.run("primary", delete).withMode(QueryRequest.Mode.EXPLAIN_ANALYZE)
                .withConfirmedWrite(true), analyzed)).isInstanceOf(QueryOutcome.Completed.class);
        assertThat(analyzed.results.getFirst().getFirst()[0]).contains("\"Actual Rows\"");
        assertThat(db.queryLong("select count(*) from qr_explain")).isZero();
        // a read needs no confirmation
        assertThat(f.run(QueryRequest.run("primary", SqlScript.split("select * from qr_explain"))
                .withMode(QueryRequest.Mode.EXPLAIN_ANALYZE), new RecordingSink()))
                .isInstanceOf(QueryOutcome.Completed.class);
        db.exec("DROP TABLE qr_explain");
    }

    @Test
    void cancelEndsPgSleepOnTheServerWithinASecond(TestDatabase db) throws Exception {
        QueryFixture f = fixture(db, Environment.DEVELOPMENT);
        QueryRun run = f.runner.prepare(QueryRequest.run("primary",
                SqlScript.split("select 1; select /* qr-cancel */ pg_sleep(30); select 3")));
        RecordingSink sink = new RecordingSink();
        CompletableFuture<QueryOutcome> outcome = CompletableFuture.supplyAsync(() -> run.execute(sink));
        String sleeping = "select count(*) from pg_stat_activity where state = 'active' and query like '%qr-cancel%'"
                + " and pid <> pg_backend_pid()";
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queryLong(sleeping) == 1);
        long t0 = System.nanoTime();
        run.cancel();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> db.queryLong(sleeping) == 0);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        QueryOutcome o = outcome.get(10, TimeUnit.SECONDS);
        assertThat(o).isInstanceOf(QueryOutcome.Cancelled.class);
        assertThat(((QueryOutcome.Cancelled) o).statement()).isEqualTo(1);
        assertThat(sink.events).doesNotContain("started 2");
    }

    @Test
    void cancelWhileTheSinkHoldsTheCursorBackEndsTheWaitAndTheTransaction(TestDatabase db) throws Exception {
        QueryFixture f = fixture(db, Environment.DEVELOPMENT);
        QueryRun run = f.runner.prepare(QueryRequest.run("primary",
                SqlScript.split("select g /* qr-held */ from generate_series(1, 1000000) g")).withFetchSize(100));
        RecordingSink sink = new RecordingSink();
        sink.blockAfterFirstBatch = true;
        CompletableFuture<QueryOutcome> outcome = CompletableFuture.supplyAsync(() -> run.execute(sink));
        assertThat(sink.firstRows.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.results.getFirst()).hasSize(100); // a cursor: the first page, not the million
        run.cancel();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(QueryOutcome.Cancelled.class);
        assertThat(sink.events).contains("ended 100 incomplete");
        await().atMost(Duration.ofSeconds(5)).until(() -> db.queryLong("select count(*) from pg_stat_activity where"
                + " query like '%qr-held%' and state like 'idle in transaction%' and pid <> pg_backend_pid()") == 0);
    }

    @Test
    void aTypedTransactionSpansTheScriptAndALeftOpenOneIsRolledBackAndTheSessionIsReset(TestDatabase db)
            throws Exception {
        db.exec("DROP TABLE IF EXISTS qr_tx", "CREATE TABLE qr_tx (id int)");
        QueryFixture f = fixture(db, Environment.DEVELOPMENT);
        assertThat(f.run("BEGIN; INSERT INTO qr_tx VALUES (1); SELECT count(*) FROM qr_tx; ROLLBACK; VACUUM qr_tx",
                new RecordingSink())).isInstanceOf(QueryOutcome.Completed.class);
        assertThat(db.queryLong("select count(*) from qr_tx")).isZero();
        RecordingSink open = new RecordingSink();
        assertThat(f.run("SET work_mem = '7MB'; BEGIN; INSERT INTO qr_tx VALUES (2)", open))
                .isInstanceOf(QueryOutcome.Completed.class);
        assertThat(open.notices).anyMatch(n -> n.message().contains("rolled back"));
        assertThat(db.queryLong("select count(*) from qr_tx")).isZero();
        // both pooled connections: neither kept the SET
        for (int i = 0; i < 4; i++) {
            RecordingSink show = new RecordingSink();
            f.run("SHOW work_mem", show);
            assertThat(show.rowsOf(0)).containsExactly("[4MB]");
        }
        db.exec("DROP TABLE qr_tx");
    }

    @Test
    void theStatementTimeoutAppliesAndEndsWith57014NotAsACancel(TestDatabase db) throws Exception {
        QueryFixture f = fixture(db, Environment.DEVELOPMENT);
        QueryOutcome o = f.run(QueryRequest.run("primary", SqlScript.split("select pg_sleep(5)"))
                .withStatementTimeout(Duration.ofMillis(200)), new RecordingSink());
        assertThat(o).isInstanceOf(QueryOutcome.Failed.class);
        assertThat(((QueryOutcome.Failed) o).error().sqlState()).isEqualTo("57014");
        assertThat(o.elapsed()).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void withTheBreakerOpenTheRunFailsFastWithTheBreakersReason(TestDatabase db) throws Exception {
        QueryFixture f = fixture(db, Environment.DEVELOPMENT);
        f.guard.drill("primary", Guard.Drill.FORCE_OPEN);
        long t0 = System.nanoTime();
        QueryOutcome o = f.run("select 1", new RecordingSink());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        assertThat(o).isInstanceOf(QueryOutcome.Failed.class);
        assertThat(((QueryOutcome.Failed) o).error().message()).containsIgnoringCase("open");
        assertThat(f.run(QueryRequest.run("nowhere", SqlScript.split("select 1")), new RecordingSink()))
                .isInstanceOf(QueryOutcome.Refused.class);
    }

    @Test
    void cancellingAStreamedDeleteReturningRollsItBack(TestDatabase db) throws Exception {
        db.exec("DROP TABLE IF EXISTS qr_cancel_delete",
                "CREATE TABLE qr_cancel_delete AS SELECT g AS id FROM generate_series(1, 5000) g");
        QueryFixture f = fixture(db, Environment.DEVELOPMENT);
        QueryRun run = f.runner.prepare(QueryRequest.run("primary",
                SqlScript.split("DELETE FROM qr_cancel_delete RETURNING id")).withFetchSize(100));
        RecordingSink sink = new RecordingSink();
        sink.blockAfterFirstBatch = true;
        CompletableFuture<QueryOutcome> outcome = CompletableFuture.supplyAsync(() -> run.execute(sink));
        assertThat(sink.firstRows.await(20, TimeUnit.SECONDS)).isTrue();
        run.cancel();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(QueryOutcome.Cancelled.class);
        assertThat(db.queryLong("select count(*) from qr_cancel_delete")).as("not committed").isEqualTo(5000);
        db.exec("DROP TABLE qr_cancel_delete");
    }

    @Test
    void onProductionAScriptCannotSwitchItsSessionToReadWrite(TestDatabase db) throws Exception {
        db.exec("DROP TABLE IF EXISTS qr_escape", "CREATE TABLE qr_escape (id int)");
        QueryFixture f = fixture(db, Environment.PRODUCTION);
        for (String script : List.of(
                "SET default_transaction_read_only = off; INSERT INTO qr_escape VALUES (1)",
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; INSERT INTO qr_escape VALUES (2)",
                "RESET ALL; INSERT INTO qr_escape VALUES (3)",
                "SELECT set_config('default_transaction_read_only', 'off', false); INSERT INTO qr_escape VALUES (4)",
                "BEGIN READ WRITE; INSERT INTO qr_escape VALUES (5); COMMIT",
                "START TRANSACTION; SET TRANSACTION READ WRITE; INSERT INTO qr_escape VALUES (6); COMMIT",
                "DO $$ BEGIN PERFORM set_config('default_transaction_read_only', 'off', false); COMMIT;"
                        + " INSERT INTO qr_escape VALUES (7); END $$")) {
            QueryOutcome o = f.run(script, new RecordingSink());
            assertThat(o).as(script).isInstanceOf(QueryOutcome.Failed.class);
            assertThat(db.queryLong("select count(*) from qr_escape")).as(script).isZero();
        }
        db.exec("DROP TABLE qr_escape");
    }

    @Test
    void explainWithTheLastAnalyzeOnIsAnAnalyzeAndAsksFirst(TestDatabase db) throws Exception {
        db.exec("DROP TABLE IF EXISTS qr_explain2", "CREATE TABLE qr_explain2 (id int)", "INSERT INTO qr_explain2 VALUES (1)");
        QueryFixture f = fixture(db, Environment.DEVELOPMENT);
        assertThat(f.run("EXPLAIN (ANALYZE off, ANALYZE) DELETE FROM qr_explain2", new RecordingSink()))
                .isInstanceOf(QueryOutcome.Refused.class);
        assertThat(f.run("EXPLAIN (ANALYZE on, ANALYZE off) DELETE FROM qr_explain2", new RecordingSink()))
                .isInstanceOf(QueryOutcome.Completed.class);
        assertThat(db.queryLong("select count(*) from qr_explain2")).isEqualTo(1);
        db.exec("DROP TABLE qr_explain2");
    }

    @Test
    void aStatementAllowedLongerThanThePoolsSocketLimitRunsOnceToItsEnd(TestDatabase db) throws Exception {
        // the pool reads at most its statement_timeout + 5 s from a socket: 6 s here
        fixture = new QueryFixture(db.env(), Environment.DEVELOPMENT, Map.of("pool.max_size", "2",
                "pool.statement_timeout", "1s"));
        QueryOutcome o = fixture.run(QueryRequest.run("primary", SqlScript.split("select pg_sleep(7) /* x */, 1"))
                .withStatementTimeout(Duration.ofSeconds(30)), new RecordingSink());
        assertThat(o).isInstanceOf(QueryOutcome.Completed.class);
    }
}
