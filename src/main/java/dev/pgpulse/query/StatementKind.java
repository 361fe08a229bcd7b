package dev.pgpulse.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a statement does, from its keywords (strings, quoted names, dollar bodies and comments skipped): enough
 * to decide how to run it, never to decide what is allowed (the server's {@code READ ONLY} does that).
 */
public enum StatementKind {
    /** Returns rows and writes nothing: {@code SELECT}, {@code WITH} without DML, {@code VALUES}, {@code TABLE}, {@code SHOW}, plain {@code EXPLAIN}, {@code FETCH}. */
    READ,
    /** Changes rows: {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}, a {@code WITH} holding one, {@code SELECT ... INTO}, {@code EXPLAIN ANALYZE} of one of these. */
    WRITE,
    /** Everything else: DDL, {@code VACUUM}, {@code SET}, {@code BEGIN}/{@code COMMIT}, {@code CALL}, {@code DO}, {@code COPY}. */
    OTHER;

    private static final Set<String> DML = Set.of("INSERT", "UPDATE", "DELETE", "MERGE");
    private static final Set<String> READS = Set.of("SELECT", "VALUES", "TABLE", "SHOW", "FETCH");
    /** Keywords looked at: the first words decide; a WITH is searched further for DML. */
    private static final int WORDS = 4096;

    public static StatementKind of(String sql) {
        List<String> words = words(sql, WORDS);
        if (words.isEmpty()) {
            return OTHER;
        }
        String first = words.getFirst();
        if (first.equals("EXPLAIN")) {
            return analyzes(words) ? of(explained(words)) : READ;
        }
        if (DML.contains(first)) {
            return WRITE;
        }
        if (first.equals("WITH")) {
            return words.stream().anyMatch(DML::contains) ? WRITE : READ;
        }
        if (first.equals("SELECT")) {
            // SELECT ... INTO new_table creates a table: a top-level INTO, not a PL/pgSQL one (no bodies here)
            return words.contains("INTO") ? WRITE : READ;
        }
        return READS.contains(first) ? READ : OTHER;
    }

    /** Whether the statement is {@code EXPLAIN ANALYZE ...} or {@code EXPLAIN (ANALYZE[, ...]) ...}, which executes it. */
    public static boolean explainAnalyze(String sql) {
        List<String> words = words(sql, WORDS);
        return !words.isEmpty() && words.getFirst().equals("EXPLAIN") && analyzes(words);
    }

    /**
     * Whether {@code EXPLAIN ANALYZE} of the text (or the text itself, when it is an {@code EXPLAIN ANALYZE})
     * would execute a write: then it must be confirmed first.
     */
    public static boolean analyzeWrites(String text) {
        return of(explainAnalyze(text) ? text : "EXPLAIN ANALYZE " + text) != READ;
    }

    /** {@code DO} or {@code CALL}: code that may end transactions itself. */
    static boolean procedural(String sql) {
        List<String> w = words(sql, 1);
        return !w.isEmpty() && (w.getFirst().equals("DO") || w.getFirst().equals("CALL"));
    }

    /** Streamed through a cursor inside a transaction of the runner's (may return rows; allowed in a transaction block). */
    public boolean streams() {
        return this != OTHER;
    }

    private static boolean analyzes(List<String> words) {
        // EXPLAIN ANALYZE VERBOSE ..., EXPLAIN (ANALYZE, BUFFERS) ...: the whole option list, the last ANALYZE wins
        // (EXPLAIN (ANALYZE off, ANALYZE) analyzes), up to the explained statement's first keyword
        boolean analyze = false;
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            if (READS.contains(w) || DML.contains(w) || w.equals("WITH") || w.equals("CREATE") || w.equals("EXECUTE")
                    || w.equals("DECLARE")) {
                break;
            }
            if (w.equals("ANALYZE") || w.equals("ANALYSE")) {
                String next = i + 1 < words.size() ? words.get(i + 1) : "";
                analyze = !(next.equals("FALSE") || next.equals("OFF"));
            }
        }
        return analyze;
    }

    /** The words of the explained statement: from its first SELECT/WITH/DML/VALUES/TABLE keyword on. */
    private static String explained(List<String> words) {
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            if (READS.contains(w) || DML.contains(w) || w.equals("WITH") || w.equals("CREATE")
                    || w.equals("EXECUTE")) {
                return String.join(" ", words.subList(i, words.size()));
            }
        }
        return "";
    }

    /**
     * The first {@code limit} keywords and identifiers, upper-cased, with strings, quoted identifiers, dollar
     * bodies, numbers and comments skipped. Linear; an unterminated string or comment runs to the end.
     */
    static List<String> words(String s, int limit) {
        List<String> words = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n && words.size() < limit) {
            char c = s.charAt(i);
            if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int depth = 1;
                i += 2;
                while (i < n && depth > 0) {
                    if (s.startsWith("/*", i)) {
                        depth++;
                        i += 2;
                    } else if (s.startsWith("*/", i)) {
                        depth--;
                        i += 2;
                    } else {
                        i++;
                    }
                }
            } else if (c == '\'' || c == '"') {
                i = endOfQuoted(s, i + 1, c, i > 0 && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e'));
            } else if (c == '$' && (i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1)))) {
                int j = i + 1;
                while (j < n && j - i <= 64 && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                if (j < n && s.charAt(j) == '$' && !(j > i + 1 && Character.isDigit(s.charAt(i + 1)))) {
                    String tag = s.substring(i, j + 1);
                    int end = s.indexOf(tag, j + 1);
                    i = end < 0 ? n : end + tag.length();
                } else {
                    i++;
                }
            } else if (Character.isLetter(c) || c == '_') {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) == '$')) {
                    j++;
                }
                boolean stringPrefix = j - i == 1 && j < n && s.charAt(j) == '\''
                        && (c == 'E' || c == 'e' || c == 'B' || c == 'b' || c == 'X' || c == 'x');
                if (!stringPrefix) {
                    words.add(s.substring(i, j).toUpperCase(Locale.ROOT));
                }
                i = j;
            } else {
                i++;
            }
        }
        return words;
    }

    private static int endOfQuoted(String s, int i, char quote, boolean backslashes) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (backslashes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && s.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return n;
    }
}
