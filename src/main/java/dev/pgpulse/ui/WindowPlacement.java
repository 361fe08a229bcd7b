package dev.pgpulse.ui;

import javafx.geometry.Rectangle2D;
import javafx.stage.Screen;
import javafx.stage.Stage;

import java.util.List;

/**
 * Where and how large the console window opens. The saved size ({@link ConsolePrefs} allows up to 7680×4320) is
 * clamped to the visual bounds of the screen the window opens on, and the window is moved wholly onto that screen:
 * a saved {@code 1e308} would otherwise open a window centred far off a smaller screen, a blank screen for the DBA,
 * saved again on close. The window also gets a minimum size below which the header and the tiles no longer read
 * well ({@value #MIN_WIDTH}×{@value #MIN_HEIGHT}, or the screen, if that is smaller).
 */
final class WindowPlacement {
    static final double MIN_WIDTH = 960;
    static final double MIN_HEIGHT = 640;

    private WindowPlacement() {
    }

    /** A window's bounds, or a screen's. */
    record Box(double x, double y, double width, double height) {
        static Box of(Rectangle2D r) {
            return new Box(r.getMinX(), r.getMinY(), r.getWidth(), r.getHeight());
        }
    }

    /** The scene size to open with: the saved one, no larger than the primary screen's visual bounds. */
    static Box sceneSize(ConsolePrefs prefs) {
        Box screen = Box.of(Screen.getPrimary().getVisualBounds());
        return new Box(0, 0, Math.min(prefs.windowWidth(), screen.width()), Math.min(prefs.windowHeight(), screen.height()));
    }

    /** Sets the stage's minimum size (the primary screen's, where that is smaller). FX thread. */
    static void limit(Stage stage) {
        Box screen = Box.of(Screen.getPrimary().getVisualBounds());
        stage.setMinWidth(Math.min(MIN_WIDTH, screen.width()));
        stage.setMinHeight(Math.min(MIN_HEIGHT, screen.height()));
    }

    /**
     * Moves and shrinks a shown stage (its decorations included) so that it lies wholly on the screen it is on
     * (else the primary). FX thread.
     */
    static void keepOnScreen(Stage stage) {
        List<Screen> on = Screen.getScreensForRectangle(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight());
        Box screen = Box.of((on.isEmpty() ? Screen.getPrimary() : on.getFirst()).getVisualBounds());
        Box fitted = fit(new Box(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight()), screen);
        if (fitted.width() != stage.getWidth()) {
            stage.setWidth(fitted.width());
        }
        if (fitted.height() != stage.getHeight()) {
            stage.setHeight(fitted.height());
        }
        stage.setX(fitted.x());
        stage.setY(fitted.y());
    }

    /**
     * {@code window} shrunk to {@code screen} where it is larger, then moved the least distance that puts it wholly
     * on it. A size that is not a finite number becomes the screen's.
     */
    static Box fit(Box window, Box screen) {
        double w = Double.isFinite(window.width()) ? Math.min(window.width(), screen.width()) : screen.width();
        double h = Double.isFinite(window.height()) ? Math.min(window.height(), screen.height()) : screen.height();
        double x = clamp(window.x(), screen.x(), screen.x() + screen.width() - w);
        double y = clamp(window.y(), screen.y(), screen.y() + screen.height() - h);
        return new Box(x, y, w, h);
    }

    private static double clamp(double v, double min, double max) {
        return Double.isFinite(v) ? Math.max(min, Math.min(max, v)) : min;
    }
}
