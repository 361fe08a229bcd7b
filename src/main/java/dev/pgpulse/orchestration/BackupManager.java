package dev.pgpulse.orchestration;

import dev.pgpulse.config.EndpointConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Backups of one database with the PostgreSQL client tools: {@code pg_dump -Fc} into a folder, list, verify
 * and restore into a new database (over the source only when asked). The password reaches the tools through
 * their environment, never their command line; a backup is written as {@code .partial} and renamed only once
 * complete and readable, so the folder never holds half a backup.
 *
 * <p>Names are {@code <database>-<yyyyMMdd-HHmmss>.dump} in UTC. The tools run with {@code TZ=UTC} because a
 * custom-format archive stores its creation time as the writer's wall-clock time without a zone.
 */
public final class BackupManager {
    private static final Logger LOG = LoggerFactory.getLogger(BackupManager.class);
    public static final String SUFFIX = ".dump";
    static final String PARTIAL = ".partial";
    static final String APPLICATION_NAME = "pgpulse backup";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Inherited libpq variables that could point the tools elsewhere than the configuration says. */
    private static final Set<String> CONNECTION_VARIABLES = Set.of("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE",
            "PGUSER", "PGPASSWORD", "PGSERVICE", "PGSSLMODE", "PGAPPNAME", "PGCONNECT_TIMEOUT");

    /**
     * One backup file. {@code problem} is null when the file reads as a pg_dump archive; otherwise it says why
     * not, and the fields the archive would have told are null ({@code created} is then the file's time).
     */
    public record Backup(Path file, long sizeBytes, Instant created, String database, String serverVersion,
                         String dumpedBy, String problem) {
        public boolean readable() {
            return problem == null;
        }
    }

    /** A verified archive: {@code entries} objects in its table of contents, {@code tables} of them tables. */
    public record Verification(Path file, String database, String serverVersion, int entries, int tables,
                               Duration elapsed) {
    }

    /** A finished restore: which database received the archive's {@code tables} tables. */
    public record Restore(Path file, String targetDatabase, boolean overSource, int tables, Duration elapsed) {
    }

    private record Server(int major, String version) {
    }

    private final EndpointConfig source;
    private final Path backupDir;
    private final PgTools tools;

    public BackupManager(EndpointConfig source, Path backupDir, PgTools tools) {
        this.source = source;
        this.backupDir = backupDir;
        this.tools = tools;
    }

    public Path backupDir() {
        return backupDir;
    }

    public Backup backup() throws BackupException {
        return backup(backupDir);
    }

