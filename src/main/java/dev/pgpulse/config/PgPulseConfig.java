package dev.pgpulse.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one resolved configuration: either a configured primary server (with zero or more replicas), or the
 * embedded default ({@code embedded} present), whose {@code primary} is known once the server runs.
 *
 * @param settings every resolved value with its source, passwords masked, for {@code pgpulse config}
 * @param warnings soft problems that were corrected (HikariCP style: warn and clamp)
 * @param profile  the profile of the profile file this was read from, if one was read
 */
public record PgPulseConfig(
        Environment environment,
        Optional<EndpointConfig> primary,
        List<EndpointConfig> replicas,
        Optional<EmbeddedConfig> embedded,
        Duration startupWait,
        ResilienceSettings resilience,
        MonitoringSettings monitoring,
        OperationsSettings operations,
        List<Setting> settings,
        List<String> warnings,
        Optional<String> profile,
        RoutingSettings routing) {

    public PgPulseConfig {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(startupWait, "startupWait");
        Objects.requireNonNull(resilience, "resilience");
        Objects.requireNonNull(monitoring, "monitoring");
        replicas = List.copyOf(replicas);
        settings = List.copyOf(settings);
        warnings = List.copyOf(warnings);
        if (primary.isEmpty() && embedded.isEmpty()) {
            throw new IllegalArgumentException("either a primary or the embedded default must be configured");
        }
        if (embedded.isPresent() && !replicas.isEmpty()) {
            throw new IllegalArgumentException("replicas need a configured primary");
        }
    }

    /** Read from no profile. */
    public PgPulseConfig(Environment environment, Optional<EndpointConfig> primary, List<EndpointConfig> replicas,
                         Optional<EmbeddedConfig> embedded, Duration startupWait, ResilienceSettings resilience,
                         MonitoringSettings monitoring, OperationsSettings operations, List<Setting> settings,
                         List<String> warnings) {
        this(environment, primary, replicas, embedded, startupWait, resilience, monitoring, operations, settings,
                warnings, Optional.empty(), RoutingSettings.defaults());
    }

    public boolean isEmbedded() {
        return embedded.isPresent();
    }

    /** This configuration with other warnings. */
    public PgPulseConfig withWarnings(List<String> newWarnings) {
        return new PgPulseConfig(environment, primary, replicas, embedded, startupWait, resilience, monitoring,
                operations, settings, newWarnings, profile, routing);
    }

    /**
     * The configuration once the embedded server runs: its primary is now known.
     */
    public PgPulseConfig withEmbeddedPrimary(EndpointConfig running) {
        if (!isEmbedded()) {
            throw new IllegalStateException("not an embedded configuration");
        }
        return new PgPulseConfig(environment, Optional.of(running), List.of(), embedded, startupWait,
                resilience, monitoring, operations, settings, warnings, profile, routing);
    }

    /** Primary first, then replicas in order. Empty while the embedded server has not started. */
    public List<EndpointConfig> endpoints() {
        if (primary.isEmpty()) {
            return List.of();
        }
        var all = new java.util.ArrayList<EndpointConfig>(1 + replicas.size());
        all.add(primary.get());
        all.addAll(replicas);
        return List.copyOf(all);
    }
}
