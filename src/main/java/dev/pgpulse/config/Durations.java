package dev.pgpulse.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the duration syntax of the configuration: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, or a bare number of milliseconds. */
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
}
