package dev.pgpulse.orchestration;

import dev.pgpulse.config.AtomicFile;
import dev.pgpulse.config.EndpointConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Backups of one database with the PostgreSQL client tools: {@code pg_dump -Fc} into a folder, list, verify
 * and restore into a new database (over the source only when asked). The password reaches the tools through
 * their environment, never their command line; a backup is written as {@code .partial}, read back in full
 * (every data block) and renamed only then, so the folder never holds half a backup or an unreadable one.
 *
 * <p>Names are {@code <database>-<yyyyMMdd-HHmmss>.dump} in UTC. The tools run with {@code TZ=UTC} because a
 * custom-format archive stores its creation time as the writer's wall-clock time without a zone.
 *
 * <p>If PgPulse is stopped (SIGTERM, Ctrl-C) while a tool runs, a shutdown hook stops the tool and removes its
 * files (see {@link ChildProcess}); a {@code .partial} left by a crash is removed by a later backup once an hour
 * old.
 */
public final class BackupManager {
    private static final Logger LOG = LoggerFactory.getLogger(BackupManager.class);
    public static final String SUFFIX = ".dump";
    static final String PARTIAL = ".partial";
    static final String APPLICATION_NAME = "pgpulse backup";
    /** pg_restore's sessions are named this, then the JVM's pid and a count: a cancel ends exactly its own. */
    static final String RESTORE_APPLICATION_NAME = "pgpulse restore";
    /**
     * TCP keepalives for pg_restore's connection: it may sit for long waiting on a lock, and a dead network or
     * server under it is then noticed within about a minute instead of the kernel's two hours.
     */
    static final Duration KEEPALIVES_IDLE = Duration.ofSeconds(30);
    static final Duration KEEPALIVES_INTERVAL = Duration.ofSeconds(10);
    static final int KEEPALIVES_COUNT = 3;
    /** The {@code .partial} files this process's running backups are writing (any manager's: one per call). */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();
    private static final AtomicLong RESTORES = new AtomicLong();
    /** How long pg_dump waits for the share lock on each table before it gives up (an ALTER TABLE may hold it). */
    static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(60);
    /** A {@code .partial} untouched this long is no running backup's (pg_dump keeps writing to its file). */
    static final Duration STALE_PARTIAL = Duration.ofHours(1);
    /** A {@code .partial} written to this recently may be a running backup's: not deleted by hand. */
    static final Duration RUNNING_PARTIAL = Duration.ofMinutes(1);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * One backup file. {@code problem} is null when the file reads as a pg_dump archive; otherwise it says why
     * not, and the fields the archive would have told are null ({@code created} is then the file's time).
     */
    public record Backup(Path file, long sizeBytes, Instant created, String database, String serverVersion,
                         String dumpedBy, String problem) {
        public boolean readable() {
            return problem == null;
        }

        /** A {@code .dump.partial}: a backup being written, or one a stopped PgPulse never finished. */
        public boolean partial() {
            return BackupList.isPartial(file);
        }
    }

    /** A verified archive: {@code entries} objects in its table of contents, {@code tables} of them tables. */
    public record Verification(Path file, String database, String serverVersion, int entries, int tables,
                               Duration elapsed) {
    }

    /** A finished restore: which database received the archive's {@code tables} tables. */
    public record Restore(Path file, String targetDatabase, boolean overSource, int tables, Duration elapsed) {
    }

    private final EndpointConfig source;
    private final PgServer server;
    private final Path backupDir;
    private final PgTools tools;
    private final Duration lockWait;

    public BackupManager(EndpointConfig source, Path backupDir, PgTools tools) {
        this(source, backupDir, tools, DEFAULT_LOCK_WAIT);
    }

    BackupManager(EndpointConfig source, Path backupDir, PgTools tools, Duration lockWait) {
        this.source = source;
        this.server = new PgServer(source);
        this.backupDir = backupDir;
        this.tools = tools;
        this.lockWait = lockWait;
    }

    public Path backupDir() {
        return backupDir;
    }

    public Backup backup() throws BackupException {
        return backup(backupDir);
    }

    /**
     * Dumps the source database into {@code dir} and reads the whole file back before naming it {@code .dump};
     * interruptible (the dump is stopped and its file removed).
     */
    public Backup backup(Path dir) throws BackupException {
        return backup(dir, null);
    }

    /**
     * What a backup tells while it runs, on the thread that called {@link #backup(Path, Progress)}: the bytes
     * written so far (about five times a second) and each line of pg_dump's {@code --verbose} output. A listener
     * that throws is logged; the backup goes on.
     */
    public interface Progress {
        void written(long bytes);

        void line(String line);
    }

    /**
     * {@link #backup(Path)} with pg_dump's {@code --verbose} lines and the bytes written told to {@code progress}
     * (null: quiet, as {@code pgpulse backup}). Cancel by interrupting the calling thread: pg_dump is stopped and
     * its {@code .partial} file removed before this returns.
     */
    public Backup backup(Path dir, Progress progress) throws BackupException {
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BackupException("cannot create the backup folder " + dir + ": " + e.getMessage(), e);
        }
        removeStalePartials(dir);
        PgServer.Version version = server.version();
        PgTools t = tools.forServer(version.major(), version.text());
        try (ChildProcess guard = ChildProcess.guard("pgpulse-backup-exit")) {
            Path partial = claim(dir, started);
            Path writing = partial.toAbsolutePath().normalize();
            WRITING.add(writing);
            guard.deleteAtExit(partial);
            String partialName = partial.getFileName().toString();
            Path file = dir.resolve(partialName.substring(0, partialName.length() - PARTIAL.length()));
            boolean kept = false;
            try {
                List<String> command = dumpCommand(t, partial);
                ChildProcess.Run run;
                if (progress == null) {
                    run = guard.run(command, childEnvironment(), false, null);
                } else {
                    List<String> verbose = new ArrayList<>(command);
                    verbose.add(1, "--verbose");
                    run = guard.run(verbose, childEnvironment(), false, null, new ChildProcess.Watcher() {
                        @Override
                        public void line(String line) {
                            progress.line(line);
                        }

                        @Override
                        public void tick() {
                            try {
                                progress.written(Files.size(partial));
                            } catch (IOException gone) {
                                // removed meanwhile: the backup is failing, which the run's outcome tells
                            }
                        }
                    });
                }
                if (run.exitCode() != 0) {
                    throw new BackupException("pg_dump of " + source.displayTarget() + " failed (exit "
                            + run.exitCode() + "): " + run.error());
                }
                PgArchive archive = PgArchive.read(t.pgRestore(), partial, guard);
                String problem = archive.problem() != null ? archive.problem()
                        : PgArchive.readAllData(t.pgRestore(), partial, guard);
                if (problem != null) {
                    throw new BackupException("pg_dump of " + source.displayTarget() + " finished but its file "
                            + "does not read back (" + problem + "); no file was kept");
                }
                AtomicFile.moveIntoPlace(partial, file);
                kept = true;
                guard.keep(partial);
                Instant created = archive.created() == null ? started.truncatedTo(ChronoUnit.SECONDS) : archive.created();
                Backup backup = new Backup(file, Files.size(file), created, archive.database(),
                        archive.serverVersion(), archive.dumpedBy(), null);
                LOG.info("{} - backup of {} written to {} ({} bytes in {} ms)", source.name(), source.displayTarget(),
                        file, backup.sizeBytes(), since(t0).toMillis());
                return backup;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException("backup of " + source.displayTarget() + " interrupted; no file was kept", e);
            } catch (IOException e) {
                throw new BackupException("cannot finish the backup file " + file + ": " + e.getMessage(), e);
            } finally {
                if (!kept) {
                    ChildProcess.deleteQuietly(partial);
                }
                WRITING.remove(writing);
            }
        }
    }

