package dev.pgpulse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One endpoint's settings: its connection (host, port, user, database, sslmode, password from the URL,
 * libpq's variables or .pgpass) and its pool, checked against HikariCP's limits. A replica's URL is
 * decomposed here, and what it leaves out comes from libpq's variables, as it would for psql.
 */
final class EndpointResolver {
    static final String DEFAULT_APPLICATION_NAME = "pgpulse";
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final String DEFAULT_SSLMODE = "prefer";
    private static final Map<String, String> LIBPQ_DEFAULT_VARS = Map.of(
            "port", "PGPORT", "database", "PGDATABASE", "user", "PGUSER", "password", "PGPASSWORD",
            "sslmode", "PGSSLMODE", "application_name", "PGAPPNAME", "connect_timeout", "PGCONNECT_TIMEOUT");
    private static final String STRAY_COMMA = "holds a comma that does not start a new URL; give each replica as its "
            + "own postgresql:// or jdbc:postgresql: URL (separated by commas in DATABASE_READ_URLS) and percent-encode a "
            + "comma inside a value as %2C";
    private static final int DEFAULT_PORT = 5432;
    private static final Pattern REPLICA_KEY = Pattern.compile("replica-([0-9]+)\\..*");

    private final SettingReader values;
    private final List<Layer> layers;
    private final Map<String, String> env;
    private final Path home;
    private final String osUser;
    /** The source named for a pool default, such as "production preset". */
    private final String presetName;
    /** Asked for at connect (libpq's prompt), used last of all; or null. */
    private final String askedPassword;
    private final List<String> problems;
    private final List<String> warnings;

    EndpointResolver(SettingReader values, List<Layer> layers, Map<String, String> env, Path home, String osUser,
                     String presetName, String askedPassword, List<String> problems, List<String> warnings) {
        this.askedPassword = askedPassword;
        this.values = values;
        this.layers = layers;
        this.env = env;
        this.home = home;
        this.osUser = osUser;
        this.presetName = presetName;
        this.problems = problems;
        this.warnings = warnings;
    }

