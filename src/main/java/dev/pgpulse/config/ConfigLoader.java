package dev.pgpulse.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resolves the one {@link PgPulseConfig}. Precedence: command-line flags &gt; environment &gt; profile file &gt;
 * defaults (the {@link PoolSizing} preset of the environment); for a profile chosen in the console
 * ({@link Overrides#forProfile}) the profile is above the environment, whose variables naming a target are not read. The environment speaks libpq
 * ({@code PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE PGAPPNAME PGCONNECT_TIMEOUT}, {@code .pgpass})
 * and the twelve-factor {@code DATABASE_URL} / {@code DATABASE_READ_URLS}; within the environment a URL's
 * parts win over the {@code PG*} variables, as a libpq connection string wins over them.
 *
 * <p>Problems are collected, never thrown one by one: {@link #load} reports them all in one
 * {@link ConfigException}.
 */
public final class ConfigLoader {
    /** The profile file when {@code --config} and {@code PGPULSE_CONFIG} are not given, under the home folder. */
    public static final String DEFAULT_PROFILE_FILE = ".config/pgpulse/profiles.json";

    private static final Map<String, String> LIBPQ_ENV = Map.of(
            "PGHOST", "host", "PGPORT", "port", "PGDATABASE", "database", "PGUSER", "user",
            "PGPASSWORD", "password", "PGSSLMODE", "sslmode", "PGAPPNAME", "application_name",
            "PGCONNECT_TIMEOUT", "connect_timeout");
    private static final List<String> LIBPQ_ORDER = List.of("PGHOST", "PGPORT", "PGDATABASE", "PGUSER",
            "PGPASSWORD", "PGSSLMODE", "PGAPPNAME", "PGCONNECT_TIMEOUT");

    private final Map<String, String> env;
    private final Path home;
    private final String osUser;
    private final int cores;

    /**
     * @param env    the environment to read (the process's in production, a map in tests)
     * @param home   the user's home folder, for the default profile file, {@code .pgpass} and data folders
     * @param osUser libpq's default user name
     * @param cores  processors, for the production pool size
     */
    public ConfigLoader(Map<String, String> env, Path home, String osUser, int cores) {
        this.env = Map.copyOf(env);
        this.home = home;
        this.osUser = osUser;
        this.cores = cores;
    }

    public static ConfigLoader forThisProcess() {
        // $HOME first, as libpq and the XDG folders use it; the JVM's user.home ignores it.
        String homeEnv = System.getenv("HOME");
        Path home = Path.of(homeEnv != null && !homeEnv.isBlank() ? homeEnv : System.getProperty("user.home"));
        return new ConfigLoader(System.getenv(), home, System.getProperty("user.name"),
                Runtime.getRuntime().availableProcessors());
    }

    /** The home folder this loader reads from: the same one the other per-user files live under. */
    public Path home() {
        return home;
    }

    /** An environment variable as this loader sees it (the process's, or a test's map). */
    public java.util.Optional<String> variable(String name) {
        return java.util.Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }

    public PgPulseConfig load(Overrides flags) throws ConfigException {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Layer flagLayer = flags(flags, problems, warnings);
        Layer envLayer = environment(problems, warnings, !flags.profileWins());
        Layer profileLayer = profile(flags, problems, warnings);
        if (profileLayer != null && !profileLayer.clusters.isEmpty() && !flagLayer.namesPrimary
                && !envLayer.namesPrimary) {
            problems.add("profile '" + profileLayer.profileName + "' names clusters ("
                    + String.join(", ", profileLayer.clusters.keySet()) + "): `pgpulse agent` and `pgpulse status` "
                    + "watch them all; for this command give one server with --url, or choose a profile without clusters");
        }
        // The resolver adds its problems to these, so every problem is reported in one round.
        List<Layer> layers = profileLayer == null ? List.of(flagLayer, envLayer)
                : flags.profileWins() ? List.of(flagLayer, profileLayer, envLayer)
                : List.of(flagLayer, envLayer, profileLayer);
        return new ConfigResolver(layers, env, home, osUser, cores, flags.password(), problems, warnings).resolve();
    }

    /** One cluster of a fleet: its name (a Prometheus {@code cluster} label, {@code /health/<name>}) and config. */
    public record Cluster(String name, PgPulseConfig config) {
    }

    /**
     * The clusters these flags name: each cluster of the chosen profile's {@code clusters}, read as a layer of its own
     * over the profile's shared settings (the environment and flags still win for every setting but the target);
     * otherwise one cluster, {@link #load} as it is, named after its profile or {@code default}. A flag or variable
     * that names a primary (--url, DATABASE_URL, PGHOST) means one cluster: that server, with a warning that the
     * profile's clusters were not used.
     */
    public List<Cluster> loadClusters(Overrides flags) throws ConfigException {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Layer flagLayer = flags(flags, problems, warnings);
        Layer envLayer = environment(problems, warnings, !flags.profileWins());
        Layer profileLayer = profile(flags, problems, warnings);
        if (profileLayer == null || profileLayer.clusters.isEmpty()) {
            PgPulseConfig one = load(flags);
            return List.of(new Cluster(one.profile().filter(n -> ProfileFile.CLUSTER_NAME.matcher(n).matches())
                    .orElse("default"), one));
        }
        if (flagLayer.namesPrimary || envLayer.namesPrimary) {
            PgPulseConfig one = load(flags);
            List<String> w = new ArrayList<>(one.warnings());
            w.add("profile '" + profileLayer.profileName + "' names " + profileLayer.clusters.size() + " clusters, but "
                    + (flagLayer.namesPrimary ? "--url or --set primary.host" : "DATABASE_URL or PGHOST")
                    + " names one server: watching that one only");
            return List.of(new Cluster("default", one.withWarnings(w)));
        }
        if (envLayer.replicas != null || flagLayer.replicas != null) {
            warnings.add((flagLayer.replicas != null ? "--replica" : "DATABASE_READ_URLS") + " is not used: profile '"
                    + profileLayer.profileName + "' names each cluster's replicas");
        }
        List<Cluster> clusters = new ArrayList<>();
        // every problem in one round: the profile's and flags' own, then each cluster's
        List<String> all = new ArrayList<>(problems);
        for (Map.Entry<String, Layer> c : profileLayer.clusters.entrySet()) {
            List<String> p = new ArrayList<>();
            Layer cluster = c.getValue();
            if (cluster.replicas == null) {
                // a cluster without replicas has none: DATABASE_READ_URLS or --replica name another cluster's servers
                cluster.putReplicas(List.of());
            }
            // the cluster's own fields win: its target above all (PGPORT, PGDATABASE, PGUSER in the environment fill
            // only what its URL leaves out, as libpq's variables do), its environment and pool over the shared ones
            List<Layer> layers = List.of(cluster, flagLayer, envLayer, profileLayer);
            try {
                PgPulseConfig config = new ConfigResolver(layers, env, home, osUser, cores, flags.password(), p,
                        new ArrayList<>(warnings)).resolve();
                clusters.add(new Cluster(c.getKey(), config));
            } catch (ConfigException e) {
                e.problems().forEach(x -> all.add("cluster " + c.getKey() + ": " + x));
            }
        }
        if (!all.isEmpty()) {
            throw new ConfigException(all.stream().distinct().toList());
        }
        return List.copyOf(clusters);
    }

    /**
     * A profile that is in no file yet (the console's dialog, before it is saved), read as {@link Overrides#forProfile}
     * reads a saved one: its target wins over the environment's. Settings the spec does not hold (startup, embedded)
     * take their defaults.
     *
     * @param password asked for at connect, or null
     */
    public PgPulseConfig load(ProfileSpec spec, String password) throws ConfigException {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Layer profileLayer = ProfileFile.walk(spec.toTree(), ProfileSpec.UNSAVED, spec.name(), problems, warnings);
        Layer envLayer = environment(problems, warnings, false);
        return new ConfigResolver(List.of(profileLayer, envLayer), env, home, osUser, cores, password, problems,
                warnings).resolve();
    }

    /** The profile file {@link #load} reads for these flags: {@code --config}, else PGPULSE_CONFIG, else the default. */
    public Path profileFile(Overrides flags) {
        if (flags.configFile() != null) {
            return flags.configFile();
        }
        return nonEmpty("PGPULSE_CONFIG") ? Path.of(env.get("PGPULSE_CONFIG")) : home.resolve(DEFAULT_PROFILE_FILE);
    }

    private Layer flags(Overrides o, List<String> problems, List<String> warnings) {
        Layer layer = new Layer("flags");
        if (o.environment() != null) {
            layer.put(Keys.ENVIRONMENT, o.environment(), ConfigSource.flag("--env"));
        }
        if (o.url() != null) {
            layer.namesPrimary = true;
            layer.putUrl(Keys.PRIMARY, o.url(), ConfigSource.flag("--url"), "--url", problems, warnings);
            warnIfPassword("--url", o.url(), warnings);
        }
        o.replicas().forEach(u -> warnIfPassword("--replica", u, warnings));
        if (!o.replicas().isEmpty()) {
            layer.putReplicas(o.replicas().stream().map(u -> new ConfigValue(u, ConfigSource.flag("--replica"))).toList());
        }
        o.settings().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String key = e.getKey().trim();
            if (Setting.isSecret(key)) {
                problems.add("--set " + key + ": a password on the command line is visible to every user of this "
                        + "machine (ps); use PGPASSWORD or ~/.pgpass instead");
            } else if (!Keys.isSettable(key)) {
                problems.add("--set " + key + ": unknown key" + Keys.closest(key, Keys.settable())
                        .map(k -> "; did you mean " + k + "?").orElse("; expected one of " + Keys.describeSettable()));
            } else if (e.getValue() == null || e.getValue().isBlank()) {
                // An empty path would mean the current folder; an empty number fails later, far from here.
                problems.add(key + " = '' (from " + ConfigSource.flag("--set " + key) + "): expected a non-empty value; "
                        + "give one, or drop --set " + key + " for the default");
            } else {
                layer.put(key, e.getValue(), ConfigSource.flag("--set " + key));
                if (key.equals("primary.host")) {
                    layer.namesPrimary = true;
                }
            }
        });
        return layer;
    }

    /**
     * @param target false when a profile chosen in the console names the target: then the variables that name one
     *               (DATABASE_URL, DATABASE_READ_URLS, PGHOST, PGPULSE_PRIMARY_HOST, PGPULSE_ENV) are not read
     */
    private Layer environment(List<String> problems, List<String> warnings, boolean target) {
        Layer layer = new Layer("environment");
        for (String var : LIBPQ_ORDER) {
            if (nonEmpty(var) && (target || !var.equals("PGHOST"))) {
                layer.put("primary." + LIBPQ_ENV.get(var), env.get(var), ConfigSource.env(var));
            }
        }
        if (nonEmpty("PGHOST") && target) {
            layer.namesPrimary = true;
        }
        if (nonEmpty("DATABASE_URL") && target) {
            layer.namesPrimary = true;
            layer.putUrl(Keys.PRIMARY, env.get("DATABASE_URL"), ConfigSource.env("DATABASE_URL"), "DATABASE_URL",
                    problems, warnings);
        }
        if (nonEmpty("DATABASE_READ_URLS") && target) {
            List<ConfigValue> urls = ConnectionUri.splitList(env.get("DATABASE_READ_URLS")).stream()
                    .map(u -> new ConfigValue(u, ConfigSource.env("DATABASE_READ_URLS"))).toList();
            layer.putReplicas(urls);
        }
        // A misspelt variable would otherwise be ignored without a word. Only warned: the environment is shared
        // by every program, and a variable another PgPulse version reads must not stop this one.
        List<String> known = Keys.variables();
        env.keySet().stream().filter(v -> v.startsWith("PGPULSE_") && !known.contains(v)).sorted().forEach(v ->
                warnings.add(v + " is not a PgPulse setting" + Keys.closest(v, known).map(k -> "; did you mean " + k + "?")
                        .orElse(" and was ignored; see README, \"Configuration\", for the PGPULSE_* variables")));
        // logback.xml reads it; a value logback does not know would quietly log at DEBUG.
        if (nonEmpty("PGPULSE_LOG_LEVEL") && !Keys.LOG_LEVELS.contains(env.get("PGPULSE_LOG_LEVEL").trim()
                .toUpperCase(java.util.Locale.ROOT))) {
            problems.add("PGPULSE_LOG_LEVEL = '" + env.get("PGPULSE_LOG_LEVEL") + "' (from env PGPULSE_LOG_LEVEL): "
                    + "expected one of " + String.join(", ", Keys.LOG_LEVELS));
        }
        if (nonEmpty("PGPULSE_ENV") && target) {
            layer.put(Keys.ENVIRONMENT, env.get("PGPULSE_ENV"), ConfigSource.env("PGPULSE_ENV"));
        }
        for (String key : Keys.settable()) {
            String var = Keys.envName(key);
            if (key.equals(Keys.ENVIRONMENT) || !nonEmpty(var) || (!target && key.equals("primary.host"))) {
                continue;
            }
            layer.put(key, env.get(var), ConfigSource.env(var));
            if (key.equals("primary.host")) {
                layer.namesPrimary = true;
            }
        }
        return layer;
    }

    private Layer profile(Overrides o, List<String> problems, List<String> warnings) {
        Path file = profileFile(o);
        boolean explicit = o.configFile() != null || nonEmpty("PGPULSE_CONFIG");
        if (!Files.exists(file)) {
            if (explicit) {
                problems.add("profile file " + file + " does not exist; create it (see README, \"Configuration\") "
                        + "or drop --config / PGPULSE_CONFIG");
            } else if (o.profileWins()) {
                problems.add("profile '" + o.profile() + "': there is no profile file at " + file
                        + " any more; save the profile again in the Profiles dialog");
            } else if (o.profile() != null) {
                problems.add("--profile " + o.profile() + ": there is no profile file at " + file
                        + "; create it or give one with --config FILE");
            } else if (nonEmpty("PGPULSE_PROFILE")) {
                problems.add("PGPULSE_PROFILE = '" + env.get("PGPULSE_PROFILE") + "' (from env PGPULSE_PROFILE): "
                        + "there is no profile file at " + file + "; create it, set PGPULSE_CONFIG, or unset PGPULSE_PROFILE");
            }
            return null;
        }
        String requested = o.profile();
        ConfigSource requestedSource = requested == null ? null : o.profileWins()
                ? new ConfigSource(ConfigSource.Kind.FLAG, "the console's choice") : ConfigSource.flag("--profile");
        if (requested == null && nonEmpty("PGPULSE_PROFILE")) {
            requested = env.get("PGPULSE_PROFILE");
            requestedSource = ConfigSource.env("PGPULSE_PROFILE");
        }
        return ProfileFile.read(file, requested, requestedSource, problems, warnings);
    }

    /** It works (libpq allows it), but {@code ps} shows every argument to every user of the machine. */
    private static void warnIfPassword(String flag, String url, List<String> warnings) {
        if (ConnectionUri.hasPassword(url)) {
            warnings.add(flag + " holds a password, which other users of this machine can see (ps, shell history); "
                    + "use PGPASSWORD or ~/.pgpass instead");
        }
    }

    private boolean nonEmpty(String var) {
        String v = env.get(var);
        return v != null && !v.isBlank();
    }
}