    public List<Backup> list() throws BackupException {
        return list(backupDir);
    }

    /**
     * The {@code .dump} files of {@code dir}, newest first: unreadable and truncated ones too, with a problem,
     * and the {@code .partial} files of unfinished backups, marked incomplete (see {@link Backup#partial}).
     */
    public List<Backup> list(Path dir) throws BackupException {
        return BackupList.of(tools, dir);
    }

    /**
     * Deletes a finished backup of the backup folder (a {@code .dump}, or the {@code .partial} a stopped PgPulse
     * left); refuses any other file, so a name from a list cannot lead elsewhere, and the {@code .partial} of a
     * backup this process is still running (one paused on a lock writes nothing for as long as it waits).
     */
    public void delete(Path file) throws BackupException {
        Path dir = backupDir.toAbsolutePath().normalize();
        Path f = file.toAbsolutePath().normalize();
        String name = f.getFileName() == null ? "" : f.getFileName().toString();
        if (!dir.equals(f.getParent()) || !(name.endsWith(SUFFIX) || name.endsWith(SUFFIX + PARTIAL))) {
            throw new BackupException("refusing to delete " + file + ": only the .dump files of the backup folder "
                    + backupDir + " are deleted from here");
        }
        if (WRITING.contains(f)) {
            throw new BackupException("refusing to delete " + file + ": a backup running in this PgPulse is writing "
                    + "it; cancel that backup first (its file is removed when it stops)");
        }
        try {
            if (name.endsWith(SUFFIX + PARTIAL) && Files.exists(f) && Files.getLastModifiedTime(f).toInstant()
                    .isAfter(Instant.now().minus(RUNNING_PARTIAL))) {
                throw new BackupException("refusing to delete " + file + ": it changed within the last "
                        + RUNNING_PARTIAL.toSeconds() + " s, so a backup may still be writing it");
            }
            if (!Files.deleteIfExists(f)) {
                throw new BackupException("backup file " + file + " does not exist (deleted already?)");
            }
        } catch (IOException e) {
            throw new BackupException("cannot delete " + file + ": " + e.getMessage(), e);
        }
        LOG.info("{} - deleted the backup {}", source.name(), f);
    }

