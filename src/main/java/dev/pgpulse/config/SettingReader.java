package dev.pgpulse.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one setting from the layers (the first layer that has it wins) into a type. A good value, or the
 * default and why it applies, is recorded as a {@link Setting} for {@code pgpulse config}, in the order read;
 * a bad one is a problem naming the key, the value (masked when secret), its source and what was expected.
 */
final class SettingReader {
    /** A URL or a conninfo password, in a value that should be a plain name. */
    private static final Pattern CONNECTION_STRING = Pattern.compile("(?i)://|jdbc:postgresql:|password\\s*=");
    /** libpq takes a dbname holding '=' for a connection string; no host name holds one. */
    private static final Set<String> NAMES = Set.of("host", "database");

    private final List<Layer> layers;
    private final List<String> problems;
    private final List<Setting> settings = new ArrayList<>();

    SettingReader(List<Layer> layers, List<String> problems) {
        this.layers = layers;
        this.problems = problems;
    }

    List<Setting> settings() {
        return settings;
    }

    Duration duration(String key, Duration fallback, String why, Duration min, Duration max) {
        return parseDuration(key, first(key).orElse(null), fallback, why, min, max);
    }

    Duration parseDuration(String key, ConfigValue v, Duration fallback, String why, Duration min, Duration max) {
        if (v == null) {
            record(key, Durations.format(fallback), ConfigSource.defaults(why));
            return fallback;
        }
        String expected = Durations.EXPECTED + ", from " + Durations.format(min) + " to " + Durations.format(max);
        Optional<Duration> d = Durations.parse(v.raw(), Keys.bareNumber(key));
        if (d.isEmpty()) {
            problemText(key, v, Durations.problem(v.raw(), expected));
            return fallback;
        }
        if (d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0) {
            problem(key, v, expected);
            return fallback;
        }
        record(key, Durations.format(d.get()), v.source());
        return d.get();
    }

    int integer(String key, ConfigValue v, int fallback, String why, int min, int max) {
        if (v == null) {
            record(key, Integer.toString(fallback), ConfigSource.defaults(why));
            return fallback;
        }
        // Integer.parseInt reads any script's digits ("٣" is 3); a setting is written in ASCII 0-9.
        if (!v.raw().trim().matches("-?[0-9]{1,10}")) {
            boolean otherDigits = v.raw().codePoints().anyMatch(c -> Character.isDigit(c) && (c < '0' || c > '9'));
            problem(key, v, "a whole number from " + min + " to " + max + (otherDigits ? " (digits 0-9)" : ""));
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.raw().trim());
            if (n < min || n > max) {
                problem(key, v, "a whole number from " + min + " to " + max);
                return fallback;
            }
            record(key, Integer.toString(n), v.source());
            return n;
        } catch (NumberFormatException e) {
            problem(key, v, "a whole number from " + min + " to " + max);
            return fallback;
        }
    }

    String text(String endpoint, String field, Map<String, ConfigValue> given, String fallback, String why) {
        ConfigValue v = given.get(field);
        String key = endpoint + "." + field;
        if (v == null) {
            record(key, fallback, ConfigSource.defaults(why));
            return fallback;
        }
        if (v.raw().isBlank()) {
            problem(key, v, "a non-empty value");
            return fallback;
        }
        if (CONNECTION_STRING.matcher(v.raw()).find() || (NAMES.contains(field) && v.raw().indexOf('=') >= 0)) {
            // libpq reads a URL or "host=... password=..." given as dbname; here it would be shown, logged and
            // sent as a name. Not echoed: it may hold a password.
            problems.add(key + " (from " + v.source() + ") holds a connection URL or string, which is not read "
                    + "there; give the URL as DATABASE_URL or --url, and the password in PGPASSWORD or ~/.pgpass");
            return fallback;
        }
        record(key, v.raw(), v.source());
        return v.raw();
    }

    Optional<ConfigValue> first(String key) {
        return layers.stream().map(l -> l.get(key)).flatMap(Optional::stream).findFirst();
    }

    void problem(String key, ConfigValue v, String expected) {
        problemText(key, v, "expected " + expected);
    }

    /**
     * {@code key = 'value' (from source): text}, on one line: the value masked when the key is secret, its line
     * breaks and other control characters shown as {@code \n}-style escapes, and cut to 80 characters (a value
     * pasted by mistake can be megabytes).
     */
    private void problemText(String key, ConfigValue v, String text) {
        String shown = Setting.isSecret(key) ? Setting.MASK : oneLine(v.raw());
        problems.add(key + " = '" + shown + "' (from " + v.source() + "): " + text);
    }

    private static String oneLine(String raw) {
        String cut = raw.length() <= 80 ? raw : raw.substring(0, 77) + "...";
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        b.append(String.format("\\u%04x", c));
                    } else {
                        b.appendCodePoint(c);
                    }
                }
            }
        });
        return b.toString();
    }

    void record(String key, String value, ConfigSource source) {
        settings.add(Setting.of(key, value, source));
    }

    /** A setting shown as given, even for a key that is masked otherwise ("(none)" for no password). */
    void record(Setting setting) {
        settings.add(setting);
    }
}
