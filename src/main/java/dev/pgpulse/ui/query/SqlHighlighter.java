package dev.pgpulse.ui.query;

import org.fxmisc.richtext.model.StyleSpans;
import org.fxmisc.richtext.model.StyleSpansBuilder;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The style classes of a SQL script's tokens, for {@link SqlEditor}. One forward pass, no regular expressions,
 * with the lexical rules of {@link dev.pgpulse.query.SqlScript} (its scanner is private to the core): strings
 * {@code '...'} with {@code ''}, {@code E'...'} with backslash escapes, {@code U&'...'}, quoted identifiers,
 * {@code $tag$} bodies (not {@code $1}), {@code --} and nesting block comments. A dollar-quoted body is one
 * string span: a function's body is highlighted as the text it is to the SQL parser. Safe off the FX thread: it
 * reads a String and builds immutable spans.
 */
final class SqlHighlighter {
    static final String KEYWORD = "sql-keyword";
    static final String STRING = "sql-string";
    static final String DOLLAR = "sql-dollar";
    static final String COMMENT = "sql-comment";
    static final String NUMBER = "sql-number";
    static final String IDENTIFIER = "sql-quoted-identifier";
    static final String PARAMETER = "sql-parameter";

    /** Reserved and common non-reserved words a DBA expects coloured; not the whole of PostgreSQL's list. */
    private static final Set<String> KEYWORDS = Set.of("select", "from", "where", "and", "or", "not", "in", "is",
            "null", "true", "false", "as", "on", "join", "left", "right", "full", "inner", "outer", "cross",
            "lateral", "using", "group", "by", "order", "having", "limit", "offset", "fetch", "first", "next", "rows",
            "only", "union", "intersect", "except", "all", "distinct", "case", "when", "then", "else", "end", "with",
            "recursive", "insert", "into", "values", "update", "set", "delete", "returning", "merge", "create",
            "alter", "drop", "table", "index", "view", "materialized", "function", "procedure", "trigger", "schema",
            "sequence", "extension", "role", "user", "grant", "revoke", "if", "exists", "replace", "cascade",
            "restrict", "primary", "key", "foreign", "references", "unique", "check", "constraint", "default",
            "begin", "commit", "rollback", "savepoint", "transaction", "start", "explain", "analyze", "verbose",
            "vacuum", "reindex", "cluster", "truncate", "copy", "do", "language", "returns", "return", "declare",
            "like", "ilike", "between", "asc", "desc", "nulls", "over", "partition", "window", "filter", "cast",
            "array", "interval", "concurrently", "temp", "temporary", "unlogged", "show", "reset", "discard",
            "lock", "for", "no", "share", "nowait", "skip", "locked", "atomic", "immutable", "stable", "volatile",
            "strict", "security", "definer", "invoker", "perform", "raise", "notice", "exception", "loop", "while",
            "elsif", "execute", "format", "json", "buffers", "costs", "timing", "to", "of", "some", "any");

    private SqlHighlighter() {
    }

