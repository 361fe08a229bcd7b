package dev.pgpulse.ui.server;

import java.util.List;

/** One row of a readout, formatted; flagged rows are emphasised (a waiting lock, an inactive slot). */
public record ReadoutRow(List<Cell> cells, boolean flagged) {
    public ReadoutRow {
        cells = List.copyOf(cells);
    }
}
