package dev.pgpulse.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The configuration's key space, and the environment variable that sets each key. */
final class Keys {
    static final String ENVIRONMENT = "environment";
    static final String STARTUP_WAIT = "startup.wait";
    static final String EMBEDDED_DATA_DIR = "embedded.data_dir";
    static final String WEBHOOK_URL = "alerts.webhook_url";

    static final List<String> RESILIENCE = List.of("breaker.failure_rate_threshold",
            "breaker.slow_call_rate_threshold", "breaker.slow_call_duration", "breaker.window_type",
            "breaker.window_size", "breaker.minimum_calls", "breaker.wait_in_open", "breaker.half_open_calls",
            "retry.max_attempts", "retry.initial_backoff", "retry.max_backoff", "query.slow_threshold",
            "shutdown.grace", "health.interval", "alerts.webhook_url", "alerts.webhook_timeout");
    static final String MIGRATIONS_LOCATIONS = "migrations.locations";
    static final String MIGRATIONS_TABLE = "migrations.table";
    static final String MIGRATIONS_BASELINE = "migrations.baseline_on_migrate";
    static final String BACKUP_DIR = "backup.dir";
    static final String READS_MAX_LAG = "reads.max_lag";
    static final String READS_MAX_LAG_BYTES = "reads.max_lag_bytes";
    static final String READS_FALLBACK = "reads.fallback";
    static final String READS_REJOIN_ROUNDS = "reads.rejoin_rounds";
    static final List<String> GLOBAL;

    static {
        List<String> global = new ArrayList<>(List.of(ENVIRONMENT, STARTUP_WAIT, EMBEDDED_DATA_DIR,
                MIGRATIONS_LOCATIONS, MIGRATIONS_TABLE, MIGRATIONS_BASELINE, BACKUP_DIR, READS_MAX_LAG,
                READS_MAX_LAG_BYTES, READS_FALLBACK, READS_REJOIN_ROUNDS));
        global.addAll(RESILIENCE);
        GLOBAL = List.copyOf(global);
    }
    static final List<String> POOL_FIELDS = List.of("max_size", "min_idle", "connection_timeout", "idle_timeout",
            "max_lifetime", "keepalive", "leak_detection", "statement_timeout");
    static final List<String> CONNECTION_FIELDS = List.of("host", "port", "database", "user", "password", "sslmode",
            "application_name", "connect_timeout");
    static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    static final String PRIMARY = "primary";
    static final int MAX_REPLICAS = 16;
    private static final Pattern REPLICA_POOL = Pattern.compile("replica-([1-9]\\d?)\\.pool\\.([a-z_]+)");

    private Keys() {
    }

    static String replicaName(int index) {
        return "replica-" + (index + 1);
    }

    /** {@code pool.max_size} becomes {@code PGPULSE_POOL_MAX_SIZE}; {@code replica-1.pool.max_size} becomes {@code PGPULSE_REPLICA_1_POOL_MAX_SIZE}. */
    static String envName(String key) {
        return "PGPULSE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Keys a person may set with {@code --set} or a {@code PGPULSE_*} variable. */
    static List<String> settable() {
        List<String> keys = new ArrayList<>(GLOBAL);
        POOL_FIELDS.forEach(f -> keys.add("pool." + f));
        CONNECTION_FIELDS.forEach(f -> keys.add(PRIMARY + "." + f));
        POOL_FIELDS.forEach(f -> keys.add(PRIMARY + ".pool." + f));
        for (int i = 0; i < MAX_REPLICAS; i++) {
            String name = replicaName(i);
            POOL_FIELDS.forEach(f -> keys.add(name + ".pool." + f));
        }
        return keys;
    }

    static boolean isSettable(String key) {
        if (GLOBAL.contains(key)) {
            return true;
        }
        if (key.startsWith("pool.")) {
            return POOL_FIELDS.contains(key.substring(5));
        }
        if (key.startsWith("primary.pool.")) {
            return POOL_FIELDS.contains(key.substring(13));
        }
        if (key.startsWith("primary.")) {
            return CONNECTION_FIELDS.contains(key.substring(8));
        }
        var m = REPLICA_POOL.matcher(key);
        return m.matches() && Integer.parseInt(m.group(1)) <= MAX_REPLICAS && POOL_FIELDS.contains(m.group(2));
    }

    /**
     * The one place that says how a duration key reads a number without a unit: as libpq reads
     * {@code connect_timeout} (seconds, also from {@code PGCONNECT_TIMEOUT} and a URL's {@code ?connect_timeout=}),
     * as postgresql.conf reads {@code statement_timeout} (milliseconds), and refused for every other key.
     */
    static Durations.Bare bareNumber(String key) {
        if (key.endsWith(".connect_timeout")) {
            return Durations.Bare.SECONDS;
        }
        return key.endsWith(".statement_timeout") ? Durations.Bare.MILLISECONDS : Durations.Bare.REFUSED;
    }

    /**
     * PGPULSE_* variables that are not keys but are read by bin/pgpulse (JAVA_OPTS), logback.xml (LOG_DIR,
     * LOG_LEVEL), the loader (CONFIG, PROFILE, ENV) or the tests (TEST_URL, TESTING).
     */
    static final List<String> OTHER_VARIABLES = List.of("PGPULSE_ENV", "PGPULSE_CONFIG", "PGPULSE_PROFILE",
            "PGPULSE_LOG_DIR", "PGPULSE_LOG_LEVEL", "PGPULSE_JAVA_OPTS", "PGPULSE_TEST_URL", "PGPULSE_TESTING");
    /** What logback.xml can do with PGPULSE_LOG_LEVEL. */
    static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    /** Every PGPULSE_* variable PgPulse reads ({@code environment} is set by PGPULSE_ENV, not PGPULSE_ENVIRONMENT). */
    static List<String> variables() {
        List<String> names = new ArrayList<>(OTHER_VARIABLES);
        settable().stream().filter(k -> !k.equals(ENVIRONMENT)).map(Keys::envName).forEach(names::add);
        return names;
    }

    /** The candidate nearest to {@code name} by edit distance, if it is near enough to be a typo of it. */
    static java.util.Optional<String> closest(String name, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(name, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 4) ? java.util.Optional.ofNullable(best)
                : java.util.Optional.empty();
    }

    /** Levenshtein distance, ignoring case. */
    private static int distance(String a, String b) {
        a = a.toLowerCase(Locale.ROOT);
        b = b.toLowerCase(Locale.ROOT);
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String describeSettable() {
        return String.join(", ", GLOBAL) + ", pool.<field>, primary.<" + String.join("|", CONNECTION_FIELDS)
                + ">, primary.pool.<field>, replica-<n>.pool.<field>, where <field> is one of " + String.join(", ", POOL_FIELDS);
    }
}
