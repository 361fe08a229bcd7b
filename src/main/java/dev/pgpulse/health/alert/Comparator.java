package dev.pgpulse.health.alert;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a rule compares a metric's value with its threshold; written as a symbol in the rules file. */
public enum Comparator {
    GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");

    private final String symbol;

    Comparator(String symbol) {
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

    public static Optional<Comparator> fromSymbol(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim();
        return Arrays.stream(values()).filter(c -> c.symbol.equals(t)).findFirst();
    }

    /** For messages: {@code >, >=, <, <=, ==, !=}. */
    public static String describe() {
        return Arrays.stream(values()).map(Comparator::symbol).collect(Collectors.joining(", "));
    }
}
