package dev.pgpulse.ui.fx;

import dev.pgpulse.ui.shell.Dialogs;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.layout.Region;
import javafx.stage.Window;
import org.controlsfx.control.Notifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link Dialogs} on JavaFX: confirmations are {@link Alert}s in the console's dark theme with Cancel as the
 * default button (Enter and Escape cancel; the confirm button names the action), and notifications are
 * ControlsFX {@link Notifications} at the bottom right, coalesced by a {@link NoticeCoalescer} so a burst makes
 * one popup. With popups off (tests, headless) notices are still coalesced and kept in {@link #shown()}.
 */
public final class FxDialogs implements Dialogs {
    private static final Logger LOG = LoggerFactory.getLogger(FxDialogs.class);
    /** How long a popup stays, and the quiet time after one before the next shows at once. */
    static final Duration HIDE_AFTER = Duration.ofSeconds(6);
    /** How wide a popup's text runs before it breaks (ControlsFX's label does not wrap: a long text ran off screen). */
    static final int COLUMNS = 60;
    /** The most notices {@link #shown()} keeps. */
    private static final int KEPT = 200;

    private final Supplier<Window> owner;
    private final String stylesheet;
    private final NoticeCoalescer coalescer;
    private final List<Notice> shown = new ArrayList<>();
    private PauseTransition flushTimer;
    private volatile boolean popups = true;
    private volatile boolean closed;

    /**
     * @param owner      the window dialogs belong to (null while there is none)
     * @param stylesheet the console's stylesheet, so a dialog follows its theme
     */
    public FxDialogs(Supplier<Window> owner, String stylesheet) {
        this(owner, stylesheet, HIDE_AFTER);
    }

    /** @param quiet how long after a popup the next waits to be shown with the rest of its burst (tests shorten it) */
    FxDialogs(Supplier<Window> owner, String stylesheet, Duration quiet) {
        this.owner = Objects.requireNonNull(owner);
        this.stylesheet = Objects.requireNonNull(stylesheet);
        this.coalescer = new NoticeCoalescer(quiet);
    }

    /** Tests and headless runs switch popups off; notices are still coalesced and kept. */
    public void setPopups(boolean on) {
        popups = on;
    }

    @Override
    public boolean confirm(Confirmation c) {
        if (!Platform.isFxApplicationThread()) {
            // showAndWait needs the FX thread; say which call was wrong rather than fail deep inside JavaFX
            throw new IllegalStateException("Dialogs.confirm(\"" + c.header() + "\") must be called on the FX "
                    + "application thread, not " + Thread.currentThread().getName());
        }
        ButtonType go = new ButtonType(c.confirmLabel(), ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, c.text(), ButtonType.CANCEL, go);
        alert.setTitle("PgPulse");
        alert.setHeaderText(c.header());
        DialogPane pane = alert.getDialogPane();
        pane.getStylesheets().add(stylesheet);
        pane.getStyleClass().addAll("console", "confirmation");
        pane.setMinHeight(Region.USE_PREF_SIZE); // a long text wraps in full instead of ending in "…"
        Button cancel = (Button) pane.lookupButton(ButtonType.CANCEL);
        Button proceed = (Button) pane.lookupButton(go);
        proceed.setDefaultButton(false);
        cancel.setDefaultButton(true);
        alert.setOnShown(e -> cancel.requestFocus());
        Window w = owner.get();
        if (w != null && w.isShowing()) {
            alert.initOwner(w);
        }
        Optional<ButtonType> answer = alert.showAndWait();
        return answer.isPresent() && answer.get() == go;
    }

    @Override
    public void notify(Notice n) {
        if (closed) {
            return;
        }
        if (!Platform.isFxApplicationThread()) {
            Platform.runLater(() -> notify(n));
            return;
        }
        coalescer.offer(n, System.nanoTime()).ifPresentOrElse(this::show, this::flushLater);
    }

    /**
     * The window is going: nothing more is shown, and what a burst still held is dropped (the event log has it).
     * Any thread; the flush timer, if one runs, ends harmlessly.
     */
    public void close() {
        closed = true;
    }

    /** What was shown (or would have been, with popups off), oldest first, the latest 200. FX thread. */
    public List<Notice> shown() {
        return List.copyOf(shown);
    }

    private void flushLater() {
        if (flushTimer != null) {
            return;
        }
        long wait = Math.max(0, coalescer.flushAt() - System.nanoTime());
        flushTimer = new PauseTransition(javafx.util.Duration.millis(wait / 1_000_000.0));
        flushTimer.setOnFinished(e -> {
            flushTimer = null;
            if (!closed) {
                coalescer.flush(System.nanoTime()).ifPresent(this::show);
            }
        });
        flushTimer.play();
    }

    /**
     * {@code text} broken into lines of at most {@code columns} characters at spaces (a longer word is broken
     * where it must), its own line breaks kept: wrapped, never cut.
     */
    static String wrapped(String text, int columns) {
        StringBuilder out = new StringBuilder(text.length() + text.length() / columns + 1);
        for (String line : text.split("\n", -1)) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            int width = 0;
            for (String word : line.split(" ", -1)) {
                while (word.length() > columns) {
                    if (width > 0) {
                        out.append('\n');
                    }
                    out.append(word, 0, columns).append('\n');
                    word = word.substring(columns);
                    width = 0;
                }
                if (width > 0 && width + 1 + word.length() > columns) {
                    out.append('\n');
                    width = 0;
                } else if (width > 0) {
                    out.append(' ');
                    width++;
                }
                out.append(word);
                width += word.length();
            }
        }
        return out.toString();
    }

    private void show(Notice n) {
        shown.add(n);
        if (shown.size() > KEPT) {
            shown.removeFirst();
        }
        Window w = owner.get();
        if (!popups || w == null || !w.isShowing()) {
            return;
        }
        try {
            Notifications popup = Notifications.create().owner(w).title(n.title()).text(wrapped(n.text(), COLUMNS))
                    .position(Pos.BOTTOM_RIGHT).hideAfter(javafx.util.Duration.millis(HIDE_AFTER.toMillis()));
            switch (n.severity()) {
                case INFO -> popup.showInformation();
                case WARNING -> popup.showWarning();
                case ERROR -> popup.showError();
            }
        } catch (RuntimeException e) {
            LOG.debug("could not show a notification", e);
        }
    }
}
