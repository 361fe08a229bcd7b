package dev.pgpulse.cli;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.config.Setting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code pgpulse config}: the resolved configuration, where each value came from, passwords masked. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print the resolved configuration and where each value came from (passwords masked).")
final class ConfigCommand implements Callable<Integer> {
    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();

    ConfigCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        var loaded = Problems.load(context, target.toOverrides(), false);
        if (loaded.isEmpty()) {
            return PgPulseCli.USAGE;
        }
        PgPulseConfig config = loaded.get();
        PrintWriter out = context.out();
        out.println("environment: " + config.environment().label());
        if (config.isEmbedded()) {
            out.println("target: embedded PostgreSQL 15 (none configured); `pgpulse status` would start it with data in "
                    + config.embedded().orElseThrow().dataDir());
        } else {
            for (EndpointConfig e : config.endpoints()) {
                out.println("target: " + e.name() + " " + e.displayTarget() + (e.role() == EndpointConfig.Role.REPLICA
                        ? " (reads)" : " (writes and reads)"));
            }
        }
        out.println();
        TextTable table = new TextTable("KEY", "VALUE", "SOURCE").leftAligned();
        for (Setting s : config.settings()) {
            table.row(s.key(), s.displayValue(), s.source());
        }
        table.print(out);
        Problems.warnings(context.err(), config);
        return PgPulseCli.OK;
    }
}
