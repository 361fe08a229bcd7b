package dev.pgpulse.config;

import java.io.Serial;
import java.util.List;

/**
 * The configuration cannot be used. Carries every problem found, one line each, each naming the key,
 * the bad value (passwords masked), what was expected and where the value came from.
 */
public final class ConfigException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
