package dev.pgpulse.ui;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the console writes figures: short, unit always shown, the same everywhere. */
public final class Format {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private Format() {
    }

    /** Milliseconds with a precision that fits the size: 0.42 ms, 12.3 ms, 1 250 ms → 1.25 s. */
    public static String ms(double ms) {
        if (Double.isNaN(ms)) {
            return "–";
        }
        if (ms >= 1000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000);
        }
        if (ms >= 10) {
            return String.format(Locale.ROOT, "%.1f ms", ms);
        }
        return String.format(Locale.ROOT, "%.2f ms", ms);
    }

    /** A number with as many decimals as its size deserves: 0.42, 12.3, 1250. */
    public static String compact(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    /** A Resilience4j rate (percent, or negative while too few calls are buffered). */
    public static String rate(double percent) {
        return percent < 0 ? "–" : String.format(Locale.ROOT, "%.0f%%", percent);
    }

    /** A ratio 0..1 as a percentage. */
    public static String ratio(double ratio) {
        return String.format(Locale.ROOT, ratio >= 0.9995 || ratio == 0 ? "%.0f%%" : "%.1f%%", ratio * 100);
    }

    /** A duration in seconds as a DBA reads it: 0.4 s, 42 s, 9 min 11 s, 2 h 05 min (the core's, as alerts write it). */
    public static String seconds(double s) {
        return dev.pgpulse.config.Durations.forPeople(s);
    }

    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    /** Wall-clock time of day, local zone. */
    public static String time(Instant at) {
        return at == null ? "–" : TIME.format(at);
    }
}
