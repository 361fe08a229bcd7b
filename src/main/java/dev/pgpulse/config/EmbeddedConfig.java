package dev.pgpulse.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The embedded default: no database was configured, so PgPulse runs a real PostgreSQL from a Maven
 * artifact with its data kept in {@code dataDir} between runs. {@code pool} sizes the primary's pool.
 */
public record EmbeddedConfig(Path dataDir, PoolSizing pool, String applicationName) {
    public EmbeddedConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(applicationName, "applicationName");
    }
}
