package dev.pgpulse.ui.fx;

import javafx.beans.value.ObservableValue;
import javafx.css.PseudoClass;
import javafx.scene.Node;

import java.util.Locale;
import java.util.function.Function;

/**
 * Puts a state on a node as one CSS pseudo-class, so console.css says what each state looks like and no Java code
 * holds a colour: the node always has exactly the pseudo-class its value maps to ({@code DOWN} becomes
 * {@code :down}, {@code HALF_OPEN} {@code :half-open}), and none when that name is empty.
 */
public final class StatePseudoClass {
    private StatePseudoClass() {
    }

    /** Follows {@code value}, named by {@code name} then lower-cased with {@code _} as {@code -}. FX thread. */
    public static <T> void follow(Node node, ObservableValue<T> value, Function<T, String> name) {
        PseudoClass[] current = {null};
        Runnable update = () -> {
            String n = value.getValue() == null ? "" : name.apply(value.getValue());
            PseudoClass next = n == null || n.isBlank() ? null : PseudoClass.getPseudoClass(cssName(n));
            if (next != current[0]) {
                if (current[0] != null) {
                    node.pseudoClassStateChanged(current[0], false);
                }
                if (next != null) {
                    node.pseudoClassStateChanged(next, true);
                }
                current[0] = next;
            }
        };
        value.addListener((o, a, b) -> update.run());
        // a binding made for this call is held only weakly by what it depends on: the node keeps it alive
        node.getProperties().put(StatePseudoClass.class.getName() + "." + System.identityHashCode(value), value);
        update.run();
    }

    /** Follows a value that is its own name (an enum, a state string). */
    public static <T> void follow(Node node, ObservableValue<T> value) {
        follow(node, value, String::valueOf);
    }

    static String cssName(String state) {
        return state.strip().toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
    }
}
