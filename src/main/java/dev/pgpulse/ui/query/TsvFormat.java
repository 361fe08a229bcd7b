package dev.pgpulse.ui.query;

import java.util.List;

/**
 * Rows as tab-separated text for the clipboard, pasted into a spreadsheet or a {@code COPY ... FROM STDIN}: values
 * escaped as PostgreSQL's COPY text format does ({@code \t}, {@code \n}, {@code \r} and the backslash itself as
 * backslash sequences), so a value with a tab or a line break stays one cell on one line. NULL is an empty field
 * (what spreadsheets expect; COPY's {@code \N} would paste as text). Plain Java: tested without FX.
 */
public final class TsvFormat {
    private TsvFormat() {
    }

    /**
     * @param header the column names as the first line, or null for none
     * @param rows   each row's values, null for NULL; every row as long as the header
     */
    public static String format(List<String> header, List<String[]> rows) {
        StringBuilder b = new StringBuilder();
        if (header != null) {
            line(b, header.toArray(String[]::new));
        }
        for (String[] row : rows) {
            line(b, row);
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String[] values) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.append('\t');
            }
            escape(b, values[i]);
        }
        b.append('\n');
    }

    static void escape(StringBuilder b, String v) {
        if (v == null) {
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
    }
}
