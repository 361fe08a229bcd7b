package dev.pgpulse.query;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Objects;

/**
 * Writes results as CSV the way PostgreSQL's {@code COPY ... TO ... (FORMAT csv, HEADER)} does, so a file from
 * PgPulse and one from {@code psql -c "\copy (...) to 'f' csv header"} are the same bytes: RFC 4180 fields,
 * {@code \n} line ends, NULL an empty unquoted field, an empty string {@code ""}, a field quoted when it holds a
 * comma, a double quote (doubled inside), CR or LF, and a lone {@code \.} in a one-column result quoted (COPY's
 * end-of-data marker). Leading and trailing spaces are not a reason to quote: COPY does not, and RFC 4180 keeps
 * them as part of the field.
 * <p>
 * Not thread-safe; the caller owns the {@link Writer} and its buffering.
 */
public final class CsvWriter {
    private final Writer out;
    private boolean singleColumn;

    public CsvWriter(Writer out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** The header line of a result: its column names, quoted by the same rules as values. */
    public void header(List<QueryColumn> columns) throws IOException {
        singleColumn = columns.size() == 1;
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            field(columns.get(i).name());
        }
        out.write('\n');
    }

    /** One row; a null value is NULL. */
    public void row(String[] values) throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            String v = values[i];
            if (v != null) {
                field(v);
            }
        }
        out.write('\n');
    }

    private void field(String v) throws IOException {
        if (!needsQuotes(v)) {
            out.write(v);
            return;
        }
        out.write('"');
        int from = 0;
        for (int q = v.indexOf('"'); q >= 0; q = v.indexOf('"', from)) {
            out.write(v, from, q + 1 - from);
            out.write('"');
            from = q + 1;
        }
        out.write(v, from, v.length() - from);
        out.write('"');
    }

    private boolean needsQuotes(String v) {
        if (v.isEmpty()) {
            return true; // NULL is the empty field, so an empty string must differ from it
        }
        if (singleColumn && v.equals("\\.")) {
            return true;
        }
        for (int i = 0, n = v.length(); i < n; i++) {
            char c = v.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                return true;
            }
        }
        return false;
    }
}
