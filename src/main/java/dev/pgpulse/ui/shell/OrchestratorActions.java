package dev.pgpulse.ui.shell;

import dev.pgpulse.demo.DemoWorkload;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.ui.fx.BackgroundTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.DefaultRules;
import dev.pgpulse.health.alert.RuleBook;
import dev.pgpulse.health.alert.PrometheusRules;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@link ConsoleActions} over a running {@link Orchestrator}: the one UI class besides the window's composition
 * that holds it. Every action is a {@link BackgroundTask} on the executor given (the window's background
 * thread); a failure is logged and told through {@link Dialogs}, never thrown at the FX thread.
 * {@code afterDrill} runs once a drill or a restart is done (the window polls at once).
 */
public final class OrchestratorActions implements ConsoleActions {
    private static final Logger LOG = LoggerFactory.getLogger(OrchestratorActions.class);

    private final Orchestrator orchestrator;
    private final DemoWorkload demo;
    private final Executor background;
    private final Runnable afterDrill;
    private final Dialogs dialogs;
    private final QueryActions queries;
    private final ServerActions server;
    private final OperationsActions operations;

    /** @param demo the demo workload on the embedded server, else null */
    public OrchestratorActions(Orchestrator orchestrator, DemoWorkload demo, Executor background, Runnable afterDrill,
                               Dialogs dialogs) {
        this(orchestrator, demo, background, background, afterDrill, dialogs);
    }

    /** @param queryRuns where query runs go: a thread each, so a long statement holds up nothing else */
    public OrchestratorActions(Orchestrator orchestrator, DemoWorkload demo, Executor background, Executor queryRuns,
                               Runnable afterDrill, Dialogs dialogs) {
        this.queries = new OrchestratorQueries(orchestrator, queryRuns, background, javafx.application.Platform::runLater);
        this.server = new OrchestratorServer(orchestrator, background, javafx.application.Platform::runLater);
        this.operations = new OrchestratorOperations(orchestrator, queryRuns, javafx.application.Platform::runLater);
        this.orchestrator = orchestrator;
        this.demo = demo;
        this.background = background;
        this.afterDrill = afterDrill;
        this.dialogs = dialogs;
    }

    @Override
    public void drill(String endpoint, Guard.Drill drill) {
        BackgroundTask.run("drill " + endpoint, () -> orchestrator.drill(endpoint, drill))
                .onFailure(e -> failed("The " + endpoint + " drill failed", e))
                .onFinished(afterDrill)
                .start(background);
    }

    @Override
    public void demoWorkload(boolean on) {
        if (demo == null) {
            return;
        }
        BackgroundTask.run("demo workload " + (on ? "on" : "off"), on ? demo::start : demo::stop)
                .onFailure(e -> failed("The demo workload could not be switched " + (on ? "on" : "off"), e))
                .start(background);
    }

    private void failed(String what, Exception e) {
        LOG.warn("{}: {}", what, e.getMessage());
        dialogs.notify(new Dialogs.Notice(Dialogs.Severity.ERROR, what, why(e)));
    }

    @Override
    public void restartEmbedded(Consumer<Optional<String>> done) {
        BackgroundTask.of("restart the embedded PostgreSQL", p -> {
                    orchestrator.restartEmbedded();
                    return null;
                })
                .onSuccess(v -> done.accept(Optional.empty()))
                .onFailure(e -> {
                    LOG.warn("the embedded PostgreSQL could not be restarted: {}", e.getMessage());
                    done.accept(Optional.of(why(e)));
                })
                .onFinished(afterDrill)
                .start(background);
    }

    @Override
    public boolean demoAvailable() {
        return demo != null;
    }

    @Override
    public boolean demoRunning() {
        return demo != null && demo.isRunning();
    }

    @Override
    public void saveRules(List<AlertRule> rules, long basedOn, Consumer<RuleBook.Outcome> done) {
        List<AlertRule> copy = List.copyOf(rules);
        BackgroundTask.of("save the alert rules", p -> orchestrator.rules().save(copy, basedOn))
                .onSuccess(done::accept)
                .onFailure(e -> done.accept(new RuleBook.Outcome.Failed(why(e),
                        orchestrator.rules().state())))
                .onFinished(afterDrill)
                .start(background);
    }

