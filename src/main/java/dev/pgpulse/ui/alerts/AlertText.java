package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.resilience.BreakerState;
import dev.pgpulse.ui.Format;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the alert list writes an alert's parts for a DBA: the subject with its endpoint in front, a value in its
 * metric's unit (a ratio as %, {@code *_seconds} as a duration, a breaker state by name), and "since when".
 */
final class AlertText {
    /** The keys with an endpoint in them: pool, breaker, endpoint health, traffic. */
    private static final Pattern ENDPOINT_KEY = Pattern.compile("(?:pool|breaker|endpoint|traffic)\\.([^.]+)\\..+");
    private static final Pattern OPERATION_KEY = Pattern.compile("query\\.(.+)\\.p95_ms");

    private AlertText() {
    }

    /**
     * The subject as a DBA reads it, the key kept: {@code primary · pool.primary.awaiting},
     * {@code operation bills.list · query.bills.list.p95_ms}; a key without an endpoint as it is.
     */
    static String subject(String key) {
        Matcher m = ENDPOINT_KEY.matcher(key);
        if (m.matches()) {
            return m.group(1) + " · " + key;
        }
        m = OPERATION_KEY.matcher(key);
        if (m.matches()) {
            return "operation " + m.group(1) + " · " + key;
        }
        return key;
    }

    /** A value of metric {@code key} in its unit: 42 %, 9 min 11 s, 12.3 ms, 1.5 MB, OPEN, DOWN, 3 /min. */
    static String value(String key, double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        if (key.startsWith("breaker.") && key.endsWith(".state")) {
            return Arrays.stream(BreakerState.values()).filter(b -> b.metricValue() == v).findFirst()
                    .map(BreakerState::label).orElse(number(v));
        }
        if (key.startsWith("endpoint.") && key.endsWith(".health")) {
            return Arrays.stream(HealthStatus.values()).filter(h -> h.metricValue() == v).findFirst()
                    .map(Enum::name).orElse(number(v));
        }
        if (key.endsWith("_ratio")) {
            // a threshold such as 0.8 reads "80%", not "80.0%"
            return v * 100 == Math.rint(v * 100) ? number(v * 100) + "%" : Format.ratio(v);
        }
        if (key.endsWith("_seconds")) {
            // a whole threshold such as 1 reads "1 s", not "1.0 s"
            return v == Math.rint(v) && Math.abs(v) < 10 ? number(v) + " s" : Format.seconds(v);
        }
        if (key.endsWith("_ms")) {
            return Format.ms(v);
        }
        if (key.endsWith("_bytes")) {
            return Format.bytes((long) v);
        }
        if (key.endsWith("_per_minute")) {
            return number(v) + " /min";
        }
        if (key.endsWith("_per_second")) {
            return number(v) + " /s";
        }
        return number(v);
    }

    /** The value with the rule's condition: {@code 3 s (> 1 s)}; a manual alert's value alone, "–" when none. */
    static String valueAndCondition(Alert a, double v) {
        String value = value(a.subject(), v);
        Operator op = a.operator();
        if (op == null || !Double.isFinite(a.threshold())) {
            return value;
        }
        return value + "  (" + op.symbol() + " " + value(a.subject(), a.threshold()) + ")";
    }

    /** {@code 14:02:11 · for 3 min 05 s}: local time it started and how long it has held as of {@code now}. */
    static String since(Instant since, Instant now) {
        Duration held = Duration.between(since, now);
        return Format.time(since) + (held.isNegative() ? "" : " · for " + Format.seconds(held.toMillis() / 1000.0));
    }

    /** A whole number exactly ({@code 3}, {@code 1500000000}), else as short as its size deserves. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Format.compact(v);
    }

    /** {@code critical} for the rules file's spelling, as the severity column shows it. */
    static String severity(dev.pgpulse.health.alert.Severity s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
