package dev.pgpulse.cli;

import dev.pgpulse.config.ConfigException;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedStartException;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.pool.EndpointStartupException;
import dev.pgpulse.pool.PoolSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pgpulse status}: connects (starting the embedded default when nothing is configured), runs a query
 * through every pool, and prints each endpoint's server, round trip and pool snapshot.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Connect to every endpoint and print its server version, round-trip time and pool.")
final class StatusCommand implements Callable<Integer> {
    private static final int RTT_SAMPLES = 5;
    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();

    StatusCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    /** What one endpoint answered. */
    record Probe(String server, boolean inRecovery, double rttMs, String error) {
    }

    @Override
    public Integer call() {
        PgPulseConfig config;
        try {
            config = context.loader().load(target.toOverrides());
        } catch (ConfigException e) {
            return Problems.report(context.err(), e);
        }
        Problems.warnings(context.err(), config);
        try (Connected connected = Connected.open(config, new SimpleMeterRegistry())) {
            return print(connected);
        } catch (EmbeddedStartException | EndpointStartupException e) {
            context.err().println("pgpulse: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
    }

    private int print(Connected connected) {
        PrintWriter out = context.out();
        List<Endpoint> endpoints = connected.endpoints().all();
        List<Probe> probes = new ArrayList<>();
        for (Endpoint e : endpoints) {
            probes.add(probe(e));
        }
        String mode = connected.embedded() != null ? "embedded PostgreSQL at " + connected.embedded().url()
                : "configured target";
        out.println("PgPulse status - " + connected.config().environment().label() + ", " + mode);
        out.println();
        TextTable servers = new TextTable("ENDPOINT", "ROLE", "TARGET", "SERVER", "RECOVERY", "RTT", "STATUS");
        boolean allOk = true;
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            Probe p = probes.get(i);
            allOk &= p.error() == null;
            servers.row(e.name(), e.role().name().toLowerCase(Locale.ROOT), e.config().displayTarget(),
                    p.error() == null ? p.server() : "-",
                    p.error() == null ? (p.inRecovery() ? "yes" : "no") : "-",
                    p.error() == null ? ms(p.rttMs()) : "-",
                    p.error() == null ? "ok" : "FAILED: " + p.error());
        }
        servers.print(out);
        out.println();
        TextTable pools = new TextTable("POOL", "ACTIVE", "IDLE", "TOTAL", "MAX", "MIN IDLE", "WAITING",
                "ACQUIRE MEAN", "ACQUIRE P95", "ACQUIRE MAX", "USAGE MEAN", "TIMEOUTS", "CREATED");
        for (Endpoint e : endpoints) {
            PoolSnapshot s = e.snapshot();
            pools.row(s.endpoint(), s.active(), s.idle(), s.total(), s.max(), s.minIdle(), s.awaiting(),
                    ms(s.acquireMeanMs()), ms(s.acquireP95Ms()), ms(s.acquireMaxMs()), ms(s.usageMeanMs()),
                    s.timeouts(), s.created());
        }
        pools.print(out);
        return allOk ? PgPulseCli.OK : PgPulseCli.FAILED;
    }

    /** The server's version and role, then the median of a few {@code SELECT 1} round trips on one connection. */
    static Probe probe(Endpoint endpoint) {
        try (Connection c = endpoint.connection(); Statement st = c.createStatement()) {
            String version;
            boolean recovery;
            try (ResultSet rs = st.executeQuery("select split_part(current_setting('server_version'), ' ', 1), pg_is_in_recovery()")) {
                rs.next();
                version = rs.getString(1);
                recovery = rs.getBoolean(2);
            }
            double[] samples = new double[RTT_SAMPLES];
            for (int i = 0; i < RTT_SAMPLES; i++) {
                long t0 = System.nanoTime();
                try (ResultSet rs = st.executeQuery("select 1")) {
                    rs.next();
                }
                samples[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(samples);
            return new Probe(version, recovery, samples[RTT_SAMPLES / 2], null);
        } catch (SQLException e) {
            return new Probe(null, false, 0, e.getMessage() + " [" + e.getSQLState() + "]");
        }
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f ms", v);
    }
}
