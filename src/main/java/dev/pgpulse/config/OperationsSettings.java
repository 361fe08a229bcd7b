package dev.pgpulse.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where migrations come from, where their history is kept, and where backups go.
 *
 * @param migrationLocations Flyway locations ({@code classpath:db/migration}, {@code filesystem:/path}), in
 *                           order; empty when none are configured (the default for a database of yours: PgPulse
 *                           creates no table there unless told to)
 * @param migrationTable     the schema history table; PgPulse's own, so an application's Flyway history is
 *                           never read or repaired by mistake
 * @param baselineOnMigrate  whether a database with tables but no history is recorded as version 0 before
 *                           migrating (on for the embedded server, off by default elsewhere)
 * @param backupDir          the folder {@code pgpulse backup} writes to and {@code pgpulse backups} lists
 */
public record OperationsSettings(List<String> migrationLocations, String migrationTable, boolean baselineOnMigrate,
                                 Path backupDir) {
    /** PgPulse's demo schema ({@code bills}), applied by itself on the embedded server. */
    public static final String DEMO_MIGRATIONS = "classpath:db/migration";
    public static final String DEFAULT_TABLE = "pgpulse_schema_history";

    public OperationsSettings {
        migrationLocations = List.copyOf(migrationLocations);
        Objects.requireNonNull(migrationTable, "migrationTable");
        Objects.requireNonNull(backupDir, "backupDir");
    }

    public boolean migrationsConfigured() {
        return !migrationLocations.isEmpty();
    }
}