    /** Spans covering all of {@code s}; plain text has no style class. */
    static StyleSpans<Collection<String>> spans(String s) {
        StyleSpansBuilder<Collection<String>> b = new StyleSpansBuilder<>();
        int plain = 0; // start of the unstyled run not yet added
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            int end;
            String style;
            if (c == '-' && at(s, i + 1) == '-') {
                end = endOfLine(s, i + 2);
                style = COMMENT;
            } else if (c == '/' && at(s, i + 1) == '*') {
                end = endOfBlockComment(s, i + 2);
                style = COMMENT;
            } else if (c == '\'') {
                end = endOfQuoted(s, i + 1, '\'', false);
                style = STRING;
            } else if (c == '"') {
                end = endOfQuoted(s, i + 1, '"', false);
                style = IDENTIFIER;
            } else if (c == '$') {
                end = endOfDollar(s, i);
                style = end - i > 1 && !isDigit(s.charAt(i + 1)) ? DOLLAR : PARAMETER;
                if (style == PARAMETER && end - i == 1) {
                    style = null;
                }
            } else if (isDigit(c) || (c == '.' && isDigit(at(s, i + 1)))) {
                end = endOfNumber(s, i);
                style = NUMBER;
            } else if (isIdentStart(c)) {
                int j = i + 1;
                while (j < n && isIdentCont(s.charAt(j))) {
                    j++;
                }
                if (j - i == 1 && (c == 'e' || c == 'E') && at(s, j) == '\'') {
                    end = endOfQuoted(s, j + 1, '\'', true);
                    style = STRING;
                } else if (j - i == 1 && (c == 'u' || c == 'U') && at(s, j) == '&'
                        && (at(s, j + 1) == '\'' || at(s, j + 1) == '"')) {
                    end = endOfQuoted(s, j + 2, s.charAt(j + 1), false);
                    style = s.charAt(j + 1) == '"' ? IDENTIFIER : STRING;
                } else if (j - i == 1 && "bBxXnN".indexOf(c) >= 0 && at(s, j) == '\'') {
                    end = endOfQuoted(s, j + 1, '\'', false);
                    style = STRING;
                } else {
                    end = j;
                    style = j - i <= 12 && KEYWORDS.contains(s.substring(i, j).toLowerCase(Locale.ROOT))
                            ? KEYWORD : null;
                }
            } else {
                end = i + 1;
                style = null;
            }
            if (style != null) {
                if (i > plain) {
                    b.add(List.of(), i - plain);
                }
                b.add(List.of(style), end - i);
                plain = end;
            }
            i = end;
        }
        // a builder needs one span at least, and the spans must cover the whole text
        if (n > plain || plain == 0) {
            b.add(List.of(), n - plain);
        }
        return b.create();
    }

    /**
     * Where the styles of {@code after} (the spans of the edited text) stop differing from {@code before} (the
     * spans applied before the edits), compared from the end, not below {@code floor} (the end of the edited part:
     * the text after it is the old text, so only its styles can stay the same). Lexing runs forward, so nothing
     * before the first edit changes; restyling {@code [firstEdit, changedEnd)} is enough. A quote typed in a
     * megabyte script restyles the rest; a letter typed in a word restyles the word.
     */
    static int changedEnd(StyleSpans<Collection<String>> before, StyleSpans<Collection<String>> after, int floor) {
        int i = before.getSpanCount() - 1;
        int j = after.getSpanCount() - 1;
        int leftI = before.getStyleSpan(i).getLength();
        int leftJ = after.getStyleSpan(j).getLength();
        int end = after.length();
        while (end > floor) {
            if (leftI == 0) {
                if (--i < 0) {
                    break;
                }
                leftI = before.getStyleSpan(i).getLength();
            } else if (leftJ == 0) {
                if (--j < 0) {
                    break;
                }
                leftJ = after.getStyleSpan(j).getLength();
            } else if (!before.getStyleSpan(i).getStyle().equals(after.getStyleSpan(j).getStyle())) {
                break;
            } else {
                int step = Math.min(Math.min(leftI, leftJ), end - floor);
                end -= step;
                leftI -= step;
                leftJ -= step;
            }
        }
        return Math.max(end, floor);
    }

    private static int endOfQuoted(String s, int i, char quote, boolean backslash) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (backslash && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (at(s, i + 1) != quote) {
                    return i + 1;
                }
                i += 2;
            } else {
                i++;
            }
        }
        return n;
    }

    /** As SqlScript: after the closing tag, or after the {@code $} (and a parameter's digits) when none opens. */
    private static int endOfDollar(String s, int i) {
        int n = s.length();
        int j = i + 1;
        if (j < n && isDigit(s.charAt(j))) {
            while (j < n && isDigit(s.charAt(j))) {
                j++;
            }
            return j;
        }
        if (j < n && isIdentStart(s.charAt(j))) {
            j++;
            while (j < n && (isIdentStart(s.charAt(j)) || isDigit(s.charAt(j)))) {
                j++;
            }
        }
        if (at(s, j) != '$') {
            return i + 1;
        }
        String tag = s.substring(i, j + 1);
        int close = s.indexOf(tag, j + 1);
        return close < 0 ? n : close + tag.length();
    }

    private static int endOfBlockComment(String s, int i) {
        int n = s.length();
        int depth = 1;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && at(s, i + 1) == '*') {
                depth++;
                i += 2;
            } else if (c == '*' && at(s, i + 1) == '/') {
                if (--depth == 0) {
                    return i + 2;
                }
                i += 2;
            } else {
                i++;
            }
        }
        return n;
    }

    private static int endOfLine(String s, int i) {
        while (i < s.length() && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
            i++;
        }
        return i;
    }

    /** Digits, a fraction, an exponent: {@code 1}, {@code 1.5}, {@code .5}, {@code 1e-3}. */
    private static int endOfNumber(String s, int i) {
        int n = s.length();
        while (i < n && (isDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == '_')) {
            i++;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                j++;
            }
            if (j < n && isDigit(s.charAt(j))) {
                i = j;
                while (i < n && isDigit(s.charAt(i))) {
                    i++;
                }
            }
        }
        return i;
    }

    private static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentCont(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }
}
