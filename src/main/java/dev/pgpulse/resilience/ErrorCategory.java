package dev.pgpulse.resilience;

/** What kind of failure a call met, as {@link SqlErrors} classifies it. */
public enum ErrorCategory {
    /** The endpoint is unreachable or lost the connection (class 08, 57P01/57P02/57P03, 53300). */
    CONNECTION(true),
    /** No pooled connection within the pool's connection timeout. */
    POOL_TIMEOUT(true),
    /** The endpoint's circuit breaker is open: failed at once, the pool untouched. */
    CIRCUIT_OPEN(false),
    /** 40001 serialization failure or 40P01 deadlock: the transaction may succeed if run again. */
    SERIALIZATION(false),
    /** 42xxx: syntax error, undefined table or column, insufficient privilege. */
    SYNTAX(false),
    /** 23xxx: unique, foreign key, check or not-null violation. */
    CONSTRAINT(false),
    /** 22xxx: bad data (division by zero, invalid text representation, value out of range). */
    DATA(false),
    /** 57014: cancelled, usually by statement_timeout. */
    QUERY_CANCELED(false),
    /** 25006: a write on a read-only connection (a replica, or a read-only transaction). */
    READ_ONLY(false),
    /** The connection was lost during COMMIT and the outcome could not be resolved. */
    COMMIT_UNKNOWN(false),
    /** A read found no replica in the read rotation and {@code reads.fallback} is {@code fail}. */
    NO_REPLICA(false),
    /** The service is shutting down and takes no new calls. */
    SHUTTING_DOWN(false),
    /** The caller's thread was interrupted. */
    INTERRUPTED(false),
    /** The caller's own code threw something that is not an SQL error. */
    APPLICATION(false),
    /** Anything else the server reported. */
    OTHER(false);

    private final boolean endpointFailure;

    ErrorCategory(boolean endpointFailure) {
        this.endpointFailure = endpointFailure;
    }

    /** Whether this failure says something about the endpoint (and so counts against its breaker). */
    public boolean isEndpointFailure() {
        return endpointFailure;
    }
}
