package dev.pgpulse.query;

import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server is the judge: each piece SqlScript cuts from a script of real function bodies runs on PostgreSQL
 * as exactly one statement, and the functions it made return what their bodies say.
 */
@ExtendWith(PostgresExtension.class)
class SqlScriptServerTest {
    private static final String DB = "pgpulse_sqlscript";
    private static TestDatabase server;

    @BeforeAll
    static void server(TestDatabase db) {
        server = db;
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        server.dropDatabase(DB);
    }

    private static String script() throws Exception {
        try (InputStream in = SqlScriptServerTest.class.getResourceAsStream("/query/functions.sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyPieceRunsAsOneStatementAndTheFunctionsWork() throws Exception {
        String script = script();
        List<SqlStatement> pieces = SqlScript.split(script);

        TestDatabase db = server.freshDatabase(DB);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (SqlStatement piece : pieces) {
                st.execute(piece.text());
                // One statement per piece: the driver would run two in one string without a word.
                assertThat(st.getMoreResults() || st.getUpdateCount() != -1)
                        .as("more than one statement in: %s", piece.text()).isFalse();
            }
            assertThat(query(st, "select add_one(41)::text")).isEqualTo("42");
            assertThat(query(st, "select describe(-1)")).isEqualTo("n;neg'ative;");
            assertThat(query(st, "select describe(1)")).isEqualTo("n;pos;itive");
            assertThat(query(st, "select doubled(21)::text")).isEqualTo("42");
            assertThat(query(st, "select string_agg(note, '|' order by id) from \"semi;colon\""))
                    .isEqualTo("it's; fine|a ';' b|dat;a|back\\slash; and 'quote';|it's; top level");
        }
        // The server took every piece; they are also the nine the script holds, each where it starts.
        assertThat(pieces).extracting(p -> firstWords(p.text()))
                .containsExactly("create table", "create function", "create or", "do $do$", "insert into",
                        "insert into", "insert into", "create function", "select count(*)");
        assertThat(pieces.get(1).startLine()).isEqualTo(5);
        assertThat(pieces.get(8).text()).endsWith("from \"semi;colon\"");
    }

    @Test
    void aNaiveSplitOnSemicolonsFailsOnTheServer() throws Exception {
        TestDatabase db = server.freshDatabase(DB);
        List<String> failed = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String piece : script().split(";")) {
                try {
                    st.execute(piece);
                } catch (SQLException e) {
                    failed.add(e.getSQLState());
                }
            }
            assertThat(failed).as("SQLSTATEs of the naive pieces").isNotEmpty().contains("42601");
            assertThat(query(st, "select count(*)::text from pg_proc where proname in ('add_one', 'describe', "
                    + "'doubled')")).isEqualTo("0");
        }
    }

    private static String firstWords(String text) {
        String[] words = text.split("\\s+", 3);
        return words.length < 2 ? text : words[0] + " " + words[1];
    }

    private static String query(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