    /** Dumps the source database into {@code dir}; interruptible (the dump is stopped and its file removed). */
    public Backup backup(Path dir) throws BackupException {
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BackupException("cannot create the backup folder " + dir + ": " + e.getMessage(), e);
        }
        Server server = server();
        tools.requireAtLeast(server.major(), server.version());
        Path partial = claim(dir, started);
        String partialName = partial.getFileName().toString();
        Path file = dir.resolve(partialName.substring(0, partialName.length() - PARTIAL.length()));
        boolean kept = false;
        try {
            PgTools.Run run = PgTools.run(dumpCommand(partial), childEnvironment(), CONNECTION_VARIABLES, false, null);
            if (run.exitCode() != 0) {
                throw new BackupException("pg_dump of " + source.displayTarget() + " failed (exit " + run.exitCode()
                        + "): " + run.error());
            }
            PgTools.Archive archive = tools.readArchive(partial);
            if (archive.problem() != null) {
                throw new BackupException("pg_dump of " + source.displayTarget() + " finished but its file does not "
                        + "read back: " + archive.problem());
            }
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
            kept = true;
            Instant created = archive.created() == null ? started.truncatedTo(ChronoUnit.SECONDS) : archive.created();
            Backup backup = new Backup(file, Files.size(file), created, archive.database(), archive.serverVersion(),
                    archive.dumpedBy(), null);
            LOG.info("{} - backup of {} written to {} ({} bytes in {} ms)", source.name(), source.displayTarget(), file,
                    backup.sizeBytes(), millisSince(t0));
            return backup;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException("backup of " + source.displayTarget() + " interrupted; no file was kept", e);
        } catch (IOException e) {
            throw new BackupException("cannot finish the backup file " + file + ": " + e.getMessage(), e);
        } finally {
            if (!kept) {
                PgTools.deleteQuietly(partial);
            }
        }
    }

    public List<Backup> list() throws BackupException {
        return list(backupDir);
    }

    /** The {@code .dump} files of {@code dir}, newest first; unreadable ones too, with a problem. */
    public List<Backup> list(Path dir) throws BackupException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p)).toList();
        } catch (IOException e) {
            throw new BackupException("cannot list the backup folder " + dir + ": " + e.getMessage(), e);
        }
        List<Backup> backups = new ArrayList<>();
        for (Path f : files) {
            try {
                long size = Files.size(f);
                Instant modified = Files.getLastModifiedTime(f).toInstant().truncatedTo(ChronoUnit.SECONDS);
                PgTools.Archive a = tools.readArchive(f);
                backups.add(a.problem() == null
                        ? new Backup(f, size, a.created() == null ? modified : a.created(), a.database(),
                        a.serverVersion(), a.dumpedBy(), null)
                        : new Backup(f, size, modified, null, null, null,
                        "not a readable pg_dump archive: " + a.problem()));
            } catch (NoSuchFileException gone) {
                // deleted while we listed: not a backup any more
            } catch (IOException e) {
                backups.add(new Backup(f, -1, null, null, null, null, "cannot read: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException("listing " + dir + " interrupted", e);
            }
        }
        backups.sort(Comparator.comparing(Backup::created, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(b -> b.file().getFileName().toString(), Comparator.reverseOrder()));
        return List.copyOf(backups);
    }

    /** Reads the archive's table of contents, then every data block (to the null device): a truncated file fails. */
    public Verification verify(Path file) throws BackupException {
        long t0 = System.nanoTime();
        if (!Files.isRegularFile(file)) {
            throw new BackupException("backup file " + file + " does not exist");
        }
        try {
            PgTools.Archive a = tools.readArchive(file);
            if (a.problem() != null) {
                throw new BackupException(file + " is not a readable pg_dump archive: " + a.problem());
            }
            String damage = tools.readAllData(file);
            if (damage != null) {
                throw new BackupException(file + " is damaged: its table of contents reads but its data does not ("
                        + damage + ")");
            }
            return new Verification(file, a.database(), a.serverVersion(), a.entries(), a.tables(), since(t0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException("verifying " + file + " interrupted", e);
        }
    }

    /**
     * Restores {@code file} into a new database {@code targetDb} on the source's server, in one transaction;
     * into the source database itself only with {@code overSource} (its objects are dropped and recreated).
     * A database this call created is dropped again when the restore fails.
     */
    public Restore restore(Path file, String targetDb, boolean overSource) throws BackupException {
        long t0 = System.nanoTime();
        checkDatabaseName(targetDb);
        boolean intoSource = targetDb.equals(source.database());
        if (intoSource && !overSource) {
            throw new BackupException("refusing to restore over the source database '" + targetDb
                    + "'; pass --over-source to replace it, or choose another --target-db");
        }
        Verification verified = verify(file);
        Server server = server();
        boolean created = false;
        if (!intoSource) {
            try (Connection c = connect();
                 PreparedStatement exists = c.prepareStatement("select 1 from pg_database where datname = ?")) {
                exists.setString(1, targetDb);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        throw new BackupException("database '" + targetDb
                                + "' already exists; choose a new --target-db or drop it first");
                    }
                }
                try (Statement st = c.createStatement()) {
                    // template0: template1 may carry objects of its own that the archive would collide with
                    st.execute("create database " + quote(targetDb) + " template template0");
                }
                created = true;
            } catch (SQLException e) {
                throw new BackupException("cannot create database '" + targetDb + "' on " + source.host() + ":"
                        + source.port() + ": " + oneLine(e.getMessage()), e);
            }
        }
        boolean restored = false;
        try {
            PgTools.Run run = PgTools.run(restoreCommand(file, targetDb, intoSource), childEnvironment(),
                    CONNECTION_VARIABLES, false, null);
            if (run.exitCode() != 0) {
                throw new BackupException("pg_restore of " + file + " into '" + targetDb + "' failed (exit "
                        + run.exitCode() + "): " + run.error() + (created ? "; the new database was dropped again"
                        : "; nothing was changed (one transaction)"));
            }
            restored = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException("restore into '" + targetDb + "' interrupted" + (created
                    ? "; the new database was dropped again" : "; nothing was changed (one transaction)"), e);
        } finally {
            if (!restored && created) {
                dropQuietly(targetDb, server.major());
            }
        }
        Duration elapsed = since(t0);
        LOG.info("{} - restored {} into database '{}' on {}:{} ({} tables in {} ms)", source.name(), file, targetDb,
                source.host(), source.port(), verified.tables(), elapsed.toMillis());
        return new Restore(file, targetDb, intoSource, verified.tables(), elapsed);
    }

    /** The pg_dump command line: connection details but never the password. */
    List<String> dumpCommand(Path out) {
        return List.of(tools.pgDump().toString(), "-Fc", "--no-password", "-h", source.host(),
                "-p", Integer.toString(source.port()), "-U", source.user(), "-d", databaseArgument(source.database()),
                "-f", out.toAbsolutePath().toString());
    }

    List<String> restoreCommand(Path file, String target, boolean overSource) {
        List<String> cmd = new ArrayList<>(List.of(tools.pgRestore().toString(), "--no-owner", "--no-privileges",
                "--exit-on-error", "--single-transaction"));
        if (overSource) {
            cmd.addAll(List.of("--clean", "--if-exists"));
        }
        cmd.addAll(List.of("--no-password", "-h", source.host(), "-p", Integer.toString(source.port()),
                "-U", source.user(), "-d", target, file.toAbsolutePath().toString()));
        return List.copyOf(cmd);
    }

    /** What the tools get in their environment on top of this process's (minus {@link #CONNECTION_VARIABLES}). */
    Map<String, String> childEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        if (source.hasPassword()) {
            env.put("PGPASSWORD", source.password());
        }
        env.put("PGSSLMODE", source.sslMode());
        env.put("PGAPPNAME", APPLICATION_NAME);
        env.put("PGCONNECT_TIMEOUT", Long.toString(Math.max(2, source.connectTimeout().toSeconds())));
        env.put("TZ", "UTC");
        return env;
    }

    static void checkDatabaseName(String name) throws BackupException {
        if (name == null || name.isEmpty()) {
            throw new BackupException("the target database name is empty; give --target-db a name such as app_restored");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 63) {
            throw new BackupException("the target database name '" + name + "' is longer than PostgreSQL's 63 bytes");
        }
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new BackupException("the target database name '" + name + "' is not a plain identifier; use letters, "
                    + "digits and underscores, starting with a letter or underscore");
        }
    }

    private Server server() throws BackupException {
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(
                     "select current_setting('server_version_num')::int, current_setting('server_version')")) {
            rs.next();
            return new Server(rs.getInt(1) / 10000, rs.getString(2));
        } catch (SQLException e) {
            throw new BackupException("cannot connect to " + source.displayTarget() + ": " + oneLine(e.getMessage()), e);
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", source.user());
        if (source.hasPassword()) {
            p.setProperty("password", source.password());
        }
        p.setProperty("sslmode", source.sslMode());
        p.setProperty("ApplicationName", APPLICATION_NAME);
        long connect = Math.max(1, source.connectTimeout().toSeconds());
        p.setProperty("connectTimeout", Long.toString(connect));
        p.setProperty("loginTimeout", Long.toString(connect));
        p.setProperty("socketTimeout", "60");
        return DriverManager.getConnection(source.jdbcUrl(), p);
    }

    private void dropQuietly(String database, int serverMajor) {
        // A stopped pg_restore's backend may linger; FORCE (13+) ends it. Clear the interrupt so the driver connects.
        boolean interrupted = Thread.interrupted();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + quote(database) + (serverMajor >= 13 ? " with (force)" : ""));
        } catch (SQLException e) {
            LOG.warn("{} - could not drop the half-restored database '{}': {}; drop it by hand", source.name(),
                    database, oneLine(e.getMessage()));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Reserves a new name in {@code dir} by creating its {@code .partial} file (owner-only where possible). */
    private Path claim(Path dir, Instant at) throws BackupException {
        String base = source.database().replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + STAMP.format(at);
        try {
            for (int i = 0; i < 1000; i++) {
                String name = (i == 0 ? base : base + "-" + i) + SUFFIX;
                if (Files.exists(dir.resolve(name))) {
                    continue;
                }
                try {
                    Path partial = dir.resolve(name + PARTIAL);
                    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                        return Files.createFile(partial, PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")));
                    }
                    return Files.createFile(partial);
                } catch (FileAlreadyExistsException taken) {
                    // another backup of the same second: try the next suffix
                }
            }
        } catch (IOException e) {
            throw new BackupException("cannot write in the backup folder " + dir + ": " + e.getMessage(), e);
        }
        throw new BackupException("no free backup name for " + base + " in " + dir);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every platform can sync a directory (Windows); the rename itself is still atomic
        }
    }

    /** A name libpq would read as a connection string is passed as one, so it stays a name. */
    private static String databaseArgument(String name) {
        if (!name.contains("=") && !name.startsWith("postgresql://") && !name.startsWith("postgres://")) {
            return name;
        }
        return "dbname='" + name.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String oneLine(String message) {
        return message == null ? "(no message)" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private static long millisSince(long t0) {
        return since(t0).toMillis();
    }
}
