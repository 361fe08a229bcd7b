package dev.pgpulse.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the raw layers into typed values, HikariCP style in three steps: reject values that cannot be
 * right (collected as problems), check cross-field rules, and warn-and-clamp soft values. The settings of
 * the whole process (environment, breaker and retry, monitoring, operations, the embedded default) are
 * here; each endpoint's connection and pool are {@link EndpointResolver}'s, and reading one value into a
 * type, with its source or its problem, is {@link SettingReader}'s.
 */
final class ConfigResolver {
    private static final Duration DEFAULT_STARTUP_WAIT = Duration.ofSeconds(30);

    private final List<Layer> layers;
    private final Map<String, String> env;
    private final Path home;
    private final String osUser;
    private final int cores;
    /** Asked for at connect, or null. */
    private final String askedPassword;
    private final List<String> problems;
    private final List<String> warnings;
    private final SettingReader values;

    ConfigResolver(List<Layer> layers, Map<String, String> env, Path home, String osUser, int cores,
                   String askedPassword, List<String> problems, List<String> warnings) {
        this.askedPassword = askedPassword;
        this.layers = layers;
        this.env = env;
        this.home = home;
        this.osUser = osUser;
        this.cores = cores;
        this.problems = problems;
        this.warnings = warnings;
        this.values = new SettingReader(layers, problems);
    }

    PgPulseConfig resolve() throws ConfigException {
        Environment environment = values.first(Keys.ENVIRONMENT).map(v -> {
            Optional<Environment> e = Environment.parse(v.raw());
            if (e.isEmpty()) {
                values.problem(Keys.ENVIRONMENT, v, "development, staging or production (or dev, prod)");
            }
            values.record(Keys.ENVIRONMENT, e.map(Environment::label).orElse(v.raw()), v.source());
            return e.orElse(Environment.DEVELOPMENT);
        }).orElseGet(() -> {
            values.record(Keys.ENVIRONMENT, Environment.DEVELOPMENT.label(), ConfigSource.defaults("no PGPULSE_ENV"));
            return Environment.DEVELOPMENT;
        });
        EndpointResolver endpoints = new EndpointResolver(values, layers, env, home, osUser,
                environment.label() + " preset", askedPassword, problems, warnings);
        PoolSizing preset = PoolSizing.preset(environment, cores);
        Duration startupWait = values.duration(Keys.STARTUP_WAIT, DEFAULT_STARTUP_WAIT, "PgPulse default", Duration.ZERO,
                Duration.ofHours(1));

        ResilienceSettings resilience = resilience();
        MonitoringSettings monitoring = monitoring();
        RoutingSettings routing = routing();
        OperationsSettings operations = operations(layers.stream().noneMatch(l -> l.namesPrimary));
        boolean configured = layers.stream().anyMatch(l -> l.namesPrimary);
        List<ConfigValue> replicaUrls = layers.stream().filter(l -> l.replicas != null).findFirst()
                .map(l -> l.replicas).orElse(List.of());

        Optional<EndpointConfig> primary = Optional.empty();
        Optional<EmbeddedConfig> embedded = Optional.empty();
        List<EndpointConfig> replicas = new ArrayList<>();
        if (!configured) {
            if (!replicaUrls.isEmpty()) {
                problems.add("replicas are configured (from " + replicaUrls.getFirst().source() + ") but no primary; "
                        + "set DATABASE_URL, PGHOST or --url for the primary");
            }
            Path dataDir = values.first(Keys.EMBEDDED_DATA_DIR).map(v -> {
                if (v.raw().isBlank()) {
                    values.problem(Keys.EMBEDDED_DATA_DIR, v, "a folder for the embedded server's data, not an empty value");
                }
                values.record(Keys.EMBEDDED_DATA_DIR, v.raw(), v.source());
                return Path.of(v.raw());
            }).orElseGet(() -> {
                Path d = defaultDataHome().resolve("pgpulse").resolve("embedded");
                values.record(Keys.EMBEDDED_DATA_DIR, d.toString(), ConfigSource.defaults("XDG data folder"));
                return d;
            });
            values.record(Keys.PRIMARY, "embedded PostgreSQL 15, started on demand, data kept in " + dataDir,
                    ConfigSource.defaults("no DATABASE_URL, PGHOST or profile"));
            String app = values.first("primary.application_name").map(ConfigValue::raw).orElse(EndpointResolver.DEFAULT_APPLICATION_NAME);
            embedded = Optional.of(new EmbeddedConfig(dataDir, endpoints.pool(Keys.PRIMARY, preset, environment), app));
        } else {
            Map<String, ConfigValue> given = new HashMap<>();
            for (String f : Keys.CONNECTION_FIELDS) {
                values.first("primary." + f).ifPresent(v -> given.put(f, v));
            }
            // only a URL sets it (DATABASE_URL, --url, a profile's url): it is not a key of its own
            values.first("primary." + ConnectionUri.TARGET_SESSION_ATTRS)
                    .ifPresent(v -> given.put(ConnectionUri.TARGET_SESSION_ATTRS, v));
            primary = Optional.of(endpoints.endpoint(Keys.PRIMARY, EndpointConfig.Role.PRIMARY, given, preset, environment));
            for (int i = 0; i < replicaUrls.size(); i++) {
                endpoints.replica(i, replicaUrls.get(i), preset, environment).ifPresent(replicas::add);
            }
        }
        endpoints.unconfiguredReplicas(replicaUrls.size());
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        // the profile names the target only when no layer above it names a primary (DATABASE_URL, PGHOST, --url win)
        Optional<String> profile = Optional.empty();
        for (Layer l : layers) {
            if (l.profileName != null) {
                profile = Optional.of(l.profileName);
                break;
            }
            if (l.namesPrimary) {
                break;
            }
        }
        return new PgPulseConfig(environment, primary, replicas, embedded, startupWait, resilience, monitoring,
                operations, values.settings(), warnings, profile, routing);
    }

