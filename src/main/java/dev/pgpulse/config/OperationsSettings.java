package dev.pgpulse.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where migrations come from and where backups go.
 *
 * @param migrationLocations Flyway locations ({@code classpath:db/migration}, {@code filesystem:/path}), in order
 * @param backupDir          the folder {@code pgpulse backup} writes to and {@code pgpulse backups} lists
 */
public record OperationsSettings(List<String> migrationLocations, Path backupDir) {
    public static final String DEFAULT_MIGRATIONS = "classpath:db/migration";

    public OperationsSettings {
        migrationLocations = List.copyOf(migrationLocations);
        Objects.requireNonNull(backupDir, "backupDir");
        if (migrationLocations.isEmpty()) {
            throw new IllegalArgumentException("at least one migration location");
        }
    }
}
