package dev.pgpulse.orchestration;

import dev.pgpulse.config.EndpointConfig;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.RepairResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Flyway against the primary: info (applied, pending, failed), migrate, validate, repair. Flyway connects on
 * its own (not through the application's pool), once per command. A database that already has tables but no
 * schema history is baselined at version 0 first, so the shipped migrations apply on top of what is there.
 */
public final class MigrationRunner {
    /** One migration as Flyway sees it. {@code installedOn} and {@code checksum} are null until applied. */
    public record Migration(String version, String description, String type, String state, Instant installedOn,
                            Integer checksum, boolean applied, boolean pending, boolean failed) {
    }

    /** Where the database stands: every migration, the current version, and the counts a DBA looks for. */
    public record Info(List<Migration> migrations, String currentVersion, int applied, int pending, int failed) {
        public Info {
            migrations = List.copyOf(migrations);
        }
    }

    /** What migrate did. */
    public record Migrated(int executed, String fromVersion, String toVersion, List<String> applied) {
        public Migrated {
            applied = List.copyOf(applied);
        }
    }

    /** Validate's verdict: clean, or one line per problem (checksum mismatch, pending, missing, failed). */
    public record Validation(boolean valid, List<String> problems) {
        public Validation {
            problems = List.copyOf(problems);
        }
    }

    private final EndpointConfig primary;
    private final List<String> locations;

    public MigrationRunner(EndpointConfig primary, List<String> locations) {
        this.primary = primary;
        this.locations = List.copyOf(locations);
    }

    private Flyway flyway() {
        String url = primary.jdbcUrl() + "?sslmode=" + primary.sslMode() + "&ApplicationName="
                + URLEncoder.encode("pgpulse migrate", StandardCharsets.UTF_8)
                + "&connectTimeout=" + Math.max(1, primary.connectTimeout().toSeconds());
        return Flyway.configure()
                .dataSource(url, primary.user(), primary.hasPassword() ? primary.password() : null)
                .locations(locations.toArray(String[]::new))
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription("existing schema, before PgPulse migrations")
                .validateMigrationNaming(true)
                .cleanDisabled(true)
                .connectRetries(0)
                .load();
    }

    public Info info() throws MigrationException {
        try {
            MigrationInfoService service = flyway().info();
            List<Migration> all = Arrays.stream(service.all()).map(MigrationRunner::migration).toList();
            MigrationInfo current = service.current();
            return new Info(all, current == null || current.getVersion() == null ? "none" : current.getVersion().getVersion(),
                    (int) all.stream().filter(Migration::applied).count(),
                    (int) all.stream().filter(Migration::pending).count(),
                    (int) all.stream().filter(Migration::failed).count());
        } catch (FlywayException e) {
            throw failure("info", e);
        }
    }

    public Migrated migrate() throws MigrationException {
        try {
            MigrateResult r = flyway().migrate();
            List<String> applied = r.migrations == null ? List.of()
                    : r.migrations.stream().map(m -> "V" + m.version + " " + m.description).toList();
            return new Migrated(r.migrationsExecuted, r.initialSchemaVersion == null ? "none" : r.initialSchemaVersion,
                    r.targetSchemaVersion == null ? (r.initialSchemaVersion == null ? "none" : r.initialSchemaVersion)
                            : r.targetSchemaVersion, applied);
        } catch (FlywayException e) {
            throw failure("migrate", e);
        }
    }

    /** Flyway's validate: applied migrations unchanged (checksums), none failed or missing, none pending. */
    public Validation validate() throws MigrationException {
        try {
            ValidateResult r = flyway().validateWithResult();
            if (r.validationSuccessful) {
                return new Validation(true, List.of());
            }
            List<String> problems = new ArrayList<>();
            for (ValidateOutput o : r.invalidMigrations) {
                String why = o.errorDetails == null ? "invalid" : oneLine(o.errorDetails.errorMessage);
                problems.add((o.version == null || o.version.isEmpty() ? "" : "V" + o.version + " ") + why);
            }
            if (problems.isEmpty() && r.errorDetails != null) {
                problems.add(oneLine(r.errorDetails.errorMessage));
            }
            return new Validation(false, problems);
        } catch (FlywayException e) {
            throw failure("validate", e);
        }
    }

    /** Flyway's repair: removes failed entries and realigns checksums with the migrations as they are now. */
    public List<String> repair() throws MigrationException {
        try {
            RepairResult r = flyway().repair();
            List<String> actions = new ArrayList<>();
            r.migrationsRemoved.forEach(m -> actions.add("removed failed V" + m.version + " " + m.description));
            r.migrationsDeleted.forEach(m -> actions.add("marked missing V" + m.version + " " + m.description + " deleted"));
            r.migrationsAligned.forEach(m -> actions.add("realigned checksum of V" + m.version + " " + m.description));
            return actions;
        } catch (FlywayException e) {
            throw failure("repair", e);
        }
    }

    public List<String> locations() {
        return locations;
    }

    private static Migration migration(MigrationInfo i) {
        MigrationState s = i.getState();
        return new Migration(i.getVersion() == null ? "" : i.getVersion().getVersion(), i.getDescription(),
                i.getType() == null ? "" : i.getType().name(), s.getDisplayName(),
                i.getInstalledOn() == null ? null : i.getInstalledOn().toInstant(), i.getChecksum(), s.isApplied(),
                s == MigrationState.PENDING, s.isFailed());
    }

    private MigrationException failure(String command, FlywayException e) {
        return new MigrationException("flyway " + command + " on " + primary.displayTarget() + " failed: "
                + oneLine(e.getMessage()), e);
    }

    /**
     * Flyway's messages run over several lines (a headline, then "SQL State", "Message", "Location" lines); a
     * DBA needs the headline, the server's message and the SQLSTATE, on one line.
     */
    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "(no message)";
        }
        List<String> lines = Arrays.stream(message.split("\\R")).map(String::strip)
                .filter(l -> !l.isEmpty() && !l.matches("-+")).toList();
        String headline = lines.getFirst();
        String serverMessage = null;
        String state = null;
        for (String l : lines) {
            String lower = l.toLowerCase(Locale.ROOT);
            if (lower.startsWith("message") && l.contains(":")) {
                serverMessage = l.substring(l.indexOf(':') + 1).strip();
            } else if (lower.startsWith("sql state") && l.contains(":")) {
                state = l.substring(l.indexOf(':') + 1).strip();
            }
        }
        StringBuilder out = new StringBuilder(headline);
        if (serverMessage != null && !headline.contains(serverMessage)) {
            out.append(": ").append(serverMessage);
        }
        if (state != null && !state.isEmpty()) {
            out.append(" (SQLSTATE ").append(state).append(')');
        }
        return out.toString();
    }
}
