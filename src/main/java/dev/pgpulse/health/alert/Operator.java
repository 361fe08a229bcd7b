package dev.pgpulse.health.alert;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The relation a rule tests between a metric's value and its threshold, as in {@code metric > threshold}.
 * Written as a symbol in the rules file, under the field name {@code "comparator"} (kept for existing files).
 */
public enum Operator {
    GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");

    private final String symbol;

    Operator(String symbol) {
        this.symbol = symbol;
    }

    /** The spelling in the rules file, such as {@code ">="}. */
    public String symbol() {
        return symbol;
    }

    /**
     * @return whether {@code value} stands in this relation to {@code threshold}. A NaN value (no sample)
     * satisfies no comparator, not even {@link #NE}: a metric that is missing must not fire an alert.
     */
    public boolean test(double value, double threshold) {
        if (Double.isNaN(value) || Double.isNaN(threshold)) {
            return false;
        }
        return switch (this) {
            case GT -> value > threshold;
            case GE -> value >= threshold;
            case LT -> value < threshold;
            case LE -> value <= threshold;
            case EQ -> value == threshold;
            case NE -> value != threshold;
        };
    }

    public static Optional<Operator> fromSymbol(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim();
        return Arrays.stream(values()).filter(c -> c.symbol.equals(t)).findFirst();
    }

    /** For messages: {@code >, >=, <, <=, ==, !=}. */
    public static String describe() {
        return Arrays.stream(values()).map(Operator::symbol).collect(Collectors.joining(", "));
    }
}
