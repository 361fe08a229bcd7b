package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigException;
import dev.pgpulse.config.Durations;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.config.ProfileSpec;
import dev.pgpulse.config.ProfileStore;
import dev.pgpulse.config.Redact;
import dev.pgpulse.pool.ConnectionTest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code pgpulse profiles list|test}: the profile file's connection profiles, as the console's profiles dialog has them. */
@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = {"The connection profiles of the profile file.",
                "  list         each profile's servers, environment and whether it is the default",
                "  test [NAME]  connect once to each server of a profile (every profile without NAME)"})
final class ProfilesCommand implements Callable<Integer> {
    private final PgPulseCli.Context context;

    ProfilesCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        context.err().println("pgpulse: profiles: say what to do, e.g. `pgpulse profiles list` or `pgpulse profiles "
                + "test NAME`; see `pgpulse profiles --help`");
        return PgPulseCli.USAGE;
    }

    /** {@code --config FILE}, shared by the subcommands. */
    static final class FileOption {
        @Option(names = "--config", paramLabel = "FILE",
                description = "Profile file (default: ~/.config/pgpulse/profiles.json, or PGPULSE_CONFIG).")
        Path config;

        /** The file the configuration reads: --config, else PGPULSE_CONFIG, else the default. */
        ProfileStore store(PgPulseCli.Context context) {
            return new ProfileStore(context.loader().profileFile(new Overrides(config, null, null, List.of(), null,
                    java.util.Map.of())));
        }
    }

    /** The listing, or null when the file has problems (printed; the caller exits 2). */
    private static ProfileStore.Listing listing(PgPulseCli.Context context, ProfileStore store, String command) {
        ProfileStore.Listing listing = store.load();
        listing.warnings().forEach(w -> context.err().println("pgpulse: warning: " + w));
        if (!listing.problems().isEmpty()) {
            listing.problems().forEach(p -> context.err().println("pgpulse: profiles " + command + ": " + p));
            return null;
        }
        return listing;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the profiles (URLs shown without "
            + "secrets). Exit 2 when the profile file cannot be read.")
    static final class ListProfiles implements Callable<Integer> {
        private final PgPulseCli.Context context;
        @Mixin
        FileOption file = new FileOption();

        ListProfiles(PgPulseCli.Context context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            ProfileStore store = file.store(context);
            ProfileStore.Listing listing = listing(context, store, "list");
            if (listing == null) {
                return PgPulseCli.USAGE;
            }
            if (listing.profiles().isEmpty()) {
                context.out().println("No profiles in " + store.file() + " (PgPulse runs on the embedded PostgreSQL "
                        + "or the environment's DATABASE_URL); add one in the console's Profiles dialog or see README, "
                        + "\"Configuration\"");
                return PgPulseCli.OK;
            }
            TextTable table = new TextTable("NAME", "DEFAULT", "ENVIRONMENT", "PRIMARY", "REPLICAS").leftAligned();
            for (ProfileSpec p : listing.profiles()) {
                table.row(p.name(), p.name().equals(listing.defaultName()) ? "yes" : "",
                        p.environment() == null ? "(default)" : p.environment().label(),
                        p.isEmbedded() ? "(embedded PostgreSQL)" : Redact.url(p.primaryUrl()),
                        String.join(", ", p.replicaUrls().stream().map(Redact::url).toList()));
            }
            context.out().println("Profiles in " + store.file() + ":");
            table.print(context.out());
            return PgPulseCli.OK;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true, description = {"Connect once to each server of the "
            + "profile (of every profile without NAME), bounded by its connect_timeout, and print the server's version "
            + "or the exact reason it failed.", "Exit 0 when every server answered, 1 when one did not, 2 for a bad "
            + "file or profile."})
    static final class TestProfiles implements Callable<Integer> {
        private final PgPulseCli.Context context;
        @Mixin
        FileOption file = new FileOption();
        @Parameters(arity = "0..1", paramLabel = "NAME", description = "The profile (default: every profile).")
        String name;

        TestProfiles(PgPulseCli.Context context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            ProfileStore store = file.store(context);
            ProfileStore.Listing listing = listing(context, store, "test");
            if (listing == null) {
                return PgPulseCli.USAGE;
            }
            List<String> names = name != null ? List.of(name) : listing.names();
            if (name != null && listing.find(name).isEmpty()) {
                context.err().println("pgpulse: profiles test: there is no profile '" + name + "' in " + store.file()
                        + (listing.profiles().isEmpty() ? "" : "; profiles there: " + String.join(", ", listing.names())));
                return PgPulseCli.USAGE;
            }
            if (names.isEmpty()) {
                context.err().println("pgpulse: profiles test: no profiles in " + store.file()
                        + "; add one in the console's Profiles dialog or see README, \"Configuration\"");
                return PgPulseCli.USAGE;
            }
            int code = PgPulseCli.OK;
            for (String n : names) {
                PgPulseConfig loaded;
                try {
                    loaded = context.loader().load(Overrides.forProfile(store.file(), n, null));
                } catch (ConfigException e) {
                    Problems.report(context.err(), e);
                    code = PgPulseCli.USAGE;
                    continue;
                }
                ConnectionTest.Result result = ConnectionTest.test(loaded);
                context.out().println(n + ": " + (result.ok() ? "" : "FAILED: ") + result.summary());
                if (!result.endpoints().isEmpty()) {
                    TextTable table = new TextTable("  ENDPOINT", "TARGET", "RESULT", "TIME").leftAligned();
                    for (ConnectionTest.EndpointResult e : result.endpoints()) {
                        table.row("  " + e.name(), e.displayTarget(), e.ok() ? "PostgreSQL " + e.serverVersion()
                                + (e.inRecovery() ? " (in recovery)" : " (primary)") : e.reason(),
                                Durations.forPeople(e.elapsed()));
                    }
                    table.print(context.out());
                }
                if (result.needsPassword()) {
                    context.out().println("  The server wants a password: set PGPASSWORD or add a ~/.pgpass line "
                            + "(host:port:database:user:password, mode 0600); the console asks for it at connect.");
                }
                if (!result.ok() && code == PgPulseCli.OK) {
                    code = PgPulseCli.FAILED;
                }
            }
            return code;
        }
    }
}