    private OperationsSettings operations(boolean embedded) {
        String why = embedded ? "PgPulse default on the embedded server" : "PgPulse default";
        List<String> locations = values.first(Keys.MIGRATIONS_LOCATIONS).map(v -> {
            List<String> given = Arrays.stream(v.raw().split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
            List<String> bad = given.stream().filter(x -> !(x.startsWith("classpath:") && x.length() > 10)
                    && !(x.startsWith("filesystem:") && Files.isDirectory(Path.of(x.substring(11))))).toList();
            if (given.isEmpty() || !bad.isEmpty()) {
                problems.add(Keys.MIGRATIONS_LOCATIONS + " = '" + v.raw() + "' (from " + v.source() + "): "
                        + (bad.isEmpty() ? "no location given" : "'" + bad.getFirst() + "' is not a classpath: "
                        + "location or an existing filesystem: folder") + "; expected comma-separated Flyway "
                        + "locations such as " + OperationsSettings.DEMO_MIGRATIONS + " or filesystem:/srv/app/db/migration");
                return List.<String>of();
            }
            values.record(Keys.MIGRATIONS_LOCATIONS, String.join(",", given), v.source());
            return given;
        }).orElseGet(() -> {
            if (embedded) {
                values.record(Keys.MIGRATIONS_LOCATIONS, OperationsSettings.DEMO_MIGRATIONS + " (the demo schema)",
                        ConfigSource.defaults(why));
                return List.of(OperationsSettings.DEMO_MIGRATIONS);
            }
            values.record(Keys.MIGRATIONS_LOCATIONS, "(none: PgPulse creates no table in your database unless told)",
                    ConfigSource.defaults(why));
            return List.of();
        });
        String table = values.first(Keys.MIGRATIONS_TABLE).map(v -> {
            String t = v.raw().trim();
            if (!t.matches("[a-z_][a-z0-9_]{0,62}")) {
                problems.add(Keys.MIGRATIONS_TABLE + " = '" + v.raw() + "' (from " + v.source() + "): expected a "
                        + "lower-case table name such as " + OperationsSettings.DEFAULT_TABLE + " or flyway_schema_history");
            } else {
                values.record(Keys.MIGRATIONS_TABLE, t, v.source());
            }
            return t;
        }).orElseGet(() -> {
            values.record(Keys.MIGRATIONS_TABLE, OperationsSettings.DEFAULT_TABLE, ConfigSource.defaults("PgPulse default"));
            return OperationsSettings.DEFAULT_TABLE;
        });
        boolean baseline = values.first(Keys.MIGRATIONS_BASELINE).map(v -> {
            String b = v.raw().trim().toLowerCase(Locale.ROOT);
            if (!b.equals("true") && !b.equals("false")) {
                problems.add(Keys.MIGRATIONS_BASELINE + " = '" + v.raw() + "' (from " + v.source()
                        + "): expected true or false");
                return false;
            }
            values.record(Keys.MIGRATIONS_BASELINE, b, v.source());
            return b.equals("true");
        }).orElseGet(() -> {
            values.record(Keys.MIGRATIONS_BASELINE, Boolean.toString(embedded), ConfigSource.defaults(why));
            return embedded;
        });
        Path backupDir = values.first(Keys.BACKUP_DIR).map(v -> {
            String raw = v.raw().trim();
            if (raw.isEmpty()) {
                // Path.of("") is the current folder: backups would land wherever the command ran.
                values.problem(Keys.BACKUP_DIR, v, "a folder such as ~/backups/pgpulse, not an empty value");
                return home;
            }
            try {
                Path d = raw.equals("~") ? home : raw.startsWith("~/") ? home.resolve(raw.substring(2)) : Path.of(raw);
                values.record(Keys.BACKUP_DIR, d.toString(), v.source());
                return d;
            } catch (java.nio.file.InvalidPathException e) {
                problems.add(Keys.BACKUP_DIR + " = '" + v.raw() + "' (from " + v.source() + "): not a usable path ("
                        + e.getReason() + "); expected a folder such as ~/backups/pgpulse");
                return home;
            }
        }).orElseGet(() -> {
            Path d = defaultDataHome().resolve("pgpulse").resolve("backups");
            values.record(Keys.BACKUP_DIR, d.toString(), ConfigSource.defaults("XDG data folder"));
            return d;
        });
        return new OperationsSettings(locations, table, baseline, backupDir);
    }

    private MonitoringSettings monitoring() {
        String why = "PgPulse default";
        Duration interval = values.duration("health.interval", MonitoringSettings.DEFAULT_HEALTH_INTERVAL, why,
                Duration.ofMillis(100), Duration.ofHours(1));
        Optional<java.net.URI> webhook = values.first("alerts.webhook_url").flatMap(v -> {
            try {
                java.net.URI uri = new java.net.URI(v.raw().trim());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                    values.record("alerts.webhook_url", Redact.webhook(uri), v.source());
                    return Optional.of(uri);
                }
            } catch (java.net.URISyntaxException e) {
                // reported below
            }
            problems.add("alerts.webhook_url = '" + Redact.webhook(v.raw()) + "' (from " + v.source()
                    + "): expected an http:// or https:// URL such as https://hooks.example.com/pgpulse");
            return Optional.empty();
        });
        if (webhook.isEmpty() && values.first("alerts.webhook_url").isEmpty()) {
            values.record("alerts.webhook_url", "(none: alerts go to the log)", ConfigSource.defaults(why));
        }
        Duration timeout = values.duration("alerts.webhook_timeout", MonitoringSettings.DEFAULT_WEBHOOK_TIMEOUT, why,
                Duration.ofMillis(100), Duration.ofMinutes(1));
        return new MonitoringSettings(interval, webhook, timeout);
    }

