package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Redact;
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
    private static final java.util.regex.Pattern KEY_VALUE_ECHO = java.util.regex.Pattern.compile(
            "should be in KEY=VALUE format but was .*", java.util.regex.Pattern.DOTALL);

    /** What the commands need from the outside world, injectable so tests run them in-process. */
    public record Context(ConfigLoader loader, PrintWriter out, PrintWriter err, java.io.InputStream in) {
        /** No standard input (tests, and commands that read none). */
        public Context(ConfigLoader loader, PrintWriter out, PrintWriter err) {
            this(loader, out, err, java.io.InputStream.nullInputStream());
        }

        public static Context forThisProcess() {
            return new Context(ConfigLoader.forThisProcess(),
                    new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                    new PrintWriter(System.err, true, StandardCharsets.UTF_8), System.in);
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
        cmd.addSubcommand(new CommandLine(new BenchCommand(context))
                .addSubcommand(new BenchFleetCommand(context)));
        cmd.addSubcommand(new ValidateCommand(context));
        cmd.addSubcommand(new MigrateCommand(context));
        cmd.addSubcommand(new BackupCommand(context));
        cmd.addSubcommand(new BackupsCommand(context));
        cmd.addSubcommand(new RestoreCommand(context));
        cmd.addSubcommand(new QueryCommand(context));
        cmd.addSubcommand(new CommandLine(new AlertsCommand(context))
                .addSubcommand(new AlertsCommand.Export(context)));
        cmd.addSubcommand(new CommandLine(new ProfilesCommand(context))
                .addSubcommand(new ProfilesCommand.ListProfiles(context))
                .addSubcommand(new ProfilesCommand.TestProfiles(context)));
        cmd.setOut(context.out());
        cmd.setErr(context.err());
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("pgpulse: " + Redact.urlsIn(e.getMessage() == null ? e.toString() : e.getMessage()));
            return FAILED;
        });
        // The one problem and where help is, not the 20-36 lines of usage; an echoed argument may be a URL with
        // a password in it.
        cmd.setParameterExceptionHandler((e, args) -> {
            CommandLine line = e.getCommandLine();
            // picocli echoes a --set that is not KEY=VALUE whole: "primary.password:hunter2".
            String message = KEY_VALUE_ECHO.matcher(Redact.urlsIn(e.getMessage()))
                    .replaceAll("should be in KEY=VALUE format, such as pool.max_size=8 (what was given is not shown: "
                            + "it may hold a password)");
            line.getErr().println("pgpulse: " + message + "; see `"
                    + line.getCommandSpec().qualifiedName() + " --help`");
            return USAGE;
        });
        // Integer.parseInt reads any script's digits ("٣" is 3): a number on the command line is ASCII 0-9 only.
        CommandLine.ITypeConverter<Integer> asciiInt = t -> Math.toIntExact(asciiWhole(t, Integer.MIN_VALUE, Integer.MAX_VALUE));
        CommandLine.ITypeConverter<Long> asciiLong = t -> asciiWhole(t, Long.MIN_VALUE, Long.MAX_VALUE);
        cmd.registerConverter(Integer.class, asciiInt);
        cmd.registerConverter(Integer.TYPE, asciiInt);
        cmd.registerConverter(Long.class, asciiLong);
        cmd.registerConverter(Long.TYPE, asciiLong);
        return cmd;
    }

    static long asciiWhole(String text, long min, long max) {
        if (!text.matches("-?[0-9]{1,19}")) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a whole number (digits 0-9)");
        }
        try {
            long n = Long.parseLong(text);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is too large");
        }
    }

    /** No command opens the console, on the embedded database when nothing is configured. */
    @Override
    public Integer call() {
        return new ConsoleCommand(context).call();
    }
}
