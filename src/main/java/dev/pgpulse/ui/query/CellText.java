package dev.pgpulse.ui.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgpulse.query.QueryColumn;

/**
 * What a result cell shows, and what the cell viewer shows, for a value in PostgreSQL's text form. Plain Java,
 * tested without FX. The grid's cells also cut text to their width with an ellipsis; this keeps the string they
 * are given short (a megabyte of text in a cell would be laid out in full) and on one line.
 */
final class CellText {
    /** Shown for NULL, styled apart ({@code .null-value}) so it is not taken for the text "NULL". */
    static final String NULL = "NULL";
    /** The bytes of a bytea a cell shows before "… (N bytes)". */
    static final int BYTEA_SHOWN = 32;
    /** Characters a cell is given at most; the rest is in the cell viewer. */
    static final int CELL_CHARS = 300;
    // exact decimals: a jsonb number 0.1000000000000000055 must not come back rounded
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private CellText() {
    }

    /** One line for a grid cell. */
    static String cell(QueryColumn column, String value) {
        if (value == null) {
            return NULL;
        }
        if (column.bytea() && value.startsWith("\\x")) {
            long bytes = (value.length() - 2) / 2;
            if (bytes > BYTEA_SHOWN) {
                return value.substring(0, 2 + 2 * BYTEA_SHOWN) + "… (" + String.format("%,d", bytes) + " bytes)";
            }
            return value;
        }
        boolean cut = value.length() > CELL_CHARS;
        String s = cut ? value.substring(0, CELL_CHARS) : value;
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\t') >= 0) {
            // psql's wrapped format marks line breaks; a cell is one line, and the viewer shows the real ones
            s = s.replace("\r\n", "↵").replace('\n', '↵').replace('\r', '↵').replace('\t', ' ');
        }
        return cut ? s + "…" : s;
    }

    /** The whole value for the cell viewer: JSON pretty-printed, everything else as the server sent it. */
    static String full(QueryColumn column, String value) {
        if (value == null) {
            return "";
        }
        if (column.json()) {
            try {
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(value));
            } catch (JsonProcessingException e) {
                return value; // not JSON after all (a json column holds what was stored): show it as it is
            }
        }
        return value;
    }

    /** The viewer's title line: the column, its type, and the size of the value. */
    static String describe(QueryColumn column, String value) {
        String what = column.name() + " (" + column.displayType() + ")";
        if (value == null) {
            return what + ": NULL";
        }
        if (column.bytea() && value.startsWith("\\x")) {
            return what + ": " + String.format("%,d", (value.length() - 2) / 2) + " bytes";
        }
        return what + ": " + String.format("%,d", value.length()) + " characters";
    }
}
