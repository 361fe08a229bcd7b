package dev.pgpulse.ui.server;

import dev.pgpulse.server.Readout;
import dev.pgpulse.server.ServerReadings;
import dev.pgpulse.service.Result;
import dev.pgpulse.ui.Format;
import dev.pgpulse.ui.shell.ServerActions;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One of the Server tab's other readings (locks, slots, ...): its rows formatted, read when asked. */
public final class ReadoutViewModel {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final ServerActions actions;
    private final ServerReadings.Kind kind;
    private final ObservableList<ReadoutRow> rows = FXCollections.observableArrayList();
    private final StringProperty note = new SimpleStringProperty(this, "note", "");
    private final StringProperty status = new SimpleStringProperty(this, "status", "Not read yet");
    private final BooleanProperty loading = new SimpleBooleanProperty(this, "loading");
    private final BooleanProperty failed = new SimpleBooleanProperty(this, "failed");
    private long reads;

    ReadoutViewModel(ServerActions actions, ServerReadings.Kind kind) {
        this.actions = actions;
        this.kind = kind;
    }

    /** Reads again unless a reading is under way. */
    public void load() {
        if (loading.get()) {
            return;
        }
        loading.set(true);
        reads++;
        actions.readout(kind, this::apply);
    }

    void apply(Result<Readout> r) {
        loading.set(false);
        switch (r) {
            case Result.Success<Readout> ok -> {
                Readout out = ok.value();
                List<ReadoutRow> shown = new ArrayList<>(out.rows().size());
                for (Readout.Row row : out.rows()) {
                    List<Cell> cells = new ArrayList<>(row.values().size());
                    for (int i = 0; i < row.values().size(); i++) {
                        cells.add(cell(out.columns().get(i).type(), row.values().get(i)));
                    }
                    shown.add(new ReadoutRow(cells, row.flagged()));
                }
                rows.setAll(shown);
                note.set(out.note());
                failed.set(false);
                long flagged = out.rows().stream().filter(Readout.Row::flagged).count();
                status.set(String.format(Locale.ROOT, "%d row%s%s%s · read at %s", shown.size(),
                        shown.size() == 1 ? "" : "s", flagged > 0 ? ", " + flagged + " flagged" : "",
                        shown.size() >= ServerReadings.ROWS ? " (the first " + ServerReadings.ROWS + ")" : "",
                        Format.time(out.at())));
            }
            case Result.Failure<Readout> f -> {
                failed.set(true);
                status.set("Could not read " + kind.title().toLowerCase(Locale.ROOT) + ": " + f.message());
            }
        }
    }

    static Cell cell(Readout.Type type, Object v) {
        if (v == null) {
            return type == Readout.Type.TIME ? Cell.number("never", Double.NEGATIVE_INFINITY) : Cell.none();
        }
        return switch (type) {
            case TEXT -> Cell.text((String) v);
            case ID -> Cell.number(String.valueOf(v), (Long) v);
            case COUNT -> Cell.number(String.format(Locale.ROOT, "%,d", (Long) v), (Long) v);
            case BYTES -> Cell.number(Format.bytes((Long) v), (Long) v);
            case SECONDS -> Cell.number(Format.seconds((Double) v), (Double) v);
            case MILLISECONDS -> Cell.number(Format.ms((Double) v), (Double) v);
            case RATIO -> Cell.number(Format.ratio((Double) v), (Double) v);
            case TIME -> Cell.number(WHEN.format((Instant) v), ((Instant) v).toEpochMilli());
        };
    }

    public String title() {
        return kind.title();
    }

    public ServerReadings.Kind kind() {
        return kind;
    }

    public List<String> columns() {
        return kind.columns().stream().map(Readout.Column::name).toList();
    }

    /** How wide the column starts: names first, times and numbers as they need. */
    public double width(int column) {
        Readout.Type type = kind.columns().get(column).type();
        String name = kind.columns().get(column).name();
        if (name.equals("Query")) {
            return 480;
        }
        if (name.endsWith("LSN")) {
            return 105;
        }
        if (type == Readout.Type.TEXT) {
            // a wide table (the standbys: ten columns, four of them LSNs) fits 1280 px with narrower text columns
            boolean wide = kind.columns().size() >= 10;
            return column == 0 ? (wide ? 160 : 240) : column == kind.columns().size() - 1 ? 380 : wide ? 100 : 150;
        }
        return type == Readout.Type.TIME ? 120 : type == Readout.Type.ID ? 70 : type == Readout.Type.BYTES ? 110 : 95;
    }

    /** Whether the column holds numbers (right-aligned). */
    public boolean numeric(int column) {
        return kind.columns().get(column).type() != Readout.Type.TEXT;
    }

    /** How many readings this pane has asked for. */
    public long reads() {
        return reads;
    }

    public ObservableList<ReadoutRow> rows() {
        return FXCollections.unmodifiableObservableList(rows);
    }

    public ReadOnlyStringProperty noteProperty() {
        return note;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    public ReadOnlyBooleanProperty loadingProperty() {
        return loading;
    }

    public ReadOnlyBooleanProperty failedProperty() {
        return failed;
    }
}
