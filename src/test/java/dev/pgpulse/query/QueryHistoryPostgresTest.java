package dev.pgpulse.query;

import dev.pgpulse.query.QueryHistory.Outcome;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.Prerequisite;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The statements that set a password, run for real, then kept: the server has the password, the file has not. */
@ExtendWith(PostgresExtension.class)
class QueryHistoryPostgresTest {
    @TempDir
    Path home;

    @Test
    void aPasswordSetForRealIsNeverInTheHistoryFile(TestDatabase db) throws Exception {
        String role = "pgpulse_hist_" + Math.abs(ThreadLocalRandom.current().nextInt());
        Path file = QueryHistory.defaultFile(home);
        QueryHistory history = QueryHistory.load(file);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select rolsuper from pg_roles where rolname = current_user")) {
                rs.next();
                Prerequisite.require(rs.getBoolean(1), "a superuser test database (pg_authid is read)");
            }
            try {
                run(st, history, "CREATE ROLE " + role + " LOGIN PASSWORD 'first-Secret-1'");
                String first = storedPassword(c, role);
                run(st, history, "ALTER ROLE " + role + "\n  WITH PASSWORD E'other-Secret-2' VALID UNTIL 'infinity'");
                String second = storedPassword(c, role);
                assertThat(first).startsWith("SCRAM-SHA-256$");
                assertThat(second).startsWith("SCRAM-SHA-256$").isNotEqualTo(first);
                run(st, history, "ALTER ROLE " + role + " PASSWORD /* bad */ 'x' VALID UNTIL 'never'");
            } finally {
                st.execute("DROP ROLE IF EXISTS " + role);
            }
        }
        String onDisk = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        assertThat(onDisk).doesNotContain("Secret").contains(role);
        QueryHistory restarted = QueryHistory.load(file);
        assertThat(restarted.entries()).extracting(e -> e.statement() + " -> " + e.outcome()).containsExactly(
                "ALTER ROLE " + role + " PASSWORD /* bad */ '********' VALID UNTIL 'never' -> failed, SQLSTATE 22007",
                "ALTER ROLE " + role + "\n  WITH PASSWORD E'********' VALID UNTIL 'infinity' -> OK, 0 updated",
                "CREATE ROLE " + role + " LOGIN PASSWORD '********' -> OK, 0 updated");
    }

    /** What the Query tab will do: run the statement, then keep it with how it ended. */
    private static void run(Statement st, QueryHistory history, String sql) {
        Instant start = Instant.now();
        Outcome outcome;
        try {
            boolean rows = st.execute(sql);
            outcome = rows ? Outcome.rows(0) : Outcome.updated(Math.max(0, st.getUpdateCount()));
        } catch (SQLException e) {
            outcome = Outcome.failed(e.getSQLState());
        }
        history.add(sql, "primary", start, outcome, Duration.between(start, Instant.now()));
    }

    private static String storedPassword(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select rolpassword from pg_authid where rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("role %s exists", role).isTrue();
                return rs.getString(1);
            }
        }
    }
}
