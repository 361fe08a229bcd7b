package dev.pgpulse.ui.fx;

import dev.pgpulse.ui.shell.Dialogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A confirmation asked off the FX thread fails at once, naming the call, instead of deep inside JavaFX. */
@Timeout(10)
class FxDialogsTest {
    @Test
    void confirmOffTheFxThreadFailsClearly() {
        FxDialogs dialogs = new FxDialogs(() -> null, "console.css");
        assertThatThrownBy(() -> dialogs.confirm(new Dialogs.Confirmation("Force the primary open?", "text", "Force open")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Dialogs.confirm(\"Force the primary open?\") must be called on the FX application thread, "
                        + "not " + Thread.currentThread().getName());
    }
}
