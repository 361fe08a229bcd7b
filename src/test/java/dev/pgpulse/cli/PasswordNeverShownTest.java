package dev.pgpulse.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.pgpulse.agent.AgentServer;
import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.testing.LogCapture;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A password that is really configured, and really used to log in, never shows: not in what the commands print,
 * not in the agent's bodies or metric labels, not in any captured log line, and the webhook's user info and token
 * not in its warnings. (The test server trusts local connections, so any password logs in.)
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PasswordNeverShownTest {
    private static final String FAKE_PW = "S3cr3t-Masking-Pw";
    private static final String TOKEN = "t0k3n-Masking-S3cr3t";

    @TempDir
    Path home;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The server's own password when it has one, else one that trust authentication accepts. */
    private static String password(TestDatabase db) {
        return db.password() == null || db.password().isEmpty() ? FAKE_PW : db.password();
    }

    /** Primary and a replica (the same server) with the password in their URLs, and a webhook nobody answers. */
    private Map<String, String> env(TestDatabase db) throws Exception {
        TestDatabase withPw = new TestDatabase(db.host(), db.port(), db.user(), password(db), db.database());
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", withPw.url());
        env.put("DATABASE_READ_URLS", withPw.url());
        env.put("PGPULSE_ALERTS_WEBHOOK_URL", webhook(dead));
        env.put("PGPULSE_ALERTS_WEBHOOK_TIMEOUT", "1s");
        env.put("PGPULSE_HEALTH_INTERVAL", "200ms");
        return env;
    }

    /** Slack's form, the token as the path's last segment, with user info and a query holding it too. */
    private static String webhook(int port) {
        return "http://hook:" + TOKEN + "@127.0.0.1:" + port + "/services/T000/B000/" + TOKEN + "?token=" + TOKEN;
    }

    /** A rule that fires on the first sample, so the webhook is called and its failure logged. */
    private void alwaysFiringRule() throws Exception {
        Path rules = Orchestrator.Options.alertRulesFile(home);
        Files.createDirectories(rules.getParent());
        Files.writeString(rules, """
                {"schemaVersion": 1, "rules": [
                 {"id": "always", "name": "Always", "metric": "server.oldest_xid_age", "comparator": ">=",
                  "threshold": 0, "for": "0s", "severity": "warning"}]}""");
    }

    private static void assertHidden(String what, String text, String pw) {
        assertThat(text).as(what).doesNotContain(pw).doesNotContain(TOKEN);
    }

    private static void assertHidden(List<ILoggingEvent> events, String pw) {
        for (ILoggingEvent e : events) {
            assertHidden("log line " + e.getLoggerName(), e.getFormattedMessage(), pw);
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                assertHidden("exception in a log line", String.valueOf(t.getMessage()), pw);
            }
        }
    }

    @Test
    void statusConfigAndValidateShowNoPasswordOrToken(TestDatabase db) throws Exception {
        String pw = password(db);
        Map<String, String> env = env(db);
        alwaysFiringRule();
        List<CliRun> runs = new ArrayList<>();
        try (LogCapture logs = new LogCapture(Logger.ROOT_LOGGER_NAME)) {
            for (String command : List.of("config", "status", "validate")) {
                runs.add(CliRun.of(env, home, command));
            }
            assertHidden(logs.events(), pw);
        }
        CliRun config = runs.get(0);
        CliRun status = runs.get(1);
        CliRun validate = runs.get(2);
        assertThat(config.code()).as(config.err()).isZero();
        assertThat(config.out()).containsPattern("primary\\.password\\s+\\*{8}\\s+env DATABASE_URL")
                .containsPattern("replica-1\\.password\\s+\\*{8}\\s+env DATABASE_READ_URLS")
                .containsPattern("alerts\\.webhook_url\\s+http://127\\.0\\.0\\.1:[0-9]+/\u2026\\s+env PGPULSE_ALERTS_WEBHOOK_URL")
                .doesNotContain("T000");
        assertThat(status.code()).as("it logged in with the password: " + status.err()).isZero();
        assertThat(status.out()).contains("primary").contains("replica-1");
        assertThat(validate.out()).containsPattern("endpoint primary\\s+pass");
        for (CliRun r : runs) {
            assertHidden("stdout", r.out(), pw);
            assertHidden("stderr", r.err(), pw);
        }
    }

    @Test
    void theAgentsBodiesLabelsAndLogsShowNoPasswordOrToken(TestDatabase db) throws Exception {
        String pw = password(db);
        alwaysFiringRule();
        var config = new ConfigLoader(env(db), home, "tester", 2).load(Overrides.none());
        assertThat(config.primary().orElseThrow().password()).isEqualTo(pw);
        try (LogCapture logs = new LogCapture(Logger.ROOT_LOGGER_NAME)) {
            try (Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(200),
                    Orchestrator.Options.alertRulesFile(home), false));
                 AgentServer agent = AgentServer.start(o, "127.0.0.1", 0)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> get(agent, "/health").statusCode() == 200
                        && get(agent, "/alerts").body().contains("always")
                        && !logs.events(Level.WARN, "failed for alert").isEmpty());
                for (String path : List.of("/health", "/metrics", "/alerts")) {
                    HttpResponse<String> r = get(agent, path);
                    assertThat(r.body()).as(path).isNotBlank();
                    assertHidden(path, r.body(), pw);
                    r.headers().map().forEach((k, v) -> assertHidden(path + " header " + k, String.join(",", v), pw));
                }
                assertThat(get(agent, "/metrics").body()).contains("pool=\"primary\"").contains("pool=\"replica-1\"");
                assertHidden("the snapshot", o.snapshot().toString(), pw);
                assertHidden("the target", o.target(), pw);
            }
            assertThat(logs.events(Level.WARN, "failed for alert").getFirst().getFormattedMessage())
                    .containsPattern("webhook http://127\\.0\\.0\\.1:[0-9]+/\u2026 failed").doesNotContain("T000");
            assertHidden(logs.events(), pw);
        }
    }

    /** picocli echoes what it could not parse; the echo must not carry the webhook's token. */
    @Test
    void aUsageErrorEchoingTheWebhookShowsOnlyItsHost() {
        String url = webhook(9);

        CliRun typo = CliRun.of(Map.of(), home, "config", "--sett", "alerts.webhook_url=" + url);

        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("http://127.0.0.1:9/\u2026").doesNotContain("T000");
        assertHidden("stderr", typo.err(), FAKE_PW);
        assertHidden("stdout", typo.out(), FAKE_PW);
    }

    /** A ':' typed for '=' makes the whole --set argument picocli's echo, password and all. */
    @Test
    void aSetThatIsNotKeyEqualsValueIsNotEchoed() {
        CliRun typo = CliRun.of(Map.of(), home, "config", "--set", "primary.password:" + FAKE_PW);

        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("KEY=VALUE format").contains("see `pgpulse config --help`");
        assertHidden("stderr", typo.err(), FAKE_PW);
        assertHidden("stdout", typo.out(), FAKE_PW);
    }

    private HttpResponse<String> get(AgentServer agent, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
