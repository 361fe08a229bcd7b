package dev.pgpulse.ui;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * The console's small preferences, an immutable value: window size, poll interval, demo workload, history window.
 * {@link ConsolePrefsStore} remembers them between runs in {@code ~/.config/pgpulse/console.json}. Plain Java, no
 * JavaFX, so it is tested without a toolkit.
 *
 * <p>The values are always usable: the constructor clamps the window to {@value #MIN_WIDTH_PX}x{@value #MIN_HEIGHT_PX}
 * .. {@value #MAX_WIDTH_PX}x{@value #MAX_HEIGHT_PX} (a NaN dimension, as a stage has before it is shown, becomes the
 * default), snaps the poll interval to the nearest of {@link #POLL_INTERVALS} and clamps the history window to
 * {@link #MIN_HISTORY} .. {@link #MAX_HISTORY}. {@link ConsolePrefsStore#load} reports each such fix of a value
 * read from the file as a warning; in code it is silent.
 */
public record ConsolePrefs(double windowWidth, double windowHeight, Duration pollInterval, boolean demoWorkload,
                           Duration historyWindow) {

    public static final int MIN_WIDTH_PX = 640;
    public static final int MIN_HEIGHT_PX = 480;
    public static final int MAX_WIDTH_PX = 7680;
    public static final int MAX_HEIGHT_PX = 4320;
    public static final Duration MIN_HISTORY = Duration.ofMinutes(1);
    public static final Duration MAX_HISTORY = Duration.ofHours(2);
    /** The poll intervals the console offers, shortest first; no other value is ever used. */
    public static final List<Duration> POLL_INTERVALS = List.of(Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10));

    static final double DEFAULT_WIDTH = 1280;
    static final double DEFAULT_HEIGHT = 800;
    static final Duration DEFAULT_POLL = Duration.ofSeconds(1);
    static final boolean DEFAULT_DEMO = true;
    static final Duration DEFAULT_HISTORY = Duration.ofMinutes(15);

    public ConsolePrefs {
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(historyWindow, "historyWindow");
        windowWidth = clamp(windowWidth, MIN_WIDTH_PX, MAX_WIDTH_PX, DEFAULT_WIDTH);
        windowHeight = clamp(windowHeight, MIN_HEIGHT_PX, MAX_HEIGHT_PX, DEFAULT_HEIGHT);
        pollInterval = nearestPollInterval(pollInterval);
        historyWindow = clampHistory(historyWindow);
    }

    /** 1280x800, polling every second, demo workload on, 15 minutes of history. */
    public static ConsolePrefs defaults() {
        return new ConsolePrefs(DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_POLL, DEFAULT_DEMO, DEFAULT_HISTORY);
    }

    public ConsolePrefs withWindow(double width, double height) {
        return new ConsolePrefs(width, height, pollInterval, demoWorkload, historyWindow);
    }

    public ConsolePrefs withPollInterval(Duration interval) {
        return new ConsolePrefs(windowWidth, windowHeight, interval, demoWorkload, historyWindow);
    }

    public ConsolePrefs withDemoWorkload(boolean on) {
        return new ConsolePrefs(windowWidth, windowHeight, pollInterval, on, historyWindow);
    }

    public ConsolePrefs withHistoryWindow(Duration window) {
        return new ConsolePrefs(windowWidth, windowHeight, pollInterval, demoWorkload, window);
    }

    /** The entry of {@link #POLL_INTERVALS} closest to {@code d}; on a tie the longer one, which is lighter on the server. */
    public static Duration nearestPollInterval(Duration d) {
        Duration best = POLL_INTERVALS.getFirst();
        for (Duration candidate : POLL_INTERVALS) {
            if (candidate.minus(d).abs().compareTo(best.minus(d).abs()) <= 0) {
                best = candidate;
            }
        }
        return best;
    }

    private static Duration clampHistory(Duration d) {
        Duration ms = d.truncatedTo(ChronoUnit.MILLIS);
        if (ms.compareTo(MIN_HISTORY) < 0) {
            return MIN_HISTORY;
        }
        return ms.compareTo(MAX_HISTORY) > 0 ? MAX_HISTORY : ms;
    }

    private static double clamp(double v, double min, double max, double ifNaN) {
        return Double.isNaN(v) ? ifNaN : Math.min(max, Math.max(min, v));
    }
}
