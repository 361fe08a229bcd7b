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

    static final List<String> RESILIENCE = List.of("breaker.failure_rate_threshold",
            "breaker.slow_call_rate_threshold", "breaker.slow_call_duration", "breaker.window_type",
            "breaker.window_size", "breaker.minimum_calls", "breaker.wait_in_open", "breaker.half_open_calls",
            "retry.max_attempts", "retry.initial_backoff", "retry.max_backoff", "query.slow_threshold",
            "shutdown.grace", "health.interval", "alerts.webhook_url", "alerts.webhook_timeout");
    static final String MIGRATIONS_LOCATIONS = "migrations.locations";
    static final String MIGRATIONS_TABLE = "migrations.table";
    static final String MIGRATIONS_BASELINE = "migrations.baseline_on_migrate";
    static final String BACKUP_DIR = "backup.dir";
    static final List<String> GLOBAL;

    static {
        List<String> global = new ArrayList<>(List.of(ENVIRONMENT, STARTUP_WAIT, EMBEDDED_DATA_DIR,
                MIGRATIONS_LOCATIONS, MIGRATIONS_TABLE, MIGRATIONS_BASELINE, BACKUP_DIR));
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

    static String describeSettable() {
        return String.join(", ", GLOBAL) + ", pool.<field>, primary.<" + String.join("|", CONNECTION_FIELDS)
                + ">, primary.pool.<field>, replica-<n>.pool.<field>, where <field> is one of " + String.join(", ", POOL_FIELDS);
    }
}
