package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.alert.Alert;
import dev.pgpulse.health.alert.MetricUnit;
import dev.pgpulse.health.alert.Operator;
import dev.pgpulse.ui.Format;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the alert list writes an alert's parts for a DBA: the subject with its endpoint in front, a value in its
 * metric's unit (the core's {@link MetricUnit}, so the list reads as the rules table and the preview), and "since
 * when".
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

    /** A value of metric {@code key} in its unit, as the core writes it everywhere: 42%, 9 min 11 s, 12 ms, OPEN. */
    static String value(String key, double v) {
        return MetricUnit.forPeople(key, v);
    }

    /** The value with the rule's condition: {@code 3 s  (> 1 s)}; a manual alert's value alone, "–" when none. */
    static String valueAndCondition(Alert a, double v) {
        String value = value(a.subject(), v);
        Operator op = a.operator();
        if (op == null || !Double.isFinite(a.threshold())) {
            return value;
        }
        return value + "  (" + MetricUnit.condition(a.subject(), op, a.threshold()) + ")";
    }

    /** {@code 14:02:11 · for 3 min 05 s}: local time it started and how long it has held as of {@code now}. */
    static String since(Instant since, Instant now) {
        Duration held = Duration.between(since, now);
        return Format.time(since) + (held.isNegative() ? "" : " · for " + Format.seconds(held.toMillis() / 1000.0));
    }

    /** {@code critical} for the rules file's spelling, as the severity column shows it. */
    static String severity(dev.pgpulse.health.alert.Severity s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
