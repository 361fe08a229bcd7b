package dev.pgpulse.orchestration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@code pg_restore --list} says of a file: the header's fields, the objects in its table of contents
 * ({@code tables} of them tables). {@code problem} is null when the file reads as an archive, else why not.
 */
record PgArchive(String database, String serverVersion, String dumpedBy, Instant created, int entries, int tables,
                 String lastDataEntry, String problem) {
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("win");
    private static final DateTimeFormatter HEADER_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** A TOC line: "215; 1259 16389 TABLE public t postgres". 1259 is pg_class, so "TABLE" there is a table. */
    private static final Pattern TOC_ENTRY = Pattern.compile("^\\d+; \\d+ \\d+ .*");
    private static final Pattern TOC_TABLE = Pattern.compile("^\\d+; 1259 \\d+ TABLE .*");
    /** Entries that carry a data block: a table's rows, large objects (BLOBS up to 16, BLOB DATA from 17). */
    private static final Pattern TOC_DATA = Pattern.compile("^\\d+; \\d+ \\d+ (TABLE DATA|BLOBS|BLOB DATA|LARGE OBJECTS?) .*");

    /** Reads the archive's header and table of contents (not its data) with {@code pgRestore}, under {@code guard}. */
    static PgArchive read(Path pgRestore, Path file, ChildProcess guard) throws BackupException, InterruptedException {
        // The archive stores its creation time as the writer's wall clock without a zone, and pg_restore prints
        // it in its own zone: both sides run with TZ=UTC (see BackupManager), so the time reads back right.
        ChildProcess.Run run = guard.run(List.of(pgRestore.toString(), "--list", file.toAbsolutePath().toString()),
                Map.of("TZ", "UTC"), true, null);
        if (run.exitCode() != 0) {
            return new PgArchive(null, null, null, null, 0, 0, null, run.error());
        }
        Map<String, String> header = new HashMap<>();
        int entries = 0;
        int tables = 0;
        String lastData = null;
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
                if (TOC_DATA.matcher(line).matches()) {
                    lastData = line;
                }
            }
        }
        // An empty database's archive lists no objects at all, so the header is what proves it is one.
        if (!header.containsKey("format") || !header.containsKey("dbname")) {
            return new PgArchive(null, null, null, null, 0, 0, null, "pg_restore --list printed no archive header");
        }
        return new PgArchive(header.get("dbname"), header.get("dumped from database version"),
                header.get("dumped by pg_dump version"), parseCreated(header.get("created")), entries, tables, lastData, null);
    }

    /**
     * Reads every data block of the archive, writing the SQL it would run to the null device: the table of
     * contents sits at the start of the file, so only this finds a truncated one. Null when complete, else
     * pg_restore's error.
     */
    static String readAllData(Path pgRestore, Path file, ChildProcess guard) throws BackupException, InterruptedException {
        ChildProcess.Run run = guard.run(List.of(pgRestore.toString(), "-f", WINDOWS ? "NUL" : "/dev/null",
                file.toAbsolutePath().toString()), Map.of(), false, null);
        return run.exitCode() == 0 ? null : run.error();
    }

    /**
     * Reads only the archive's last data block (pg_dump -Fc writes the blocks in table-of-contents order and
     * records each one's offset, so pg_restore seeks straight to it): a file cut short anywhere after its table
     * of contents has lost at least that block. Cheap enough for a listing, unlike {@link #readAllData}. Null
     * when it reads (or the archive has no data), else pg_restore's error.
     */
    String readLastBlock(Path pgRestore, Path file, ChildProcess guard) throws BackupException, InterruptedException {
        if (lastDataEntry == null) {
            return null;
        }
        Path list = null;
        try {
            list = Files.createTempFile("pgpulse-pg_restore-", ".list");
            guard.deleteAtExit(list);
            Files.writeString(list, lastDataEntry + "\n");
            ChildProcess.Run run = guard.run(List.of(pgRestore.toString(), "-L", list.toString(), "-f",
                    WINDOWS ? "NUL" : "/dev/null", file.toAbsolutePath().toString()), Map.of(), false, null);
            return run.exitCode() == 0 ? null : run.error();
        } catch (IOException e) {
            throw new BackupException("cannot check " + file + ": " + e.getMessage(), e);
        } finally {
            guard.keep(list);
            ChildProcess.deleteQuietly(list);
        }
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
}
