package dev.pgpulse.service;

import java.time.Duration;
import java.util.Objects;

/**
 * How a transaction runs.
 *
 * @param isolation  a {@link java.sql.Connection} TRANSACTION_* level
 * @param readOnly   {@code SET TRANSACTION READ ONLY}
 * @param idempotent running it twice has the effect of running it once (an upsert keyed by the caller):
 *                   a transaction is retried on endpoint failures either way, since it cannot have
 *                   committed before COMMIT; this flag lets a plain {@link DatabaseService#query} write
 *                   be retried after it was sent
 * @param timeout    {@code SET LOCAL statement_timeout} for the transaction's statements, or zero for the
 *                   pool's default
 */
public record TxOptions(int isolation, boolean readOnly, boolean idempotent, Duration timeout) {
    public TxOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, but was " + timeout);
        }
    }

    public static TxOptions readCommitted() {
        return new TxOptions(java.sql.Connection.TRANSACTION_READ_COMMITTED, false, false, Duration.ZERO);
    }

    public static TxOptions serializable() {
        return new TxOptions(java.sql.Connection.TRANSACTION_SERIALIZABLE, false, false, Duration.ZERO);
    }

    public TxOptions withReadOnly(boolean value) {
        return new TxOptions(isolation, value, idempotent, timeout);
    }

    public TxOptions withIdempotent(boolean value) {
        return new TxOptions(isolation, readOnly, value, timeout);
    }

    public TxOptions withTimeout(Duration value) {
        return new TxOptions(isolation, readOnly, idempotent, value);
    }
}
