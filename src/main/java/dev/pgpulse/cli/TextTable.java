package dev.pgpulse.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain, aligned text table for terminals and logs; numbers right-aligned. */
final class TextTable {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private boolean alignNumbers = true;

    TextTable(String... headers) {
        this.headers = List.of(headers);
    }

    /** Leaves every cell left-aligned (for tables of settings, where a number is just a value). */
    TextTable leftAligned() {
        alignNumbers = false;
        return this;
    }

    TextTable row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        rows.add(r);
        return this;
    }

    void print(PrintWriter out) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> r : rows) {
            for (int i = 0; i < widths.length && i < r.size(); i++) {
                widths[i] = Math.max(widths[i], r.get(i).length());
            }
        }
        line(out, headers, widths);
        for (List<String> r : rows) {
            line(out, r, widths);
        }
    }

    private void line(PrintWriter out, List<String> cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String c = i < cells.size() ? cells.get(i) : "";
            boolean numeric = alignNumbers && c.matches("-?[0-9][0-9.,]*( ?ms)?");
            String cell = numeric ? " ".repeat(widths[i] - c.length()) + c : c + " ".repeat(widths[i] - c.length());
            sb.append(cell);
            if (i < widths.length - 1) {
                sb.append("  ");
            }
        }
        out.println(sb.toString().stripTrailing());
    }
}
