package dev.pgpulse.testing;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.EndpointConfig;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.embedded.EmbeddedServer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Gives tests a real PostgreSQL as a {@link TestDatabase} parameter: {@code PGPULSE_TEST_URL} (libpq or JDBC
 * URL) when set, otherwise one embedded server (the product's own {@link EmbeddedServer}) started once per
 * test run and stopped at its end. Never a mock.
 */
public final class PostgresExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return c.getRoot().getStore(NS).getOrComputeIfAbsent("server", k -> Server.start(), Server.class).database;
    }

    /** Held in the root store, so JUnit closes it once, after the last test. */
    static final class Server implements AutoCloseable {
        final TestDatabase database;
        final EmbeddedServer embedded;
        final Path dataDir;

        private Server(TestDatabase database, EmbeddedServer embedded, Path dataDir) {
            this.database = database;
            this.embedded = embedded;
            this.dataDir = dataDir;
        }

        static Server start() {
            String url = System.getenv("PGPULSE_TEST_URL");
            try {
                if (url != null && !url.isBlank()) {
                    EndpointConfig e = new ConfigLoader(Map.of("DATABASE_URL", url), Path.of("/nonexistent"),
                            System.getProperty("user.name"), 2).load(Overrides.none()).primary().orElseThrow();
                    return new Server(new TestDatabase(e.host(), e.port(), e.user(), e.password(), e.database()),
                            null, null);
                }
                Path dir = Files.createTempDirectory("pgpulse-test-pg");
                EmbeddedServer server = EmbeddedServer.startScratch(dir.resolve("data"), 0);
                return new Server(new TestDatabase("localhost", server.port(), EmbeddedServer.SUPERUSER, null,
                        EmbeddedServer.DATABASE), server, dir);
            } catch (Exception e) {
                throw new IllegalStateException("no PostgreSQL for the tests: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws Exception {
            if (embedded != null) {
                embedded.close();
                deleteTree(dataDir);
            }
        }
    }

    /** Removes a folder a test made (only ever a temporary one). */
    public static void deleteTree(Path dir) throws java.io.IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
