package dev.pgpulse.server;

import java.util.List;
import java.util.Objects;

/**
 * One of the Server tab's other readings (locks, replication, top statements, tables and indexes) as typed
 * columns and rows, stamped by the server's clock; the console formats each value by its column's kind. A row may
 * be flagged (an inactive slot, a waiting lock). {@code note} says what there is to know first (how to enable
 * {@code pg_stat_statements}), or is empty.
 */
public record Readout(ServerReadings.Kind kind, java.time.Instant at, List<Column> columns, List<Row> rows,
                      String note) {

    /** How a column's values are read and shown. */
    public enum Type {
        TEXT, ID, COUNT, BYTES, SECONDS, MILLISECONDS, RATIO, TIME
    }

    public record Column(String name, Type type) {
    }

    /** Values in column order: String, Long, Double or Instant by type, null where PostgreSQL has none. */
    public record Row(List<Object> values, boolean flagged) {
        public Row {
            values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
        }
    }

    public Readout {
        Objects.requireNonNull(kind, "kind");
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        note = note == null ? "" : note;
    }
}