    /** Reads the archive's table of contents, then every data block (to the null device): a truncated file fails. */
    public Verification verify(Path file) throws BackupException {
        return verify(tools, file);
    }

    private Verification verify(PgTools t, Path file) throws BackupException {
        long t0 = System.nanoTime();
        if (!Files.isRegularFile(file)) {
            throw new BackupException("backup file " + file + " does not exist");
        }
        try {
            PgArchive a = t.readArchive(file);
            if (a.problem() != null) {
                throw new BackupException(file + " is not a readable pg_dump archive: " + a.problem());
            }
            String damage = t.readAllData(file);
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
     * into the source database itself only with {@code overSource}, and only an archive of that database (its
     * objects are dropped and recreated, owners and privileges included). A new database gets the source's
     * encoding and collation, and the archive's objects without owners or privileges (they become the
     * connecting user's); it is dropped again when the restore fails or PgPulse is stopped meanwhile.
     *
     * <p>pg_restore has no lock timeout (the archive itself sets {@code lock_timeout = 0}): over the source, it
     * waits for sessions holding locks on the tables it replaces, so stop the applications first. The wait can
     * always be ended by interrupting the calling thread or stopping PgPulse, which stops pg_restore, ends its
     * session on the server (a backend waiting on a lock does not notice its client is gone, and would hold the
     * locks it took until then) and rolls the whole restore back; a database this restore created is dropped. The
     * exception then says {@code "... interrupted: pg_restore stopped; "} and what was undone.
     *
     * <p>A new database's name must be a plain identifier; over the source, the source's own name is taken as it
     * is (it exists already, whatever characters it has).
     */
    public Restore restore(Path file, String targetDb, boolean overSource) throws BackupException {
        long t0 = System.nanoTime();
        boolean intoSource = targetDb != null && targetDb.equals(source.database());
        if (intoSource && !overSource) {
            throw new BackupException("refusing to restore over the source database '" + targetDb
                    + "'; pass --over-source to replace it, or choose another --target-db");
        }
        if (!intoSource) {
            checkDatabaseName(targetDb); // the source's own name exists already, whatever characters it has
        }
        PgServer.Version version = server.version();
        PgTools t = tools.forServer(version.major(), version.text());
        Verification verified = verify(t, file);
        if (intoSource && !targetDb.equals(verified.database())) {
            throw new BackupException(file + " is an archive of database '" + verified.database()
                    + "'; refusing to restore it over '" + targetDb + "' (--over-source replaces a database with "
                    + "its own backup only); choose a new --target-db to restore it elsewhere");
        }
        String session = RESTORE_APPLICATION_NAME + " " + ProcessHandle.current().pid() + "-"
                + RESTORES.incrementAndGet();
        try (ChildProcess guard = ChildProcess.guard("pgpulse-restore-exit")) {
            boolean created = false;
            if (!intoSource) {
                server.createDatabase(targetDb);
                created = true;
                guard.atExit(() -> server.dropQuietly(targetDb, version.major()));
            } else {
                guard.atExit(() -> server.endSessions(targetDb, session));
            }
            boolean restored = false;
            boolean dropped = false;
            try {
                ChildProcess.Run run = guard.run(restoreCommand(t, file, targetDb, intoSource, session),
                        childEnvironment(), false, null);
                if (run.exitCode() != 0) {
                    throw new BackupException("pg_restore of " + file + " into '" + targetDb + "' failed (exit "
                            + run.exitCode() + "): " + run.error() + (created ? "; the new database was dropped again"
                            : "; nothing was changed (one transaction)"));
                }
                restored = true;
            } catch (InterruptedException e) {
                String undone;
                if (created) {
                    dropped = server.dropQuietly(targetDb, version.major());
                    undone = dropped ? "the new database '" + targetDb + "' was dropped again"
                            : "the new database '" + targetDb + "' could not be dropped (see the log): drop it by hand";
                } else {
                    undone = server.endSessions(targetDb, session)
                            ? "nothing was changed (its transaction was rolled back)"
                            : "nothing was committed, but its session on the server did not end yet: it rolls back "
                            + "once the lock it waits for is free";
                }
                Thread.currentThread().interrupt();
                throw new BackupException("restore into '" + targetDb + "' interrupted: pg_restore stopped; " + undone, e);
            } finally {
                if (!restored && created && !dropped) {
                    server.dropQuietly(targetDb, version.major());
                }
            }
        }
        Duration elapsed = since(t0);
        LOG.info("{} - restored {} into database '{}' on {} ({} tables in {} ms)", source.name(), file, targetDb,
                source.hostList(), verified.tables(), elapsed.toMillis());
        return new Restore(file, targetDb, intoSource, verified.tables(), elapsed);
    }

    /** The pg_dump command line of this manager's tools (as first found): connection details, never the password. */
    List<String> dumpCommand(Path out) {
        return dumpCommand(tools, out);
    }

    List<String> dumpCommand(PgTools t, Path out) {
        return List.of(t.pgDump().toString(), "-Fc", "--no-password", "--lock-wait-timeout=" + lockWait.toMillis(),
                "-h", source.libpqHosts(), "-p", source.libpqPorts(), "-U", source.user(),
                "-d", databaseArgument(source.database()), "-f", out.toAbsolutePath().toString());
    }

    List<String> restoreCommand(Path file, String target, boolean overSource) {
        return restoreCommand(tools, file, target, overSource, RESTORE_APPLICATION_NAME);
    }

    /**
     * Over the source, owners and privileges come back as they were; into a new database, without them. The
     * database goes as a connection string, with the session's name and TCP keepalives (libpq has no variables
     * for those); the password stays in the environment.
     */
    List<String> restoreCommand(PgTools t, Path file, String target, boolean overSource, String session) {
        List<String> cmd = new ArrayList<>(List.of(t.pgRestore().toString()));
        if (overSource) {
            cmd.addAll(List.of("--clean", "--if-exists"));
        } else {
            cmd.addAll(List.of("--no-owner", "--no-privileges"));
        }
        cmd.addAll(List.of("--exit-on-error", "--single-transaction", "--no-password", "-h", source.libpqHosts(),
                "-p", source.libpqPorts(), "-U", source.user(), "-d", restoreConnection(target, session),
                file.toAbsolutePath().toString()));
        return List.copyOf(cmd);
    }

    /** The variables the tools get; every inherited {@code PG*} one is removed first (see {@link ChildProcess}). */
    Map<String, String> childEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        if (source.hasPassword()) {
            env.put("PGPASSWORD", source.password());
        }
        env.put("PGSSLMODE", source.sslMode());
        env.put("PGAPPNAME", APPLICATION_NAME);
        env.put("PGCONNECT_TIMEOUT", Long.toString(Math.max(2, source.connectTimeout().toSeconds())));
        if (source.primaryOnly()) {
            // with several hosts (-h db1,db2) libpq tries each in turn; only the one taking writes is the primary
            env.put("PGTARGETSESSIONATTRS", "read-write");
        }
        env.put("TZ", "UTC");
        return env;
    }

    /** Refuses a name that is not a plain identifier of at most 63 bytes, in one line a user can act on. */
    public static void checkDatabaseName(String name) throws BackupException {
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

    /** Removes the {@code .dump.partial} files of {@code dir} untouched for {@link #STALE_PARTIAL}: a crash's leftovers. */
    private void removeStalePartials(Path dir) {
        Instant cutoff = Instant.now().minus(STALE_PARTIAL);
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(dir, "*" + SUFFIX + PARTIAL)) {
            for (Path p : partials) {
                try {
                    Instant modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && modified.isBefore(cutoff)) {
                        Files.deleteIfExists(p);
                        LOG.warn("{} - removed {}, left by a backup that did not finish (unchanged since {})",
                                source.name(), p, modified.truncatedTo(ChronoUnit.SECONDS));
                    }
                } catch (IOException e) {
                    LOG.warn("{} - could not remove the stale {}: {}", source.name(), p, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("{} - could not look for stale partial backups in {}: {}", source.name(), dir, e.getMessage());
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

    /** pg_restore's -d: the database by name (any name, quoted as a value), its session name and keepalives. */
    static String restoreConnection(String database, String session) {
        return "dbname=" + conninfoValue(database) + " application_name=" + conninfoValue(session)
                + " keepalives=1 keepalives_idle=" + KEEPALIVES_IDLE.toSeconds()
                + " keepalives_interval=" + KEEPALIVES_INTERVAL.toSeconds() + " keepalives_count=" + KEEPALIVES_COUNT;
    }

    private static String conninfoValue(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** A name libpq would read as a connection string is passed as one, so it stays a name. */
    private static String databaseArgument(String name) {
        if (!name.contains("=") && !name.startsWith("postgresql://") && !name.startsWith("postgres://")) {
            return name;
        }
        return "dbname=" + conninfoValue(name);
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
