package dev.pgpulse.orchestration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL client tools a backup needs: {@code pg_dump} and {@code pg_restore} from one folder, and the
 * version of {@code pg_dump}. The embedded server's jar has neither, so they come from {@code PG_BIN}, then
 * {@code PATH}, then the distribution's PostgreSQL folders (highest version first).
 *
 * <p>Every folder found is kept, in that order: the first is the one {@link #pgDump()} names, and
 * {@link #forServer} picks the first whose pg_dump is not older than a given server, so an old client early on
 * {@code PATH} does not hide a newer one further down.
 */
public final class PgTools {
    private static final Logger LOG = LoggerFactory.getLogger(PgTools.class);
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("win");
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);
    /** What {@code --version} prints: "pg_dump (PostgreSQL) 15.19 (Debian 15.19-1.pgdg120+1)", "... 17beta1". */
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+((\\d+)(?:\\.(\\d+))?.*)");

    /** A tool's version: the text after "(PostgreSQL) ", and its major and minor numbers (9.6.24: 9 and 6). */
    record Version(String text, int major, int minor) {
        /** "15.19" of "15.19 (Debian 15.19-1.pgdg120+1)": the number alone, for messages. */
        String number() {
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        }
    }

    /** A folder holding both tools; its pg_dump's version is asked once, when first needed. */
    private static final class Candidate {
        final Path pgDump;
        final Path pgRestore;
        private Version version;
        private BackupException failure;

        Candidate(Path dir) {
            this.pgDump = dir.resolve(executable("pg_dump"));
            this.pgRestore = dir.resolve(executable("pg_restore"));
        }

        synchronized Version version() throws BackupException {
            if (version == null && failure == null) {
                try {
                    version = readVersion(pgDump);
                } catch (BackupException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return version;
        }

        /** The version, or null (with a warning) when this is not a PostgreSQL pg_dump. */
        Version versionOrNull() {
            try {
                return version();
            } catch (BackupException e) {
                LOG.warn("skipping {}: {}", pgDump, e.getMessage());
                return null;
            }
        }
    }

    private final List<Candidate> candidates;
    private final Candidate chosen;
    private final Version version;

    private PgTools(List<Candidate> candidates, Candidate chosen, Version version) {
        this.candidates = candidates;
        this.chosen = chosen;
        this.version = version;
    }

    /** The tools this process can find, from its own environment. */
    public static PgTools locate() throws BackupException {
        return locate(System.getenv(), defaultDistroDirs());
    }

    /**
     * Finds every folder holding both executables: {@code PG_BIN}, then each {@code PATH} entry, then
     * {@code distroDirs} in order. The first whose {@code pg_dump --version} reads as PostgreSQL's is the one
     * this answers for; the others are kept for {@link #forServer}.
     */
    public static PgTools locate(Map<String, String> env, List<Path> distroDirs) throws BackupException {
        Set<Path> dirs = new LinkedHashSet<>();
        String pgBin = variable(env, "PG_BIN");
        if (pgBin != null) {
            Path dir = Path.of(pgBin);
            if (holdsTools(dir)) {
                dirs.add(dir.toAbsolutePath().normalize());
            } else {
                LOG.warn("PG_BIN={} has no executable pg_dump and pg_restore; looking on PATH instead", pgBin);
            }
        }
        String path = variable(env, "PATH");
        if (path != null) {
            for (String entry : path.split(Pattern.quote(File.pathSeparator))) {
                if (!entry.isBlank() && holdsTools(Path.of(entry))) {
                    dirs.add(Path.of(entry).toAbsolutePath().normalize());
                }
            }
        }
        distroDirs.stream().filter(PgTools::holdsTools).forEach(d -> dirs.add(d.toAbsolutePath().normalize()));
        if (dirs.isEmpty()) {
            throw new BackupException("pg_dump and pg_restore not found on PATH, in PG_BIN or in "
                    + (distroDirs.isEmpty() ? "the distribution's PostgreSQL folders (none present)"
                    : distroDirs.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElseThrow())
                    + "; install the PostgreSQL client tools (e.g. postgresql-client-15) or set PG_BIN to their folder");
        }
        List<Candidate> candidates = dirs.stream().map(Candidate::new).toList();
        BackupException first = null;
        for (Candidate c : candidates) {
            try {
                return new PgTools(candidates, c, c.version());
            } catch (BackupException e) {
                if (first == null) {
                    first = e;
                }
                LOG.warn("skipping {}: {}", c.pgDump, e.getMessage());
            }
        }
        throw first;
    }

    /**
     * The folders distributions install PostgreSQL's binaries in, those present on this machine, each
     * family highest version first: {@code /usr/lib/postgresql/N/bin} (Debian, Ubuntu), {@code /usr/pgsql-N/bin}
     * (PGDG RPMs), {@code /usr/local/pgsql/bin} (source builds), Homebrew's {@code postgresql@N/bin}, and
     * {@code C:\Program Files\PostgreSQL\N\bin} on Windows.
     */
    public static List<Path> defaultDistroDirs() {
        List<Path> dirs = new ArrayList<>();
        dirs.addAll(versioned(Path.of("/usr/lib/postgresql"), ""));
        dirs.addAll(versioned(Path.of("/usr"), "pgsql-"));
        dirs.add(Path.of("/usr/local/pgsql/bin"));
        dirs.addAll(versioned(Path.of("/opt/homebrew/opt"), "postgresql@"));
        dirs.addAll(versioned(Path.of("/usr/local/opt"), "postgresql@"));
        if (WINDOWS) {
            dirs.addAll(versioned(Path.of("C:\\Program Files\\PostgreSQL"), ""));
        }
        return dirs.stream().filter(Files::isDirectory).toList();
    }

    public Path pgDump() {
        return chosen.pgDump;
    }

    public Path pgRestore() {
        return chosen.pgRestore;
    }

    /** pg_dump's version as it prints it, e.g. "15.19 (Debian 15.19-1.pgdg120+1)". */
    public String version() {
        return version.text();
    }

    public int major() {
        return version.major();
    }

    public int minor() {
        return version.minor();
    }

    /** {@link #forServer(int, String)} when only the server's major version is known. */
    public PgTools forServer(int serverMajor) throws BackupException {
        return forServer(serverMajor, Integer.toString(serverMajor));
    }

    /**
     * The tools to use with a server of major version {@code serverMajor}: the first folder found whose pg_dump
     * is that major or newer (pg_dump cannot dump a newer server). When none is, the refusal names the newest
     * found.
     */
    public PgTools forServer(int serverMajor, String serverVersion) throws BackupException {
        for (Candidate c : candidates) {
            Version v = c == chosen ? version : c.versionOrNull();
            if (v != null && v.major() >= serverMajor) {
                return c == chosen ? this : new PgTools(candidates, c, v);
            }
        }
        Candidate newest = chosen;
        Version newestVersion = version;
        int readable = 0;
        for (Candidate c : candidates) {
            Version v = c == chosen ? version : c.versionOrNull();
            if (v != null) {
                readable++;
                if (v.major() > newestVersion.major()
                        || v.major() == newestVersion.major() && v.minor() > newestVersion.minor()) {
                    newest = c;
                    newestVersion = v;
                }
            }
        }
        int space = serverVersion.indexOf(' ');
        throw new BackupException("pg_dump " + newestVersion.number() + " (" + newest.pgDump + ")"
                + (readable > 1 ? ", the newest of " + readable + " found," : "") + " is older than the server "
                + "(PostgreSQL " + (space < 0 ? serverVersion : serverVersion.substring(0, space))
                + "); install the PostgreSQL " + serverMajor + " client tools or newer, or set PG_BIN");
    }

    /**
     * pg_dump cannot dump a server of a newer major version: refuse before trying when no folder found has one
     * recent enough ({@link #forServer} says which one a backup will use).
     */
    public void requireAtLeast(int serverMajor, String serverVersion) throws BackupException {
        forServer(serverMajor, serverVersion);
    }

    /** Reads the archive's header and table of contents (not its data) with this pg_restore. */
    PgArchive readArchive(Path file) throws BackupException, InterruptedException {
        try (ChildProcess guard = ChildProcess.guard("pgpulse-pg_restore-exit")) {
            return PgArchive.read(pgRestore(), file, guard);
        }
    }

    /** Reads every data block of the archive: null when complete, else pg_restore's error. */
    String readAllData(Path file) throws BackupException, InterruptedException {
        try (ChildProcess guard = ChildProcess.guard("pgpulse-pg_restore-exit")) {
            return PgArchive.readAllData(pgRestore(), file, guard);
        }
    }

    @Override
    public String toString() {
        return "pg_dump " + version.number() + " (" + chosen.pgDump + ")";
    }

    static Version parseVersion(String line) {
        Matcher m = VERSION.matcher(line);
        if (!m.find()) {
            return null;
        }
        return new Version(m.group(1).strip(), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    private static Version readVersion(Path pgDump) throws BackupException {
        ChildProcess.Run run;
        try {
            run = ChildProcess.once(List.of(pgDump.toString(), "--version"), Map.of(), true, VERSION_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException("interrupted while asking " + pgDump + " for its version", e);
        }
        String first = run.stdout().isEmpty() ? "" : run.stdout().getFirst();
        Version v = run.exitCode() == 0 ? parseVersion(first) : null;
        if (v == null) {
            throw new BackupException(pgDump + " --version printed '" + (first.isEmpty() ? run.error() : first)
                    + "', not a PostgreSQL pg_dump version; set PG_BIN to the PostgreSQL client tools' folder");
        }
        LOG.debug("pg_dump {} at {}", v.text(), pgDump);
        return v;
    }

    private static boolean holdsTools(Path dir) {
        return isExecutableFile(dir.resolve(executable("pg_dump"))) && isExecutableFile(dir.resolve(executable("pg_restore")));
    }

    private static boolean isExecutableFile(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    private static String executable(String name) {
        return WINDOWS ? name + ".exe" : name;
    }

    private static String variable(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null && WINDOWS) {
            value = env.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }
        return value == null || value.isBlank() ? null : value;
    }

    /** {@code parent/<prefix>N/bin} for every N present, highest version first. */
    private static List<Path> versioned(Path parent, String prefix) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(parent, prefix + "[0-9]*")) {
            children.forEach(found::add);
        } catch (IOException e) {
            return List.of();
        }
        return found.stream()
                .sorted(Comparator.comparing((Path p) -> numbers(p.getFileName().toString().substring(prefix.length())),
                        Arrays::compare).reversed())
                .map(p -> p.resolve("bin"))
                .toList();
    }

    private static int[] numbers(String version) {
        return Arrays.stream(version.split("\\D+")).filter(s -> !s.isEmpty())
                .mapToInt(s -> s.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(s)).toArray();
    }
}
