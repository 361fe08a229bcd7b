package dev.pgpulse.cli;

import dev.pgpulse.agent.AgentServer;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Durations;
import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.embedded.EmbeddedStartException;
import dev.pgpulse.orchestration.Fleet;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.pool.EndpointStartupException;
import dev.pgpulse.pool.Endpoints;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code pgpulse bench fleet}: what one agent costs watching many clusters. N databases on one server
 * ({@code fleet_1..N}, on the embedded default when nothing is configured) stand in for N clusters; a {@link Fleet}
 * watches them behind a real {@link AgentServer} whose merged /metrics is scraped as Prometheus would, and
 * {@link FleetBench} measures this JVM's CPU (PostgreSQL's processes are not counted), heap after a forced GC,
 * threads and the size of a scrape. {@link FleetBenchReport} prints them against the issue's target.
 */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {"Measure the agent watching many clusters: N databases (fleet_1..N) on the configured server, "
                + "or on the embedded default, each a cluster of one Fleet behind a real agent on 127.0.0.1 whose "
                + "/metrics is scraped during the run; prints this JVM's CPU over wall time (PostgreSQL's processes "
                + "not counted), CPU per cluster and per round, heap after a forced GC at start and end, live "
                + "threads and the bytes of a scrape, against the target (at most 10 % of one core for 20 clusters "
                + "at a 10 s interval: 0.5 % per cluster; heap bounded).",
                "Databases it creates are dropped at the end; fleet_N databases that already existed are used and kept.",
                "Exit codes: 0 it ran (target PASS or MISSED), 1 it could not run, 2 bad usage."})
final class BenchFleetCommand implements Callable<Integer> {
    static final int MAX_CLUSTERS = 200;
    static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    static final Duration MAX_INTERVAL = Duration.ofMinutes(10);
    static final Duration MAX_DURATION = Duration.ofHours(2);
    static final String DATABASE_PREFIX = "fleet_";

    private final PgPulseCli.Context context;

    @Option(names = "--clusters", paramLabel = "N", defaultValue = "20",
            description = "Clusters to watch, each a database fleet_1..N (default: ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--interval", paramLabel = "D", defaultValue = "10s",
            description = "Health interval of every cluster (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--duration", paramLabel = "D", defaultValue = "3m",
            description = "Measured time, after a warm-up of " + FleetBench.WARMUP_ROUNDS
                    + " health rounds (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--scrape-every", paramLabel = "D", defaultValue = "15s",
            description = "How often the merged /metrics is scraped through the agent, as Prometheus would; 0: never "
                    + "(default: ${DEFAULT-VALUE}).")
    String scrapeEvery;

    @Mixin
    TargetOptions target = new TargetOptions();

    BenchFleetCommand(PgPulseCli.Context context) {
        this.context = context;
    }

    /** What was asked, checked. */
    record Settings(int clusters, Duration interval, Duration duration, Duration scrapeEvery) {
    }

    /** Every bad option, one line each. */
    List<String> validate() {
        List<String> bad = new ArrayList<>();
        if (clusters < 1 || clusters > MAX_CLUSTERS) {
            bad.add("--clusters " + clusters + ": expected a whole number from 1 to " + MAX_CLUSTERS);
        }
        duration("--interval", interval, MIN_INTERVAL, MAX_INTERVAL, false, bad);
        duration("--duration", duration, Duration.ofSeconds(1), MAX_DURATION, false, bad);
        duration("--scrape-every", scrapeEvery, Duration.ofMillis(100), MAX_INTERVAL, true, bad);
        return bad;
    }

    private static void duration(String option, String raw, Duration min, Duration max, boolean zero, List<String> bad) {
        Optional<Duration> d = Durations.parse(raw);
        String range = "from " + Durations.format(min) + " to " + Durations.format(max) + (zero ? ", or 0 for none" : "");
        if (d.isEmpty()) {
            bad.add(option + " '" + raw + "' " + Durations.problem(raw, Durations.EXPECTED + ", " + range));
        } else if (!(zero && d.get().isZero()) && (d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0)) {
            bad.add(option + " " + raw + ": expected " + range);
        }
    }

    @Override
    public Integer call() {
        List<String> bad = validate();
        if (!bad.isEmpty()) {
            bad.forEach(b -> context.err().println("pgpulse: bench fleet: " + b));
            return PgPulseCli.USAGE;
        }
        Settings settings = new Settings(clusters, Durations.parse(interval).orElseThrow(),
                Durations.parse(duration).orElseThrow(), Durations.parse(scrapeEvery).orElseThrow());
        var loaded = Problems.load(context, target.toOverrides(), true);
        if (loaded.isEmpty()) {
            return PgPulseCli.USAGE;
        }
        PgPulseConfig config = loaded.get();
        EmbeddedServer server = null;
        List<String> created = List.of();
        EndpointConfig admin = null;
        try {
            if (config.isEmbedded()) {
                var e = config.embedded().orElseThrow();
                server = EmbeddedServer.start(e);
                config = config.withEmbeddedPrimary(server.endpoint(e));
            }
            admin = config.primary().orElseThrow();
            String where = server != null ? "embedded PostgreSQL at " + server.url()
                    : "configured server " + admin.user() + "@" + admin.host() + ":" + admin.port();
            // the heap and threads of this JVM before any cluster: what the fleet adds is measured against it
            FleetBench.Baseline baseline = FleetBench.baseline();
            created = createDatabases(config, settings.clusters());
            List<ConfigLoader.Cluster> fleetClusters = clusters(config, settings.clusters());
            return run(settings, fleetClusters, where, created.size(), baseline);
        } catch (EmbeddedStartException | EndpointStartupException e) {
            context.err().println("pgpulse: " + e.getMessage());
            return PgPulseCli.FAILED;
        } catch (SQLException e) {
            context.err().println("pgpulse: bench fleet: cannot create the databases " + DATABASE_PREFIX + "1.."
                    + settings.clusters() + ": " + e.getMessage());
            return PgPulseCli.FAILED;
        } finally {
            if (!created.isEmpty()) {
                dropDatabases(config, created);
            }
            if (server != null) {
                server.close();
            }
        }
    }

