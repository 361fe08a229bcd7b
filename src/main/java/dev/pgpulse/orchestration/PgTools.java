package dev.pgpulse.orchestration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.Charset;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL client tools a backup needs: {@code pg_dump} and {@code pg_restore} from one folder, and the
 * version of {@code pg_dump}. The embedded server's jar has neither, so they come from {@code PG_BIN}, then
 * {@code PATH}, then the distribution's PostgreSQL folders (highest version first).
 */
public final class PgTools {
    private static final Logger LOG = LoggerFactory.getLogger(PgTools.class);
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("win");
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);
    /** What {@code --version} prints: "pg_dump (PostgreSQL) 15.19 (Debian 15.19-1.pgdg120+1)", "... 17beta1". */
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+((\\d+)(?:\\.(\\d+))?.*)");
    private static final int STDERR_TAIL_BYTES = 16 * 1024;
    private static final DateTimeFormatter HEADER_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** A TOC line: "215; 1259 16389 TABLE public t postgres". 1259 is pg_class, so "TABLE" there is a table. */
    private static final Pattern TOC_ENTRY = Pattern.compile("^\\d+; \\d+ \\d+ .*");
    private static final Pattern TOC_TABLE = Pattern.compile("^\\d+; 1259 \\d+ TABLE .*");

    /** A tool's version: the text after "(PostgreSQL) ", and its major and minor numbers (9.6.24: 9 and 6). */
    record Version(String text, int major, int minor) {
        /** "15.19" of "15.19 (Debian 15.19-1.pgdg120+1)": the number alone, for messages. */
        String number() {
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        }
    }

    /**
     * What {@code pg_restore --list} says of a file: the header's fields, the objects in its table of contents
     * ({@code tables} of them tables). {@code problem} is null when the file reads as an archive, else why not.
     */
    record Archive(String database, String serverVersion, String dumpedBy, Instant created, int entries, int tables,
                   String problem) {
    }

    /** How a child process ended: its exit code, its standard output when asked for, and its last error line. */
    record Run(int exitCode, List<String> stdout, String error) {
    }

    private final Path pgDump;
    private final Path pgRestore;
    private final Version version;

    private PgTools(Path pgDump, Path pgRestore, Version version) {
        this.pgDump = pgDump;
        this.pgRestore = pgRestore;
        this.version = version;
    }

    /** The tools this process can find, from its own environment. */
    public static PgTools locate() throws BackupException {
        return locate(System.getenv(), defaultDistroDirs());
    }

    /**
     * Finds a folder holding both executables: {@code PG_BIN}, then each {@code PATH} entry, then
     * {@code distroDirs} in order; runs {@code pg_dump --version} there.
     */
    public static PgTools locate(Map<String, String> env, List<Path> distroDirs) throws BackupException {
        List<Path> candidates = new ArrayList<>();
        String pgBin = variable(env, "PG_BIN");
        if (pgBin != null) {
            Path dir = Path.of(pgBin);
            if (holdsTools(dir)) {
                candidates.add(dir);
            } else {
                LOG.warn("PG_BIN={} has no executable pg_dump and pg_restore; looking on PATH instead", pgBin);
            }
        }
        String path = variable(env, "PATH");
        if (path != null) {
            for (String entry : path.split(Pattern.quote(File.pathSeparator))) {
                if (!entry.isBlank()) {
                    candidates.add(Path.of(entry));
                }
            }
        }
        candidates.addAll(distroDirs);
        for (Path dir : candidates) {
            if (holdsTools(dir)) {
                Path dump = dir.resolve(executable("pg_dump"));
                return new PgTools(dump, dir.resolve(executable("pg_restore")), readVersion(dump));
            }
        }
        throw new BackupException("pg_dump and pg_restore not found on PATH, in PG_BIN or in "
                + (distroDirs.isEmpty() ? "the distribution's PostgreSQL folders (none present)"
                : distroDirs.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElseThrow())
                + "; install the PostgreSQL client tools (e.g. postgresql-client-15) or set PG_BIN to their folder");
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
        return pgDump;
    }

    public Path pgRestore() {
        return pgRestore;
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

    /** pg_dump cannot dump a server of a newer major version: refuse before trying. */
    public void requireAtLeast(int serverMajor, String serverVersion) throws BackupException {
        if (version.major() < serverMajor) {
            int space = serverVersion.indexOf(' ');
            throw new BackupException("pg_dump " + version.number() + " (" + pgDump + ") is older than the server "
                    + "(PostgreSQL " + (space < 0 ? serverVersion : serverVersion.substring(0, space))
                    + "); install the PostgreSQL " + serverMajor + " client tools or newer, or set PG_BIN");
        }
    }

    /** Reads the archive's header and table of contents (not its data). */
    Archive readArchive(Path file) throws BackupException, InterruptedException {
        // The archive stores its creation time as the writer's wall clock without a zone, and pg_restore prints
        // it in its own zone: both sides run with TZ=UTC (see BackupManager), so the time reads back right.
        Run run = run(List.of(pgRestore.toString(), "--list", file.toAbsolutePath().toString()), Map.of("TZ", "UTC"),
                List.of(), true, null);
        if (run.exitCode() != 0) {
            return new Archive(null, null, null, null, 0, 0, run.error());
        }
        Map<String, String> header = new HashMap<>();
        int entries = 0;
        int tables = 0;
        for (String line : run.stdout()) {
            if (line.startsWith(";")) {
                String h = line.substring(1).strip();
                int colon = h.indexOf(": ");
                if (h.startsWith("Archive created at ")) {
                    header.put("created", h.substring("Archive created at ".length()));
                } else if (colon > 0) {
                    header.put(h.substring(0, colon).toLowerCase(Locale.ROOT), h.substring(colon + 2).strip());
                }
            } else if (TOC_ENTRY.matcher(line).matches()) {
                entries++;
                if (TOC_TABLE.matcher(line).matches()) {
                    tables++;
                }
            }
        }
        // An empty database's archive lists no objects at all, so the header is what proves it is one.
        if (!header.containsKey("format") || !header.containsKey("dbname")) {
            return new Archive(null, null, null, null, 0, 0, "pg_restore --list printed no archive header");
        }
        return new Archive(header.get("dbname"), header.get("dumped from database version"),
                header.get("dumped by pg_dump version"), parseCreated(header.get("created")), entries, tables, null);
    }

    /**
     * Reads every data block of the archive, writing the SQL it would run to the null device: the table of
     * contents sits at the start of the file, so only this finds a truncated one. Null when complete, else
     * pg_restore's error.
     */
    String readAllData(Path file) throws BackupException, InterruptedException {
        Run run = run(List.of(pgRestore.toString(), "-f", WINDOWS ? "NUL" : "/dev/null",
                file.toAbsolutePath().toString()), Map.of(), List.of(), false, null);
        return run.exitCode() == 0 ? null : run.error();
    }

    @Override
    public String toString() {
        return "pg_dump " + version.number() + " (" + pgDump + ")";
    }

    /** "2026-11-25 07:43:01 UTC", read as UTC. */
    private static Instant parseCreated(String text) {
        if (text == null || text.length() < 19) {
            return null;
        }
        try {
            return LocalDateTime.parse(text.substring(0, 19), HEADER_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static Version parseVersion(String line) {
        Matcher m = VERSION.matcher(line);
        if (!m.find()) {
            return null;
        }
        return new Version(m.group(1).strip(), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    /**
     * Runs a tool and waits for it; the calling thread stays interruptible (output goes to temporary files, so
     * nothing blocks on a pipe). On interrupt or timeout the child is stopped before this returns.
     *
     * @param set    variables to set in the child's environment (this is how a password travels)
     * @param unset  variables of this process the child must not inherit
     * @param timeout how long to wait, or null for as long as it takes
     */
    static Run run(List<String> command, Map<String, String> set, Collection<String> unset, boolean captureStdout,
                   Duration timeout) throws BackupException, InterruptedException {
        String tool = Path.of(command.getFirst()).getFileName().toString();
        Path err = null;
        Path out = null;
        try {
            err = Files.createTempFile("pgpulse-" + tool + "-", ".err");
            out = captureStdout ? Files.createTempFile("pgpulse-" + tool + "-", ".out") : null;
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectError(err.toFile())
                    .redirectOutput(out == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(out.toFile()));
            builder.environment().keySet().removeAll(unset);
            builder.environment().putAll(set);
            Process process = builder.start();
            process.getOutputStream().close();
            try {
                if (timeout == null) {
                    process.waitFor();
                } else if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    stop(process);
                    throw new BackupException(command.getFirst() + " did not finish within " + timeout.toSeconds()
                            + " s; check that it is PostgreSQL's " + tool);
                }
            } catch (InterruptedException e) {
                stop(process);
                throw e;
            }
            // Lenient decoding: tools print in the locale's charset, and a message beats a decoding error.
            List<String> stdout = out == null ? List.of()
                    : new String(Files.readAllBytes(out), Charset.defaultCharset()).lines().toList();
            return new Run(process.exitValue(), stdout, lastError(tail(err), tool));
        } catch (IOException e) {
            throw new BackupException("could not run " + command.getFirst() + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(err);
            deleteQuietly(out);
        }
    }

    /** The line worth showing: the last one saying "error:", else the last non-blank one, without the tool's prefix. */
    static String lastError(List<String> stderr, String tool) {
        String pick = null;
        for (String line : stderr) {
            if (line.contains("error:")) {
                pick = line;
            }
        }
        if (pick == null) {
            pick = stderr.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(no message)");
        }
        String s = pick.strip();
        for (String prefix : List.of(tool + ": error: ", tool + ": ")) {
            if (s.startsWith(prefix)) {
                return s.substring(prefix.length());
            }
        }
        return s;
    }

    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Version readVersion(Path pgDump) throws BackupException {
        Run run;
        try {
            run = run(List.of(pgDump.toString(), "--version"), Map.of(), List.of(), true, VERSION_TIMEOUT);
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
                        PgTools::compareNumbers).reversed())
                .map(p -> p.resolve("bin"))
                .toList();
    }

    private static int[] numbers(String version) {
        return Arrays.stream(version.split("\\D+")).filter(s -> !s.isEmpty())
                .mapToInt(s -> s.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(s)).toArray();
    }

    private static int compareNumbers(int[] a, int[] b) {
        return Arrays.compare(a, b);
    }

    /** The end of a tool's stderr: enough for its last message, bounded however much it printed. */
    private static List<String> tail(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, f.length() - STDERR_TAIL_BYTES);
            byte[] bytes = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(bytes);
            return new String(bytes, Charset.defaultCharset()).lines().toList();
        }
    }

    static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", file, e.getMessage());
        }
    }
}
