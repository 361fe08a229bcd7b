package dev.pgpulse.orchestration;

import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.OperationsSettings;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Flyway against the primary: info (applied, pending, failed), migrate, validate, repair. Flyway connects on
 * its own (not through the application's pool), once per command, and keeps its history in PgPulse's own
 * table ({@code pgpulse_schema_history} unless configured). A database that already has tables but no history is
 * refused unless baselining is on (then recorded as version 0 first); a location that does not exist fails.
 *
 * <p>Info and validate only read, and run every few seconds from the console's checklist: their connection has a
 * read bound ({@link #DEFAULT_READ_TIMEOUT}: a socket timeout, and the same statement_timeout on the server), so a
 * network that drops mid-read fails them within it. Migrate and repair have none: a migration's DDL may rightly run
 * long.
 */
public final class MigrationRunner {
    /** How long info or validate may wait for the server, per read and per statement. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);

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

    /**
     * Validate's verdict: clean, or one line per problem (checksum mismatch, missing, failed), with the
     * migrations that are merely pending counted apart, since a DBA fixes those with {@code pgpulse migrate}.
     */
    public record Validation(boolean valid, List<String> pending, List<String> problems) {
        public Validation {
            pending = List.copyOf(pending);
            problems = List.copyOf(problems);
        }
    }

    private final EndpointConfig primary;
    private final List<String> locations;
    private final String table;
    private final boolean baselineOnMigrate;
    private final Duration readTimeout;

    public MigrationRunner(EndpointConfig primary, OperationsSettings operations) {
        this(primary, operations.migrationLocations(), operations.migrationTable(), operations.baselineOnMigrate());
    }

    /**
     * @param table             the schema history table (PgPulse's own by default, never an application's by accident)
     * @param baselineOnMigrate record a database that has tables but no history as version 0 before migrating
     */
    public MigrationRunner(EndpointConfig primary, List<String> locations, String table, boolean baselineOnMigrate) {
        this(primary, locations, table, baselineOnMigrate, DEFAULT_READ_TIMEOUT);
    }

    /** @param readTimeout the bound of info and validate (see {@link #DEFAULT_READ_TIMEOUT}), at least a second */
    public MigrationRunner(EndpointConfig primary, List<String> locations, String table, boolean baselineOnMigrate,
                           Duration readTimeout) {
        if (locations.isEmpty()) {
            throw new IllegalArgumentException("no migration locations");
        }
        if (readTimeout == null || readTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("readTimeout must be at least 1 s, but was " + readTimeout);
        }
        this.readTimeout = readTimeout;
        this.primary = primary;
        this.locations = List.copyOf(locations);
        this.table = table;
        this.baselineOnMigrate = baselineOnMigrate;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    /**
     * Flyway for one command. {@code bounded} (info, validate): a socket timeout and the server's statement_timeout
     * of {@link #readTimeout}; else (migrate, repair) no read limit, since a migration's DDL may rightly run long (the
     * pools' statement_timeout does not apply to Flyway's own connection).
     */
    private Flyway flyway(boolean bounded) {
        // connect_timeout as libpq means it, the whole attempt: pgjdbc's connectTimeout bounds only the TCP connect,
        // loginTimeout the startup and TLS exchange a hung server never answers.
        long connect = Math.max(1, primary.connectTimeout().toSeconds());
        String url = primary.jdbcUrl() + (primary.jdbcUrl().indexOf('?') >= 0 ? "&" : "?") + "sslmode=" + primary.sslMode() + "&ApplicationName="
                + URLEncoder.encode("pgpulse migrate", StandardCharsets.UTF_8)
                + "&connectTimeout=" + connect + "&loginTimeout=" + (connect + 1);
        if (bounded) {
            // the server gives up first (a clear "statement timeout"), the socket a second later (a network gone)
            url += "&socketTimeout=" + (readTimeout.toSeconds() + 1) + "&options="
                    + URLEncoder.encode("-c statement_timeout=" + readTimeout.toMillis(), StandardCharsets.UTF_8)
                    .replace("+", "%20");
        }
        return Flyway.configure()
                .dataSource(url, primary.user(), primary.hasPassword() ? primary.password() : null)
                .locations(locations.toArray(String[]::new))
                .failOnMissingLocations(true)
                .table(table)
                .baselineOnMigrate(baselineOnMigrate)
                .baselineVersion("0")
                .baselineDescription("existing schema, before PgPulse migrations")
                .validateMigrationNaming(true)
                .cleanDisabled(true)
                .connectRetries(0)
                .load();
    }

    public Info info() throws MigrationException {
        try {
            MigrationInfoService service = flyway(true).info();
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
            MigrateResult r = flyway(false).migrate();
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
            ValidateResult r = flyway(true).validateWithResult();
            if (r.validationSuccessful) {
                return new Validation(true, List.of(), List.of());
            }
            List<String> pending = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (ValidateOutput o : r.invalidMigrations) {
                String name = (o.version == null || o.version.isEmpty() ? "" : "V" + o.version + " ") + o.description;
                if (o.errorDetails != null && o.errorDetails.errorCode == CoreErrorCode.RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED) {
                    pending.add(name.strip());
                } else {
                    problems.add((o.version == null || o.version.isEmpty() ? "" : "V" + o.version + " ")
                            + (o.errorDetails == null ? "invalid" : oneLine(o.errorDetails.errorMessage)));
                }
            }
            if (pending.isEmpty() && problems.isEmpty()) {
                problems.add(r.errorDetails == null ? "Flyway reports the schema history as not valid"
                        : oneLine(r.errorDetails.errorMessage));
            }
            return new Validation(false, pending, problems);
        } catch (FlywayException e) {
            throw failure("validate", e);
        }
    }

    /** Flyway's repair: removes failed entries and realigns checksums with the migrations as they are now. */
    public List<String> repair() throws MigrationException {
        try {
            RepairResult r = flyway(false).repair();
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
        String hint = e.getErrorCode() == CoreErrorCode.NON_EMPTY_SCHEMA_WITHOUT_SCHEMA_HISTORY_TABLE
                ? "; this database has tables but no " + table + ": set migrations.baseline_on_migrate=true to record "
                + "what is there as version 0 first" : "";
        return new MigrationException("flyway " + command + " on " + primary.displayTarget() + " failed: "
                + oneLine(e.getMessage()) + hint, e);
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
