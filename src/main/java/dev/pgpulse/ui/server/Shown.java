package dev.pgpulse.ui.server;

/**
 * A cell's text with the value it sorts by (a duration sorts by its length, not its words); the view's default
 * cell shows {@link #toString}. Null keys sort first.
 */
public record Shown(String text, double key) implements Comparable<Shown> {
    public static final Shown NONE = new Shown("", Double.NEGATIVE_INFINITY);

    @Override
    public int compareTo(Shown o) {
        return Double.compare(key, o.key);
    }

    @Override
    public String toString() {
        return text;
    }
}
