package dev.pgpulse.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Shared plumbing for the configuration tests. Every load goes through an explicit environment map and a
 * temporary home folder, so the developer's own PG* variables, ~/.pgpass and profile file never take part.
 */
final class ConfigFixture {
    static final String OS_USER = "osuser";
    /** Four cores make the production preset 4 * 2 + 1 = 9, a value no other preset uses. */
    static final int CORES = 4;

    private ConfigFixture() {
    }

    static PgPulseConfig load(Path home, Map<String, String> env) throws ConfigException {
        return load(home, env, Overrides.none());
    }

    static PgPulseConfig load(Path home, Map<String, String> env, Overrides flags) throws ConfigException {
        return new ConfigLoader(env, home, OS_USER, CORES).load(flags);
    }

    static ConfigException failure(Path home, Map<String, String> env) {
        return failure(home, env, Overrides.none());
    }

    static ConfigException failure(Path home, Map<String, String> env, Overrides flags) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> new ConfigLoader(env, home, OS_USER, CORES).load(flags));
        assertThat(e).as("loading should have failed with a ConfigException").isNotNull();
        assertThat(e.getMessage()).isEqualTo(String.join(System.lineSeparator(), e.problems()));
        return e;
    }

    /** The one setting reported for {@code key}; fails if there is none or more than one. */
    static Setting setting(PgPulseConfig config, String key) {
        List<Setting> found = config.settings().stream().filter(s -> s.key().equals(key)).toList();
        assertThat(found).as("settings for %s", key).hasSize(1);
        return found.getFirst();
    }

    static String origin(PgPulseConfig config, String key) {
        return setting(config, key).source().origin();
    }

    static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A password file with the owner-only mode libpq insists on. */
    static Path pgpass(Path file, String... lines) {
        return pgpassWithMode(file, "rw-------", lines);
    }

    static Path pgpassWithMode(Path file, String mode, String... lines) {
        write(file, String.join("\n", lines) + "\n");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Flags flags() {
        return new Flags();
    }

    /** Builds {@link Overrides} the way the command line would, one flag at a time. */
    static final class Flags {
        private Path config;
        private String profile;
        private String url;
        private final List<String> replicas = new ArrayList<>();
        private String env;
        private final Map<String, String> settings = new LinkedHashMap<>();

        Flags config(Path file) {
            config = file;
            return this;
        }

        Flags profile(String name) {
            profile = name;
            return this;
        }

        Flags url(String u) {
            url = u;
            return this;
        }

        Flags replica(String u) {
            replicas.add(u);
            return this;
        }

        Flags env(String e) {
            env = e;
            return this;
        }

        Flags set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        Overrides build() {
            return new Overrides(config, profile, url, replicas, env, settings);
        }
    }
}
