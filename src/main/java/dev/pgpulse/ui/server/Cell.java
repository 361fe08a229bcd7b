package dev.pgpulse.ui.server;

/** A readout cell: its text, sorted by its number when it has one, else by its text. */
public record Cell(String text, double number, boolean numeric) implements Comparable<Cell> {

    static Cell text(String s) {
        return new Cell(s == null ? "" : s, 0, false);
    }

    static Cell number(String text, double n) {
        return new Cell(text, n, true);
    }

    static Cell none() {
        return new Cell("", Double.NEGATIVE_INFINITY, true);
    }

    @Override
    public int compareTo(Cell o) {
        return numeric && o.numeric ? Double.compare(number, o.number) : text.compareTo(o.text);
    }

    @Override
    public String toString() {
        return text;
    }
}
