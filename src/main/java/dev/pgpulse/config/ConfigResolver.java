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
 * right (collected as problems), check cross-field rules, and warn-and-clamp soft values.
 */
final class ConfigResolver {
    private static final Duration DEFAULT_STARTUP_WAIT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final String DEFAULT_APPLICATION_NAME = "pgpulse";
    private static final String DEFAULT_SSLMODE = "prefer";
    private static final Map<String, String> LIBPQ_DEFAULT_VARS = Map.of(
            "port", "PGPORT", "database", "PGDATABASE", "user", "PGUSER", "password", "PGPASSWORD",
            "sslmode", "PGSSLMODE", "application_name", "PGAPPNAME", "connect_timeout", "PGCONNECT_TIMEOUT");

    private static final java.util.regex.Pattern REPLICA_KEY = java.util.regex.Pattern.compile("replica-([0-9]+)\\..*");

    private final List<Layer> layers;
    private final Map<String, String> env;
    private final Path home;
    private final String osUser;
    private final int cores;
    private final List<String> problems;
    private final List<String> warnings;
    private final List<Setting> settings = new ArrayList<>();
    private String presetName;

    ConfigResolver(List<Layer> layers, Map<String, String> env, Path home, String osUser, int cores,
                   List<String> problems, List<String> warnings) {
        this.layers = layers;
        this.env = env;
        this.home = home;
        this.osUser = osUser;
        this.cores = cores;
        this.problems = problems;
        this.warnings = warnings;
    }

