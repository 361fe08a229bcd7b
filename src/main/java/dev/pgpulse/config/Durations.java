package dev.pgpulse.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax of the configuration ({@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, or a bare number of
 * milliseconds), and durations written for people ({@link #forPeople}), shared by alerts and the console.
 */
public final class Durations {
    static final String EXPECTED = "a duration such as 250ms, 30s, 5m or 1h (a bare number is milliseconds)";
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|min|h)?");

    private Durations() {
    }

    public static Optional<Duration> parse(String raw) {
        Matcher m = FORMAT.matcher(raw.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return Optional.of(switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> throw new IllegalStateException(unit);
        });
    }

    /** The shortest exact spelling, so {@code pgpulse config} prints what a person would have typed. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** For people, not for parsing: 12 ms, 0.4 s, 42 s, 2 min, 9 min 11 s, 2 h 05 min, 3 d 04 h. */
    public static String forPeople(Duration d) {
        // toNanos() overflows past 292 years
        return forPeople(d.getSeconds() + d.getNano() / 1e9);
    }

    /** {@link #forPeople(Duration)} for a number of seconds; "–" when it is not a number. */
    public static String forPeople(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "–";
        }
        if (seconds < 0) {
            return "-" + forPeople(-seconds);
        }
        if (seconds == 0) {
            return "0 s";
        }
        // Each unit ends where its rounding would print the next one's first value: 9.996 ms is "10 ms", not
        // "10.00 ms"; 99.7 ms is "0.1 s", not "100 ms"; 9.96 s is "10 s", not "10.0 s".
        double ms = seconds * 1000;
        if (ms < 9.995) {
            return String.format(Locale.ROOT, "%.2f ms", ms);
        }
        if (ms < 99.5) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        if (seconds < 9.95) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        long whole = Math.round(seconds);
        if (whole < 60) {
            return whole + " s";
        }
        if (whole < 3600) {
            return whole % 60 == 0 ? whole / 60 + " min" : (whole / 60) + " min " + (whole % 60) + " s";
        }
        if (whole < 86_400) {
            long minutes = (whole % 3600) / 60;
            return minutes == 0 ? whole / 3600 + " h" : String.format(Locale.ROOT, "%d h %02d min", whole / 3600, minutes);
        }
        long hours = (whole % 86_400) / 3600;
        return hours == 0 ? whole / 86_400 + " d" : String.format(Locale.ROOT, "%d d %02d h", whole / 86_400, hours);
    }
}
