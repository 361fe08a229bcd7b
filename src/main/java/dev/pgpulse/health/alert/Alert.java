package dev.pgpulse.health.alert;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One alert transition, immutable, as listeners, notifiers and the history see it.
 *
 * @param ruleId     the rule's id (for a manual alert, whatever the caller chose)
 * @param ruleName   what the DBA reads; defaults to {@code ruleId}
 * @param subject    the concrete metric key, such as {@code pool.primary.awaiting}; defaults to {@code ruleId}
 * @param value      the sample that caused this transition; NaN when there is none (manual alerts)
 * @param threshold  the rule's threshold; NaN for a manual alert without one
 * @param operator   the rule's operator; null for a manual alert without one
 * @param since      when the condition started to hold; defaults to {@code at}
 * @param at         when this transition happened (the sample's time stamp, not the wall clock)
 * @param message    a line for humans, such as {@code pool.primary.awaiting = 3 > 0 for 30 s}
 */
public record Alert(String ruleId, String ruleName, String subject, Severity severity, AlertState state,
                    double value, double threshold, Operator operator, Instant since, Instant at,
                    String message) {

    public Alert {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
        ruleName = ruleName == null || ruleName.isBlank() ? ruleId : ruleName;
        subject = subject == null || subject.isBlank() ? ruleId : subject;
        since = since == null ? at : since;
        message = message == null ? ruleId + " " + state : message;
    }

    /** A manual alert, as passed to {@link AlertEngine#raiseManual}: no rule, no sample. */
    public static Alert manual(String id, Severity severity, AlertState state, Instant at, String message) {
        return new Alert(id, id, id, severity, state, Double.NaN, Double.NaN, null, at, at, message);
    }

    /** How long the condition had held at this transition. */
    public Duration age() {
        return Duration.between(since, at);
    }

    /**
     * A value of metric {@code key} in a message: a duration metric ({@code *_seconds}, {@code *_ms}) as the console
     * writes it ({@link MetricUnit#forPeople(String, double)}: {@code 9 min 11 s}, {@code 2 s}), anything else as the
     * raw number of {@link #format(double)}. Ratios, states and counts stay raw on purpose: the message is the webhook's
     * and the log's public text, and Prometheus' copy of it ({@link PrometheusRules#description}) can only print the
     * raw {@code $value}, so both say {@code used_ratio = 0.85 > 0.8} and {@code state = 2 >= 2} alike.
     */
    static String format(String key, double v) {
        MetricUnit unit = MetricUnit.of(key);
        if (unit == MetricUnit.SECONDS || unit == MetricUnit.MILLISECONDS) {
            return MetricUnit.forPeople(key, v);
        }
        return format(v);
    }

    /** {@code 3}, {@code 0.8}, {@code 1500000000}, {@code 0.123457}: short, and exact for whole numbers. */
    static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new BigDecimal(v).round(MathContext.DECIMAL32).stripTrailingZeros().toPlainString();
    }
}
