package dev.pgpulse.ui.alerts;

import dev.pgpulse.config.Durations;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.Silence;
import dev.pgpulse.health.alert.Silences;
import dev.pgpulse.ui.Format;
import dev.pgpulse.ui.shell.ConsoleActions;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The inline form that silences an alert's rule, like an Alertmanager silence: on this alert's subject or on every
 * subject of the rule, for 15 min, 1 h, 4 h, 1 day or a length typed in PgPulse's duration syntax, with a comment.
 * Silence stays disabled while the typed length is not one; the reason shows beside the field.
 */
public final class SilenceFormViewModel {
    /** The longest silence the form makes: longer than a month is a disabled rule, which says so. */
    static final Duration LONGEST = Duration.ofDays(30);

    /** Which subjects the silence covers. */
    public enum Scope {
        SUBJECT, RULE
    }

    /** The lengths offered, and a typed one. */
    public enum Length {
        MIN_15("15 min", Duration.ofMinutes(15)), HOUR_1("1 h", Duration.ofHours(1)),
        HOURS_4("4 h", Duration.ofHours(4)), DAY_1("1 day", Duration.ofDays(1)), CUSTOM("other…", null);

        private final String label;
        private final Duration duration;

        Length(String label, Duration duration) {
            this.label = label;
            this.duration = duration;
        }

        public String label() {
            return label;
        }
    }

    private final ConsoleActions actions;
    private final Consumer<String> told;
    private final ReadOnlyBooleanWrapper open = new ReadOnlyBooleanWrapper(this, "open");
    private final ReadOnlyStringWrapper heading = new ReadOnlyStringWrapper(this, "heading", "");
    private final ReadOnlyStringWrapper subjectScopeText = new ReadOnlyStringWrapper(this, "subjectScopeText", "");
    private final ReadOnlyStringWrapper ruleScopeText = new ReadOnlyStringWrapper(this, "ruleScopeText", "");
    private final ReadOnlyObjectWrapper<Scope> scope = new ReadOnlyObjectWrapper<>(this, "scope", Scope.SUBJECT);
    private final ReadOnlyObjectWrapper<Length> length = new ReadOnlyObjectWrapper<>(this, "length", Length.HOUR_1);
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper(this, "problem", "");
    private final ReadOnlyBooleanWrapper canSubmit = new ReadOnlyBooleanWrapper(this, "canSubmit");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper(this, "failure", "");
    private AlertKey key;
    private String ruleName = "";
    private String custom = "";
    private String comment = "";

    /** @param told gets a line for the alert list's status once a silence is made */
    SilenceFormViewModel(ConsoleActions actions, Consumer<String> told) {
        this.actions = actions;
        this.told = told;
    }

    /** Opens the form on an alert: this subject, one hour, no comment. */
    public void open(AlertKey alert, String ruleName, String subjectText) {
        this.key = alert;
        this.ruleName = ruleName;
        heading.set("Silence \u201c" + ruleName + "\u201d");
        subjectScopeText.set("only " + subjectText);
        ruleScopeText.set("every subject of the rule");
        scope.set(Scope.SUBJECT);
        length.set(Length.HOUR_1);
        custom = "";
        comment = "";
        failure.set("");
        open.set(true);
        check();
    }

    public void cancel() {
        open.set(false);
        busy.set(false);
    }

    public void setScope(Scope s) {
        scope.set(s == null ? Scope.SUBJECT : s);
    }

    public void setLength(Length l) {
        length.set(l == null ? Length.HOUR_1 : l);
        check();
    }

    public void setCustom(String text) {
        custom = text == null ? "" : text;
        check();
    }

    public void setComment(String text) {
        comment = text == null ? "" : text.strip();
        check();
    }

    /** The core's own limit, said as the comment is typed rather than on submit. */
    static String commentProblem(String comment) {
        int n = comment.codePointCount(0, comment.length());
        return n <= Silences.MAX_COMMENT_LENGTH ? ""
                : "The comment is " + n + " characters long; a silence's comment holds at most "
                + Silences.MAX_COMMENT_LENGTH + ", shorten it";
    }

    /** The silence's length as chosen, empty while a typed one is not valid. */
    Optional<Duration> chosen() {
        if (length.get() != Length.CUSTOM) {
            return Optional.of(length.get().duration);
        }
        return problemOf(custom).isEmpty() ? Durations.parse(custom) : Optional.empty();
    }

    /** Why a typed length is not one a silence may have, or "" when it is fine. */
    static String problemOf(String text) {
        if (text.isBlank()) {
            return "Type how long, such as 30min, 2h or 3d";
        }
        Optional<Duration> d = Durations.parse(text);
        if (d.isEmpty()) {
            return Silences.shown(text.strip()) + " " + Durations.problem(text, Durations.EXPECTED);
        }
        if (d.get().isNegative() || d.get().compareTo(Duration.ofMinutes(1)) < 0 || d.get().compareTo(LONGEST) > 0) {
            return "A silence lasts from 1min to 30d, not " + Silences.shown(text.strip()) + "; for longer, disable the rule";
        }
        return "";
    }

    private void check() {
        String lengthProblem = length.get() == Length.CUSTOM ? problemOf(custom) : "";
        problem.set(!lengthProblem.isEmpty() ? lengthProblem : commentProblem(comment));
        canSubmit.set(key != null && problem.get().isEmpty() && !busy.get());
    }

    /** Asks the core for the silence; the form closes when it is made, or keeps the input and says why not. */
    public void submit() {
        Optional<Duration> d = chosen();
        if (key == null || d.isEmpty() || busy.get() || !problem.get().isEmpty()) {
            return;
        }
        String subject = scope.get() == Scope.RULE ? Silence.ANY_SUBJECT : key.subject();
        String what = "\u201c" + ruleName + "\u201d" + (scope.get() == Scope.RULE ? " on every subject" : " on "
                + key.subject()) + " for " + Format.seconds(d.get().toSeconds());
        busy.set(true);
        check();
        failure.set("");
        AlertListViewModel.attempt(failure::set, "silence", () -> actions.silence(key.ruleId(), subject, d.get(),
                comment, why -> {
                    busy.set(false);
                    if (why.isEmpty()) {
                        open.set(false);
                        told.accept("Silenced " + what);
                    } else {
                        failure.set("Not silenced: " + why.get());
                    }
                    check();
                }));
        if (!failure.get().isEmpty()) {
            busy.set(false);
            check();
        }
    }

    public ReadOnlyBooleanProperty openProperty() {
        return open.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty headingProperty() {
        return heading.getReadOnlyProperty();
    }

    /** "only primary · pool.primary.awaiting" */
    public ReadOnlyStringProperty subjectScopeTextProperty() {
        return subjectScopeText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty ruleScopeTextProperty() {
        return ruleScopeText.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Scope> scopeProperty() {
        return scope.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Length> lengthProperty() {
        return length.getReadOnlyProperty();
    }

    /** Why the typed length is refused, "" when it is fine or not used. */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canSubmitProperty() {
        return canSubmit.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** Why the last silence was not made, "" otherwise. */
    public ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }
}
