package dev.pgpulse.ui.query;

import org.fxmisc.richtext.model.StyleSpan;
import org.fxmisc.richtext.model.StyleSpans;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The editor's lexing: the same rules as SqlScript's splitter, so what is coloured a string is one to the server. */
class SqlHighlighterTest {

    /** The style classes of the character at {@code i}. */
    private static Collection<String> styleAt(StyleSpans<Collection<String>> spans, int i) {
        int pos = 0;
        for (StyleSpan<Collection<String>> s : spans) {
            if (i < pos + s.getLength()) {
                return s.getStyle();
            }
            pos += s.getLength();
        }
        throw new AssertionError("offset " + i + " past the spans (" + pos + ")");
    }

    private static Collection<String> style(String sql, String at) {
        return styleAt(SqlHighlighter.spans(sql), sql.indexOf(at));
    }

    @Test
    void keywordsNumbersStringsCommentsAndQuotedIdentifiersEachGetTheirClass() {
        String sql = "SELECT t1.a, 1.5e3, \"Odd;Name\" FROM t1 -- trailing; comment\nWHERE x = 'it''s' /* a /* nested */ one */";
        assertThat(style(sql, "SELECT")).containsExactly(SqlHighlighter.KEYWORD);
        assertThat(style(sql, "FROM")).containsExactly(SqlHighlighter.KEYWORD);
        assertThat(style(sql, "t1.a")).isEmpty(); // an identifier with a digit is not a number
        assertThat(style(sql, "1.5e3")).containsExactly(SqlHighlighter.NUMBER);
        assertThat(style(sql, "e3,")).containsExactly(SqlHighlighter.NUMBER);
        assertThat(style(sql, "Odd;Name")).containsExactly(SqlHighlighter.IDENTIFIER);
        assertThat(style(sql, "trailing")).containsExactly(SqlHighlighter.COMMENT);
        assertThat(style(sql, "WHERE")).containsExactly(SqlHighlighter.KEYWORD);
        assertThat(style(sql, "s'")).containsExactly(SqlHighlighter.STRING);
        assertThat(style(sql, "one */")).containsExactly(SqlHighlighter.COMMENT);
    }

    @Test
    void escapeStringsDollarBodiesAndParametersFollowPostgresRules() {
        String sql = "select E'it\\'s; select' as e, $1, $body$ begin select 'x'; end $body$, a$b$ from t";
        assertThat(style(sql, "s; select'")).containsExactly(SqlHighlighter.STRING);
        assertThat(style(sql, "$1")).containsExactly(SqlHighlighter.PARAMETER);
        assertThat(style(sql, "begin select")).containsExactly(SqlHighlighter.DOLLAR);
        assertThat(style(sql, "'x'")).containsExactly(SqlHighlighter.DOLLAR); // inside the body, not a string of its own
        assertThat(style(sql, "end $body$")).containsExactly(SqlHighlighter.DOLLAR);
        assertThat(style(sql, "a$b$")).isEmpty(); // an identifier with $ opens no quote
        assertThat(style(sql, "from t")).containsExactly(SqlHighlighter.KEYWORD);
    }

    @Test
    void theSpansCoverEveryCharacterEvenOfAnUnterminatedMegabyte() {
        String big = "select '" + "x;".repeat(500_000);
        StyleSpans<Collection<String>> spans = SqlHighlighter.spans(big);
        assertThat(spans.length()).isEqualTo(big.length());
        assertThat(styleAt(spans, big.length() - 1)).containsExactly(SqlHighlighter.STRING);
        assertThat(SqlHighlighter.spans("").length()).isZero();
        assertThat(SqlHighlighter.spans("  ").getStyleSpan(0).getStyle()).isEqualTo(List.of());
    }

    @Test
    void onlyThePartAnEditChangedIsRestyledButAnOpenedQuoteRestylesTheRest() {
        String before = "select 1;\nselect 'a' from t;\nselect 2;";
        // a letter typed in the first word: the styles from there on are the old ones again after the word
        String typed = "selectx 1;\nselect 'a' from t;\nselect 2;";
        int end = SqlHighlighter.changedEnd(SqlHighlighter.spans(before), SqlHighlighter.spans(typed), 7);
        assertThat(end).isBetween(7, typed.indexOf(" 1;") + 1);
        // a quote opened on the first line: everything after it is a string now
        String quoted = "select ' 1;\nselect 'a' from t;\nselect 2;";
        assertThat(SqlHighlighter.changedEnd(SqlHighlighter.spans(before), SqlHighlighter.spans(quoted), 8))
                .isGreaterThan(quoted.indexOf("from"));
        // nothing changed past the floor: nothing is restyled past it
        assertThat(SqlHighlighter.changedEnd(SqlHighlighter.spans(before), SqlHighlighter.spans(before), 3))
                .isEqualTo(3);
    }
}
