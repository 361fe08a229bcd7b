package dev.pgpulse.ui.fx;

import dev.pgpulse.ui.shell.Dialogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A confirmation asked off the FX thread fails at once, naming the call, instead of deep inside JavaFX; a long
 * notification text is wrapped for the popup (whose label does not wrap), never cut.
 */
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

    @Test
    void aLongNotificationTextIsWrappedNotCut() {
        String message = "ERROR: canceling statement due to statement timeout; " + "x".repeat(150) + " Where: SQL statement"
                + " \"SELECT pg_sleep(10)\" PL/pgSQL function inline_code_block line 1 at PERFORM\nsecond line";
        String wrapped = FxDialogs.wrapped(message, 60);
        assertThat(wrapped.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(60)).hasSizeGreaterThan(5);
        assertThat(wrapped.replaceAll("\\s", "")).as("nothing cut").isEqualTo(message.replaceAll("\\s", ""));
        assertThat(wrapped).endsWith("\nsecond line");
        assertThat(FxDialogs.wrapped("short", 60)).isEqualTo("short");
        assertThat(FxDialogs.wrapped("", 60)).isEmpty();
    }

    /** A burst's held notices are dropped when the window closes: nothing is shown after close. */
    @Test
    void nothingHeldIsShownAfterClose() throws Exception {
        org.testfx.api.FxToolkit.registerPrimaryStage();
        FxDialogs d = new FxDialogs(() -> null, "console.css", java.time.Duration.ofMillis(300));
        d.setPopups(false);
        Dialogs.Notice first = new Dialogs.Notice(Dialogs.Severity.INFO, "first", "");
        org.testfx.util.WaitForAsyncUtils.asyncFx(() -> {
            d.notify(first);
            d.notify(new Dialogs.Notice(Dialogs.Severity.WARNING, "held", ""));
        }).get(5, java.util.concurrent.TimeUnit.SECONDS);
        d.close();
        d.notify(new Dialogs.Notice(Dialogs.Severity.INFO, "after close", ""));
        Thread.sleep(900);
        assertThat(org.testfx.util.WaitForAsyncUtils.asyncFx(d::shown).get(5, java.util.concurrent.TimeUnit.SECONDS))
                .containsExactly(first);
    }
}
