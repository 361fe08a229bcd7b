package dev.pgpulse.demo;

import dev.pgpulse.pool.Route;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import dev.pgpulse.service.TxOptions;

import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The seed's repository example, on the {@link DatabaseService}: writes in transactions on the primary,
 * reads routed to replicas. Its table comes from the shipped migrations ({@code db/migration}, {@code pgpulse migrate}). Every method returns a {@link Result}; none throws at the caller.
 */
public final class BillRepository {

    private static final String COLUMNS = "id, title, status, introduced_on";

    private final DatabaseService db;

    public BillRepository(DatabaseService db) {
        this.db = db;
    }

    public Result<Bill> create(String title, Bill.Status status, LocalDate introducedOn) {
        return db.transaction("bills.create", TxOptions.readCommitted(), c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "insert into bills (title, status, introduced_on) values (?, ?, ?) returning " + COLUMNS)) {
                st.setString(1, title);
                st.setString(2, status.name().toLowerCase(Locale.ROOT));
                st.setDate(3, Date.valueOf(introducedOn));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return map(rs);
                }
            }
        });
    }

    public Result<List<Bill>> findById(long id) {
        return db.list("bills.find", Route.READ, "select " + COLUMNS + " from bills where id = ?",
                BillRepository::map, id);
    }

    public Result<List<Bill>> recent(Bill.Status status, int limit) {
        return db.list("bills.recent", Route.READ, "select " + COLUMNS + " from bills where status = ? "
                + "order by introduced_on desc, id desc limit ?", BillRepository::map,
                status.name().toLowerCase(Locale.ROOT), limit);
    }

    /** @return whether the bill existed */
    public Result<Boolean> updateStatus(long id, Bill.Status status) {
        return db.transaction("bills.update_status", TxOptions.readCommitted(), c -> {
            try (PreparedStatement st = c.prepareStatement("update bills set status = ? where id = ?")) {
                st.setString(1, status.name().toLowerCase(Locale.ROOT));
                st.setLong(2, id);
                return st.executeUpdate() == 1;
            }
        });
    }

    public Result<Map<Bill.Status, Long>> countByStatus() {
        return db.query("bills.count_by_status", Route.READ, "select status, count(*) from bills group by status",
                false, c -> {
                    Map<Bill.Status, Long> counts = new EnumMap<>(Bill.Status.class);
                    try (Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("select status, count(*) from bills group by status")) {
                        while (rs.next()) {
                            counts.put(Bill.Status.valueOf(rs.getString(1).toUpperCase(Locale.ROOT)), rs.getLong(2));
                        }
                    }
                    return counts;
                });
    }

    private static Bill map(ResultSet rs) throws SQLException {
        return new Bill(rs.getLong(1), rs.getString(2), Bill.Status.valueOf(rs.getString(3).toUpperCase(Locale.ROOT)),
                rs.getDate(4).toLocalDate());
    }
}
