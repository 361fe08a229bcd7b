package dev.pgpulse.query;

import dev.pgpulse.config.Redact;

/**
 * Masks the passwords a statement carries before the query history keeps it, leaving the rest as typed:
 * <ul>
 *   <li>a string literal right after the word {@code PASSWORD} ({@code CREATE/ALTER ROLE|USER ... [ENCRYPTED]
 *       PASSWORD '...'}, {@code CREATE USER MAPPING ... OPTIONS (password '...')}), whether {@code '...'},
 *       {@code E'...'}, {@code U&'...'} or dollar-quoted, becomes {@code '********'};</li>
 *   <li>inside every literal and comment, a conninfo {@code password=...} (CREATE SUBSCRIPTION, dblink,
 *       postgres_fdw) and the user info of a {@code scheme://user:pw@host} URI (by {@link Redact#url}).</li>
 * </ul>
 * It is a tokenizer, not a pattern: the word PASSWORD inside a comment, a quoted identifier or another literal is
 * no keyword, so it cannot swallow the next statement. One pass over the text (dollar-quoted bodies, which may hold
 * SQL of their own, are masked again inside, to a fixed depth), so a hostile megabyte cannot hang it.
 */
public final class SecretMasker {
    public static final String MASK = Redact.MASK;
    /** How deep dollar-quoted bodies (DO blocks, functions) are masked as SQL again; each level is one more pass. */
    private static final int MAX_DEPTH = 3;

    private SecretMasker() {
    }

    public static String mask(String sql) {
        return sql == null ? null : mask(sql, 0);
    }

