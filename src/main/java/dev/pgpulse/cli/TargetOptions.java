package dev.pgpulse.cli;

import dev.pgpulse.config.Overrides;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The options every command that connects shares: the top layer of the configuration. */
final class TargetOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "Profile file (default: ~/.config/pgpulse/profiles.json, or PGPULSE_CONFIG).")
    Path configFile;

    @Option(names = "--profile", paramLabel = "NAME", description = "Profile in the file (default: its \"default\", or PGPULSE_PROFILE).")
    String profile;

    @Option(names = "--url", paramLabel = "URL", description = "Primary server: postgresql://user@host:5432/db or jdbc:postgresql://... (default: DATABASE_URL, PG* variables).")
    String url;

    @Option(names = "--replica", paramLabel = "URL", description = "A read replica; repeat for more (default: DATABASE_READ_URLS).")
    List<String> replicas = new ArrayList<>();

    @Option(names = "--env", paramLabel = "ENV", description = "development | staging | production (default: PGPULSE_ENV, else development).")
    String environment;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any setting, e.g. --set pool.max_size=20 --set replica-1.pool.min_idle=0.")
    Map<String, String> settings = new LinkedHashMap<>();

    Overrides toOverrides() {
        return new Overrides(configFile, profile, url, replicas, environment, settings);
    }
}
