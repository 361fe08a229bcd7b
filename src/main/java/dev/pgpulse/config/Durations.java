package dev.pgpulse.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of PgPulse, for every key, environment variable, {@code --set}, the alert rules file and
 * {@code console.json}: a whole number and a unit ({@code ms}, {@code s}, {@code min} or {@code m}, {@code h},
 * {@code d}), an optional space between them, in any case ({@code 250ms}, {@code 30 s}, {@code 5min}, {@code 2H}); the
 * digits are ASCII 0-9 and the space is one ordinary space (not a tab, a line break or a no-break space). Case never
 * changes the unit: {@code 5M} is five minutes (there are no months).
 * A number without a unit is refused, naming the fix, because it meant milliseconds in one place and seconds in
 * another: only {@code 0}, which is the same in every unit, and the keys whose unit a PostgreSQL standard fixes
 * (see {@link Bare}) take one. Durations are written with {@link #format} so that what PgPulse writes reads back
 * the same, and for people with {@link #forPeople}.
 */
public final class Durations {
    /** The syntax, for every message that says what was expected. */
    public static final String EXPECTED = "a whole number and a unit (ms, s, min or m, h, d) such as 250ms, 30s, 5min or 2h";
    private static final Pattern FORMAT = Pattern.compile("(-?)(\\d{1,12}) ?(ms|s|min|m|h|d)?");
    private static final Pattern BARE = Pattern.compile("-?\\d{1,12}");

    /**
     * How a number without a unit is read. Declared per key by the caller (the configuration's are in
     * {@code Keys.bareNumber}), never by a parser of its own.
     */
    public enum Bare {
        /** Refused with the fix: the default for every key. */
        REFUSED(null),
        /** Seconds, as libpq reads {@code connect_timeout} and {@code PGCONNECT_TIMEOUT}. */
        SECONDS(ChronoUnit.SECONDS),
        /** Milliseconds, as postgresql.conf reads a setting measured in ms such as {@code statement_timeout}. */
        MILLISECONDS(ChronoUnit.MILLIS);

        private final ChronoUnit unit;

        Bare(ChronoUnit unit) {
            this.unit = unit;
        }
    }

    private Durations() {
    }

    /** {@code raw} as a duration (a leading '-' is kept, for the caller's range check); empty when it is not one. */
    public static Optional<Duration> parse(String raw) {
        return parse(raw, Bare.REFUSED);
    }

    /** {@link #parse(String)}, reading a number without a unit as {@code bare} says. */
    public static Optional<Duration> parse(String raw, Bare bare) {
        Matcher m = FORMAT.matcher(raw.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(2));
        String unit = m.group(3);
        if (unit == null && n != 0 && bare.unit == null) {
            return Optional.empty();
        }
        Duration d = unit == null ? Duration.of(n, bare.unit == null ? ChronoUnit.MILLIS : bare.unit) : switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalStateException(unit);
        };
        return Optional.of(m.group(1).isEmpty() ? d : d.negated());
    }

    /**
     * Why {@code raw}, which {@link #parse} refused, is not a duration, worded to follow the value in a message:
     * for a number without a unit, the fix ({@code has no unit; write "90s" (seconds) or "90ms"}); otherwise
     * {@code is not a duration; expected <expected>}.
     *
     * @param expected what the caller accepts, {@link #EXPECTED} with its range or choices
     */
    public static String problem(String raw, String expected) {
        String t = raw.trim();
        if (BARE.matcher(t).matches()) {
            return "has no unit; write \"" + t + "s\" (seconds) or \"" + t + "ms\"";
        }
        boolean otherDigits = t.codePoints().anyMatch(c -> Character.isDigit(c) && (c < '0' || c > '9'));
        return "is not a duration" + (otherDigits ? " (digits 0-9)" : "") + "; expected " + expected;
    }

    /**
     * The shortest exact spelling with a unit ({@code 0s}, {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h},
     * {@code -5s}), which {@link #parse} reads back to the same duration to the millisecond (up to 12 digits in the
     * unit written: far beyond every range PgPulse accepts).
     */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        // Whole seconds first: toMillis() overflows for the longest durations parse reads (999999999999d).
        if (d.getNano() / 1_000_000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.getSeconds();
        if (s == 0) {
            return "0s";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
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
            // a whole number of seconds (a rule's "for", a held time counted in seconds) reads 2 s, not 2.0 s
            String s = String.format(Locale.ROOT, "%.1f", seconds);
            return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + " s";
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
