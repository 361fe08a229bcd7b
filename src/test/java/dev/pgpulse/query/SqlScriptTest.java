package dev.pgpulse.query;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class SqlScriptTest {

    private static List<String> texts(String script) {
        return SqlScript.split(script).stream().map(SqlStatement::text).toList();
    }

    @Test
    void splitsOnSemicolonsAndKeepsTheLastStatementWithoutOne() {
        assertThat(texts("select 1; select 2;\nselect 3")).containsExactly("select 1", "select 2", "select 3");
    }

    @Test
    void offsetsAndLinesPointIntoTheScript() {
        String script = "select 1;\r\n\n  -- why\n  select\n 2 ;";
        List<SqlStatement> all = SqlScript.split(script);
        assertThat(all).hasSize(2);
        SqlStatement second = all.get(1);
        assertThat(second.text()).isEqualTo("select\n 2");
        assertThat(script.substring(second.start(), second.end())).isEqualTo(second.text());
        assertThat(second.start()).isEqualTo(script.indexOf("select\n"));
        assertThat(all.get(0).startLine()).isEqualTo(1);
        assertThat(second.startLine()).isEqualTo(4);
    }

    @Test
    void emptyStatementsAndCommentOnlyPiecesAreDropped() {
        assertThat(texts(";; ;\n-- only a comment\n; /* and this */ ; select 1;;")).containsExactly("select 1");
        assertThat(texts("")).isEmpty();
        assertThat(texts("  -- nothing")).isEmpty();
    }

    @Test
    void semicolonInSingleQuotesWithDoubledQuote() {
        assertThat(texts("select 'a;''b;'; select 2")).containsExactly("select 'a;''b;'", "select 2");
    }

    @Test
    void semicolonInEscapeStringWithBackslashQuote() {
        assertThat(texts("select E'it\\'s;'; select e'\\\\'; select 3"))
                .containsExactly("select E'it\\'s;'", "select e'\\\\'", "select 3");
        // Without the E the backslash is an ordinary character: the string ends at the second quote.
        assertThat(texts("select 'it\\'; select 2")).containsExactly("select 'it\\'", "select 2");
    }

    @Test
    void anIdentifierEndingInEIsNotAnEscapeString() {
        // "type" then a plain string: the backslash does not escape, so the ; after the string splits.
        assertThat(texts("select type'\\'; select 2")).containsExactly("select type'\\'", "select 2");
    }

    @Test
    void semicolonInUnicodeStringAndIdentifier() {
        assertThat(texts("select U&'d\\0061t;a'; select u&\"a;b\" from t; select 3"))
                .containsExactly("select U&'d\\0061t;a'", "select u&\"a;b\" from t", "select 3");
    }

    @Test
    void semicolonInQuotedIdentifierWithDoubledQuote() {
        assertThat(texts("create table \"a;\"\"b\" (x int); select 2"))
                .containsExactly("create table \"a;\"\"b\" (x int)", "select 2");
    }

    @Test
    void semicolonInDollarQuotes() {
        assertThat(texts("select $$a;b$$; select $body$ x; $$ still; $body$; select 3"))
                .containsExactly("select $$a;b$$", "select $body$ x; $$ still; $body$", "select 3");
    }

    @Test
    void positionalParametersAndIdentifiersWithDollarsAreNotDollarQuotes() {
        assertThat(texts("prepare p(int) as select $1; select 2")).containsExactly("prepare p(int) as select $1",
                "select 2");
        // a$b$ is one identifier in PostgreSQL, so the $b$ does not open a quote.
        assertThat(texts("select a$b$ from t; select 2")).containsExactly("select a$b$ from t", "select 2");
        // $1$ ... : a parameter, then a lone $; no tag can start with a digit.
        assertThat(texts("select $1$; select 2")).containsExactly("select $1$", "select 2");
    }

    @Test
    void semicolonInLineComment() {
        assertThat(texts("select 1 -- not here;\n, 2; select 3")).containsExactly("select 1 -- not here;\n, 2",
                "select 3");
    }

    @Test
    void blockCommentsNest() {
        assertThat(texts("select 1 /* a; /* b; */ still a comment; */ + 1; select 2"))
                .containsExactly("select 1 /* a; /* b; */ still a comment; */ + 1", "select 2");
    }

    @Test
    void trailingCommentsAreLeftOutOfTheText() {
        assertThat(texts("select 1 /* c */ -- d\n; select 2 -- e")).containsExactly("select 1", "select 2");
    }

    @Test
    void unterminatedQuoteCommentOrDollarMakesTheRestOneStatement() {
        assertThat(texts("select 1; select 'oops; select 2; ")).containsExactly("select 1", "select 'oops; select 2; ");
        assertThat(texts("select 1; select \"oops; select 2")).containsExactly("select 1", "select \"oops; select 2");
        assertThat(texts("select 1; select $x$ oops; select 2")).containsExactly("select 1",
                "select $x$ oops; select 2");
        assertThat(texts("select 1; select E'\\'; select 2")).containsExactly("select 1", "select E'\\'; select 2");
        // Kept even when it is only a comment, so the server reports it rather than it silently vanishing.
        assertThat(texts("select 1; /* a /* b */ ; select 2")).containsExactly("select 1", "/* a /* b */ ; select 2");
    }

    @Test
    void semicolonsInParenthesesDoNotSplitAsInPsql() {
        assertThat(texts("select (1; 2); select 3")).containsExactly("select (1; 2)", "select 3");
    }

    @Test
    void sqlStandardFunctionBodyStaysWhole() {
        String body = "create or replace function f(a int) returns int language sql\n"
                + "begin atomic\n  select case when a > 0 then 1 else 0 end;\n  select a;\nend";
        assertThat(texts(body + "; select f(1)")).containsExactly(body, "select f(1)");
        // BEGIN outside a CREATE FUNCTION is a transaction: it ends at its ;
        assertThat(texts("begin; select 1; end;")).containsExactly("begin", "select 1", "end");
    }

    @Test
    void aSelectionIsSplitWithTheScriptsOffsetsAndLines() {
        String script = "select 0;\nselect 1; select 2;\nselect 3;";
        int from = script.indexOf("select 1");
        int to = script.indexOf("select 3");
        List<SqlStatement> part = SqlScript.split(script, from, to);
        assertThat(part).extracting(SqlStatement::text).containsExactly("select 1", "select 2");
        assertThat(part.get(1).start()).isEqualTo(script.indexOf("select 2"));
        assertThat(part.get(1).startLine()).isEqualTo(2);
    }

    @Test
    void statementAtTheCaret() {
        String script = "select 1;  -- one\nselect\n  2 ;\n\nselect 3";
        assertThat(at(script, 0)).isEqualTo("select 1");
        assertThat(at(script, script.indexOf("1;"))).isEqualTo("select 1");
        // after the ; on the same line, even in the trailing comment
        assertThat(at(script, script.indexOf(";") + 1)).isEqualTo("select 1");
        assertThat(at(script, script.indexOf("one"))).isEqualTo("select 1");
        assertThat(at(script, script.indexOf("2"))).isEqualTo("select\n  2");
        // between the statement's end and its ;
        assertThat(at(script, script.indexOf(" ;") + 1)).isEqualTo("select\n  2");
        assertThat(at(script, script.length())).isEqualTo("select 3");
        // on the blank line between statements: none
        assertThat(SqlScript.statementAt(script, script.indexOf("\n\n") + 1)).isEmpty();
        assertThat(SqlScript.statementAt("  ", 1)).isEmpty();
        // after a ; with the next statement later on the same line: the one before
        assertThat(at("select 1;   select 2", 10)).isEqualTo("select 1");
        assertThat(at("select 1;   select 2", 12)).isEqualTo("select 2");
    }

    private static String at(String script, int caret) {
        return SqlScript.statementAt(script, caret).orElseThrow().text();
    }

    @Test
    void badArgumentsSayWhatWasWrong() {
        assertThatThrownBy(() -> SqlScript.split(null)).hasMessageContaining("script must not be null");
        assertThatThrownBy(() -> SqlScript.statementAt("abc", 4)).hasMessageContaining("0 to 3").hasMessageContaining("4");
        assertThatThrownBy(() -> SqlScript.split("abc", 2, 1)).hasMessageContaining("from 2 to 1");
    }

    @Test
    void hostileInputIsLinear() {
        int n = 1 << 20;
        String quotes = "'".repeat(n);
        String escapes = "E'" + "\\'".repeat(n / 2);
        String dollars = "$a$" + "$a".repeat(n / 2);
        String comments = "/*".repeat(n / 2);
        String tag = "$" + "t".repeat(n / 4) + "$";
        String longTag = tag + ("$" + "t".repeat(n / 4 - 1) + "x").repeat(2) + tag + ";";
        String semis = ";".repeat(n);
        String mixed = "'\"$$/*--E'".repeat(n / 10);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (String s : List.of(quotes, escapes, dollars, comments, longTag, semis, mixed)) {
                SqlScript.split(s);
                SqlScript.statementAt(s, s.length() / 2);
            }
        });
        assertThat(SqlScript.split(longTag)).hasSize(1);
        assertThat(SqlScript.split(semis)).isEmpty();
        assertThat(SqlScript.split(quotes)).singleElement().extracting(SqlStatement::end).isEqualTo(n);
    }
}
