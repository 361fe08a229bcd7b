package dev.pgpulse.ui.shell;

import dev.pgpulse.server.Activity;
import dev.pgpulse.server.ActivityReader;
import dev.pgpulse.server.ActivitySampler;
import dev.pgpulse.server.ActivityThresholds;
import dev.pgpulse.server.Backend;
import dev.pgpulse.service.Result;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the Server tab may ask of the core: a sampler of the primary's sessions, and signals to backends. Each
 * call returns at once; readings and outcomes come on the FX thread.
 */
public interface ServerActions {

    /** Whether the target is production (every signal is confirmed; the confirmation says so). */
    boolean production();

    /** When a session is highlighted: the default alert rules' thresholds. */
    ActivityThresholds thresholds();

    /**
     * A sampler of the primary's activity at the interval, stopped until started; each reading goes to
     * {@code onFx} on the FX thread. The caller closes it.
     */
    ActivitySampler sampler(Duration interval, Consumer<Result<Activity>> onFx);

    /** One of the other readings, off the FX thread; {@code done} on the FX thread. */
    void readout(dev.pgpulse.server.ServerReadings.Kind kind, Consumer<Result<dev.pgpulse.server.Readout>> done);

    /**
     * Signals the backends (pid and start, so a reused pid is not signalled) off the FX thread; {@code done} gets an
     * outcome per backend on the FX thread.
     */
    void signal(List<Backend> backends, ActivityReader.Signal signal, Consumer<List<ActivityReader.Outcome>> done);
}
