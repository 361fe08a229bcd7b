package dev.pgpulse.health.alert;

import java.io.Serial;
import java.util.List;

/**
 * The rules file is valid JSON but cannot be used as it stands: carries every problem found, one line
 * each, naming the rule (its id, or its index when the id itself is bad), the field, the bad value and what
 * was expected. The file is left where it is, so the user's edits are not lost.
 */
public final class AlertRuleException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public AlertRuleException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an AlertRuleException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
