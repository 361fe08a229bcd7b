package dev.pgpulse.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Turns a failed embedded start into one line naming its cause: zonky's exceptions say only that a process
 * failed or that it gave up waiting, so the cause is read from what initdb, pg_ctl and PostgreSQL printed
 * (the server log beside the folder) and from the folder itself.
 */
final class StartFailure {
    /** PostgreSQL's and its tools' own error lines: "FATAL:  ...", "initdb: error: ...", "pg_ctl: could not ...". */
    private static final Pattern CAUSE = Pattern.compile(".*\\b(FATAL|PANIC|ERROR):\\s+.*|.*\\b(initdb|pg_ctl): (error: )?.*");

    private StartFailure() {
    }

    static String explain(Path dataDir, Exception e, Path log) {
        String raw = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String said = lastCause(log);
        String what;
        if (raw.contains("initdb")) {
            what = "creating its database cluster (initdb) failed" + (said == null ? "" : ": " + said);
        } else if (raw.startsWith("could not lock")) {
            what = "another program holds the folder's lock (" + raw + ")";
        } else if (raw.startsWith("Gave up waiting")) {
            OptionalLong other = Postmaster.pid(dataDir);
            if (said == null && other.isPresent() && Postmaster.isPostgres(other.getAsLong())) {
                said = "another PostgreSQL (pid " + other.getAsLong() + ") runs on this folder";
            }
            what = "PostgreSQL did not start within " + EmbeddedServer.STARTUP_WAIT.toSeconds() + " s"
                    + (said == null ? "" : ": " + said);
        } else {
            what = raw + (said == null ? "" : " (" + said + ")");
        }
        return "embedded PostgreSQL could not start on " + dataDir + ": " + what + "; PostgreSQL's own output is in "
                + log;
    }

    /** The last line of the log that states an error, without PostgreSQL's timestamp prefix. */
    static String lastCause(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log);
        } catch (IOException e) {
            return null;
        }
        String pick = null;
        String fallback = null;
        for (String line : lines) {
            if (!CAUSE.matcher(line).matches() || line.contains("Examine the log output") || line.contains("hint:")
                    || line.contains("HINT:") || line.contains("DETAIL:")) {
                continue;
            }
            if (line.contains("error:") || line.contains("FATAL:") || line.contains("PANIC:")) {
                pick = line.strip();
            } else {
                fallback = line.strip();
            }
        }
        pick = pick == null ? fallback : pick;
        if (pick == null) {
            return null;
        }
        int fatal = pick.indexOf("FATAL:");
        if (fatal > 0) {
            pick = pick.substring(fatal);
        }
        return pick.replaceAll("\\s+", " ");
    }
}
