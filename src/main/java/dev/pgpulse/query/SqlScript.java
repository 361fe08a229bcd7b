package dev.pgpulse.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits a SQL script into the statements PostgreSQL would see, the way {@code psql} does: in one pass over
 * the text, O(n), with no regular expressions (a megabyte of quotes cannot make it backtrack).
 *
 * <p>A {@code ;} ends a statement unless it is inside
 * <ul>
 *   <li>a string: {@code '...'} ({@code ''} is a quote), {@code E'...'} (backslash escapes, so {@code E'it\'s;'}
 *       is one string), {@code U&'...'}, {@code B'...'}, {@code X'...'}, {@code N'...'};</li>
 *   <li>a quoted identifier: {@code "a;b"} ({@code ""} is a quote), {@code U&"..."};</li>
 *   <li>a dollar quote: {@code $$...$$} or {@code $tag$...$tag$}, the tag being an identifier without {@code $}
 *       (so {@code $1} is a parameter, not a quote, and {@code a$b$} is one identifier, as in PostgreSQL);</li>
 *   <li>a comment: {@code --} to the end of the line, or {@code /* ... *}{@code /}, which nests in PostgreSQL;</li>
 *   <li>parentheses, or the {@code BEGIN ... END} of a SQL-standard body ({@code CREATE FUNCTION ... BEGIN ATOMIC
 *       ...; END}): the heuristic {@code psql} uses, so a script that works in {@code psql} splits the same here.</li>
 * </ul>
 * Pieces that hold only blanks and comments ({@code ;;}) are dropped; a last statement without {@code ;} is kept.
 * An unterminated string, identifier, dollar quote or block comment makes the rest of the script one statement
 * (the server reports the error with its position); nothing here throws on bad SQL.
 *
 * <p>Assumed: {@code standard_conforming_strings = on} (PostgreSQL's default since 9.1), so a backslash escapes
 * only in {@code E''} strings. Out of scope: {@code psql}'s backslash meta-commands ({@code \copy}, {@code \gset},
 * {@code \i} ...): they are not SQL, and here a backslash is an ordinary character.
 */
public final class SqlScript {

    private SqlScript() {
    }

    /** The statements of the whole script, in order. */
    public static List<SqlStatement> split(String script) {
        requireScript(script);
        return split(script, 0, script.length());
    }

    /**
     * The statements of {@code script[from, to)} (a selection), read as a script of its own; offsets and lines
     * are those of the whole script, so an error can be marked where the user sees it.
     */
    public static List<SqlStatement> split(String script, int from, int to) {
        requireScript(script);
        if (from < 0 || to < from || to > script.length()) {
            throw new IllegalArgumentException("the range must lie in the script (0 <= from <= to <= "
                    + script.length() + "), but was from " + from + " to " + to);
        }
        List<SqlStatement> out = new ArrayList<>();
        for (Piece p : new Scanner(script, from, to).pieces()) {
            out.add(p.statement());
        }
        return List.copyOf(out);
    }

    /**
     * The statement "execute current statement" runs: the one containing the caret (its ends included), or
     * before its {@code ;}, or the one just before the caret when the caret is after that statement's {@code ;}
     * on the same line ({@code select 1;|}). Empty when the caret is in the blanks or comments between
     * statements on a line of their own, or the script has no statement.
     */
    public static Optional<SqlStatement> statementAt(String script, int caret) {
        requireScript(script);
        if (caret < 0 || caret > script.length()) {
            throw new IllegalArgumentException("the caret must lie in the script (0 to " + script.length()
                    + "), but was " + caret);
        }
        SqlStatement before = null;
        for (Piece p : new Scanner(script, 0, script.length()).pieces()) {
            SqlStatement s = p.statement();
            if (caret < s.start()) {
                // Pieces are in order: the caret is in the gap before this one.
                break;
            }
            if (caret <= s.end() || (p.semicolon() >= 0 && caret <= p.semicolon())) {
                return Optional.of(s);
            }
            before = p.semicolon() >= 0 && noLineBreak(script, p.semicolon() + 1, caret) ? s : null;
        }
        return Optional.ofNullable(before);
    }

    private static boolean noLineBreak(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '\n' || s.charAt(i) == '\r') {
                return false;
            }
        }
        return true;
    }

    private static void requireScript(String script) {
        if (script == null) {
            throw new IllegalArgumentException("script must not be null (pass \"\" for an empty editor)");
        }
    }

    /** A statement and the offset of the {@code ;} that ended it, or -1 (end of script). */
    record Piece(SqlStatement statement, int semicolon) {
    }

    /** One pass over {@code s[from, to)}; every loop only moves forward. */
    private static final class Scanner {
        private final String s;
        private final int from;
        private final int to;
        private final List<Piece> pieces = new ArrayList<>();

        // The piece being read: its first token's offset (-1: none yet) and its last token's end.
        private int start = -1;
        private int lastEnd = -1;
        // psql's heuristic for semicolons that do not end the statement.
        private int parenDepth;
        private int beginDepth;
        private int identifierCount;
        private final char[] identifiers = new char[4];
        // Lines are counted lazily, forward only.
        private int linePos;
        private int line = 1;

        Scanner(String s, int from, int to) {
            this.s = s;
            this.from = from;
            this.to = to;
        }

        List<Piece> pieces() {
            int i = from;
            while (i < to) {
                char c = s.charAt(i);
                if (isBlank(c)) {
                    i++;
                } else if (c == '-' && at(i + 1) == '-') {
                    i = endOfLine(i + 2);
                } else if (c == '/' && at(i + 1) == '*') {
                    int end = endOfBlockComment(i + 2);
                    if (end < 0) {
                        // Unterminated: kept in the statement, so the server says so instead of it vanishing.
                        token(i, to);
                        i = to;
                    } else {
                        i = end;
                    }
                } else if (c == ';' && parenDepth == 0 && beginDepth == 0) {
                    finish(i);
                    i++;
                } else {
                    i = token(i, tokenEnd(i, c));
                }
            }
            finish(-1);
            return pieces;
        }

        /** The end of the token starting at {@code i}; strings and quotes run to {@code to} when unterminated. */
        private int tokenEnd(int i, char c) {
            switch (c) {
                case '\'':
                    return endOfQuoted(i + 1, '\'', false);
                case '"':
                    return endOfQuoted(i + 1, '"', false);
                case '$':
                    return endOfDollar(i);
                case '(':
                    parenDepth++;
                    return i + 1;
                case ')':
                    if (parenDepth > 0) {
                        parenDepth--;
                    }
                    return i + 1;
                default:
                    if (!isIdentStart(c)) {
                        return i + 1;
                    }
            }
            int j = i + 1;
            while (j < to && isIdentCont(s.charAt(j))) {
                j++;
            }
            if (j - i == 1 && (c == 'e' || c == 'E') && at(j) == '\'') {
                return endOfQuoted(j + 1, '\'', true);
            }
            if (j - i == 1 && (c == 'u' || c == 'U') && at(j) == '&' && (at(j + 1) == '\'' || at(j + 1) == '"')) {
                return endOfQuoted(j + 2, s.charAt(j + 1), false);
            }
            identifier(i, j);
            return j;
        }

        private int token(int tokenStart, int tokenEnd) {
            if (start < 0) {
                start = tokenStart;
            }
            lastEnd = tokenEnd;
            return tokenEnd;
        }

        private void finish(int semicolon) {
            if (start >= 0) {
                pieces.add(new Piece(new SqlStatement(s.substring(start, lastEnd), start, lastEnd, lineAt(start)),
                        semicolon));
            }
            start = -1;
            lastEnd = -1;
            parenDepth = 0;
            beginDepth = 0;
            identifierCount = 0;
        }

        /** After the closing quote; a doubled quote is one quote, and in E'' a backslash escapes the next char. */
        private int endOfQuoted(int i, char quote, boolean backslash) {
            while (i < to) {
                char c = s.charAt(i);
                if (backslash && c == '\\') {
                    i += 2;
                } else if (c == quote) {
                    if (at(i + 1) != quote) {
                        return i + 1;
                    }
                    i += 2;
                } else {
                    i++;
                }
            }
            return to;
        }

        /**
         * At a {@code $}: after the closing tag of a dollar quote, or after the {@code $} (and a parameter's
         * digits) when it does not open one. The tag's inside has no {@code $}, so each comparison stops at
         * the next {@code $} at the latest: the search stays linear whatever the body holds.
         */
        private int endOfDollar(int i) {
            int j = i + 1;
            if (j < to && isDigit(s.charAt(j))) {
                while (j < to && isDigit(s.charAt(j))) {
                    j++;
                }
                return j;
            }
            if (j < to && isIdentStart(s.charAt(j))) {
                j++;
                while (j < to && isTagCont(s.charAt(j))) {
                    j++;
                }
            }
            if (at(j) != '$') {
                return i + 1;
            }
            String tag = s.substring(i, j + 1);
            for (int k = j + 1; k < to; k++) {
                if (s.charAt(k) == '$' && k + tag.length() <= to && s.startsWith(tag, k)) {
                    return k + tag.length();
                }
            }
            return to;
        }

        /** After the {@code *}{@code /} that closes the comment opened just before {@code i}; -1 if none. */
        private int endOfBlockComment(int i) {
            int depth = 1;
            while (i < to) {
                char c = s.charAt(i);
                if (c == '/' && at(i + 1) == '*') {
                    depth++;
                    i += 2;
                } else if (c == '*' && at(i + 1) == '/') {
                    if (--depth == 0) {
                        return i + 2;
                    }
                    i += 2;
                } else {
                    i++;
                }
            }
            return -1;
        }

        private int endOfLine(int i) {
            while (i < to && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
                i++;
            }
            return i;
        }

        /**
         * psql's rule (psqlscan.l) for SQL-standard bodies: in CREATE [OR REPLACE] FUNCTION|PROCEDURE, outside
         * parentheses, BEGIN opens a block that END closes (CASE too, once inside one); a {@code ;} in a block
         * does not end the statement.
         */
        private void identifier(int i, int j) {
            if (identifierCount == 0) {
                java.util.Arrays.fill(identifiers, (char) 0);
            }
            if (identifierCount < identifiers.length) {
                identifiers[identifierCount] = isWord(i, j, "create") || isWord(i, j, "function")
                        || isWord(i, j, "procedure") || isWord(i, j, "or") || isWord(i, j, "replace")
                        ? Character.toLowerCase(s.charAt(i)) : 0;
            }
            identifierCount++;
            char[] w = identifiers;
            boolean routine = w[0] == 'c' && (w[1] == 'f' || w[1] == 'p'
                    || (w[1] == 'o' && w[2] == 'r' && (w[3] == 'f' || w[3] == 'p')));
            if (!routine || parenDepth != 0 || identifierCount <= 2) {
                return;
            }
            if (isWord(i, j, "begin")) {
                beginDepth++;
            } else if (isWord(i, j, "case")) {
                if (beginDepth >= 1) {
                    beginDepth++;
                }
            } else if (isWord(i, j, "end") && beginDepth > 0) {
                beginDepth--;
            }
        }

        private boolean isWord(int i, int j, String word) {
            return j - i == word.length() && s.regionMatches(true, i, word, 0, word.length());
        }

        private int lineAt(int offset) {
            for (; linePos < offset; linePos++) {
                char c = s.charAt(linePos);
                // \r\n is one line break: count the \n, and a lone \r.
                if (c == '\n' || (c == '\r' && (linePos + 1 >= s.length() || s.charAt(linePos + 1) != '\n'))) {
                    line++;
                }
            }
            return line;
        }

        private char at(int i) {
            return i < to ? s.charAt(i) : 0;
        }

        private static boolean isBlank(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        /** PostgreSQL's ident_start: a letter, an underscore, or any non-ASCII character. */
        private static boolean isIdentStart(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
        }

        private static boolean isTagCont(char c) {
            return isIdentStart(c) || isDigit(c);
        }

        private static boolean isIdentCont(char c) {
            return isTagCont(c) || c == '$';
        }
    }
}