    private int run(Settings settings, List<ConfigLoader.Cluster> fleetClusters, String where, int created,
                    FleetBench.Baseline baseline) {
        AgentServer agent;
        try {
            agent = AgentServer.bind("127.0.0.1", 0);
        } catch (IOException | RuntimeException e) {
            context.err().println("pgpulse: bench fleet: cannot listen on 127.0.0.1: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
        Fleet fleet;
        try {
            fleet = Fleet.start(fleetClusters, c -> new Orchestrator.Options(settings.interval(), null, false, false));
        } catch (Exception e) {
            agent.close();
            context.err().println("pgpulse: bench fleet: the fleet did not start: " + e.getMessage());
            return PgPulseCli.FAILED;
        }
        try (agent; fleet) {
            agent.serve(fleet);
            FleetBenchReport report = new FleetBenchReport(context.out());
            report.header(settings, where, created, AgentServer.url("127.0.0.1", agent.port()));
            FleetBench.Measured m = new FleetBench(settings, fleet, agent.port(), baseline).run();
            report.figures(settings, m);
            return PgPulseCli.OK;
        } catch (FleetBench.BenchFailure e) {
            context.err().println("pgpulse: bench fleet: " + e.getMessage());
            return PgPulseCli.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            context.err().println("pgpulse: bench fleet: interrupted");
            return PgPulseCli.FAILED;
        }
    }

    /** {@code fleet_1..n}: those missing are created; returns the names of those this run created. */
    private List<String> createDatabases(PgPulseConfig config, int n) throws EndpointStartupException, SQLException {
        List<String> created = new ArrayList<>();
        try (Endpoints admin = Endpoints.open(primaryOnly(config, config.primary().orElseThrow()),
                new SimpleMeterRegistry());
             Connection c = admin.primary().connection();
             PreparedStatement exists = c.prepareStatement("select 1 from pg_database where datname = ?");
             Statement st = c.createStatement()) {
            for (int i = 1; i <= n; i++) {
                String name = DATABASE_PREFIX + i;
                exists.setString(1, name);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        continue;
                    }
                }
                st.execute("create database " + name);
                created.add(name);
            }
        }
        return created;
    }

    private void dropDatabases(PgPulseConfig config, List<String> names) {
        try (Endpoints admin = Endpoints.open(primaryOnly(config, config.primary().orElseThrow()),
                new SimpleMeterRegistry());
             Connection c = admin.primary().connection(); Statement st = c.createStatement()) {
            for (String name : names) {
                st.execute("drop database if exists " + name);
            }
        } catch (EndpointStartupException | SQLException | RuntimeException e) {
            context.err().println("pgpulse: bench fleet: could not drop the databases it created (" + String.join(", ",
                    names) + "): " + e.getMessage());
        }
    }

    /** One cluster per database: the server's primary (and replicas, which hold every database) on fleet_i. */
    private static List<ConfigLoader.Cluster> clusters(PgPulseConfig config, int n) {
        List<ConfigLoader.Cluster> list = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            String db = DATABASE_PREFIX + i;
            EndpointConfig p = onDatabase(config.primary().orElseThrow(), db);
            List<EndpointConfig> replicas = config.replicas().stream().map(r -> onDatabase(r, db)).toList();
            list.add(new ConfigLoader.Cluster(DATABASE_PREFIX + i, new PgPulseConfig(config.environment(),
                    Optional.of(p), replicas, Optional.empty(), config.startupWait(), config.resilience(),
                    config.monitoring(), config.operations(), config.settings(), List.of(), config.profile(),
                    config.routing())));
        }
        return list;
    }

    /** The primary alone, as a configured target (the embedded server is already running). */
    private static PgPulseConfig primaryOnly(PgPulseConfig config, EndpointConfig primary) {
        return new PgPulseConfig(config.environment(), Optional.of(primary), List.of(), Optional.empty(),
                config.startupWait(), config.resilience(), config.monitoring(), config.operations(), config.settings(),
                List.of(), config.profile(), config.routing());
    }

    private static EndpointConfig onDatabase(EndpointConfig e, String database) {
        return new EndpointConfig(e.name(), e.role(), e.host(), e.port(), database, e.user(), e.password(), e.sslMode(),
                e.applicationName(), e.connectTimeout(), e.pool());
    }
}
