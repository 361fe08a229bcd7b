package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.RuleBook;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.ui.shell.ConsoleActions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** {@link ConsoleActions} that write down what the alert list asked, and answer as a test says. */
class RecordingActions implements ConsoleActions {
    final List<String> calls = new ArrayList<>();
    /** What a silence answers: empty (made) or why not. */
    Optional<String> silenceAnswer = Optional.empty();
    String testAnswer = "HTTP 204 from https://hooks.example.com";
    String exportAnswer = "wrote 15 rules";

    @Override
    public void drill(String endpoint, Guard.Drill drill) {
        calls.add("drill " + endpoint);
    }

    @Override
    public void demoWorkload(boolean on) {
    }

    @Override
    public boolean demoAvailable() {
        return false;
    }

    @Override
    public boolean demoRunning() {
        return false;
    }

    @Override
    public void restartEmbedded(Consumer<Optional<String>> done) {
    }

    @Override
    public void saveRules(List<AlertRule> rules, long basedOn, Consumer<RuleBook.Outcome> done) {
        calls.add("saveRules");
    }

    @Override
    public void resetRules(long basedOn, Consumer<RuleBook.Outcome> done) {
        calls.add("resetRules");
    }

    @Override
    public void acknowledge(AlertKey alert) {
        calls.add("acknowledge " + alert.ruleId() + " " + alert.subject());
    }

    @Override
    public void silence(String ruleId, String subject, Duration length, String comment, Consumer<Optional<String>> done) {
        calls.add("silence " + ruleId + " " + subject + " " + length + " '" + comment + "'");
        done.accept(silenceAnswer);
    }

    @Override
    public void expireSilence(String silenceId) {
        calls.add("expireSilence " + silenceId);
    }

    @Override
    public void sendTestAlert(Consumer<String> done) {
        calls.add("sendTestAlert");
        done.accept(testAnswer);
    }

    @Override
    public void exportPrometheus(Path file, Consumer<String> done) {
        calls.add("exportPrometheus " + file);
        done.accept(exportAnswer);
    }

    @Override
    public dev.pgpulse.ui.shell.QueryActions queries() {
        throw new UnsupportedOperationException("the Alerts tab runs no queries");
    }
}