    /** A setting for replica-3 when two replicas are configured would otherwise be dropped without a word. */
    void unconfiguredReplicas(int configured) {
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

    Optional<EndpointConfig> replica(int index, ConfigValue url, PoolSizing preset, Environment environment) {
        String name = Keys.replicaName(index);
        if (index >= Keys.MAX_REPLICAS) {
            problems.add(name + " (from " + url.source() + "): at most " + Keys.MAX_REPLICAS + " replicas are supported");
            return Optional.empty();
        }
        ConnectionUri.Parsed parsed;
        try {
            parsed = ConnectionUri.parse(url.raw());
        } catch (IllegalArgumentException e) {
            problems.add(name + ".url = '" + ConnectionUri.mask(url.raw()) + "' (from " + url.source() + "): "
                    + (ConnectionUri.hasStrayComma(url.raw()) ? STRAY_COMMA : e.getMessage() + "; expected "
                    + ConnectionUri.EXPECTED));
            return Optional.empty();
        }
        String hosts = parsed.parts().getOrDefault("host", "");
        if (hosts.indexOf(',') >= 0) {
            problems.add(name + ".url = '" + ConnectionUri.mask(url.raw()) + "' (from " + url.source() + "): lists "
                    + "several hosts, but a replica is one server that its pool reads from; give each standby as its own "
                    + "URL (separated by commas in DATABASE_READ_URLS), and a host list only for the primary");
            return Optional.empty();
        }
        if (ConnectionUri.hasStrayComma(url.raw())) {
            problems.add(name + ".url = '" + ConnectionUri.mask(url.raw()) + "' (from " + url.source() + "): "
                    + STRAY_COMMA);
            return Optional.empty();
        }
        if (parsed.parts().containsKey(ConnectionUri.TARGET_SESSION_ATTRS)) {
            problems.add(name + ".url = '" + ConnectionUri.mask(url.raw()) + "' (from " + url.source() + "): asks for "
                    + "a server that takes writes (target_session_attrs / targetServerType), which only the primary's "
                    + "URL may; a replica is read from as it is");
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

    EndpointConfig endpoint(String name, EndpointConfig.Role role, Map<String, ConfigValue> given,
                                    PoolSizing preset, Environment environment) {
        List<HostPort> hosts = hosts(name, role, given);
        String user = values.text(name, "user", given, osUser, "libpq default: the operating-system user");
        String database = values.text(name, "database", given, user, "libpq default: same as the user");
        String sslMode = values.text(name, "sslmode", given, DEFAULT_SSLMODE, "libpq default").toLowerCase(Locale.ROOT);
        if (given.containsKey("sslmode") && !Keys.SSL_MODES.contains(sslMode)) {
            values.problem(name + ".sslmode", given.get("sslmode"), "one of " + String.join(", ", Keys.SSL_MODES));
        }
        String app = values.text(name, "application_name", given, DEFAULT_APPLICATION_NAME, "PgPulse default");
        Duration connectTimeout = connectTimeout(name, given.get("connect_timeout"));
        String password = null;
        ConfigValue pw = given.get("password");
        if (pw != null) {
            password = pw.raw();
            values.record(name + ".password", password, pw.source());
        } else {
            Path pgpass = env.containsKey("PGPASSFILE") ? Path.of(env.get("PGPASSFILE")) : home.resolve(".pgpass");
            // libpq looks a password up for each host it tries; pgjdbc sends one for all: the first host's that has one
            Optional<PgPass.Match> match = Optional.empty();
            List<String> fileWarnings = new ArrayList<>();
            for (HostPort h : hosts) {
                match = PgPass.lookup(pgpass, h.host(), h.port(), database, user, fileWarnings);
                if (match.isPresent()) {
                    break;
                }
            }
            // a file ignored (its mode, a folder) is said once, not once per host
            fileWarnings.stream().distinct().forEach(warnings::add);
            if (match.isPresent()) {
                password = match.get().password();
                values.record(name + ".password", password, ConfigSource.pgpass(pgpass.toString(), match.get().line()));
            } else if (askedPassword != null && !askedPassword.isEmpty()) {
                password = askedPassword;
                values.record(name + ".password", password, ConfigSource.asked());
            } else {
                values.record(new Setting(name + ".password", "(none)", ConfigSource.defaults("no password, no matching "
                        + pgpass + " line")));
            }
        }
        PoolSizing pool = pool(name, preset, environment);
        boolean primaryOnly = role == EndpointConfig.Role.PRIMARY && (hosts.size() > 1
                || given.containsKey(ConnectionUri.TARGET_SESSION_ATTRS));
        if (primaryOnly) {
            ConfigValue asked = given.get(ConnectionUri.TARGET_SESSION_ATTRS);
            values.record(name + "." + ConnectionUri.TARGET_SESSION_ATTRS, "read-write", asked != null ? asked.source()
                    : ConfigSource.defaults("several hosts: connect to the one that takes writes"));
        }
        return new EndpointConfig(name, role, hosts, database, user, password, sslMode, app, connectTimeout, pool,
                primaryOnly);
    }

    /**
     * The host list and the port list, paired as libpq pairs them: one port for every host, or one per host in order;
     * an empty entry is the default port. Only the primary may list several hosts.
     */
    private List<HostPort> hosts(String name, EndpointConfig.Role role, Map<String, ConfigValue> given) {
        String hostText = values.text(name, "host", given, "localhost", "libpq default");
        List<String> names = java.util.Arrays.stream(hostText.split(",", -1)).map(String::trim).toList();
        ConfigValue hv = given.get("host");
        List<HostPort> fallback = List.of(new HostPort(names.getFirst().isEmpty() ? "localhost" : names.getFirst(),
                DEFAULT_PORT));
        if (names.size() > 1 && names.stream().anyMatch(String::isEmpty)) {
            values.problem(name + ".host", hv, "host names separated by commas, none of them empty");
            return fallback;
        }
        if (names.size() > 1 && role == EndpointConfig.Role.REPLICA) {
            values.problem(name + ".host", hv, "one host: a replica is one server (only the primary may list several)");
            return fallback;
        }
        ConfigValue pv = given.get("port");
        List<Integer> ports = new ArrayList<>();
        if (pv == null) {
            values.record(name + ".port", Integer.toString(DEFAULT_PORT), ConfigSource.defaults("libpq default"));
            ports.add(DEFAULT_PORT);
        } else {
            for (String p : pv.raw().split(",", -1)) {
                String t = p.trim();
                if (t.isEmpty()) {
                    ports.add(DEFAULT_PORT);
                } else if (t.matches("[0-9]{1,5}") && Integer.parseInt(t) >= 1 && Integer.parseInt(t) <= 65535) {
                    ports.add(Integer.parseInt(t));
                } else {
                    values.problem(name + ".port", pv, "a whole number from 1 to 65535"
                            + (names.size() > 1 ? ", or one for each host separated by commas" : ""));
                    return fallback;
                }
            }
            if (ports.size() != 1 && ports.size() != names.size()) {
                values.problem(name + ".port", pv, "one port for every host, or one per host in the same order (as "
                        + "libpq pairs them), but " + ports.size() + " ports were given for " + names.size() + " host"
                        + (names.size() == 1 ? "" : "s"));
                return fallback;
            }
            values.record(name + ".port", ports.stream().map(String::valueOf).collect(
                    java.util.stream.Collectors.joining(",")), pv.source());
        }
        List<HostPort> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            out.add(new HostPort(names.get(i), ports.size() == 1 ? ports.getFirst() : ports.get(i)));
        }
        return out;
    }

    PoolSizing pool(String endpoint, PoolSizing preset, Environment environment) {
        int max = values.integer(endpoint + ".pool.max_size", poolValue(endpoint, "max_size"), preset.maxPoolSize(),
                presetName, 1, PoolSizing.MAX_POOL_SIZE_LIMIT);
        // A fixed-size pool in production follows the chosen max; elsewhere the preset's idle floor, within max.
        int minIdleDefault = environment == Environment.PRODUCTION ? max : Math.min(preset.minIdle(), max);
        ConfigValue minIdleValue = poolValue(endpoint, "min_idle");
        int minIdle = values.integer(endpoint + ".pool.min_idle", minIdleValue, minIdleDefault, presetName, 0,
                PoolSizing.MAX_POOL_SIZE_LIMIT);
        if (minIdleValue != null && minIdle > max) {
            values.problem(endpoint + ".pool.min_idle", minIdleValue, "at most " + endpoint + ".pool.max_size (" + max + ")");
        }
        Duration connectionTimeout = poolDuration(endpoint, "connection_timeout", preset.connectionTimeout());
        if (connectionTimeout.compareTo(PoolSizing.MIN_CONNECTION_TIMEOUT) < 0) {
            values.problem(endpoint + ".pool.connection_timeout", poolValue(endpoint, "connection_timeout"),
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
        return values.parseDuration(key, v, fallback, presetName, Duration.ZERO, Duration.ofDays(1));
    }

    /** libpq's connect_timeout: a number without a unit is seconds there, so it is here too ({@link Keys#bareNumber}). */
    private Duration connectTimeout(String endpoint, ConfigValue v) {
        String key = endpoint + ".connect_timeout";
        if (v == null) {
            values.record(key, Durations.format(DEFAULT_CONNECT_TIMEOUT), ConfigSource.defaults("PgPulse default"));
            return DEFAULT_CONNECT_TIMEOUT;
        }
        Optional<Duration> d = Durations.parse(v.raw(), Keys.bareNumber(key));
        if (d.isEmpty() || d.get().isNegative() || d.get().compareTo(Duration.ofHours(1)) > 0) {
            values.problem(key, v, "a number of seconds as in libpq (e.g. 10), or " + Durations.EXPECTED + ", at most 1h");
            return DEFAULT_CONNECT_TIMEOUT;
        }
        if (d.get().toMillis() % 1000 != 0) {
            warnings.add(key + " " + Durations.format(d.get()) + " rounds up to whole seconds for the JDBC driver");
        }
        values.record(key, Durations.format(d.get()), v.source());
        return d.get();
    }
}