    PgPulseConfig resolve() throws ConfigException {
        Environment environment = first(Keys.ENVIRONMENT).map(v -> {
            Optional<Environment> e = Environment.parse(v.raw());
            if (e.isEmpty()) {
                problem(Keys.ENVIRONMENT, v, "development, staging or production (or dev, prod)");
            }
            record(Keys.ENVIRONMENT, e.map(Environment::label).orElse(v.raw()), v.source());
            return e.orElse(Environment.DEVELOPMENT);
        }).orElseGet(() -> {
            record(Keys.ENVIRONMENT, Environment.DEVELOPMENT.label(), ConfigSource.defaults("no PGPULSE_ENV"));
            return Environment.DEVELOPMENT;
        });
        presetName = environment.label() + " preset";
        PoolSizing preset = PoolSizing.preset(environment, cores);
        Duration startupWait = duration(Keys.STARTUP_WAIT, DEFAULT_STARTUP_WAIT, "PgPulse default", Duration.ZERO,
                Duration.ofHours(1));

        ResilienceSettings resilience = resilience();
        MonitoringSettings monitoring = monitoring();
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
            Path dataDir = first(Keys.EMBEDDED_DATA_DIR).map(v -> {
                if (v.raw().isBlank()) {
                    problem(Keys.EMBEDDED_DATA_DIR, v, "a folder for the embedded server's data, not an empty value");
                }
                record(Keys.EMBEDDED_DATA_DIR, v.raw(), v.source());
                return Path.of(v.raw());
            }).orElseGet(() -> {
                Path d = defaultDataHome().resolve("pgpulse").resolve("embedded");
                record(Keys.EMBEDDED_DATA_DIR, d.toString(), ConfigSource.defaults("XDG data folder"));
                return d;
            });
            record(Keys.PRIMARY, "embedded PostgreSQL 15, started on demand, data kept in " + dataDir,
                    ConfigSource.defaults("no DATABASE_URL, PGHOST or profile"));
            String app = first("primary.application_name").map(ConfigValue::raw).orElse(DEFAULT_APPLICATION_NAME);
            embedded = Optional.of(new EmbeddedConfig(dataDir, pool(Keys.PRIMARY, preset, environment), app));
        } else {
            Map<String, ConfigValue> given = new HashMap<>();
            for (String f : Keys.CONNECTION_FIELDS) {
                first("primary." + f).ifPresent(v -> given.put(f, v));
            }
            primary = Optional.of(endpoint(Keys.PRIMARY, EndpointConfig.Role.PRIMARY, given, preset, environment));
            for (int i = 0; i < replicaUrls.size(); i++) {
                replica(i, replicaUrls.get(i), preset, environment).ifPresent(replicas::add);
            }
        }
        unconfiguredReplicas(replicaUrls.size());
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new PgPulseConfig(environment, primary, replicas, embedded, startupWait, resilience, monitoring,
                operations, settings, warnings);
    }

    /** A setting for replica-3 when two replicas are configured would otherwise be dropped without a word. */
    private void unconfiguredReplicas(int configured) {
        for (Layer layer : layers) {
            layer.values.forEach((key, v) -> {
                var m = REPLICA_KEY.matcher(key);
                if (m.matches() && Integer.parseInt(m.group(1)) > configured) {
                    problems.add(key + " (from " + v.source() + "): there is no replica-" + m.group(1)
                            + "; " + (configured == 0 ? "no replicas are configured" : configured + " replica"
                            + (configured == 1 ? " is" : "s are") + " configured (replica-1"
                            + (configured > 1 ? " to replica-" + configured : "") + ")")
                            + "; add it to DATABASE_READ_URLS, --replica or the profile, or drop the setting");
                }
            });
        }
    }

    private OperationsSettings operations(boolean embedded) {
        String why = embedded ? "PgPulse default on the embedded server" : "PgPulse default";
        List<String> locations = first(Keys.MIGRATIONS_LOCATIONS).map(v -> {
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
            record(Keys.MIGRATIONS_LOCATIONS, String.join(",", given), v.source());
            return given;
        }).orElseGet(() -> {
            if (embedded) {
                record(Keys.MIGRATIONS_LOCATIONS, OperationsSettings.DEMO_MIGRATIONS + " (the demo schema)",
                        ConfigSource.defaults(why));
                return List.of(OperationsSettings.DEMO_MIGRATIONS);
            }
            record(Keys.MIGRATIONS_LOCATIONS, "(none: PgPulse creates no table in your database unless told)",
                    ConfigSource.defaults(why));
            return List.of();
        });
        String table = first(Keys.MIGRATIONS_TABLE).map(v -> {
            String t = v.raw().trim();
            if (!t.matches("[a-z_][a-z0-9_]{0,62}")) {
                problems.add(Keys.MIGRATIONS_TABLE + " = '" + v.raw() + "' (from " + v.source() + "): expected a "
                        + "lower-case table name such as " + OperationsSettings.DEFAULT_TABLE + " or flyway_schema_history");
            } else {
                record(Keys.MIGRATIONS_TABLE, t, v.source());
            }
            return t;
        }).orElseGet(() -> {
            record(Keys.MIGRATIONS_TABLE, OperationsSettings.DEFAULT_TABLE, ConfigSource.defaults("PgPulse default"));
            return OperationsSettings.DEFAULT_TABLE;
        });
        boolean baseline = first(Keys.MIGRATIONS_BASELINE).map(v -> {
            String b = v.raw().trim().toLowerCase(Locale.ROOT);
            if (!b.equals("true") && !b.equals("false")) {
                problems.add(Keys.MIGRATIONS_BASELINE + " = '" + v.raw() + "' (from " + v.source()
                        + "): expected true or false");
                return false;
            }
            record(Keys.MIGRATIONS_BASELINE, b, v.source());
            return b.equals("true");
        }).orElseGet(() -> {
            record(Keys.MIGRATIONS_BASELINE, Boolean.toString(embedded), ConfigSource.defaults(why));
            return embedded;
        });
        Path backupDir = first(Keys.BACKUP_DIR).map(v -> {
            String raw = v.raw().trim();
            if (raw.isEmpty()) {
                // Path.of("") is the current folder: backups would land wherever the command ran.
                problem(Keys.BACKUP_DIR, v, "a folder such as ~/backups/pgpulse, not an empty value");
                return home;
            }
            try {
                Path d = raw.equals("~") ? home : raw.startsWith("~/") ? home.resolve(raw.substring(2)) : Path.of(raw);
                record(Keys.BACKUP_DIR, d.toString(), v.source());
                return d;
            } catch (java.nio.file.InvalidPathException e) {
                problems.add(Keys.BACKUP_DIR + " = '" + v.raw() + "' (from " + v.source() + "): not a usable path ("
                        + e.getReason() + "); expected a folder such as ~/backups/pgpulse");
                return home;
            }
        }).orElseGet(() -> {
            Path d = defaultDataHome().resolve("pgpulse").resolve("backups");
            record(Keys.BACKUP_DIR, d.toString(), ConfigSource.defaults("XDG data folder"));
            return d;
        });
        return new OperationsSettings(locations, table, baseline, backupDir);
    }

    private MonitoringSettings monitoring() {
        String why = "PgPulse default";
        Duration interval = duration("health.interval", MonitoringSettings.DEFAULT_HEALTH_INTERVAL, why,
                Duration.ofMillis(100), Duration.ofHours(1));
        Optional<java.net.URI> webhook = first("alerts.webhook_url").flatMap(v -> {
            try {
                java.net.URI uri = new java.net.URI(v.raw().trim());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                    record("alerts.webhook_url", Redact.webhook(uri), v.source());
                    return Optional.of(uri);
                }
            } catch (java.net.URISyntaxException e) {
                // reported below
            }
            problems.add("alerts.webhook_url = '" + Redact.webhook(v.raw()) + "' (from " + v.source()
                    + "): expected an http:// or https:// URL such as https://hooks.example.com/pgpulse");
            return Optional.empty();
        });
        if (webhook.isEmpty() && first("alerts.webhook_url").isEmpty()) {
            record("alerts.webhook_url", "(none: alerts go to the log)", ConfigSource.defaults(why));
        }
        Duration timeout = duration("alerts.webhook_timeout", MonitoringSettings.DEFAULT_WEBHOOK_TIMEOUT, why,
                Duration.ofMillis(100), Duration.ofMinutes(1));
        return new MonitoringSettings(interval, webhook, timeout);
    }

    private ResilienceSettings resilience() {
        String why = "PgPulse default";
        float failureRate = integer("breaker.failure_rate_threshold", first("breaker.failure_rate_threshold")
                .orElse(null), (int) ResilienceSettings.DEFAULT_FAILURE_RATE_THRESHOLD, why, 1, 100);
        float slowRate = integer("breaker.slow_call_rate_threshold", first("breaker.slow_call_rate_threshold")
                .orElse(null), (int) ResilienceSettings.DEFAULT_SLOW_CALL_RATE_THRESHOLD, why, 1, 100);
        Duration slowCall = duration("breaker.slow_call_duration", ResilienceSettings.DEFAULT_SLOW_CALL_DURATION, why,
                Duration.ofMillis(1), Duration.ofHours(1));
        ResilienceSettings.WindowType windowType = first("breaker.window_type").map(v -> {
            String raw = v.raw().trim().toUpperCase(Locale.ROOT);
            if (!raw.equals("COUNT") && !raw.equals("TIME")) {
                problem("breaker.window_type", v, "count (the last N calls) or time (the last N seconds)");
                return ResilienceSettings.WindowType.COUNT;
            }
            record("breaker.window_type", raw.toLowerCase(Locale.ROOT), v.source());
            return ResilienceSettings.WindowType.valueOf(raw);
        }).orElseGet(() -> {
            record("breaker.window_type", "count", ConfigSource.defaults(why));
            return ResilienceSettings.WindowType.COUNT;
        });
        int windowSize = integer("breaker.window_size", first("breaker.window_size").orElse(null),
                ResilienceSettings.DEFAULT_WINDOW_SIZE, why, 1, 10_000);
        ConfigValue minCallsValue = first("breaker.minimum_calls").orElse(null);
        int minimumCalls = integer("breaker.minimum_calls", minCallsValue, Math.min(ResilienceSettings.DEFAULT_MINIMUM_CALLS,
                windowType == ResilienceSettings.WindowType.COUNT ? windowSize : Integer.MAX_VALUE), why, 1, 10_000);
        if (minCallsValue != null && windowType == ResilienceSettings.WindowType.COUNT && minimumCalls > windowSize) {
            warnings.add("breaker.minimum_calls " + minimumCalls + " is above breaker.window_size " + windowSize
                    + "; Resilience4j uses the window size");
        }
        Duration waitInOpen = duration("breaker.wait_in_open", ResilienceSettings.DEFAULT_WAIT_IN_OPEN, why,
                Duration.ofMillis(1), Duration.ofHours(1));
        int halfOpen = integer("breaker.half_open_calls", first("breaker.half_open_calls").orElse(null),
                ResilienceSettings.DEFAULT_HALF_OPEN_CALLS, why, 1, 1000);
        int attempts = integer("retry.max_attempts", first("retry.max_attempts").orElse(null),
                ResilienceSettings.DEFAULT_RETRY_MAX_ATTEMPTS, why, 1, 20);
        Duration initial = duration("retry.initial_backoff", ResilienceSettings.DEFAULT_RETRY_INITIAL_BACKOFF, why,
                Duration.ofMillis(1), Duration.ofMinutes(1));
        Duration max = duration("retry.max_backoff", ResilienceSettings.DEFAULT_RETRY_MAX_BACKOFF, why,
                Duration.ofMillis(1), Duration.ofMinutes(10));
        if (max.compareTo(initial) < 0) {
            problems.add("retry.max_backoff = '" + Durations.format(max) + "': expected at least retry.initial_backoff ("
                    + Durations.format(initial) + ")");
        }
        Duration slowQuery = duration("query.slow_threshold", ResilienceSettings.DEFAULT_SLOW_QUERY_THRESHOLD, why,
                Duration.ofMillis(1), Duration.ofHours(1));
        Duration grace = duration("shutdown.grace", ResilienceSettings.DEFAULT_SHUTDOWN_GRACE, why, Duration.ZERO,
                Duration.ofMinutes(10));
        return new ResilienceSettings(failureRate, slowRate, slowCall, windowType, windowSize, minimumCalls,
                waitInOpen, halfOpen, attempts, initial, max, slowQuery, grace);
    }

    private Optional<EndpointConfig> replica(int index, ConfigValue url, PoolSizing preset, Environment environment) {
        String name = Keys.replicaName(index);
        if (index >= Keys.MAX_REPLICAS) {
            problems.add(name + " (from " + url.source() + "): at most " + Keys.MAX_REPLICAS + " replicas are supported");
            return Optional.empty();
        }
        if (ConnectionUri.hasStrayComma(url.raw())) {
            problems.add(name + ".url = '" + ConnectionUri.mask(url.raw()) + "' (from " + url.source() + "): holds a "
                    + "comma that does not start a new URL; give each replica as its own postgresql:// or "
                    + "jdbc:postgresql: URL (separated by commas in DATABASE_READ_URLS) and percent-encode a comma "
                    + "inside a value as %2C");
            return Optional.empty();
        }
        ConnectionUri.Parsed parsed;
        try {
            parsed = ConnectionUri.parse(url.raw());
        } catch (IllegalArgumentException e) {
            problems.add(name + ".url = '" + ConnectionUri.mask(url.raw()) + "' (from " + url.source() + "): "
                    + e.getMessage() + "; expected " + ConnectionUri.EXPECTED);
            return Optional.empty();
        }
        parsed.warnings().forEach(w -> warnings.add(url.source() + ": " + w));
        if (!parsed.parts().containsKey("host")) {
            problems.add(name + ".url = '" + ConnectionUri.mask(url.raw()) + "' (from " + url.source()
                    + "): names no host; expected " + ConnectionUri.EXPECTED);
            return Optional.empty();
        }
        Map<String, ConfigValue> given = new HashMap<>();
        parsed.parts().forEach((k, v) -> given.put(k, new ConfigValue(v, url.source())));
        // What the replica's URL leaves out comes from libpq's variables, as it would for psql.
        LIBPQ_DEFAULT_VARS.forEach((field, var) -> {
            String v = env.get(var);
            if (!given.containsKey(field) && v != null && !v.isEmpty()) {
                given.put(field, new ConfigValue(v, ConfigSource.env(var)));
            }
        });
        return Optional.of(endpoint(name, EndpointConfig.Role.REPLICA, given, preset, environment));
    }

    private EndpointConfig endpoint(String name, EndpointConfig.Role role, Map<String, ConfigValue> given,
                                    PoolSizing preset, Environment environment) {
        String host = text(name, "host", given, "localhost", "libpq default");
        int port = integer(name + ".port", given.get("port"), 5432, "libpq default", 1, 65535);
        String user = text(name, "user", given, osUser, "libpq default: the operating-system user");
        String database = text(name, "database", given, user, "libpq default: same as the user");
        String sslMode = text(name, "sslmode", given, DEFAULT_SSLMODE, "libpq default").toLowerCase(Locale.ROOT);
        if (given.containsKey("sslmode") && !Keys.SSL_MODES.contains(sslMode)) {
            problem(name + ".sslmode", given.get("sslmode"), "one of " + String.join(", ", Keys.SSL_MODES));
        }
        String app = text(name, "application_name", given, DEFAULT_APPLICATION_NAME, "PgPulse default");
        Duration connectTimeout = connectTimeout(name, given.get("connect_timeout"));
        String password = null;
        ConfigValue pw = given.get("password");
        if (pw != null) {
            password = pw.raw();
            record(name + ".password", password, pw.source());
        } else {
            Path pgpass = env.containsKey("PGPASSFILE") ? Path.of(env.get("PGPASSFILE")) : home.resolve(".pgpass");
            Optional<PgPass.Match> match = PgPass.lookup(pgpass, host, port, database, user, warnings);
            if (match.isPresent()) {
                password = match.get().password();
                record(name + ".password", password, ConfigSource.pgpass(pgpass.toString(), match.get().line()));
            } else {
                settings.add(new Setting(name + ".password", "(none)", ConfigSource.defaults("no password, no matching "
                        + pgpass + " line")));
            }
        }
        PoolSizing pool = pool(name, preset, environment);
        return new EndpointConfig(name, role, host, port, database, user, password, sslMode, app, connectTimeout, pool);
    }

    private PoolSizing pool(String endpoint, PoolSizing preset, Environment environment) {
        int max = integer(endpoint + ".pool.max_size", poolValue(endpoint, "max_size"), preset.maxPoolSize(),
                presetName, 1, PoolSizing.MAX_POOL_SIZE_LIMIT);
        // A fixed-size pool in production follows the chosen max; elsewhere the preset's idle floor, within max.
        int minIdleDefault = environment == Environment.PRODUCTION ? max : Math.min(preset.minIdle(), max);
        ConfigValue minIdleValue = poolValue(endpoint, "min_idle");
        int minIdle = integer(endpoint + ".pool.min_idle", minIdleValue, minIdleDefault, presetName, 0,
                PoolSizing.MAX_POOL_SIZE_LIMIT);
        if (minIdleValue != null && minIdle > max) {
            problem(endpoint + ".pool.min_idle", minIdleValue, "at most " + endpoint + ".pool.max_size (" + max + ")");
        }
        Duration connectionTimeout = poolDuration(endpoint, "connection_timeout", preset.connectionTimeout());
        if (connectionTimeout.compareTo(PoolSizing.MIN_CONNECTION_TIMEOUT) < 0) {
            problem(endpoint + ".pool.connection_timeout", poolValue(endpoint, "connection_timeout"),
                    "at least 250ms (HikariCP's minimum)");
        }
        Duration maxLifetime = poolDuration(endpoint, "max_lifetime", preset.maxLifetime());
        if (!maxLifetime.isZero() && maxLifetime.compareTo(PoolSizing.MIN_MAX_LIFETIME) < 0) {
            warnings.add(endpoint + ".pool.max_lifetime " + Durations.format(maxLifetime) + " is below 30s (HikariCP's "
                    + "minimum); using " + Durations.format(preset.maxLifetime()));
            maxLifetime = preset.maxLifetime();
        }
        Duration idleTimeout = poolDuration(endpoint, "idle_timeout", preset.idleTimeout());
        if (!idleTimeout.isZero() && idleTimeout.compareTo(PoolSizing.MIN_IDLE_TIMEOUT) < 0) {
            warnings.add(endpoint + ".pool.idle_timeout " + Durations.format(idleTimeout) + " is below 10s; using 10s");
            idleTimeout = PoolSizing.MIN_IDLE_TIMEOUT;
        }
        if (!idleTimeout.isZero() && !maxLifetime.isZero() && idleTimeout.compareTo(maxLifetime) >= 0) {
            warnings.add(endpoint + ".pool.idle_timeout " + Durations.format(idleTimeout) + " is not below max_lifetime "
                    + Durations.format(maxLifetime) + "; idle connections retire at max_lifetime instead");
            idleTimeout = Duration.ZERO;
        }
        Duration keepalive = poolDuration(endpoint, "keepalive", preset.keepalive());
        if (!keepalive.isZero() && (keepalive.compareTo(PoolSizing.MIN_KEEPALIVE) < 0
                || (!maxLifetime.isZero() && keepalive.compareTo(maxLifetime) >= 0))) {
            warnings.add(endpoint + ".pool.keepalive " + Durations.format(keepalive) + " must be at least 30s and below "
                    + "max_lifetime; keepalive disabled");
            keepalive = Duration.ZERO;
        }
        Duration leak = poolDuration(endpoint, "leak_detection", preset.leakDetectionThreshold());
        if (!leak.isZero() && (leak.compareTo(PoolSizing.MIN_LEAK_DETECTION) < 0
                || (!maxLifetime.isZero() && leak.compareTo(maxLifetime) > 0))) {
            warnings.add(endpoint + ".pool.leak_detection " + Durations.format(leak) + " must be at least 2s and at "
                    + "most max_lifetime; leak detection disabled");
            leak = Duration.ZERO;
        }
        Duration statementTimeout = poolDuration(endpoint, "statement_timeout", preset.statementTimeout());
        return new PoolSizing(max, minIdle, connectionTimeout, idleTimeout, maxLifetime, keepalive, leak,
                statementTimeout);
    }

    /** Layer by layer, the endpoint's own key before the key for every endpoint: a flag beats a profile either way. */
    private ConfigValue poolValue(String endpoint, String field) {
        for (Layer layer : layers) {
            Optional<ConfigValue> v = layer.get(endpoint + ".pool." + field).or(() -> layer.get("pool." + field));
            if (v.isPresent()) {
                return v.get();
            }
        }
        return null;
    }

    private Duration poolDuration(String endpoint, String field, Duration fallback) {
        String key = endpoint + ".pool." + field;
        ConfigValue v = poolValue(endpoint, field);
        return parseDuration(key, v, fallback, presetName, Duration.ZERO, Duration.ofDays(1));
    }

    private Duration duration(String key, Duration fallback, String why, Duration min, Duration max) {
        return parseDuration(key, first(key).orElse(null), fallback, why, min, max);
    }

    private Duration parseDuration(String key, ConfigValue v, Duration fallback, String why, Duration min, Duration max) {
        if (v == null) {
            record(key, Durations.format(fallback), ConfigSource.defaults(why));
            return fallback;
        }
        Optional<Duration> d = Durations.parse(v.raw());
        if (d.isEmpty() || d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0) {
            problem(key, v, Durations.EXPECTED + ", from " + Durations.format(min) + " to " + Durations.format(max));
            return fallback;
        }
        record(key, Durations.format(d.get()), v.source());
        return d.get();
    }

    /** libpq's connect_timeout: a bare number is seconds there, so it is here too. */
    private Duration connectTimeout(String endpoint, ConfigValue v) {
        String key = endpoint + ".connect_timeout";
        if (v == null) {
            record(key, Durations.format(DEFAULT_CONNECT_TIMEOUT), ConfigSource.defaults("PgPulse default"));
            return DEFAULT_CONNECT_TIMEOUT;
        }
        String raw = v.raw().trim();
        Optional<Duration> d = raw.matches("\\d{1,12}") ? Optional.of(Duration.ofSeconds(Long.parseLong(raw)))
                : Durations.parse(raw);
        if (d.isEmpty() || d.get().compareTo(Duration.ofHours(1)) > 0) {
            problem(key, v, "seconds as in libpq (e.g. 10), or a duration such as 10s, at most 1h");
            return DEFAULT_CONNECT_TIMEOUT;
        }
        if (d.get().toMillis() % 1000 != 0) {
            warnings.add(key + " " + Durations.format(d.get()) + " rounds up to whole seconds for the JDBC driver");
        }
        record(key, Durations.format(d.get()), v.source());
        return d.get();
    }

    private int integer(String key, ConfigValue v, int fallback, String why, int min, int max) {
        if (v == null) {
            record(key, Integer.toString(fallback), ConfigSource.defaults(why));
            return fallback;
        }
        // Integer.parseInt reads any script's digits ("٣" is 3); a setting is written in ASCII 0-9.
        if (!v.raw().trim().matches("-?[0-9]{1,10}")) {
            boolean otherDigits = v.raw().codePoints().anyMatch(c -> Character.isDigit(c) && (c < '0' || c > '9'));
            problem(key, v, "a whole number from " + min + " to " + max + (otherDigits ? " (digits 0-9)" : ""));
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.raw().trim());
            if (n < min || n > max) {
                problem(key, v, "a whole number from " + min + " to " + max);
                return fallback;
            }
            record(key, Integer.toString(n), v.source());
            return n;
        } catch (NumberFormatException e) {
            problem(key, v, "a whole number from " + min + " to " + max);
            return fallback;
        }
    }

    private String text(String endpoint, String field, Map<String, ConfigValue> given, String fallback, String why) {
        ConfigValue v = given.get(field);
        String key = endpoint + "." + field;
        if (v == null) {
            record(key, fallback, ConfigSource.defaults(why));
            return fallback;
        }
        if (v.raw().isBlank()) {
            problem(key, v, "a non-empty value");
            return fallback;
        }
        record(key, v.raw(), v.source());
        return v.raw();
    }

    private Optional<ConfigValue> first(String key) {
        return layers.stream().map(l -> l.get(key)).flatMap(Optional::stream).findFirst();
    }

    private void problem(String key, ConfigValue v, String expected) {
        String shown = Setting.isSecret(key) ? Setting.MASK : v.raw();
        problems.add(key + " = '" + shown + "' (from " + v.source() + "): expected " + expected);
    }

    private void record(String key, String value, ConfigSource source) {
        settings.add(Setting.of(key, value, source));
    }

    private Path defaultDataHome() {
        String xdg = env.get("XDG_DATA_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local").resolve("share");
    }
}
