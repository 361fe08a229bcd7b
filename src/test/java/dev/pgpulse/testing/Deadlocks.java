package dev.pgpulse.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A real deadlock: two connections update two rows in opposite order, and PostgreSQL picks a victim. */
public final class Deadlocks {
    private Deadlocks() {
    }

    /**
     * Causes one deadlock in the database and returns once both sessions are closed (a closing backend flushes its
     * counters, so the deadlock reaches pg_stat_database promptly). Returns what each second update ended with:
     * one "ok" and one "40P01".
     */
    public static List<String> provoke(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("create table if not exists pgpulse_deadlock (id int primary key, v int)");
            st.execute("insert into pgpulse_deadlock values (1, 0), (2, 0) on conflict do nothing");
        }
        try (Connection a = db.connect(); Connection b = db.connect();
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            update(a, 1);
            update(b, 2);
            CyclicBarrier barrier = new CyclicBarrier(2);
            Future<String> fa = pool.submit(() -> crossUpdate(a, 2, barrier));
            Future<String> fb = pool.submit(() -> crossUpdate(b, 1, barrier));
            // deadlock_timeout (1 s by default) passes, then one of the two is chosen as the victim.
            List<String> outcomes = List.of(fa.get(20, TimeUnit.SECONDS), fb.get(20, TimeUnit.SECONDS));
            a.rollback();
            b.rollback();
            return outcomes;
        }
    }

    private static void update(Connection c, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update pgpulse_deadlock set v = v + 1 where id = ?")) {
            ps.setInt(1, id);
            ps.executeUpdate();
        }
    }

    /** The second, crossing update: "ok" or the SQLSTATE it failed with. */
    private static String crossUpdate(Connection c, int id, CyclicBarrier barrier) throws Exception {
        barrier.await(10, TimeUnit.SECONDS);
        try {
            update(c, id);
            return "ok";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }
}
