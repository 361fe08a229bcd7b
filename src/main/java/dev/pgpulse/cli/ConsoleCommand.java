package dev.pgpulse.cli;

import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.ui.Console;
import dev.pgpulse.ui.ConsolePrefsStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code pgpulse console} (and {@code pgpulse} with no command): the desktop console. The configuration and the
 * preferences are read here, so bad input is reported on one line before any window opens.
 */
@Command(name = "console", mixinStandardHelpOptions = true,
        description = "Open the desktop console (what `pgpulse` with no command does).")
final class ConsoleCommand implements Callable<Integer> {
    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();

    ConsoleCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Overrides flags = target.toOverrides();
        if (flags.profile() != null && flags.url() == null && flags.replicas().isEmpty()) {
            // `--profile NAME` opens the console on that profile, as choosing it in the window does: its target wins
            // over DATABASE_URL and PGHOST, so the header's profile is the target shown
            flags = new Overrides(flags.configFile(), flags.profile(), null, List.of(), flags.environment(),
                    flags.settings(), null, true);
        }
        var loaded = Problems.load(context, flags, true);
        if (loaded.isEmpty()) {
            return PgPulseCli.USAGE;
        }
        PgPulseConfig config = loaded.get();
        Optional<String> noDisplay = Console.noDisplayReason(context.loader()::variable);
        if (noDisplay.isPresent()) {
            context.err().println("pgpulse: console: " + noDisplay.get()
                    + "; on a machine without a display run `pgpulse status` or `pgpulse agent --port 9187`");
            return PgPulseCli.FAILED;
        }
        Path home = context.loader().home();
        Path prefsFile = ConsolePrefsStore.defaultFile(home);
        ConsolePrefsStore.Loaded prefs = new ConsolePrefsStore().load(prefsFile);
        prefs.problems().forEach(w -> context.err().println("pgpulse: warning: " + w));
        context.err().flush();
        // the core keeps what the charts show, and never less than the alert preview's 15 minutes
        Optional<String> failure = Console.run(new Console.Launch(config, Orchestrator.Options.defaults(home, config)
                .withHistoryAtLeast(prefs.prefs().historyWindow()), prefsFile, prefs,
                new dev.pgpulse.ui.LoaderProfiles(context.loader(), flags)));
        failure.ifPresent(f -> context.err().println("pgpulse: " + f));
        return failure.isPresent() ? PgPulseCli.FAILED : PgPulseCli.OK;
    }
}
