package dev.pgpulse.cli;

import dev.pgpulse.agent.AgentServer;
import dev.pgpulse.config.ConfigException;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.orchestration.Fleet;
import dev.pgpulse.orchestration.Orchestrator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code pgpulse agent}: the core headless, with /health, /metrics and /alerts over HTTP, until SIGTERM. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run headless and serve GET /health, /metrics (Prometheus) and /alerts until SIGTERM.")
final class AgentCommand implements Callable<Integer> {
    private final PgPulseCli.Context context;
    @Mixin
    TargetOptions target = new TargetOptions();

    @Option(names = "--port", required = true, paramLabel = "N", description = "TCP port (0: any free one, printed).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 exposes it to the network).")
    String bind;

    AgentCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (port < 0 || port > 65535) {
            context.err().println("pgpulse: agent: --port " + port + ": expected 0 to 65535");
            return PgPulseCli.USAGE;
        }
        try {
            AgentServer.localAddress(bind);
        } catch (IllegalArgumentException e) {
            context.err().println("pgpulse: agent: --bind " + bind + ": " + e.getMessage()
                    + "; expected an address of this machine, such as 127.0.0.1, ::1 or 0.0.0.0 (all interfaces)");
            return PgPulseCli.USAGE;
        }
        List<ConfigLoader.Cluster> clusters;
        try {
            clusters = context.loader().loadClusters(target.toOverrides());
        } catch (ConfigException e) {
            return Problems.report(context.err(), e);
        }
        // a warning shared by every cluster (a misspelt PGPULSE_ variable) is printed once
        clusters.stream().flatMap(c -> c.config().warnings().stream()).distinct()
                .forEach(w -> context.err().println("pgpulse: warning: " + w));
        // bound before the core starts: a port in use is found before connecting to any database
        AgentServer server;
        try {
            server = AgentServer.bind(bind, port);
        } catch (IOException | RuntimeException e) {
            context.err().println("pgpulse: agent: cannot listen on " + bind + ":" + port + ": " + e.getMessage());
            return PgPulseCli.FAILED;
        }
        Fleet orchestrator;
        try {
            if (clusters.size() == 1) {
                PgPulseConfig config = clusters.getFirst().config();
                orchestrator = Fleet.of(clusters.getFirst().name(), Core.start(context, config, config.isEmbedded()));
            } else {
                orchestrator = Fleet.start(clusters, c -> Orchestrator.Options.defaults(context.loader().home(), c));
            }
        } catch (Core.Failed f) {
            server.close();
            return f.code;
        } catch (Exception e) {
            server.close();
            context.err().println("pgpulse: agent: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
        server.serve(orchestrator);
        context.out().println("pgpulse agent listening on " + AgentServer.url(bind, server.port())
                + (orchestrator.labelled() ? " for " + clusters.size() + " clusters (" + String.join(", ",
                orchestrator.names()) + "; GET /health, /health/<cluster>, /metrics, /alerts)"
                : " (GET /health, /metrics, /alerts)") + "; stop with SIGTERM or Ctrl-C");
        context.out().flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().name("pgpulse-agent-shutdown").unstarted(() -> {
            server.close();
            orchestrator.close();
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
            orchestrator.close();
        }
        return PgPulseCli.OK;
    }
}
