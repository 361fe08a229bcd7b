package dev.pgpulse.health.alert;

import dev.pgpulse.config.Durations;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The unit a metric key is measured in, for people who write a threshold: a ratio is written and read as a
 * percentage ({@code 80%} or {@code 80} is 0.8), a {@code *_seconds} or {@code *_ms} key as a duration
 * ({@code 2m}, {@code 120s}, {@code 250ms}; a bare number is in the key's own unit), anything else as a plain
 * number. The rules file keeps the raw value (0.8, 120, 250); this is only how the console shows and reads it.
 *
 * <p>A bare number is always in the unit shown beside the field ({@link #label()}), so "80" next to "%" is 80 %,
 * and "120" next to "s" is two minutes: the editor shows the unit, which is what {@link Durations} asks for.
 */
public enum MetricUnit {
    /** A fraction 0..1, shown as a percentage. */
    RATIO("%"),
    /** Seconds, shown as a duration. */
    SECONDS("s"),
    /** Milliseconds, shown as a duration. */
    MILLISECONDS("ms"),
    /** Bytes, read and shown with PostgreSQL's units (kB, MB, GB, TB: powers of 1024), as in postgresql.conf. */
    BYTES("bytes"),
    /** A count, a rate or a coded state: the number itself. */
    NUMBER("");

    private static final Pattern SIZE = Pattern.compile("(\\d{1,15}(?:\\.\\d{0,9})?) ?(kb|mb|gb|tb|b)?");
    private static final Pattern DECIMAL = Pattern.compile("-?(\\d{1,15}(\\.\\d{0,9})?|\\.\\d{1,9})");
    private final String symbol;

    MetricUnit(String symbol) {
        this.symbol = symbol;
    }

    /** The unit of a documented or concrete metric key (unknown keys are plain numbers). */
    public static MetricUnit of(String key) {
        if (key == null) {
            return NUMBER;
        }
        if (key.endsWith("_ratio")) {
            return RATIO;
        }
        if (key.endsWith("_seconds")) {
            return SECONDS;
        }
        if (key.endsWith("_bytes")) {
            return BYTES;
        }
        return key.endsWith("_ms") ? MILLISECONDS : NUMBER;
    }

    /**
     * What to show beside the threshold field: {@code %}, {@code duration (90s, 2m, 1h)}, or for a plain number what it
     * counts ({@code sessions}, {@code per minute}, {@code 0 UP · 1 DEGRADED · 2 DOWN}).
     */
    public static String label(String key) {
        MetricUnit u = of(key);
        if (u != NUMBER || key == null) {
            return switch (u) {
                case SECONDS -> "duration (90s, 2m, 1h)";
                case MILLISECONDS -> "duration (250ms, 2s)";
                case BYTES -> "bytes (or 16MB, 1GB)";
                default -> u.symbol;
            };
        }
        if (key.endsWith(".health")) {
            return "0 UP · 1 DEGRADED · 2 DOWN";
        }
        if (key.endsWith(".state")) {
            return "0 CLOSED · 1 HALF-OPEN · 2 OPEN · 3 FORCED OPEN";
        }
        if (key.endsWith("_per_minute")) {
            return "per minute";
        }
        if (key.endsWith("_per_second")) {
            return "per second";
        }
        if (key.endsWith(".awaiting")) {
            return "threads";
        }
        if (key.endsWith("sessions_waiting_on_locks")) {
            return "sessions";
        }
        if (key.endsWith("calls_in_flight")) {
            return "calls";
        }
        if (key.endsWith("_xid_age")) {
            return "transactions";
        }
        return "";
    }

    public String symbol() {
        return symbol;
    }

    /** The threshold as typed in this unit, for the rules file; empty when it cannot be read ({@link #problem}). */
    public Optional<Double> parse(String text) {
        return Optional.ofNullable(read(text));
    }

    /**
     * Why {@code text} is not a threshold in this unit, worded to follow the value ({@code "abc" is not a
     * duration; ...}), or null when it is one. The rule's own check ({@link AlertRule#thresholdProblem}) follows.
     */
    public String problem(String text) {
        if (text == null || text.isBlank()) {
            return "is missing; expected " + expected();
        }
        Double v = read(text);
        if (v == null) {
            String t = text.trim();
            if (this == SECONDS || this == MILLISECONDS) {
                return t.startsWith("-") ? "is negative; expected " + expected() : "is not a duration; expected " + expected();
            }
            if (this == BYTES) {
                return "is not a size; expected " + expected();
            }
            if (this == RATIO && t.startsWith("-")) {
                return "is negative; expected " + expected();
            }
            return "is not a number; expected " + expected();
        }
        if (this == RATIO && v > 1) {
            return "is above 100%; a ratio is between 0% and 100%";
        }
        return AlertRule.thresholdProblem(v);
    }

    /** The threshold in this unit, as the editor shows it and {@link #parse} reads it back: 80%, 2m, 250ms, 5. */
    public String format(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        return switch (this) {
            case RATIO -> plain(v * 100) + "%";
            case SECONDS -> duration(v, 1000);
            case MILLISECONDS -> duration(v, 1);
            case BYTES -> bytes(v, "");
            case NUMBER -> plain(v);
        };
    }

    /** The threshold for people, in a table: 80%, 2 min, 250 ms, 1500000000. */
    public String forPeople(double v) {
        return switch (this) {
            case RATIO -> plain(v * 100) + "%";
            case SECONDS -> Durations.forPeople(v);
            case MILLISECONDS -> Durations.forPeople(v / 1000);
            case BYTES -> bytes(v, " ");
            case NUMBER -> Math.abs(v) >= 1e9 ? plain(v / 1e9) + " billion"
                    : Math.abs(v) >= 1e6 ? plain(v / 1e6) + " million" : plain(v);
        };
    }

    private String expected() {
        return switch (this) {
            case RATIO -> "a percentage from 0% to 100% such as 80% (or 80)";
            case SECONDS -> "a duration such as 90s, 2m or 1h (a bare number is seconds)";
            case MILLISECONDS -> "a duration such as 250ms or 2s (a bare number is milliseconds)";
            case BYTES -> "a size such as 16MB or 1GB (kB, MB, GB, TB; a bare number is bytes)";
            case NUMBER -> "a number such as 5 or 0.5";
        };
    }

    private Double read(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (this) {
            case RATIO -> {
                String n = t.endsWith("%") ? t.substring(0, t.length() - 1).trim() : t;
                return DECIMAL.matcher(n).matches() && !n.startsWith("-") ? Double.parseDouble(n) / 100 : null;
            }
            case SECONDS, MILLISECONDS -> {
                if (DECIMAL.matcher(t).matches()) {
                    return t.startsWith("-") ? null : Double.parseDouble(t);
                }
                Optional<Duration> d = t.isEmpty() ? Optional.empty() : Durations.parse(t);
                if (d.isEmpty() || d.get().isNegative()) {
                    return null;
                }
                double seconds = d.get().getSeconds() + d.get().getNano() / 1e9;
                return this == SECONDS ? seconds : seconds * 1000;
            }
            case BYTES -> {
                java.util.regex.Matcher m = SIZE.matcher(t);
                if (!m.matches()) {
                    return null;
                }
                int power = m.group(2) == null ? 0 : "kmgt".indexOf(m.group(2).charAt(0)) + 1;
                return Double.parseDouble(m.group(1)) * Math.pow(1024, power);
            }
            default -> {
                return DECIMAL.matcher(t).matches() ? Double.parseDouble(t) : null;
            }
        }
    }

    /** A duration spelling when it is exact to the millisecond ({@code perUnit} ms in one unit), else the number. */
    private static String duration(double v, double msPerUnit) {
        double ms = v * msPerUnit;
        if (v >= 0 && ms == Math.rint(ms) && ms < 1e15) {
            return Durations.format(Duration.ofMillis((long) ms));
        }
        return plain(v);
    }

    /** The largest of kB, MB, GB, TB that writes {@code v} exactly with at most one decimal, else bytes. */
    private static String bytes(double v, String gap) {
        String[] units = {"kB", "MB", "GB", "TB"};
        for (int i = units.length; i >= 1; i--) {
            double in = v / Math.pow(1024, i);
            if (in >= 1 && in * 10 == Math.rint(in * 10)) {
                return plain(in) + gap + units[i - 1];
            }
        }
        return plain(v) + (gap.isEmpty() ? "" : " B");
    }

    private static String plain(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new BigDecimal(v).round(MathContext.DECIMAL32).stripTrailingZeros().toPlainString();
    }
}