    private static String mask(String sql, int depth) {
        int n = sql.length();
        StringBuilder out = new StringBuilder(n + 16);
        boolean afterPassword = false;
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                out.append(c);
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(maskInText(sql.substring(i, end)));
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = blockCommentEnd(sql, i);
                out.append(maskInText(sql.substring(i, end)));
                i = end;
            } else if (c == '\'') {
                i = literal(sql, i, i, false, afterPassword, depth, out);
                afterPassword = false;
            } else if ((c == 'E' || c == 'e') && i + 1 < n && sql.charAt(i + 1) == '\'' && !identChar(sql, i - 1)) {
                i = literal(sql, i, i + 1, true, afterPassword, depth, out);
                afterPassword = false;
            } else if ((c == 'U' || c == 'u') && i + 2 < n && sql.charAt(i + 1) == '&' && sql.charAt(i + 2) == '\''
                    && !identChar(sql, i - 1)) {
                i = literal(sql, i, i + 2, false, afterPassword, depth, out);
                afterPassword = false;
            } else if (c == '"') {
                int end = i + 1;
                while (end < n && !(sql.charAt(end) == '"' && !(end + 1 < n && sql.charAt(end + 1) == '"'))) {
                    end += sql.charAt(end) == '"' ? 2 : 1;
                }
                end = Math.min(n, end + 1);
                out.append(sql, i, end);
                i = end;
                afterPassword = false;
            } else if (c == '$' && !identChar(sql, i - 1) && dollarTagEnd(sql, i) > 0) {
                int tagEnd = dollarTagEnd(sql, i);
                String tag = sql.substring(i, tagEnd);
                int close = sql.indexOf(tag, tagEnd);
                int bodyEnd = close < 0 ? n : close;
                int end = close < 0 ? n : close + tag.length();
                out.append(tag);
                if (afterPassword) {
                    out.append(MASK);
                } else {
                    String body = sql.substring(tagEnd, bodyEnd);
                    out.append(maskInText(depth < MAX_DEPTH ? mask(body, depth + 1) : body));
                }
                out.append(sql, bodyEnd, end);
                i = end;
                afterPassword = false;
            } else if (identStart(c)) {
                int end = i + 1;
                while (end < n && identChar(sql, end)) {
                    end++;
                }
                afterPassword = end - i == 8 && sql.regionMatches(true, i, "password", 0, 8);
                out.append(sql, i, end);
                i = end;
            } else {
                out.append(c);
                i++;
                afterPassword = false;
            }
        }
        return out.toString();
    }

    /**
     * Copies the literal whose quote is at {@code quote} (its prefix, E or U&amp;, from {@code start}), masked whole
     * when it is a password, else with the secrets inside it masked. An unterminated one runs to the end.
     *
     * @return where the literal ends
     */
    private static int literal(String sql, int start, int quote, boolean backslashes, boolean secret, int depth,
                               StringBuilder out) {
        int n = sql.length();
        int j = quote + 1;
        while (j < n) {
            char ch = sql.charAt(j);
            if (backslashes && ch == '\\') {
                j += 2;
            } else if (ch == '\'') {
                if (j + 1 < n && sql.charAt(j + 1) == '\'') {
                    j += 2;
                } else {
                    break;
                }
            } else {
                j++;
            }
        }
        int bodyEnd = Math.min(j, n);
        int end = Math.min(n, bodyEnd + 1);
        out.append(sql, start, quote + 1);
        out.append(secret ? MASK : maskInText(nested(sql.substring(quote + 1, bodyEnd), backslashes, depth)));
        out.append(sql, bodyEnd, end);
        return end;
    }

    /**
     * A literal's text masked as the SQL it may be ({@code EXECUTE 'ALTER ROLE r PASSWORD ''x'''} in a DO block),
     * its doubled quotes undone and redone; unchanged when nothing in it was masked.
     */
    private static String nested(String body, boolean backslashes, int depth) {
        if (backslashes || depth >= MAX_DEPTH || body.indexOf('\'') < 0) {
            return body;
        }
        String inner = body.replace("''", "'");
        String masked = mask(inner, depth + 1);
        return masked.equals(inner) ? body : masked.replace("'", "''");
    }

    /**
     * {@code password=value} (a conninfo keyword; spaces around '=' allowed, the value bare or quoted) and the
     * user info of every {@code scheme://...@} URI in a literal's or comment's text, masked.
     */
    static String maskInText(String text) {
        if (text.isEmpty()) {
            return text;
        }
        int n = text.length();
        StringBuilder out = new StringBuilder(n);
        int copied = 0;
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            // any word ending in password: PGPASSWORD=... in a COPY ... PROGRAM string is one too
            if ((c == 'p' || c == 'P') && text.regionMatches(true, i, "password", 0, 8)) {
                int j = i + 8;
                while (j < n && text.charAt(j) == ' ') {
                    j++;
                }
                if (j < n && text.charAt(j) == '=') {
                    j++;
                    while (j < n && text.charAt(j) == ' ') {
                        j++;
                    }
                    int valueEnd = conninfoValueEnd(text, j);
                    out.append(text, copied, j).append(MASK);
                    copied = valueEnd;
                    i = valueEnd;
                    continue;
                }
                i += 8;
            } else if (c == ':' && text.startsWith("://", i)) {
                int start = i;
                while (start > copied && schemeChar(text.charAt(start - 1))) {
                    start--;
                }
                int end = i + 3;
                while (end < n && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '\''
                        && text.charAt(end) != '"') {
                    end++;
                }
                String uri = text.substring(start, end);
                if (start < i && uri.indexOf('@') >= 0) {
                    out.append(text, copied, start).append(Redact.url(uri));
                    copied = end;
                    i = end;
                } else {
                    i += 3; // no user info: a password=... in its query is masked as in a conninfo
                }
            } else {
                i++;
            }
        }
        return out.append(text, copied, n).toString();
    }

    /** A conninfo value: quoted ('' in SQL text, or ' with \ escapes), or up to the next space or quote. */
    private static int conninfoValueEnd(String text, int j) {
        int n = text.length();
        if (j < n && text.charAt(j) == '\'') {
            int k = j + (text.startsWith("''", j) ? 2 : 1);
            while (k < n && text.charAt(k) != '\'') {
                k += text.charAt(k) == '\\' ? 2 : 1;
            }
            k = Math.min(k, n);
            return text.startsWith("''", k) ? k + 2 : Math.min(n, k + 1);
        }
        int k = j;
        while (k < n && !Character.isWhitespace(text.charAt(k)) && text.charAt(k) != '\'' && text.charAt(k) != '"') {
            k++;
        }
        return k;
    }

    private static int blockCommentEnd(String sql, int i) {
        int n = sql.length();
        int depth = 0;
        int j = i;
        while (j < n) {
            if (sql.startsWith("/*", j)) {
                depth++;
                j += 2;
            } else if (sql.startsWith("*/", j)) {
                depth--;
                j += 2;
                if (depth == 0) {
                    return j;
                }
            } else {
                j++;
            }
        }
        return n;
    }

    /** The end of a dollar-quote opening {@code $tag$} at {@code i}, or -1 when it is none ($1, a lone $). */
    private static int dollarTagEnd(String sql, int i) {
        int n = sql.length();
        int j = i + 1;
        if (j < n && sql.charAt(j) == '$') {
            return j + 1;
        }
        if (j >= n || !identStart(sql.charAt(j))) {
            return -1;
        }
        while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        return j < n && sql.charAt(j) == '$' ? j + 1 : -1;
    }

    private static boolean identStart(char c) {
        return Character.isLetter(c) || c == '_' || c >= 0x80;
    }

    private static boolean identChar(String sql, int i) {
        if (i < 0 || i >= sql.length()) {
            return false;
        }
        char c = sql.charAt(i);
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c >= 0x80;
    }

    private static boolean schemeChar(char c) {
        return Character.isLetterOrDigit(c) || c == '+' || c == '.' || c == '-';
    }
}