    /** PostgreSQL's memory units, as postgresql.conf writes them (1kB = 1024 bytes). */
    private static final java.util.regex.Pattern BYTES = java.util.regex.Pattern.compile(
            "(?i)\\s*(\\d{1,15})\\s*(b|kb|mb|gb|tb)?\\s*");

    private RoutingSettings routing() {
        String why = "PgPulse default";
        Duration maxLag = values.duration(Keys.READS_MAX_LAG, RoutingSettings.DEFAULT_MAX_LAG, why, Duration.ZERO,
                Duration.ofDays(1));
        java.util.OptionalLong maxBytes = values.first(Keys.READS_MAX_LAG_BYTES).map(v -> {
            var m = BYTES.matcher(v.raw());
            if (!m.matches()) {
                values.problem(Keys.READS_MAX_LAG_BYTES, v, "a size such as 16MB, 512kB or 1048576 (bytes)");
                return java.util.OptionalLong.empty();
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
            int shift = switch (unit) {
                case "kb" -> 10;
                case "mb" -> 20;
                case "gb" -> 30;
                case "tb" -> 40;
                default -> 0;
            };
            if (n > (Long.MAX_VALUE >> shift)) {
                values.problem(Keys.READS_MAX_LAG_BYTES, v, "a size below 8 EB");
                return java.util.OptionalLong.empty();
            }
            values.record(Keys.READS_MAX_LAG_BYTES, Long.toString(n << shift) + " bytes", v.source());
            return java.util.OptionalLong.of(n << shift);
        }).orElseGet(() -> {
            values.record(Keys.READS_MAX_LAG_BYTES, "(none: the lag in time decides)", ConfigSource.defaults(why));
            return java.util.OptionalLong.empty();
        });
        RoutingSettings.Fallback fallback = values.first(Keys.READS_FALLBACK).map(v -> {
            String raw = v.raw().trim().toUpperCase(Locale.ROOT);
            if (!raw.equals("PRIMARY") && !raw.equals("FAIL")) {
                values.problem(Keys.READS_FALLBACK, v,
                        "primary (reads go to the primary) or fail (reads fail) when no replica is within the lag bound");
                return RoutingSettings.Fallback.PRIMARY;
            }
            values.record(Keys.READS_FALLBACK, raw.toLowerCase(Locale.ROOT), v.source());
            return RoutingSettings.Fallback.valueOf(raw);
        }).orElseGet(() -> {
            values.record(Keys.READS_FALLBACK, "primary", ConfigSource.defaults(why));
            return RoutingSettings.Fallback.PRIMARY;
        });
        int rejoin = values.integer(Keys.READS_REJOIN_ROUNDS, values.first(Keys.READS_REJOIN_ROUNDS).orElse(null),
                RoutingSettings.DEFAULT_REJOIN_SAMPLES, why, 1, 100);
        return new RoutingSettings(maxLag, maxBytes, fallback, rejoin);
    }

    private ResilienceSettings resilience() {
        String why = "PgPulse default";
        float failureRate = values.integer("breaker.failure_rate_threshold", values.first("breaker.failure_rate_threshold")
                .orElse(null), (int) ResilienceSettings.DEFAULT_FAILURE_RATE_THRESHOLD, why, 1, 100);
        float slowRate = values.integer("breaker.slow_call_rate_threshold", values.first("breaker.slow_call_rate_threshold")
                .orElse(null), (int) ResilienceSettings.DEFAULT_SLOW_CALL_RATE_THRESHOLD, why, 1, 100);
        Duration slowCall = values.duration("breaker.slow_call_duration", ResilienceSettings.DEFAULT_SLOW_CALL_DURATION, why,
                Duration.ofMillis(1), Duration.ofHours(1));
        ResilienceSettings.WindowType windowType = values.first("breaker.window_type").map(v -> {
            String raw = v.raw().trim().toUpperCase(Locale.ROOT);
            if (!raw.equals("COUNT") && !raw.equals("TIME")) {
                values.problem("breaker.window_type", v, "count (the last N calls) or time (the last N seconds)");
                return ResilienceSettings.WindowType.COUNT;
            }
            values.record("breaker.window_type", raw.toLowerCase(Locale.ROOT), v.source());
            return ResilienceSettings.WindowType.valueOf(raw);
        }).orElseGet(() -> {
            values.record("breaker.window_type", "count", ConfigSource.defaults(why));
            return ResilienceSettings.WindowType.COUNT;
        });
        int windowSize = values.integer("breaker.window_size", values.first("breaker.window_size").orElse(null),
                ResilienceSettings.DEFAULT_WINDOW_SIZE, why, 1, 10_000);
        ConfigValue minCallsValue = values.first("breaker.minimum_calls").orElse(null);
        int minimumCalls = values.integer("breaker.minimum_calls", minCallsValue, Math.min(ResilienceSettings.DEFAULT_MINIMUM_CALLS,
                windowType == ResilienceSettings.WindowType.COUNT ? windowSize : Integer.MAX_VALUE), why, 1, 10_000);
        if (minCallsValue != null && windowType == ResilienceSettings.WindowType.COUNT && minimumCalls > windowSize) {
            warnings.add("breaker.minimum_calls " + minimumCalls + " is above breaker.window_size " + windowSize
                    + "; Resilience4j uses the window size");
        }
        Duration waitInOpen = values.duration("breaker.wait_in_open", ResilienceSettings.DEFAULT_WAIT_IN_OPEN, why,
                Duration.ofMillis(1), Duration.ofHours(1));
        int halfOpen = values.integer("breaker.half_open_calls", values.first("breaker.half_open_calls").orElse(null),
                ResilienceSettings.DEFAULT_HALF_OPEN_CALLS, why, 1, 1000);
        int attempts = values.integer("retry.max_attempts", values.first("retry.max_attempts").orElse(null),
                ResilienceSettings.DEFAULT_RETRY_MAX_ATTEMPTS, why, 1, 20);
        Duration initial = values.duration("retry.initial_backoff", ResilienceSettings.DEFAULT_RETRY_INITIAL_BACKOFF, why,
                Duration.ofMillis(1), Duration.ofMinutes(1));
        Duration max = values.duration("retry.max_backoff", ResilienceSettings.DEFAULT_RETRY_MAX_BACKOFF, why,
                Duration.ofMillis(1), Duration.ofMinutes(10));
        if (max.compareTo(initial) < 0) {
            problems.add("retry.max_backoff = '" + Durations.format(max) + "': expected at least retry.initial_backoff ("
                    + Durations.format(initial) + ")");
        }
        Duration slowQuery = values.duration("query.slow_threshold", ResilienceSettings.DEFAULT_SLOW_QUERY_THRESHOLD, why,
                Duration.ofMillis(1), Duration.ofHours(1));
        Duration grace = values.duration("shutdown.grace", ResilienceSettings.DEFAULT_SHUTDOWN_GRACE, why, Duration.ZERO,
                Duration.ofMinutes(10));
        return new ResilienceSettings(failureRate, slowRate, slowCall, windowType, windowSize, minimumCalls,
                waitInOpen, halfOpen, attempts, initial, max, slowQuery, grace);
    }

    private Path defaultDataHome() {
        String xdg = env.get("XDG_DATA_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local").resolve("share");
    }
}
