package dev.pgpulse.config;

/**
 * Where a configuration value came from, as a DBA would name it: {@code env PGHOST},
 * {@code flag --url}, {@code profile ~/.config/pgpulse/profiles.json [prod] pool.max_size}.
 */
public record ConfigSource(Kind kind, String origin) {

    /** Sources in increasing precedence. */
    public enum Kind { DEFAULT, ASKED, PGPASS, PROFILE, ENVIRONMENT, FLAG, EMBEDDED }

    public static ConfigSource flag(String name) {
        return new ConfigSource(Kind.FLAG, "flag " + name);
    }

    public static ConfigSource env(String variable) {
        return new ConfigSource(Kind.ENVIRONMENT, "env " + variable);
    }

    public static ConfigSource profile(String file, String profile, String path) {
        return new ConfigSource(Kind.PROFILE, "profile " + file + " [" + profile + "] " + path);
    }

    public static ConfigSource pgpass(String file, int line) {
        return new ConfigSource(Kind.PGPASS, ".pgpass " + file + " line " + line);
    }

    /** A password the console asked for when connecting: libpq's prompt, used last, held in memory only. */
    public static ConfigSource asked() {
        return new ConfigSource(Kind.ASKED, "asked at connect (kept in memory)");
    }

    public static ConfigSource defaults(String why) {
        return new ConfigSource(Kind.DEFAULT, "default (" + why + ")");
    }

    public static ConfigSource embedded() {
        return new ConfigSource(Kind.EMBEDDED, "embedded PostgreSQL");
    }

    @Override
    public String toString() {
        return origin;
    }
}
