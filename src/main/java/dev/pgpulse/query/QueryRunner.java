package dev.pgpulse.query;

import dev.pgpulse.config.Environment;
import dev.pgpulse.pool.Endpoint;
import dev.pgpulse.service.DatabaseService;

import java.util.List;
import java.util.Objects;

/**
 * Runs a DBA's statements (the Query tab's, {@code pgpulse query}'s) through the {@link DatabaseService}, so the
 * chosen endpoint's breaker, the retries of reads, the timers and the slow-query log apply. Results stream
 * through a cursor to a {@link QuerySink}; nothing here holds a whole result.
 * <p>
 * Safety: on a {@code production} configuration every run is read-only (the session's
 * {@code default_transaction_read_only}, so a {@code COMMIT} typed in the script does not end it) unless the
 * request says the user switched to read-write; {@code EXPLAIN ANALYZE} of a write is refused anywhere unless
 * confirmed, since it executes the write.
 */
public final class QueryRunner {
    private final DatabaseService service;
    private final Environment environment;
    private final String operation;

    /**
     * @param operation the name of the runs' timer and slow-query entries ({@code console.query},
     *                  {@code cli.query})
     */
    public QueryRunner(DatabaseService service, Environment environment, String operation) {
        this.service = Objects.requireNonNull(service, "service");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.operation = Objects.requireNonNull(operation, "operation");
    }

    /** The endpoints a run may target, the primary first. */
    public List<String> targets() {
        return service.endpoints().all().stream().map(Endpoint::name).toList();
    }

    /** Whether runs are read-only unless the user switches to read-write (a production configuration). */
    public boolean readOnlyByDefault() {
        return environment == Environment.PRODUCTION;
    }

    public Environment environment() {
        return environment;
    }

    /** A run of the request: {@link QueryRun#execute} it on a thread of the caller's, {@link QueryRun#cancel} from any. */
    public QueryRun prepare(QueryRequest request) {
        Objects.requireNonNull(request, "request");
        return new QueryRun(service, operation, request, readOnlyByDefault() && !request.readWrite());
    }
}
