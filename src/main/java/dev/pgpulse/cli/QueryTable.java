package dev.pgpulse.cli;

import dev.pgpulse.query.CsvWriter;
import dev.pgpulse.query.QueryColumn;
import dev.pgpulse.query.QueryError;
import dev.pgpulse.query.QueryNotice;
import dev.pgpulse.query.QuerySink;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pgpulse query}'s terminal output: results as psql's aligned tables (or CSV), counts as command tags,
 * notices and errors on stderr as psql words them.
 */
final class QueryTable {
    /** Rows aligned together, as psql's FETCH_COUNT pages: memory stays bounded on any result. */
    static final int PAGE = 1000;

    private QueryTable() {
    }

    /** psql's aligned format: a header on the first page, each page aligned on its own widths, {@code (N rows)}. */
    static final class Aligned extends Base {
        private List<QueryColumn> columns = List.of();
        private final List<String[]> page = new ArrayList<>();
        private boolean headerDone;

        Aligned(PrintWriter out, PrintWriter err) {
            super(out, err);
        }

        @Override
        public void columns(int index, List<QueryColumn> cols) {
            columns = cols;
            page.clear();
            headerDone = false;
        }

        @Override
        public boolean rows(List<String[]> rows) {
            for (String[] r : rows) {
                page.add(r);
                if (page.size() >= PAGE) {
                    flushPage();
                }
            }
            return !out.checkError(); // a closed pipe (| head): stop fetching
        }

        @Override
        public void resultEnded(long rows, boolean complete) {
            if (!page.isEmpty() || !headerDone) {
                flushPage();
            }
            out.println(rows == 1 ? "(1 row)" : "(" + rows + " rows)");
            out.println();
            out.flush();
        }

        private void flushPage() {
            int n = columns.size();
            int[] width = new int[n];
            for (int i = 0; i < n; i++) {
                width[i] = headerDone ? 0 : length(columns.get(i).name());
            }
            List<String[][]> cells = new ArrayList<>(page.size());
            for (String[] r : page) {
                String[][] lines = new String[n][];
                for (int i = 0; i < n; i++) {
                    lines[i] = r[i] == null ? new String[]{""} : r[i].split("\r?\n", -1);
                    for (String l : lines[i]) {
                        width[i] = Math.max(width[i], length(l));
                    }
                }
                cells.add(lines);
            }
            StringBuilder b = new StringBuilder();
            // the page is printed at once: the terminal's PrintWriter flushes on every println
            StringBuilder text = new StringBuilder(page.size() * 16 + 256);
            if (!headerDone) {
                for (int i = 0; i < n; i++) {
                    String name = columns.get(i).name();
                    int pad = width[i] - length(name);
                    b.append(i == 0 ? " " : "| ").append(" ".repeat(pad / 2)).append(name)
                            .append(" ".repeat(pad - pad / 2)).append(' ');
                }
                text.append(b.toString().stripTrailing()).append(System.lineSeparator());
                b.setLength(0);
                for (int i = 0; i < n; i++) {
                    b.append(i == 0 ? "" : "+").append("-".repeat(width[i] + 2));
                }
                text.append(b).append(System.lineSeparator());
                headerDone = true;
            }
            for (String[][] row : cells) {
                int height = 1;
                for (String[] c : row) {
                    height = Math.max(height, c.length);
                }
                for (int line = 0; line < height; line++) {
                    b.setLength(0);
                    for (int i = 0; i < n; i++) {
                        String value = line < row[i].length ? row[i][line] : "";
                        int pad = width[i] - length(value);
                        b.append(i == 0 ? " " : "| ");
                        if (columns.get(i).numeric()) {
                            b.append(" ".repeat(pad)).append(value);
                        } else {
                            b.append(value).append(" ".repeat(pad));
                        }
                        b.append(line < row[i].length - 1 ? '+' : ' '); // psql's mark of a value going on
                    }
                    text.append(b.toString().stripTrailing()).append(System.lineSeparator());
                }
            }
            out.print(text);
            page.clear();
        }

        private static int length(String s) {
            return s.codePointCount(0, s.length());
        }
    }

    /** Every result set as CSV with its header ({@link CsvWriter}, the format of {@code --csv FILE}). */
    static final class Csv extends Base {
        private final CsvWriter csv;

        Csv(PrintWriter out, PrintWriter err) {
            super(out, err);
            this.csv = new CsvWriter(out);
        }

        @Override
        public void columns(int index, List<QueryColumn> cols) {
            try {
                csv.header(cols);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // a PrintWriter does not throw
            }
        }

        @Override
        public boolean rows(List<String[]> rows) {
            try {
                for (String[] r : rows) {
                    csv.row(r);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return !out.checkError();
        }

        @Override
        public void resultEnded(long rows, boolean complete) {
            out.flush();
        }
    }

    /** Counts and notices, common to both formats. */
    abstract static class Base implements QuerySink {
        final PrintWriter out;
        final PrintWriter err;

        Base(PrintWriter out, PrintWriter err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public void updated(int index, String command, long count) {
            out.println(count < 0 ? command : command + " " + count);
            out.flush();
        }

        @Override
        public void notice(QueryNotice notice) {
            QueryTable.notice(err, notice);
        }
    }

    static void notice(PrintWriter err, QueryNotice notice) {
        err.println(notice.severity() + ":  " + notice.message());
        err.flush();
    }

    /** psql's error report: the message, the script's line with a caret under the position, detail, hint. */
    static void error(PrintWriter err, QueryError e, String script) {
        err.println("ERROR:  " + e.message());
        if (e.position() >= 0 && e.position() <= script.length()) {
            int lineStart = script.lastIndexOf('\n', e.position() - 1) + 1;
            int lineEnd = script.indexOf('\n', e.position());
            String line = script.substring(lineStart, lineEnd < 0 ? script.length() : lineEnd).stripTrailing();
            long lineNo = script.substring(0, lineStart).chars().filter(c -> c == '\n').count() + 1;
            String prefix = "LINE " + lineNo + ": ";
            err.println(prefix + line);
            int column = script.codePointCount(lineStart, e.position());
            err.println(" ".repeat(prefix.length() + column) + "^");
        }
        if (e.detail() != null) {
            err.println("DETAIL:  " + e.detail());
        }
        if (e.hint() != null) {
            err.println("HINT:  " + e.hint());
        }
        if (e.where() != null) {
            err.println("CONTEXT:  " + e.where());
        }
        if (e.sqlState() != null) {
            err.println("SQLSTATE: " + e.sqlState());
        }
        err.flush();
    }
}
