package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pgpulse query} in-process against a real PostgreSQL: output, exit codes, production safety, stdin. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QueryCommandTest {
    @TempDir
    Path home;

    private CliRun withStdin(TestDatabase db, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        String[] all = new String[args.length + 1];
        all[0] = "query";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = PgPulseCli.run(new PgPulseCli.Context(new ConfigLoader(db.env(), home, "tester", 2),
                new PrintWriter(out), new PrintWriter(err), in), all);
        return new CliRun(code, out.toString(), err.toString());
    }

    private CliRun query(TestDatabase db, String... args) {
        return withStdin(db, "", args);
    }

    @Test
    void aTableIsAlignedAsPsqlDoesWithNullEmptyCountsAndNoticesOnStderr(TestDatabase db) {
        CliRun r = query(db, """
                CREATE TEMP TABLE t (id int, name text, note text);
                INSERT INTO t VALUES (1, 'a', NULL), (22, E'two\\nlines', ''), (333, 'ccc', 'x');
                SELECT * FROM t ORDER BY id;
                DO $$ BEGIN RAISE NOTICE 'hello %', 'there'; END $$;
                SELECT 1 AS one WHERE false""");
        assertThat(r.code()).as(r.err()).isZero();
        // psql's layout (psql also pads the last column with trailing blanks; these lines end at their text)
        assertThat(r.out()).isEqualTo("""
                CREATE TABLE
                INSERT 3
                 id  | name  | note
                -----+-------+------
                   1 | a     |
                  22 | two  +|
                     | lines |
                 333 | ccc   | x
                (3 rows)

                DO
                 one
                -----
                (0 rows)

                """);
        assertThat(r.err()).contains("NOTICE:  hello there");
    }

    @Test
    void csvOnStdoutIsTheExportsFormatForEveryResult(TestDatabase db) {
        CliRun r = query(db, "--format", "csv",
                "SELECT 1 AS id, 'a,b' AS t, NULL AS n, '' AS e; SELECT 'x' AS second");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("id,t,n,e\n1,\"a,b\",,\"\"\nsecond\nx\n");
    }

    @Test
    void csvToAFileWritesTheFirstResultAtomicallyAndSaysHowFastOnStderr(TestDatabase db, @TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("out.csv");
        Files.writeString(file, "old\n");
        CliRun r = query(db, "--csv", file.toString(), "--fetch-size", "100",
                "SELECT g, md5(g::text) FROM generate_series(1, 1000) g");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).containsPattern("pgpulse: query: 1,000 rows to .*out\\.csv in [0-9.]+ s \\([0-9,]+ rows/s\\)");
        var lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1001).startsWith("g,md5", "1,c4ca4238a0b923820dcc509a6f75849b");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        // a failed run leaves the old file
        CliRun failed = query(db, "--csv", file.toString(), "SELECT 1/0");
        assertThat(failed.code()).isEqualTo(1);
        assertThat(Files.readAllLines(file)).hasSize(1001);
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("out.csv");
        }
    }

    @Test
    void anSqlErrorIsExitOneWithItsMessagePositionAndSqlstateOnStderr(TestDatabase db) {
        CliRun r = query(db, "select 1;\nselect 'é', * frm pg_class;");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("(1 row)");
        assertThat(r.err()).contains("ERROR:  syntax error at or near \"frm\"\n"
                + "LINE 2: select 'é', * frm pg_class;\n"
                + "                      ^\n", "SQLSTATE: 42601");
        CliRun detail = query(db, "CREATE TEMP TABLE u (id int PRIMARY KEY); INSERT INTO u VALUES (1), (1)");
        assertThat(detail.code()).isEqualTo(1);
        assertThat(detail.err()).contains("ERROR:  duplicate key value violates unique constraint \"u_pkey\"",
                "DETAIL:  Key (id)=(1) already exists.", "SQLSTATE: 23505");
    }

    @Test
    void badUsageIsOneLineAndExitTwo(TestDatabase db) {
        CliRun target = query(db, "--target", "replica-9", "select 1");
        assertThat(target.code()).isEqualTo(2);
        assertThat(target.err()).isEqualTo("pgpulse: query: --target replica-9: no such endpoint; the targets are "
                + "primary\n");
        for (String[] args : new String[][]{{"--format", "xml", "select 1"}, {"--format", "csv", "--csv", "f.csv",
                "select 1"}, {"--fetch-size", "0", "select 1"}, {"--timeout", "5", "select 1"}, {"  -- nothing"},
                {"--csv", home.resolve("no/such/folder/x.csv").toString(), "select 1"}}) {
            CliRun r = query(db, args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().lines().toList()).as(r.err()).hasSize(1).allMatch(l -> l.startsWith("pgpulse: query: "));
        }
        CliRun empty = withStdin(db, "", "-");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("no SQL to run");
    }

    @Test
    void productionIsReadOnlyUnlessReadWriteWithYes(TestDatabase db) throws Exception {
        db.exec("drop table if exists qc_prod", "create table qc_prod (id int)");
        CliRun refused = query(db, "--env", "production", "INSERT INTO qc_prod VALUES (1)");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("ERROR:  cannot execute INSERT in a read-only transaction",
                "SQLSTATE: 25006");
        CliRun noYes = query(db, "--env", "production", "--read-write", "INSERT INTO qc_prod VALUES (1)");
        assertThat(noYes.code()).isEqualTo(2);
        assertThat(noYes.err().lines().toList()).hasSize(1).first().asString().contains("--read-write", "--yes");
        assertThat(db.queryLong("select count(*) from qc_prod")).isZero();
        CliRun yes = query(db, "--env", "production", "--read-write", "--yes", "INSERT INTO qc_prod VALUES (1)");
        assertThat(yes.code()).as(yes.err()).isZero();
        assertThat(yes.out()).isEqualTo("INSERT 1\n");
        assertThat(db.queryLong("select count(*) from qc_prod")).isEqualTo(1);
        // elsewhere a write needs nothing
        assertThat(query(db, "INSERT INTO qc_prod VALUES (2)").code()).isZero();
        db.exec("drop table qc_prod");
    }

    @Test
    void theSqlComesFromStandardInputWhenAbsentOrDash(TestDatabase db) {
        CliRun absent = withStdin(db, "SELECT 40 + 2 AS answer;\n", "--format", "csv");
        assertThat(absent.code()).as(absent.err()).isZero();
        assertThat(absent.out()).isEqualTo("answer\n42\n");
        CliRun dash = withStdin(db, "SELECT 'from stdin' AS s", "--format", "csv", "-");
        assertThat(dash.out()).isEqualTo("s\nfrom stdin\n");
        assertThat(QueryCommand.MAX_SCRIPT_BYTES).isEqualTo(16 * 1024 * 1024);
    }

    @Test
    void aReplicaIsATargetAndExplainAnalyzeOfAWriteNeedsYes(TestDatabase db) throws Exception {
        // the replica is the same server under another application_name: the answer says which pool ran it
        CliRun replica = query(db, "--replica", db.url() + "?application_name=qc-replica", "--target", "replica-1",
                "--format", "csv", "SELECT current_setting('application_name') AS app");
        assertThat(replica.code()).as(replica.err()).isZero();
        assertThat(replica.out()).isEqualTo("app\nqc-replica\n");
        db.exec("drop table if exists qc_explain", "create table qc_explain (id int)");
        CliRun refused = query(db, "EXPLAIN ANALYZE INSERT INTO qc_explain VALUES (1)");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("EXPLAIN ANALYZE of a write");
        assertThat(db.queryLong("select count(*) from qc_explain")).isZero();
        CliRun confirmed = query(db, "--yes", "EXPLAIN ANALYZE INSERT INTO qc_explain VALUES (1)");
        assertThat(confirmed.code()).as(confirmed.err()).isZero();
        assertThat(confirmed.out()).contains("Insert on qc_explain");
        assertThat(db.queryLong("select count(*) from qc_explain")).isEqualTo(1);
        db.exec("drop table qc_explain");
    }

    @Test
    void noStatementTimeoutUnlessAskedThoughThePoolsHaveOne(TestDatabase db) {
        assertThat(query(db, "--format", "csv", "SHOW statement_timeout").out()).isEqualTo("statement_timeout\n0\n");
        assertThat(query(db, "--format", "csv", "--timeout", "2s", "SHOW statement_timeout").out())
                .isEqualTo("statement_timeout\n2s\n");
        assertThat(query(db, "--format", "csv", "--set", "pool.statement_timeout=7s", "SHOW statement_timeout").out())
                .isEqualTo("statement_timeout\n7s\n");
    }

    @Test
    void aStatementTimeoutIsAnSqlError(TestDatabase db) {
        CliRun r = query(db, "--timeout", "200ms", "select pg_sleep(5)");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("canceling statement due to statement timeout", "SQLSTATE: 57014");
    }
}
