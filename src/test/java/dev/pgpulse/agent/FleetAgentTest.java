package dev.pgpulse.agent;

import dev.pgpulse.config.ConfigException;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Fleet;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Two clusters named in one profile (two databases of the test server stand in for two clusters): one agent serves
 * both, every series of /metrics carries its {@code cluster} label, /health/{cluster} answers for one, /health for
 * all, and promtool accepts the merged exposition.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(180)
class FleetAgentTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path home;

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Path profiles(String body) throws Exception {
        Path f = home.resolve("profiles.json");
        Files.writeString(f, body);
        return f;
    }

    private List<ConfigLoader.Cluster> clusters(Path file) throws ConfigException {
        return new ConfigLoader(Map.of(), home, "tester", 2).loadClusters(new Overrides(file, "fleet", null, List.of(),
                null, Map.of(), null, false));
    }

    @Test
    void oneAgentServesTwoClustersWithAClusterLabelOnEverySeries(TestDatabase db) throws Exception {
        TestDatabase west = db.freshDatabase("fleet_west");
        try {
            Path file = profiles("""
                    { "version": 1, "profiles": { "fleet": {
                        "environment": "staging",
                        "pool": { "max_size": 3 },
                        "clusters": {
                          "east": { "primary": { "url": "%s" } },
                          "west": { "primary": { "url": "%s" }, "environment": "production" } } } } }
                    """.formatted(db.url(), west.url()));
            List<ConfigLoader.Cluster> clusters = clusters(file);
            assertThat(clusters).extracting(ConfigLoader.Cluster::name).containsExactly("east", "west");
            assertThat(clusters.get(0).config().environment().label()).isEqualTo("staging");
            assertThat(clusters.get(1).config().environment().label()).isEqualTo("production");
            assertThat(clusters.get(1).config().primary().orElseThrow().database()).isEqualTo("fleet_west");
            assertThat(clusters.get(0).config().primary().orElseThrow().pool().maxPoolSize()).isEqualTo(3);

            try (Fleet fleet = Fleet.start(clusters, c -> new Orchestrator.Options(Duration.ofMillis(300), null,
                    false));
                 AgentServer agent = AgentServer.bind("127.0.0.1", 0)) {
                agent.serve(fleet);
                await().atMost(Duration.ofSeconds(30)).until(() -> get(agent.port(), "/health").statusCode() == 200);
                assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
                        .as("one scheduler for the fleet, none of a cluster's own").anyMatch(n -> n.startsWith("pgpulse-fleet-"))
                        .noneMatch(n -> n.equals("pgpulse-scheduler"));

                String health = get(agent.port(), "/health").body();
                assertThat(health).contains("\"status\":\"UP\"", "\"east\":", "\"west\":");
                HttpResponse<String> east = get(agent.port(), "/health/east");
                assertThat(east.statusCode()).isEqualTo(200);
                assertThat(east.body()).contains("\"target\":").contains(db.database());
                HttpResponse<String> none = get(agent.port(), "/health/north");
                assertThat(none.statusCode()).isEqualTo(404);
                assertThat(none.body()).isEqualTo("no cluster 'north'; clusters: east, west\n");

                await().atMost(Duration.ofSeconds(30)).until(() -> get(agent.port(), "/metrics").body()
                        .contains("pg_stat_database_xact_commit_total{cluster=\"west\""));
                String text = get(agent.port(), "/metrics").body();
                List<String> series = text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
                assertThat(series).isNotEmpty().allSatisfy(l -> assertThat(l).containsPattern("cluster=\"(east|west)\""));
                Set<String> families = text.lines().filter(l -> l.startsWith("# TYPE ")).collect(Collectors.toSet());
                assertThat(text.lines().filter(l -> l.startsWith("# TYPE ")).count()).as("each family once")
                        .isEqualTo(families.size());
                assertThat(text).containsPattern("(?m)^pgpulse_endpoint_status\\{cluster=\"east\",endpoint=\"primary\"} 0")
                        .containsPattern("(?m)^pgpulse_endpoint_status\\{cluster=\"west\",endpoint=\"primary\"} 0")
                        .containsPattern("(?m)^hikaricp_connections_max\\{cluster=\"west\",pool=\"primary\"} 3");
                MetricsExportTest.promtoolAccepts(text);

                assertThat(get(agent.port(), "/alerts").body()).startsWith("{\"clusters\":{\"east\":");
            }
        } finally {
            db.dropDatabase("fleet_west");
        }
    }

    @Test
    void aBadClusterIsOneLineNamingIt(TestDatabase db) throws Exception {
        Path file = profiles("""
                { "version": 1, "profiles": { "fleet": {
                    "primary": { "url": "%s" },
                    "clusters": { "East Coast": { "primary": { "url": "%s" } } } } } }
                """.formatted(db.url(), db.url()));
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> clusters(file));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("[fleet] clusters",
                "move \"primary\" and \"replicas\" into the clusters"));

        Path named = profiles("""
                { "version": 1, "profiles": { "fleet": {
                    "clusters": { "East Coast": { "primary": { "url": "%s" } },
                                  "west": { "primary": { "url": "postgresql://h:99999/x" } } } } } }
                """.formatted(db.url()));
        ConfigException bad = catchThrowableOfType(ConfigException.class, () -> clusters(named));
        assertThat(bad.problems()).anySatisfy(p -> assertThat(p).contains("cluster name 'East Coast' must be"));
        assertThat(bad.problems()).anySatisfy(p -> assertThat(p).contains("clusters.west.primary.url"));
    }

    @Test
    void theEnvironmentFillsWhatAClustersUrlLeavesOutButNeverNamesItsServers(TestDatabase db) throws Exception {
        Path file = profiles("""
                { "version": 1, "profiles": { "fleet": { "clusters": {
                    "east": { "primary": { "url": "postgresql://app@db-east1:5433/eastdb" },
                              "replicas": [ "postgresql://app@db-east2:5433/eastdb" ] },
                    "west": { "primary": { "url": "postgresql://db-west1/westdb" } } } } } }
                """);
        List<ConfigLoader.Cluster> clusters = new ConfigLoader(Map.of("DATABASE_READ_URLS",
                "postgresql://other-replica/otherdb", "PGPORT", "5999", "PGUSER", "envuser", "PGDATABASE", "envdb"),
                home, "tester", 2).loadClusters(new Overrides(file, "fleet", null, List.of(), null, Map.of(), null, false));
        var east = clusters.get(0).config();
        var west = clusters.get(1).config();
        assertThat(east.primary().orElseThrow().displayTarget()).isEqualTo("app@db-east1:5433/eastdb");
        assertThat(east.replicas()).extracting(r -> r.displayTarget()).containsExactly("app@db-east2:5433/eastdb");
        assertThat(west.replicas()).as("another cluster's or the environment's replicas are not west's").isEmpty();
        assertThat(west.warnings()).contains("DATABASE_READ_URLS is not used: profile 'fleet' names each cluster's replicas");
        assertThat(west.primary().orElseThrow().displayTarget()).as("what west's URL leaves out, as libpq fills it")
                .isEqualTo("envuser@db-west1:5999/westdb");
    }

    @Test
    void aCommandForOneServerRefusesAProfileOfClustersAndTwoClustersOfOneNameAreAnError(TestDatabase db)
            throws Exception {
        Path file = profiles("""
                { "version": 1, "profiles": { "fleet": { "clusters": {
                    "east": { "primary": { "url": "%s" } }, "west": { "primary": { "url": "%s" } } } } } }
                """.formatted(db.url(), db.url()));
        ConfigException one = catchThrowableOfType(ConfigException.class, () -> new ConfigLoader(Map.of(), home,
                "tester", 2).load(new Overrides(file, "fleet", null, List.of(), null, Map.of(), null, false)));
        assertThat(one.problems()).singleElement().asString().contains("profile 'fleet' names clusters (east, west)",
                "give one server with --url");

        Path twice = profiles("""
                { "version": 1, "profiles": { "fleet": { "clusters": {
                    "east": { "primary": { "url": "%s" } }, "east": { "primary": { "url": "%s" } } } } } }
                """.formatted(db.url(), db.url()));
        ConfigException dup = catchThrowableOfType(ConfigException.class, () -> clusters(twice));
        assertThat(dup.problems()).singleElement().asString().contains("is not valid JSON", "Duplicate field 'east'");
    }
}
