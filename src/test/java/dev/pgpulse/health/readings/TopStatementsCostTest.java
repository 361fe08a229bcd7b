package dev.pgpulse.health.readings;

import dev.pgpulse.embedded.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The health round's top-statements read must not load every statement's text: with thousands of entries of long
 * texts (as a busy application has) a whole round of readings costs less than one bare scan of the view, which
 * reads them all. A server of its own that preloads pg_stat_statements (the embedded default does).
 */
@Timeout(180)
class TopStatementsCostTest {
    private static final int ENTRIES = 4000;

    @TempDir
    Path dir;

    @Test
    void aRoundOfReadingsCostsLessThanReadingTheQueryTexts() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(dir.resolve("data"), 0);
             Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", null);
             Statement st = c.createStatement()) {
            st.execute("create extension if not exists pg_stat_statements");
            st.execute("select pg_stat_statements_reset()");
            String pad = " /* " + "x".repeat(4000) + " */";
            // distinct statements: each a different tree of + and * (12 operators: 4096 shapes)
            for (int i = 0; i < ENTRIES; i++) {
                StringBuilder q = new StringBuilder("select 1");
                for (int bit = 0; bit < 12; bit++) {
                    q.append((i >> bit & 1) == 0 ? " + 1" : " * 1");
                }
                st.execute(q + pad);
            }
            try (ResultSet rs = st.executeQuery("select count(*) from pg_stat_statements(false)")) {
                rs.next();
                assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(ENTRIES);
            }
            int version;
            try (ResultSet rs = st.executeQuery("show server_version_num")) {
                rs.next();
                version = Integer.parseInt(rs.getString(1));
            }
            ServerReadingsReader reader = new ServerReadingsReader();
            List<Long> rounds = new ArrayList<>();
            List<Long> texts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                ServerReadings r = reader.read(c, version);
                rounds.add(System.nanoTime() - t0);
                assertThat(r.statements()).hasSize(ServerReadingsReader.TOP_STATEMENTS);
                t0 = System.nanoTime();
                try (ResultSet rs = st.executeQuery("select count(*) from (select query from pg_stat_statements) q")) {
                    rs.next();
                }
                texts.add(System.nanoTime() - t0);
            }
            long round = rounds.stream().sorted().toList().get(2);
            long text = texts.stream().sorted().toList().get(2);
            assertThat(round).as("median round %d ms, median read of the texts %d ms", round / 1_000_000,
                    text / 1_000_000).isLessThan(text);
        }
    }
}
