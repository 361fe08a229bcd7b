package dev.pgpulse.ui;

import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.text.Text;

import static org.assertj.core.api.Assertions.assertThat;

/** What a label shows on screen, as laid out, and checks on it. FX thread. */
public final class Rendered {
    private Rendered() {
    }

    /** The label's text as laid out: "PRODU…" when it did not fit. */
    public static String text(Labeled l) {
        Node root = l.getScene() == null ? l : l.getScene().getRoot();
        root.applyCss();
        if (root instanceof javafx.scene.Parent p) {
            p.layout();
        }
        Node text = l.lookup(".text");
        return text instanceof Text t ? t.getText() : "";
    }

    /**
     * Asserts that {@code shown} is {@code full} cut at a word: what precedes the ellipsis is the start of the full
     * text (wrapping's line breaks aside) and ends where a word ends.
     */
    public static void assertCutAtAWord(String shown, String full) {
        assertThat(shown).as("the text is long enough to be cut").isNotEqualTo(full).matches("(?s).*(…|\\.\\.\\.)");
        String kept = shown.substring(0, shown.length() - (shown.endsWith("…") ? 1 : 3)).replaceAll("\\s+", " ")
                .stripTrailing();
        String flat = full.replaceAll("\\s+", " ");
        assertThat(kept).isNotEmpty();
        assertThat(flat).as("the shown text is the start of the full one").startsWith(kept);
        char next = flat.charAt(kept.length());
        assertThat(Character.isLetterOrDigit(next)).as("'%s' is cut mid-word (next: '%s')", kept, next).isFalse();
    }
}
