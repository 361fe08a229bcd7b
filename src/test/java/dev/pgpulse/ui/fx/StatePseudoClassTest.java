package dev.pgpulse.ui.fx;

import javafx.beans.binding.Bindings;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.css.PseudoClass;
import javafx.scene.layout.Region;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatePseudoClassTest {
    private static boolean has(Region r, String pseudoClass) {
        return r.getPseudoClassStates().contains(PseudoClass.getPseudoClass(pseudoClass));
    }

    @Test
    void theNodeHasExactlyThePseudoClassOfItsCurrentState() {
        StringProperty state = new SimpleStringProperty("HALF_OPEN");
        Region node = new Region();
        StatePseudoClass.follow(node, state, s -> "breaker-" + s);
        assertThat(has(node, "breaker-half-open")).isTrue();
        state.set("OPEN");
        assertThat(has(node, "breaker-open")).isTrue();
        assertThat(has(node, "breaker-half-open")).isFalse();
        state.set(null);
        assertThat(node.getPseudoClassStates()).isEmpty();
    }

    @Test
    void aBindingMadeForTheCallKeepsFollowingAfterAGarbageCollection() throws Exception {
        StringProperty environment = new SimpleStringProperty("development");
        Region node = new Region();
        StatePseudoClass.follow(node, Bindings.createStringBinding(() -> environment.get().startsWith("prod")
                ? "production" : "development", environment));
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        environment.set("production");
        assertThat(has(node, "production")).as("still following").isTrue();
        assertThat(has(node, "development")).isFalse();
    }
}
