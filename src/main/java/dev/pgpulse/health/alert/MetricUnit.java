package dev.pgpulse.health.alert;

import dev.pgpulse.config.Durations;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.resilience.BreakerState;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.Locale;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The unit a metric key is measured in, and the one way the console shows a value or a threshold of it: a ratio as
 * a percentage ({@code 30%}, {@code 97.5%}), a {@code *_seconds} or {@code *_ms} key as a duration ({@code 250 ms},
 * {@code 2 s}, {@code 1 min 30 s}), a {@code *_bytes} key in PostgreSQL's units ({@code 16 MB}), a huge count in
 * words ({@code 1.5 billion}), a rate with its period ({@code 6/min}) and a breaker or health state by its name
 * ({@code OPEN}, {@code DOWN}): {@link #forPeople(String, double)} and {@link #condition}. The rules file keeps the
 * raw value (0.3, 90, 250); alert messages keep raw numbers too, see {@link Alert}.
 *
 * <p>The editor reads a threshold back with {@link #parse}, which takes what {@link #forPeople(double)} writes
 * ({@code 1 min 30 s}, {@code 16 MB}, {@code 1.5 billion}), so {@link #format} shows the same text as the tables
 * whenever that text is exact, and the exact short form ({@code 12500ms}) when it is not. A bare number is in the
 * unit shown beside the field ({@link #label}), so "80" next to "%" is 80 %, and "120" next to "s" is two minutes.
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
    /** One part of a duration as people write it: {@code 1 min}, {@code 30s}, {@code 1.5 s}, {@code 250ms}. */
    private static final Pattern DURATION_PART = Pattern.compile(" ?(\\d{1,12}(?:\\.\\d{1,9})?) ?(ms|min|s|m|h|d)");
    private static final Pattern WORDS = Pattern.compile("(\\d{1,15}(?:\\.\\d{0,9})?) (million|billion)");
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
     * counts ({@code sessions}, {@code per minute}, the state names with their numbers).
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
        Optional<String> states = states(key);
        if (states.isPresent()) {
            return states.get();
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

    /**
     * For a key whose value is a coded state, the numbers and their names ({@code 0 UP · 1 DEGRADED · 2 DOWN}), which a
     * chart's axis or the editor shows because the rule compares the number; empty for other keys.
     */
    public static Optional<String> states(String key) {
        if (isHealth(key)) {
            return Optional.of(Arrays.stream(HealthStatus.values())
                    .map(h -> plain(h.metricValue()) + " " + h.name()).collect(Collectors.joining(" · ")));
        }
        if (isBreaker(key)) {
            return Optional.of(Arrays.stream(BreakerState.values())
                    .map(b -> plain(b.metricValue()) + " " + b.label()).collect(Collectors.joining(" · ")));
        }
        return Optional.empty();
    }

    /**
     * A value or threshold of metric {@code key} for people, the same in every table, chart and notice: {@code 30%},
     * {@code 2 s}, {@code 1 min 30 s}, {@code 250 ms}, {@code 16 MB}, {@code 1.5 billion}, {@code 6/min},
     * {@code 12.5/s}, {@code OPEN}, {@code DOWN}; "–" when it was not measured.
     */
    public static String forPeople(String key, double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        if (isBreaker(key)) {
            return Arrays.stream(BreakerState.values()).filter(b -> b.metricValue() == v).findFirst()
                    .map(BreakerState::label).orElse(number(v));
        }
        if (isHealth(key)) {
            return Arrays.stream(HealthStatus.values()).filter(h -> h.metricValue() == v).findFirst()
                    .map(Enum::name).orElse(number(v));
        }
        if (key != null && key.endsWith("_per_minute")) {
            return number(v) + "/min";
        }
        if (key != null && key.endsWith("_per_second")) {
            return number(v) + "/s";
        }
        return of(key).forPeople(v);
    }

    /** A rule's condition for people, as tables, the chart's legend and the alert list write it: {@code > 2 s}. */
    public static String condition(String key, Operator operator, double threshold) {
        return operator.symbol() + " " + forPeople(key, threshold);
    }

    private static boolean isHealth(String key) {
        return key != null && key.startsWith("endpoint.") && key.endsWith(".health");
    }

    private static boolean isBreaker(String key) {
        return key != null && key.startsWith("breaker.") && key.endsWith(".state");
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

    /**
     * The threshold in this unit as the editor shows it and {@link #parse} reads it back: the text the tables show
     * ({@link #forPeople(double)}: 80%, 2 min, 1 min 30 s, 250 ms, 16 MB) when it reads back exactly, else the
     * exact short form (12500ms, 1500 bytes, 0.123456).
     */
    public String format(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        String people = forPeople(v);
        Double back = read(people);
        if (back != null && back == v) {
            return people;
        }
        return switch (this) {
            case RATIO -> plain(v * 100) + "%";
            case SECONDS -> exactDuration(v, 1000);
            case MILLISECONDS -> exactDuration(v, 1);
            case BYTES, NUMBER -> plain(v);
        };
    }

    /**
     * A value in this unit for people, as {@link #forPeople(String, double)} writes it where the key says nothing
     * more (no state, no rate): 80%, 2 min, 250 ms, 16 MB, 1.5 billion; "–" when it was not measured.
     */
    public String forPeople(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        return switch (this) {
            case RATIO -> percent(v * 100);
            case SECONDS -> duration(v);
            case MILLISECONDS -> duration(v / 1000);
            case BYTES -> bytes(v);
            case NUMBER -> Math.abs(v) >= 1e9 ? number(v / 1e9) + " billion"
                    : Math.abs(v) >= 1e6 ? number(v / 1e6) + " million" : number(v);
        };
    }

    private String expected() {
        return switch (this) {
            case RATIO -> "a percentage from 0% to 100% such as 80% (or 80)";
            case SECONDS -> "a duration such as 90s, 2m, 1 min 30 s or 1h (a bare number is seconds)";
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
                Double ms = milliseconds(t);
                return ms == null ? null : this == SECONDS ? ms / 1000 : ms;
            }
            case BYTES -> {
                Matcher m = SIZE.matcher(t);
                if (!m.matches()) {
                    return null;
                }
                int power = m.group(2) == null ? 0 : "kmgt".indexOf(m.group(2).charAt(0)) + 1;
                return Double.parseDouble(m.group(1)) * Math.pow(1024, power);
            }
            default -> {
                Matcher m = WORDS.matcher(t);
                if (m.matches()) {
                    return Double.parseDouble(m.group(1)) * (m.group(2).equals("billion") ? 1e9 : 1e6);
                }
                return DECIMAL.matcher(t).matches() ? Double.parseDouble(t) : null;
            }
        }
    }

    /** A duration written in parts ({@code 1 min 30 s}, {@code 1h30m}, {@code 1.5 s}) in milliseconds; null if not one. */
    private static Double milliseconds(String t) {
        Matcher m = DURATION_PART.matcher(t);
        int at = 0;
        double ms = 0;
        while (at < t.length() && m.find(at) && m.start() == at) {
            double n = Double.parseDouble(m.group(1));
            ms += n * switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m", "min" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            at = m.end();
        }
        return at > 0 && at == t.length() ? ms : null;
    }

    /** A duration spelling when it is exact to the millisecond ({@code perUnit} ms in one unit), else the number. */
    private static String exactDuration(double v, double msPerUnit) {
        double ms = v * msPerUnit;
        if (v >= 0 && ms == Math.rint(ms) && ms < 1e15) {
            return Durations.format(Duration.ofMillis((long) ms));
        }
        return plain(v);
    }

    /**
     * Seconds for people: three significant digits below a minute ({@code 0.42 ms}, {@code 12.4 ms}, {@code 250 ms},
     * {@code 2 s}, {@code 1.04 s}, {@code 42.5 s}: a value just over a threshold of 1 s does not read "1 s > 1 s"),
     * then as {@link Durations#forPeople(double)} ({@code 1 min 30 s}, {@code 2 h 05 min}).
     */
    private static String duration(double s) {
        if (s < 0) {
            return "-" + duration(-s);
        }
        if (s == 0) {
            return "0 s";
        }
        BigDecimal ms = significant(s * 1000);
        if (ms.compareTo(BigDecimal.valueOf(1000)) < 0) {
            return ms.toPlainString() + " ms";
        }
        BigDecimal seconds = significant(s);
        if (seconds.compareTo(BigDecimal.valueOf(60)) < 0) {
            return seconds.toPlainString() + " s";
        }
        return Durations.forPeople(s);
    }

    private static BigDecimal significant(double v) {
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros();
    }

    /** A percentage: 30%, 97.5%, 0.04% (two digits below 1 %, so a small ratio does not read 0%). */
    private static String percent(double p) {
        double a = Math.abs(p);
        return (a == 0 || a >= 1 ? upTo(p, 1) : new BigDecimal(p).round(new MathContext(2)).stripTrailingZeros()
                .toPlainString()) + "%";
    }

    /**
     * The largest of kB, MB, GB, TB that writes {@code v} exactly with at most one decimal ({@code 16 MB},
     * {@code 1.5 kB}); a measured value that none writes exactly in the largest unit it fills, one decimal.
     */
    private static String bytes(double v) {
        String[] units = {"kB", "MB", "GB", "TB"};
        for (int i = units.length; i >= 1; i--) {
            double in = v / Math.pow(1024, i);
            if (in >= 1 && in * 10 == Math.rint(in * 10)) {
                return plain(in) + " " + units[i - 1];
            }
        }
        for (int i = units.length; i >= 1; i--) {
            double in = v / Math.pow(1024, i);
            if (Math.abs(in) >= 1) {
                return upTo(in, 1) + " " + units[i - 1];
            }
        }
        return plain(v) + " B";
    }

    /** A count or a rate: whole numbers exactly, others with three significant digits (12.5, 3.33, 0.123; 1235). */
    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        if (Math.abs(v) >= 100) {
            return Long.toString(Math.round(v));
        }
        return significant(v).toPlainString();
    }

    /** {@code v} with at most {@code decimals} decimals, trailing zeros dropped: 2, 1.5, 1.25. */
    private static String upTo(double v, int decimals) {
        return new BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String plain(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new BigDecimal(v).round(MathContext.DECIMAL32).stripTrailingZeros().toPlainString();
    }
}
