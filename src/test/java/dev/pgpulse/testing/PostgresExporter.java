package dev.pgpulse.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real postgres_exporter (Debian's {@code prometheus-postgres-exporter}, a {@link Prerequisite} through
 * {@link Tools}) run by the test on a free loopback port against a test server, no service and no cluster of its
 * own; it dies with the JVM ({@code setpriv --pdeathsig}) and with {@link #close()}.
 */
public final class PostgresExporter implements AutoCloseable {
    /** One sample: family name, labels (sorted), value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PostgresExporter(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts it against db (its pg_settings families off: ~250 of them, none compared) and waits for pg_up 1. */
    public static PostgresExporter start(TestDatabase db, Path dir) throws Exception {
        Path binary = Tools.require("prometheus-postgres-exporter", "prometheus-postgres-exporter");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("postgres-exporter.log");
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            command.addAll(List.of("/usr/bin/setpriv", "--pdeathsig", "KILL", "--"));
        }
        command.addAll(List.of(binary.toString(), "--web.listen-address=127.0.0.1:" + port, "--disable-settings-metrics"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DATA_SOURCE_NAME", db.url() + "?sslmode=disable");
        PostgresExporter e = new PostgresExporter(pb.start(), port, log);
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions().until(() -> !e.process.isAlive()
                            || e.scrape().stream().anyMatch(s -> s.name().equals("pg_up") && s.value() == 1.0));
        } catch (org.awaitility.core.ConditionTimeoutException timeout) {
            e.close();
            throw new AssertionError("postgres_exporter did not report pg_up 1 within 20 s:\n" + Files.readString(log));
        }
        if (!e.process.isAlive()) {
            throw new AssertionError("postgres_exporter exited " + e.process.exitValue() + ":\n" + Files.readString(log));
        }
        return e;
    }

    public int port() {
        return port;
    }

    /** GET /metrics, parsed. */
    public List<Sample> scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("postgres_exporter answered " + r.statusCode());
        }
        return parse(r.body());
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: \\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** The Prometheus text format (comments skipped; label values unescaped). */
    public static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (l.startsWith("#") || l.isBlank()) {
                continue;
            }
            Matcher m = LINE.matcher(l);
            if (!m.matches()) {
                throw new AssertionError("not a Prometheus sample line: " + l);
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher lm = LABEL.matcher(m.group(2));
                while (lm.find()) {
                    labels.put(lm.group(1), lm.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\"));
                }
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3).replace("+Inf", "Infinity")
                    .replace("-Inf", "-Infinity"))));
        }
        return out;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
