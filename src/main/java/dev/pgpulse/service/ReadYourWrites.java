package dev.pgpulse.service;

import dev.pgpulse.pool.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One caller's reads that must see its own writes (a web session, a job): writes through it remember how far the
 * primary's WAL had got once they committed, and a read through it runs on a replica only when that replica has
 * replayed past that position, else on the primary. Other callers' reads are not held back: this is per caller,
 * not a global read-after-write barrier. Get one from {@link DatabaseService#readYourWrites()}; it is thread-safe
 * (the position only moves forward).
 *
 * <p>The position is {@code pg_current_wal_insert_lsn()} read after the write committed: on the write's own
 * connection for an autocommit write, in one more call for a transaction (its commit record is written by
 * {@code COMMIT}, after anything the transaction could read). A read checks the replica it was routed to in the
 * same round trip as nothing else: {@code pg_last_wal_replay_lsn() >= position} before the work runs; a replica
 * behind is left for the primary, and counted in {@code pgpulse_read_your_writes_total{served_by="primary"}}.
 * A write that may have committed without its position being known (a failed position read, an outcome unknown)
 * sends reads to the primary until a later position read. With {@code reads.fallback = fail} and no replica in the
 * rotation, a read through it fails with {@code NO_REPLICA} as any read does.
 */
public final class ReadYourWrites {
    private static final String POSITION = "select pg_current_wal_insert_lsn()::text";
    /** On a replica's connection: a server not in recovery there (promoted, unfenced) never gets the caller's writes. */
    private static final String REPLAYED = "select pg_is_in_recovery() and pg_last_wal_replay_lsn() >= ?::pg_lsn";

    private final DatabaseService service;
    private final AtomicLong position = new AtomicLong(-1);
    /**
     * Writes that may have committed with no position known (a failed position read, an outcome unknown) are
     * counted here; a position read clears those counted before it began, not one that failed meanwhile. While any
     * is not cleared, reads go to the primary.
     */
    private final AtomicLong unknownSince = new AtomicLong();
    private final AtomicLong cleared = new AtomicLong();
    private final Counter onReplica;
    private final Counter onPrimary;

    ReadYourWrites(DatabaseService service, MeterRegistry meters) {
        this.service = service;
        this.onReplica = Counter.builder("pgpulse.read.your.writes").tag("served_by", "replica")
                .description("Reads that had to see their caller's writes, by where they ran").register(meters);
        this.onPrimary = Counter.builder("pgpulse.read.your.writes").tag("served_by", "primary")
                .description("Reads that had to see their caller's writes, by where they ran").register(meters);
    }

    /** The WAL position reads must have been replayed past, as PostgreSQL writes it ({@code 0/3000148}); null before a write. */
    public String position() {
        long p = position.get();
        return p < 0 ? null : lsn(p);
    }

    /** A write in autocommit on the primary, as {@link DatabaseService#query}; its position is remembered. */
    public <T> Result<T> write(String operation, String sql, boolean idempotent, SqlFunction<Connection, T> work) {
        java.util.concurrent.atomic.AtomicBoolean read = new java.util.concurrent.atomic.AtomicBoolean();
        Result<T> r = service.query(operation, Route.WRITE, sql, idempotent, c -> {
            T value = work.apply(c);
            if (c.getAutoCommit()) { // committed already: the position is read on its own connection
                long epoch = unknownSince.get();
                try {
                    advance(read(c), epoch);
                    read.set(true);
                } catch (SQLException e) {
                    // the write is done; only its position is not known: never turn it into a failure (a retry
                    // would run it twice)
                    markUnknown();
                    read.set(true);
                }
            }
            return value;
        });
        settle(r, operation, read.get());
        return r;
    }

    /** A transaction, as {@link DatabaseService#transaction}; once committed, the primary's position is remembered. */
    public <T> Result<T> transaction(String operation, TxOptions options, SqlFunction<Connection, T> work) {
        Result<T> r = service.transaction(operation, options, work);
        settle(r, operation, false);
        return r;
    }

    /**
     * A read that sees every write made through this object: on a replica of the rotation that has replayed them,
     * else on the primary. Before any write it is a plain {@link Route#READ}.
     */
    public <T> Result<T> read(String operation, SqlFunction<Connection, T> work) {
        long need = position.get();
        boolean unknown = unknownSince.get() > cleared.get();
        if (need < 0 && !unknown) {
            return service.query(operation, Route.READ, work);
        }
        if (unknown) {
            onPrimary.increment();
            return service.query(operation, Route.WRITE, null, true, work);
        }
        String at = lsn(need);
        Result<Ran<T>> first = service.query(operation, Route.READ, c -> {
            if (!c.isReadOnly()) {
                return new Ran<>(false, work.apply(c)); // the primary's pool (a fallback): it has every write
            }
            try (PreparedStatement st = c.prepareStatement(REPLAYED)) {
                st.setString(1, at);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return Ran.notYet();
                    }
                }
            }
            return new Ran<>(false, work.apply(c));
        });
        return switch (first) {
            case Result.Success<Ran<T>> ok when !ok.value().behind() -> {
                if (!service.endpoints().primary().name().equals(ok.endpoint())) {
                    onReplica.increment();
                } else {
                    onPrimary.increment();
                }
                yield new Result.Success<>(ok.value().value(), ok.endpoint(), ok.attempts(), ok.elapsed());
            }
            case Result.Success<Ran<T>> behind -> {
                onPrimary.increment();
                yield service.query(operation, Route.WRITE, null, true, work);
            }
            case Result.Failure<Ran<T>> f -> new Result.Failure<>(f.category(), f.message(), f.sqlState(),
                    f.outcomeUnknown(), f.endpoint(), f.attempts(), f.elapsed(), f.cause());
        };
    }

    /** What a read found: the replica behind the position (nothing ran), or the work's value. */
    private record Ran<T>(boolean behind, T value) {
        static <T> Ran<T> notYet() {
            return new Ran<>(true, null);
        }
    }

    /** After a write: its position read if not yet, or, when it may have committed unseen, reads to the primary. */
    private <T> void settle(Result<T> r, String operation, boolean positionRead) {
        switch (r) {
            case Result.Success<T> ok -> {
                if (!positionRead) {
                    remember(operation);
                }
            }
            case Result.Failure<T> f -> {
                if (f.outcomeUnknown()) {
                    markUnknown(); // it may have committed: a replica that says "not there" could be behind it
                }
            }
        }
    }

    private void remember(String operation) {
        long epoch = unknownSince.get();
        Result<Long> p = service.query(operation + ".position", Route.WRITE, POSITION, true, ReadYourWrites::read);
        if (p instanceof Result.Success<Long> ok) {
            advance(ok.value(), epoch);
        } else {
            markUnknown();
        }
    }

    private void markUnknown() {
        unknownSince.incrementAndGet();
    }

    /** A position read begun when {@code epoch} writes had been marked unknown: those are covered by it. */
    private void advance(long p, long epoch) {
        position.accumulateAndGet(p, Math::max);
        cleared.accumulateAndGet(epoch, Math::max);
    }

    private static long read(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(POSITION)) {
            rs.next();
            return parse(rs.getString(1));
        }
    }

    /** {@code 16/B374D848} as a byte offset. */
    static long parse(String lsn) {
        int slash = lsn.indexOf('/');
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }

    static String lsn(long p) {
        return String.format(Locale.ROOT, "%X/%X", p >>> 32, p & 0xffffffffL);
    }
}
