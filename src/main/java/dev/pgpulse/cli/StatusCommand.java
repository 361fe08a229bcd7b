package dev.pgpulse.cli;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedState;
import dev.pgpulse.health.EndpointStatus;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.orchestration.Fleet;
import dev.pgpulse.orchestration.FleetOverview;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.orchestration.Snapshot;
import dev.pgpulse.pool.PoolSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pgpulse status}: starts the core (the embedded default when nothing is configured), waits for the
 * first health sample, and prints what the orchestrator's {@link Snapshot} says of every endpoint: server
 * version, recovery, probe round trip, health, and its pool.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Connect to every endpoint and print its server version, round-trip time, health and pool.")
final class StatusCommand implements Callable<Integer> {
    private static final Duration FIRST_SAMPLE_WAIT = Duration.ofSeconds(60);
    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();

    StatusCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        List<dev.pgpulse.config.ConfigLoader.Cluster> clusters;
        try {
            clusters = context.loader().loadClusters(target.toOverrides());
        } catch (dev.pgpulse.config.ConfigException e) {
            return Problems.report(context.err(), e);
        }
        if (clusters.size() > 1) {
            return fleet(clusters);
        }
        try {
            PgPulseConfig config = Core.config(context, target);
            try (Orchestrator o = Core.start(context, config, config.isEmbedded())) {
                Snapshot s = Core.firstSample(o, FIRST_SAMPLE_WAIT);
                if (s == null) {
                    context.err().println("pgpulse: status: no health sample within " + FIRST_SAMPLE_WAIT.toSeconds()
                            + " s");
                    return PgPulseCli.FAILED;
                }
                return print(o, s);
            }
        } catch (Core.Failed f) {
            return f.code;
        }
    }

    /** A profile with clusters: one line per cluster, after each has had its first health sample. */
    private int fleet(List<dev.pgpulse.config.ConfigLoader.Cluster> clusters) {
        clusters.stream().flatMap(c -> c.config().warnings().stream()).distinct()
                .forEach(w -> context.err().println("pgpulse: warning: " + w));
        try (Fleet f = Fleet.start(clusters, c -> {
            Orchestrator.Options d = Orchestrator.Options.defaults(context.loader().home(), c);
            return new Orchestrator.Options(d.healthInterval(), d.alertRulesFile(), false, false);
        })) {
            long deadline = System.nanoTime() + FIRST_SAMPLE_WAIT.toNanos();
            for (Orchestrator o : f.clusters().values()) {
                Core.firstSample(o, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
            TextTable t = new TextTable("CLUSTER", "HEALTH", "POOLS IN USE", "BREAKERS", "WORST LAG", "ALERTS", "TARGET")
                    .leftAligned();
            boolean allUp = true;
            for (FleetOverview.Line l : FleetOverview.of(f)) {
                t.row(l.cluster(), l.health(), l.poolsInUse() + " of " + l.poolsMax(),
                        l.breakers().isEmpty() ? "all closed" : String.join(", ", l.breakers()),
                        l.worstLagSeconds() == null ? "-" : String.format(Locale.ROOT, "%.1f s", l.worstLagSeconds()),
                        l.alertsFiring() == 0 ? "none" : l.alertsFiring() + " firing", l.target());
                allUp &= !l.health().equals("DOWN") && !l.health().equals("STARTING");
            }
            PrintWriter out = context.out();
            out.println("PgPulse status - " + clusters.size() + " clusters");
            t.print(out);
            out.flush();
            return allUp ? PgPulseCli.OK : PgPulseCli.FAILED;
        } catch (Exception e) {
            context.err().println("pgpulse: status: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
    }

    private int print(Orchestrator o, Snapshot s) {
        PrintWriter out = context.out();
        String mode = s.embedded() ? "embedded PostgreSQL at " + s.target() : "configured target";
        out.println("PgPulse status - " + s.environment().label() + ", " + mode);
        if (s.embeddedServer() != null) {
            out.println("embedded server: " + (s.embeddedServer().phase() == EmbeddedState.Phase.RUNNING
                    ? "running (pid " + s.embeddedServer().pid() + ")"
                    : "exited at " + s.embeddedServer().since() + " (pid " + s.embeddedServer().pid() + ")"));
        }
        out.println("health: " + s.health().status() + (s.health().reasons().isEmpty() ? ""
                : " - " + String.join("; ", s.health().reasons())));
        out.println();
        TextTable servers = new TextTable("ENDPOINT", "ROLE", "TARGET", "SERVER", "RECOVERY", "PROBE", "STATUS");
        for (EndpointConfig e : o.config().endpoints()) {
            EndpointStatus h = s.health().endpoint(e.name()).orElseThrow();
            var server = h.server();
            String status = h.status() == HealthStatus.UP ? "ok"
                    : h.status().name() + (h.reasons().isEmpty() ? "" : ": " + String.join("; ", h.reasons()));
            servers.row(e.name(), e.role().name().toLowerCase(Locale.ROOT), e.displayTarget(),
                    server == null ? "-" : server.serverVersion(),
                    server == null ? "-" : (server.inRecovery() ? "yes" : "no"),
                    h.reachable() ? ms(h.latencyMs()) : "-", status);
        }
        servers.print(out);
        for (EndpointConfig e : o.config().endpoints()) {
            // which of several listed hosts serves the endpoint (for the primary: takes its writes) is not in TARGET
            EndpointStatus h = s.health().endpoint(e.name()).orElseThrow();
            if (e.multiHost()) {
                out.println(e.name() + (e.role() == EndpointConfig.Role.PRIMARY ? " (writes)" : "") + " on "
                        + (h.servingHost() != null ? h.servingHost() : "(no host reached)") + ", of "
                        + String.join(", ", e.hosts().stream().map(Object::toString).toList()));
            }
        }
        out.println();
        TextTable pools = new TextTable("POOL", "ACTIVE", "IDLE", "TOTAL", "MAX", "MIN IDLE", "WAITING",
                "ACQUIRE MEAN", "ACQUIRE P95", "ACQUIRE MAX", "USAGE MEAN", "TIMEOUTS", "CREATED");
        for (PoolSnapshot p : s.service().pools()) {
            pools.row(p.endpoint(), p.active(), p.idle(), p.total(), p.max(), p.minIdle(), p.awaiting(),
                    ms(p.acquireMeanMs()), ms(p.acquireP95Ms()), ms(p.acquireMaxMs()), ms(p.usageMeanMs()),
                    p.timeouts(), p.created());
        }
        pools.print(out);
        boolean allReachable = s.health().endpoints().stream().allMatch(EndpointStatus::reachable);
        return allReachable ? PgPulseCli.OK : PgPulseCli.FAILED;
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f ms", v);
    }
}
