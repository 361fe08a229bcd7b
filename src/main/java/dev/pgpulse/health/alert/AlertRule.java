package dev.pgpulse.health.alert;

import dev.pgpulse.config.Durations;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * One alert rule: when {@code metric operator threshold} has held for {@code forDuration}, fire an alert
 * of {@code severity}. Bad values are rejected at once, each message naming the rule, the field, the value
 * and what was expected.
 *
 * @param id          a stable slug, {@code [a-z0-9][a-z0-9._-]{0,63}}
 * @param name        what the DBA reads, 1..120 characters
 * @param metric      a key {@link MetricKeys#isValid} accepts
 * @param threshold   a finite number
 * @param forDuration how long the condition must hold before the rule fires, 0 .. 24 h
 */
public record AlertRule(String id, String name, String metric, Operator operator, double threshold,
                        Duration forDuration, Severity severity, boolean enabled) {

    public static final int MAX_NAME_LENGTH = 120;
    public static final Duration MAX_FOR = Duration.ofHours(24);
    static final String ID_FORMAT = "[a-z0-9][a-z0-9._-]{0,63}";
    private static final Pattern ID = Pattern.compile(ID_FORMAT);
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\x{80}-\\x{9f}\\x{2028}\\x{2029}]");

    public AlertRule {
        if (idProblem(id) != null) {
            throw new IllegalArgumentException("rule id " + quote(id) + " " + idProblem(id));
        }
        String rule = "rule '" + id + "': ";
        if (nameProblem(name) != null) {
            throw new IllegalArgumentException(rule + "name " + quote(name) + " " + nameProblem(name));
        }
        if (metricProblem(metric) != null) {
            throw new IllegalArgumentException(rule + "metric " + quote(metric) + " " + metricProblem(metric));
        }
        if (operator == null) {
            throw new IllegalArgumentException(rule + "comparator is missing; expected one of " + Operator.describe());
        }
        if (thresholdProblem(threshold) != null) {
            throw new IllegalArgumentException(rule + "threshold " + threshold + " " + thresholdProblem(threshold));
        }
        if (forProblem(forDuration) != null) {
            throw new IllegalArgumentException(rule + "for " + (forDuration == null ? "null" : Durations.format(forDuration))
                    + " " + forProblem(forDuration));
        }
        if (severity == null) {
            throw new IllegalArgumentException(rule + "severity is missing; expected one of " + Severity.describe());
        }
    }

    // The checks below return null when the value is fine, else the reason, worded to follow the value,
    // so that the constructor, the rules file and the console's rule editor report a bad value the same way
    // (public for the editor, which checks each field as the DBA types).

    public static String idProblem(String id) {
        if (id == null) {
            return "is missing; expected a slug matching " + ID_FORMAT;
        }
        return ID.matcher(id).matches() ? null
                : "is not a valid id; expected a slug matching " + ID_FORMAT + " (lower-case letters, digits, '.', '_', '-')";
    }

    public static String nameProblem(String name) {
        if (name == null) {
            return "is missing; expected 1 to " + MAX_NAME_LENGTH + " characters";
        }
        if (name.isBlank()) {
            return "is blank; expected 1 to " + MAX_NAME_LENGTH + " characters";
        }
        int length = name.codePointCount(0, name.length());
        if (length > MAX_NAME_LENGTH) {
            return "is " + length + " characters long; expected at most " + MAX_NAME_LENGTH;
        }
        // a name is one line in a table, a notification, a log line and the exported annotation
        return CONTROL.matcher(name).find()
                ? "holds a line break or another control character; expected one line of text" : null;
    }

    public static String metricProblem(String metric) {
        if (metric == null) {
            return "is missing; expected one of " + MetricKeys.describe();
        }
        return MetricKeys.isValid(metric) ? null : "is not a known metric key; expected one of " + MetricKeys.describe();
    }

    public static String thresholdProblem(double threshold) {
        return Double.isFinite(threshold) ? null : "is not finite; expected a finite number such as 0.8";
    }

    public static String forProblem(Duration d) {
        if (d == null) {
            return "is missing; expected a duration from 0s to 24h";
        }
        if (d.isNegative()) {
            return "is negative; expected a duration from 0s to 24h";
        }
        return d.compareTo(MAX_FOR) <= 0 ? null : "is longer than 24h; expected a duration from 0s to 24h";
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}
