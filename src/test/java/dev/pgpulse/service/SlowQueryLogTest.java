package dev.pgpulse.service;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.pgpulse.pool.Route;
import dev.pgpulse.testing.LogCapture;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slow queries cannot flood the terminal: against a real PostgreSQL with real slow statements (pg_sleep), the
 * terminal logger gets the first one of an operation and then a summary with the right count and slowest time,
 * while the file-bound logger and the ring get every one; and the shipped logback.xml sends those two loggers
 * to the terminal and to the file respectively.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(90)
class SlowQueryLogTest {
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) slow quer(?:y|ies) of (\\S+) in the last .*, slowest (\\d+) ms");
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("slow-query-test-scheduler").daemon().factory());
    private ServiceFixture f;

    @AfterEach
    void tearDown() {
        if (f != null) {
            f.close();
        }
        scheduler.shutdownNow();
    }

    private void sleep(String operation, double seconds) {
        String sql = "select pg_sleep(" + seconds + ")";
        Result<Integer> r = f.service.query(operation, Route.READ, sql, false, c -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
            return 1;
        });
        assertThat(r.isSuccess()).as(r.toString()).isTrue();
    }

    private static List<String> messages(LogCapture capture) {
        return capture.events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static List<Matcher> summaries(LogCapture capture, String operation) {
        return messages(capture).stream().map(SUMMARY::matcher).filter(Matcher::find)
                .filter(m -> m.group(2).equals(operation)).toList();
    }

    @Test
    void theTerminalGetsTheFirstLineThenASummaryAndTheFileLoggerGetsEveryOne(TestDatabase db) throws Exception {
        f = new ServiceFixture(db, Map.of("query.slow_threshold", "100ms"));
        double[] naps = {0.12, 0.15, 0.35, 0.13, 0.14};
        try (LogCapture terminal = new LogCapture(SlowQueryLog.TERMINAL);
             LogCapture each = new LogCapture(SlowQueryLog.EACH)) {
            f.service.summariseSlowQueries(scheduler, Duration.ofSeconds(5));
            for (double nap : naps) {
                sleep("report", nap);
            }
            sleep("other", 0.11);
            List<SlowQuery> ring = f.service.snapshot().slowQueries();
            List<SlowQuery> reports = ring.stream().filter(q -> q.operation().equals("report")).toList();
            assertThat(reports).hasSize(naps.length);
            long slowestAfterFirst = reports.stream().skip(1).mapToLong(q -> q.duration().toMillis()).max().orElseThrow();
            assertThat(slowestAfterFirst).isGreaterThanOrEqualTo(350);

            // every slow query reaches the file-bound logger, with its SQL
            assertThat(messages(each)).filteredOn(m -> m.contains("slow query: report took")).hasSize(naps.length)
                    .allSatisfy(m -> assertThat(m).contains("select pg_sleep("));
            assertThat(messages(each)).filteredOn(m -> m.contains("slow query: other took")).hasSize(1);

            // the terminal: one line per operation at once, then (within a period or two) the summary of the rest
            await().atMost(Duration.ofSeconds(30)).until(() -> summaries(terminal, "report").stream()
                    .mapToInt(m -> Integer.parseInt(m.group(1))).sum() == naps.length - 1);
            assertThat(messages(terminal)).filteredOn(m -> m.contains("slow query: report took")).hasSize(1)
                    .singleElement().satisfies(m -> assertThat(m).contains(reports.getFirst().duration().toMillis()
                            + " ms: select pg_sleep(0.12)"));
            assertThat(messages(terminal)).filteredOn(m -> m.contains("slow query: other took")).hasSize(1);
            List<Matcher> reportSummaries = summaries(terminal, "report");
            assertThat(reportSummaries.stream().mapToLong(m -> Long.parseLong(m.group(3))).max().orElseThrow())
                    .isEqualTo(slowestAfterFirst);
            assertThat(summaries(terminal, "other")).as("nothing after its first line to summarise").isEmpty();
            assertThat(terminal.events()).hasSize(2 + reportSummaries.size());

            // a period without slow queries writes nothing; what is pending at shutdown is written then
            sleep("report", 0.12);
            sleep("report", 0.2);
            int before = terminal.events().size();
            f.close();
            f = null;
            assertThat(summaries(terminal, "report").stream().mapToInt(m -> Integer.parseInt(m.group(1))).sum())
                    .isEqualTo(naps.length - 1 + 2);
            assertThat(messages(terminal).subList(before, terminal.events().size())).isNotEmpty()
                    .allSatisfy(m -> assertThat(m).matches(SUMMARY.pattern()));
            assertThat(messages(each)).filteredOn(m -> m.contains("slow query: report took")).hasSize(naps.length + 2);
        }
    }

    @Test
    void theOrchestratorSummarisesOnItsSchedulerAndWritesWhatIsPendingWhenItStops(TestDatabase db,
                                                                                  @TempDir Path home) throws Exception {
        var config = new dev.pgpulse.config.ConfigLoader(Map.of("DATABASE_URL", db.url()), home, "tester", 2)
                .load(new dev.pgpulse.config.Overrides(null, null, null, List.of(), null,
                        Map.of("query.slow_threshold", "100ms")));
        try (LogCapture terminal = new LogCapture(SlowQueryLog.TERMINAL)) {
            try (var o = dev.pgpulse.orchestration.Orchestrator.start(config,
                    new dev.pgpulse.orchestration.Orchestrator.Options(Duration.ofSeconds(5), null, false))) {
                for (int i = 0; i < 3; i++) {
                    Result<Integer> r = o.service().query("orchestrated", Route.READ, "select pg_sleep(0.12)", false,
                            c -> {
                                try (Statement st = c.createStatement()) {
                                    st.execute("select pg_sleep(0.12)");
                                }
                                return 1;
                            });
                    assertThat(r.isSuccess()).isTrue();
                }
                assertThat(messages(terminal)).filteredOn(m -> m.contains("orchestrated")).singleElement()
                        .satisfies(m -> assertThat(m).contains("summarised every minute"));
            }
            // stopping writes the summary a minute's schedule had not yet written: proof the orchestrator scheduled it
            assertThat(summaries(terminal, "orchestrated")).singleElement()
                    .satisfies(m -> assertThat(m.group(0)).matches("2 slow queries of orchestrated in the last \\d+ s, slowest \\d+ ms"));
        }
    }

    @Test
    void theShippedLogbackXmlSendsEverySlowQueryToTheFileAndOnlyTheTerminalLinesToTheTerminal(@TempDir Path logs)
            throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        context.putProperty("PGPULSE_LOG_DIR", logs.toString());
        PrintStream stderr = System.err;
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        System.setErr(new PrintStream(terminal, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(SlowQueryLogTest.class.getResource("/logback.xml"));
            context.getLogger(SlowQueryLog.EACH).warn("primary - slow query: each-line took 600 ms");
            context.getLogger(SlowQueryLog.TERMINAL).warn("12 slow queries of terminal-line in the last minute");
            context.getLogger("dev.pgpulse.service.DatabaseService").warn("ordinary-line");
        } finally {
            context.stop();
            System.setErr(stderr);
        }
        String file = Files.readString(logs.resolve("pgpulse.log"));
        String err = terminal.toString(StandardCharsets.UTF_8);
        assertThat(file).contains("each-line").contains("ordinary-line").doesNotContain("terminal-line");
        assertThat(err).contains("terminal-line").contains("ordinary-line").doesNotContain("each-line");
    }
}
