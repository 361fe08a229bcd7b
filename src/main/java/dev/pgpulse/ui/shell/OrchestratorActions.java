package dev.pgpulse.ui.shell;

import dev.pgpulse.demo.DemoWorkload;
import dev.pgpulse.embedded.EmbeddedStartException;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.resilience.Guard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.application.Platform;

/**
 * {@link ConsoleActions} over a running {@link Orchestrator}: the one UI class besides the window's composition
 * that holds it. Every action runs on the executor given (the window's background thread); a failure is
 * logged, not thrown at the FX thread. {@code afterDrill} runs once a drill or a restart is done (the window polls at
 * once).
 */
public final class OrchestratorActions implements ConsoleActions {
    private static final Logger LOG = LoggerFactory.getLogger(OrchestratorActions.class);

    private final Orchestrator orchestrator;
    private final DemoWorkload demo;
    private final Executor background;
    private final Runnable afterDrill;

    /** @param demo the demo workload on the embedded server, else null */
    public OrchestratorActions(Orchestrator orchestrator, DemoWorkload demo, Executor background, Runnable afterDrill) {
        this.orchestrator = orchestrator;
        this.demo = demo;
        this.background = background;
        this.afterDrill = afterDrill;
    }

    @Override
    public void drill(String endpoint, Guard.Drill drill) {
        background.execute(() -> {
            try {
                orchestrator.drill(endpoint, drill);
            } catch (RuntimeException e) {
                LOG.warn("drill {} on {} failed: {}", drill, endpoint, e.getMessage());
            }
            afterDrill.run();
        });
    }

    @Override
    public void demoWorkload(boolean on) {
        if (demo == null) {
            return;
        }
        background.execute(() -> {
            try {
                if (on) {
                    demo.start();
                } else {
                    demo.stop();
                }
            } catch (RuntimeException e) {
                LOG.warn("demo workload could not be switched {}: {}", on ? "on" : "off", e.getMessage());
            }
        });
    }

    @Override
    public void restartEmbedded(Consumer<Optional<String>> done) {
        background.execute(() -> {
            Optional<String> failure = Optional.empty();
            try {
                orchestrator.restartEmbedded();
            } catch (EmbeddedStartException | RuntimeException e) {
                LOG.warn("the embedded PostgreSQL could not be restarted: {}", e.getMessage());
                failure = Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
            }
            Optional<String> result = failure;
            Platform.runLater(() -> done.accept(result));
            afterDrill.run();
        });
    }

    @Override
    public boolean demoAvailable() {
        return demo != null;
    }

    @Override
    public boolean demoRunning() {
        return demo != null && demo.isRunning();
    }
}
