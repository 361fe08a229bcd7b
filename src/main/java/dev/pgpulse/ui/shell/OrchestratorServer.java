package dev.pgpulse.ui.shell;

import dev.pgpulse.config.Environment;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.server.Activity;
import dev.pgpulse.server.ActivityReader;
import dev.pgpulse.server.ActivitySampler;
import dev.pgpulse.server.ActivityThresholds;
import dev.pgpulse.server.Backend;
import dev.pgpulse.service.Result;
import dev.pgpulse.ui.fx.BackgroundTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/** {@link ServerActions} over the orchestrator's primary; signals run on the console's background thread. */
final class OrchestratorServer implements ServerActions {
    private static final Logger LOG = LoggerFactory.getLogger(OrchestratorServer.class);

    private final Orchestrator orchestrator;
    private final Executor background;
    private final Executor ui;
    private volatile ActivityReader reader;
    private volatile dev.pgpulse.server.ServerReadings readings;

    OrchestratorServer(Orchestrator orchestrator, Executor background, Executor ui) {
        this.orchestrator = orchestrator;
        this.background = background;
        this.ui = ui;
    }

    private ActivityReader reader() {
        ActivityReader r = reader;
        if (r == null) {
            r = ActivityReader.of(orchestrator);
            reader = r;
        }
        return r;
    }

    @Override
    public boolean production() {
        return orchestrator.config().environment() == Environment.PRODUCTION;
    }

    @Override
    public ActivityThresholds thresholds() {
        return ActivityThresholds.defaults();
    }

    @Override
    public ActivitySampler sampler(Duration interval, Consumer<Result<Activity>> onFx) {
        return new ActivitySampler(reader(), interval, r -> ui.execute(() -> onFx.accept(r)));
    }

    @Override
    public void readout(dev.pgpulse.server.ServerReadings.Kind kind,
                        Consumer<Result<dev.pgpulse.server.Readout>> done) {
        dev.pgpulse.server.ServerReadings r = readings;
        if (r == null) {
            r = dev.pgpulse.server.ServerReadings.of(orchestrator);
            readings = r;
        }
        dev.pgpulse.server.ServerReadings use = r;
        BackgroundTask.of("read " + kind.title(), p -> use.read(kind))
                .onSuccess(done::accept)
                .onFailure(e -> {
                    LOG.warn("reading {} failed: {}", kind.title(), e.toString());
                    done.accept(new Result.Failure<>(dev.pgpulse.resilience.ErrorCategory.OTHER,
                            OrchestratorActions.why(e), null, false, null, 0, Duration.ZERO, e));
                })
                .start(background, ui);
    }

    @Override
    public void signal(List<Backend> backends, ActivityReader.Signal signal,
                       Consumer<List<ActivityReader.Outcome>> done) {
        List<Integer> pids = backends.stream().map(Backend::pid).toList();
        BackgroundTask.of(signal + " " + pids, p -> switch (reader().signal(backends, signal)) {
                    case Result.Success<List<ActivityReader.Outcome>> ok -> ok.value();
                    case Result.Failure<List<ActivityReader.Outcome>> f -> failedAll(pids, signal, f.message());
                })
                .onSuccess(done::accept)
                .onFailure(e -> {
                    LOG.warn("{} of {} failed: {}", signal, pids, e.toString());
                    done.accept(failedAll(pids, signal, OrchestratorActions.why(e)));
                })
                .start(background, ui);
    }

    private static List<ActivityReader.Outcome> failedAll(List<Integer> pids, ActivityReader.Signal signal,
                                                          String why) {
        return pids.stream().map(pid -> new ActivityReader.Outcome(pid, signal, false, why)).toList();
    }
}
