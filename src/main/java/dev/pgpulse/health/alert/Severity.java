package dev.pgpulse.health.alert;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** How loud an alert is. Written lower-case in the rules file ({@code "warning"}). */
public enum Severity {
    INFO, WARNING, CRITICAL;

    /** The spelling in the rules file. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads the rules-file spelling; case is ignored so that {@code "WARNING"} typed by hand still loads. */
    public static Optional<Severity> fromJson(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.json().equals(t)).findFirst();
    }

    /** For messages: {@code info, warning, critical}. */
    public static String describe() {
        return Arrays.stream(values()).map(Severity::json).collect(Collectors.joining(", "));
    }
}