    @Override
    public void resetRules(long basedOn, Consumer<RuleBook.Outcome> done) {
        saveRules(DefaultRules.all(), basedOn, done);
    }

    @Override
    public void acknowledge(AlertKey alert) {
        BackgroundTask.of("acknowledge " + alert.ruleId() + " on " + alert.subject(), p -> orchestrator.acknowledge(alert))
                .onSuccess(acknowledged -> {
                    if (!acknowledged) {
                        dialogs.notify(new Dialogs.Notice(Dialogs.Severity.INFO, "Nothing to acknowledge",
                                alert.ruleId() + " on " + alert.subject() + " is not firing any more"));
                    }
                })
                .onFailure(e -> failed("The alert could not be acknowledged", e))
                .onFinished(afterDrill)
                .start(background);
    }

    @Override
    public void silence(String ruleId, String subject, Duration length, String comment, Consumer<Optional<String>> done) {
        // the rule id and subject come from a form: quoted one-line and cut wherever they reach a log line
        String shown = dev.pgpulse.health.alert.Silences.shown(ruleId) + " on "
                + dev.pgpulse.health.alert.Silences.shown(subject);
        BackgroundTask.of("silence " + shown, p -> orchestrator.silence(ruleId, subject, length, comment))
                .onSuccess(s -> done.accept(Optional.empty()))
                .onFailure(e -> {
                    LOG.warn("silence of {} refused: {}", shown, e.getMessage());
                    done.accept(Optional.of(why(e)));
                })
                .onFinished(afterDrill)
                .start(background);
    }

    @Override
    public void expireSilence(String silenceId) {
        BackgroundTask.of("expire silence " + silenceId, p -> orchestrator.expireSilence(silenceId))
                .onSuccess(expired -> {
                    if (!expired) {
                        dialogs.notify(new Dialogs.Notice(Dialogs.Severity.INFO, "Silence already ended",
                                "That silence had already ended or was expired elsewhere"));
                    }
                })
                .onFailure(e -> failed("The silence could not be expired", e))
                .onFinished(afterDrill)
                .start(background);
    }

    @Override
    public void sendTestAlert(Consumer<String> done) {
        // sendTest never throws and is bounded by the webhook timeout; a failure here is a bug, told all the same
        BackgroundTask.of("send a test alert", p -> orchestrator.sendTestAlert())
                .onSuccess(r -> done.accept(r.describe()))
                .onFailure(e -> done.accept("The test alert could not be sent: " + why(e)))
                .start(background);
    }

    @Override
    public void exportPrometheus(Path file, Consumer<String> done) {
        BackgroundTask.of("export the alert rules for Prometheus", p -> {
                    PrometheusRules.Export export = PrometheusRules.export(orchestrator.rules().state().rules(), false);
                    PrometheusRules.write(file, export);
                    return exported(file, export);
                })
                .onSuccess(done::accept)
                .onFailure(e -> {
                    LOG.warn("the alert rules could not be exported to {}: {}", file, e.getMessage());
                    // a refusal names the file and what to give instead; other failures say which file failed
                    done.accept(e instanceof PrometheusRules.OutputRefused ? "Not exported: " + why(e)
                            : "Could not write " + file + ": " + why(e));
                })
                .start(background);
    }

    /**
     * What went wrong, for a DBA: the failure's message, else its kind (an exception without a message read "null"
     * in the dialog, the rules tab's status and the export line).
     */
    static String why(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** "Exported 15 rules to /tmp/pgpulse.rules.yml for Prometheus (1 disabled rule left out: cache-hit-low)". */
    static String exported(Path file, PrometheusRules.Export export) {
        String line = "Exported " + export.exported() + (export.exported() == 1 ? " rule" : " rules") + " to " + file
                + " for Prometheus";
        if (export.skipped().isEmpty()) {
            return line;
        }
        int n = export.skipped().size();
        return line + " (" + n + (n == 1 ? " rule" : " rules") + " left out: "
                + String.join(", ", export.skipped().stream().map(PrometheusRules.Skipped::ruleId).toList()) + ")";
    }

    @Override
    public QueryActions queries() {
        return queries;
    }

    @Override
    public ServerActions server() {
        return server;
    }

    @Override
    public OperationsActions operations() {
        return operations;
    }
}
