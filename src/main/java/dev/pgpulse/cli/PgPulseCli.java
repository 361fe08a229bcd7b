package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** The {@code pgpulse} command line. Exit codes: 0 success, 1 a check or operation failed, 2 bad usage or configuration. */
@Command(name = "pgpulse", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A console for PostgreSQL DBAs with a resilient database layer.%n"
                + "With no database configured (no DATABASE_URL, PGHOST or profile) it runs an embedded PostgreSQL.",
        footer = {"", "Configuration: flags > environment (DATABASE_URL, DATABASE_READ_URLS, PG*, PGPULSE_*) > "
                + "profile file (~/.config/pgpulse/profiles.json) > defaults. See `pgpulse config`."})
public final class PgPulseCli implements Callable<Integer> {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    /** What the commands need from the outside world, injectable so tests run them in-process. */
    public record Context(ConfigLoader loader, PrintWriter out, PrintWriter err) {
        public static Context forThisProcess() {
            return new Context(ConfigLoader.forThisProcess(),
                    new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                    new PrintWriter(System.err, true, StandardCharsets.UTF_8));
        }
    }

    private final Context context;
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    PgPulseCli(Context context) {
        this.context = context;
    }

    public static int run(Context context, String... args) {
        CommandLine cmd = commandLine(context);
        int code = cmd.execute(args);
        context.out().flush();
        context.err().flush();
        return code;
    }

    static CommandLine commandLine(Context context) {
        CommandLine cmd = new CommandLine(new PgPulseCli(context));
        cmd.addSubcommand(new ConsoleCommand(context));
        cmd.addSubcommand(new ConfigCommand(context));
        cmd.addSubcommand(new StatusCommand(context));
        cmd.addSubcommand(new LoadtestCommand(context));
        cmd.addSubcommand(new AgentCommand(context));
        cmd.addSubcommand(new BenchCommand(context));
        cmd.addSubcommand(new ValidateCommand(context));
        cmd.addSubcommand(new MigrateCommand(context));
        cmd.addSubcommand(new BackupCommand(context));
        cmd.addSubcommand(new BackupsCommand(context));
        cmd.addSubcommand(new RestoreCommand(context));
        cmd.setOut(context.out());
        cmd.setErr(context.err());
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("pgpulse: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return FAILED;
        });
        return cmd;
    }

    /** No command opens the console, on the embedded database when nothing is configured. */
    @Override
    public Integer call() {
        return new ConsoleCommand(context).call();
    }
}
