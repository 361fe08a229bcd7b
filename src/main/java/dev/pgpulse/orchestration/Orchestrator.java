package dev.pgpulse.orchestration;

import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.embedded.EmbeddedServer;
import dev.pgpulse.embedded.EmbeddedStartException;
import dev.pgpulse.embedded.EmbeddedState;
import dev.pgpulse.health.HealthMonitor;
import dev.pgpulse.health.HealthSnapshot;
import dev.pgpulse.health.HealthStatus;
import dev.pgpulse.health.MetricHistory;
import dev.pgpulse.health.alert.AlertEngine;
import dev.pgpulse.health.alert.AlertNotifier;
import dev.pgpulse.health.alert.WebhookNotifier;
import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.health.alert.AlertRuleException;
import dev.pgpulse.health.alert.AlertRuleStore;
import dev.pgpulse.health.alert.LogNotifier;
import dev.pgpulse.health.alert.RuleBook;
import dev.pgpulse.health.alert.AlertKey;
import dev.pgpulse.health.alert.Silence;
import dev.pgpulse.health.alert.Silences;
import dev.pgpulse.pool.EndpointStartupException;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The composition root: from one {@link PgPulseConfig} it starts the embedded server when none is configured,
 * opens the pools, builds the guard, the service, the health monitor and the alert engine, and owns the one
 * scheduler thread. It shuts them down in reverse order, once, also from a JVM shutdown hook. Every face
 * reads {@link #snapshot()}. Migrations ({@link #migrations()}) and backups ({@link #backups}) hang off it too.
 */
public final class Orchestrator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);
    /** How often the terminal gets a line per operation that had slow queries (the file log gets each one). */
    private static final Duration SLOW_QUERY_SUMMARY = Duration.ofMinutes(1);

    /**
     * Where the alert rules live (null: the default rules, no file), whether to register a JVM shutdown hook, and whether to apply pending
     * migrations at start (by default only on the embedded server, whose demo schema PgPulse owns; an
     * external database is migrated when a DBA runs {@code pgpulse migrate}), and how long the metric history
     * keeps ({@link MetricHistory#DEFAULT_WINDOW} by default), and how often a FIRING alert nobody acknowledged or
     * silenced is told again ({@link AlertEngine#DEFAULT_REPEAT_INTERVAL}). The silences live beside the rules file
     * ({@link #silencesFile()}), one file per profile ({@code silencesScope}): silencing a rule on staging does not
     * mute it on production. The rest is in the config.
     */
    public record Options(Duration healthInterval, Path alertRulesFile, boolean shutdownHook, boolean migrateOnStart,
                          Duration historyWindow, Duration repeatInterval, String silencesScope, String cluster,
                          ScheduledExecutorService scheduler) {
        public Options {
            java.util.Objects.requireNonNull(historyWindow, "historyWindow");
            java.util.Objects.requireNonNull(repeatInterval, "repeatInterval");
        }

        public Options(Duration healthInterval, Path alertRulesFile, boolean shutdownHook, boolean migrateOnStart,
                       Duration historyWindow, Duration repeatInterval, String silencesScope) {
            this(healthInterval, alertRulesFile, shutdownHook, migrateOnStart, historyWindow, repeatInterval,
                    silencesScope, null, null);
        }

        /**
         * These options for one cluster of a fleet: every meter gets {@code cluster="<name>"}, and the health rounds
         * run on the fleet's {@code scheduler} (not shut down by the orchestrator) instead of a thread of its own.
         */
        public Options inFleet(String clusterName, ScheduledExecutorService shared) {
            return new Options(healthInterval, alertRulesFile, shutdownHook, migrateOnStart, historyWindow,
                    repeatInterval, silencesScope, java.util.Objects.requireNonNull(clusterName, "clusterName"),
                    java.util.Objects.requireNonNull(shared, "shared"));
        }

        public Options(Duration healthInterval, Path alertRulesFile, boolean shutdownHook, boolean migrateOnStart,
                       Duration historyWindow, Duration repeatInterval) {
            this(healthInterval, alertRulesFile, shutdownHook, migrateOnStart, historyWindow, repeatInterval, null);
        }

        public Options(Duration healthInterval, Path alertRulesFile, boolean shutdownHook, boolean migrateOnStart,
                       Duration historyWindow) {
            this(healthInterval, alertRulesFile, shutdownHook, migrateOnStart, historyWindow,
                    AlertEngine.DEFAULT_REPEAT_INTERVAL);
        }

        public Options(Duration healthInterval, Path alertRulesFile, boolean shutdownHook, boolean migrateOnStart) {
            this(healthInterval, alertRulesFile, shutdownHook, migrateOnStart, MetricHistory.DEFAULT_WINDOW);
        }

        /**
         * These options for another target: its own health interval, and the demo schema migrated only on the
         * embedded server (as {@link #defaults} decides); the rules file, history window and reminders stay.
         */
        public Options forTarget(PgPulseConfig config) {
            return new Options(config.monitoring().healthInterval(), alertRulesFile, shutdownHook, config.isEmbedded(),
                    historyWindow, repeatInterval, config.profile().orElse(null), cluster, scheduler);
        }

        /** These options with the silences of one profile's target ({@code null}: the shared {@code silences.json}). */
        public Options withSilencesScope(String scope) {
            return new Options(healthInterval, alertRulesFile, shutdownHook, migrateOnStart, historyWindow, repeatInterval,
                    scope, cluster, scheduler);
        }

        /** These options with reminders of FIRING alerts every {@code interval} (zero: none). */
        public Options withRepeatInterval(Duration interval) {
            return new Options(healthInterval, alertRulesFile, shutdownHook, migrateOnStart, historyWindow, interval,
                    silencesScope, cluster, scheduler);
        }

        public Options(Duration healthInterval, Path alertRulesFile, boolean shutdownHook) {
            this(healthInterval, alertRulesFile, shutdownHook, false);
        }

        /** These options with a metric history of at least {@code window} (a console that charts a longer one). */
        public Options withHistoryAtLeast(Duration window) {
            return window.compareTo(historyWindow) <= 0 ? this
                    : new Options(healthInterval, alertRulesFile, shutdownHook, migrateOnStart, window, repeatInterval,
                    silencesScope, cluster, scheduler);
        }

        public static Options defaults(Path home, PgPulseConfig config) {
            return new Options(config.monitoring().healthInterval(), alertRulesFile(home), true, config.isEmbedded(),
                    MetricHistory.DEFAULT_WINDOW, AlertEngine.DEFAULT_REPEAT_INTERVAL, config.profile().orElse(null));
        }

        /**
         * Where the silences live: {@code silences.json} beside the rules file, {@code silences-<profile>.json} for a
         * profile's target; null (in memory only) without a rules file.
         */
        public Path silencesFile() {
            if (alertRulesFile == null) {
                return null;
            }
            Path shared = Silences.besideRules(alertRulesFile);
            if (silencesScope == null) {
                return shared;
            }
            // a name from a hand-edited profile file could hold '/' or '..': such a name gets a file named by its hash
            String name = silencesScope.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}") ? silencesScope
                    : "profile-" + Integer.toHexString(silencesScope.hashCode());
            return shared.resolveSibling("silences-" + name + ".json");
        }

        /** The alert rules file under a home folder. */
        public static Path alertRulesFile(Path home) {
            return home.resolve(".config").resolve("pgpulse").resolve("alert-rules.json");
        }
    }

    private final PgPulseConfig config;
    private final PrometheusMeterRegistry meters;
    private final EmbeddedServer embedded;
    private final DatabaseService service;
    private final HealthMonitor health;
    private final AlertEngine alerts;
    private final RuleBook ruleBook;
    private final Silences silences;
    private final WebhookNotifier webhook;
    private final MetricHistory history;
    private final TargetMemory memory;
    private final ScheduledExecutorService scheduler;
    /** False for a fleet's cluster: the scheduler is the fleet's, shared, and shut down by it. */
    private boolean ownsScheduler = true;
    private final List<String> startupWarnings;
    private final Clock clock = Clock.systemUTC();
    private final Thread hook;
    private final dev.pgpulse.query.QueryRunner queries;
    /** Where the Query tab's history lives (beside the alert rules), or null: in memory only. */
    private final Path queryHistoryFile;
    private dev.pgpulse.query.QueryHistory queryHistory;
    private volatile Status.State lifecycle = Status.State.STARTING;

    private Orchestrator(PgPulseConfig config, PrometheusMeterRegistry meters, EmbeddedServer embedded,
                         DatabaseService service, HealthMonitor health, AlertEngine alerts, RuleBook ruleBook,
                         Silences silences, WebhookNotifier webhook, MetricHistory history,
                         ScheduledExecutorService scheduler, List<String> startupWarnings, TargetMemory memory,
                         boolean shutdownHook, Path queryHistoryFile) {
        this.config = config;
        this.memory = memory;
        this.queries = new dev.pgpulse.query.QueryRunner(service, config.environment(), "console.query");
        this.queryHistoryFile = queryHistoryFile;
        this.meters = meters;
        this.embedded = embedded;
        this.service = service;
        this.health = health;
        this.alerts = alerts;
        this.ruleBook = ruleBook;
        this.silences = silences;
        this.webhook = webhook;
        this.history = history;
        this.scheduler = scheduler;
        this.startupWarnings = List.copyOf(startupWarnings);
        this.hook = shutdownHook ? Thread.ofPlatform().name("pgpulse-shutdown").unstarted(this::close) : null;
    }

    public static Orchestrator start(PgPulseConfig config, Options options)
            throws EmbeddedStartException, EndpointStartupException, AlertRuleException {
        return start(config, options, TargetMemory.fresh(options.historyWindow()));
    }

    /**
     * Starts on a target's {@link TargetMemory}: its metric history, event log and alert history go on from where
     * the last orchestrator on it stopped (the console's switch between profiles and back).
     */
    public static Orchestrator start(PgPulseConfig config, Options options, TargetMemory memory)
            throws EmbeddedStartException, EndpointStartupException, AlertRuleException {
        java.util.Objects.requireNonNull(memory, "memory");
        List<String> warnings = new ArrayList<>(config.warnings());
        // no rules file: the default rules, and nothing on disk read or moved (what `pgpulse validate` wants)
        AlertRuleStore.LoadResult rules = options.alertRulesFile() == null
                ? new AlertRuleStore.LoadResult(dev.pgpulse.health.alert.DefaultRules.all(), List.of(), true)
                : new AlertRuleStore(options.alertRulesFile()).load();
        warnings.addAll(rules.warnings());
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (options.cluster() != null) {
            // before any meter: HikariCP's, Resilience4j's and PgPulse's all carry it
            meters.config().commonTags("cluster", options.cluster());
        }
        EmbeddedServer server = null;
        PgPulseConfig resolved = config;
        if (config.isEmbedded() && config.primary().isEmpty()) {
            var e = config.embedded().orElseThrow();
            server = EmbeddedServer.start(e);
            resolved = config.withEmbeddedPrimary(server.endpoint(e));
        }
        Endpoints endpoints;
        try {
            endpoints = Endpoints.open(resolved, meters);
        } catch (EndpointStartupException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            throw e;
        }
        if (options.migrateOnStart() && resolved.operations().migrationsConfigured()) {
            try {
                MigrationRunner.Migrated m = new MigrationRunner(resolved.primary().orElseThrow(),
                        resolved.operations()).migrate();
                if (m.executed() > 0) {
                    LOG.info("migrated {} from version {} to {} ({})", resolved.primary().orElseThrow().displayTarget(),
                            m.fromVersion(), m.toVersion(), String.join(", ", m.applied()));
                }
            } catch (MigrationException e) {
                warnings.add(e.getMessage());
            }
        }
        if (server != null) {
            try {
                if (server.createStatementsExtension()) {
                    LOG.info("created pg_stat_statements on the embedded PostgreSQL (the Server tab's top statements)");
                }
            } catch (java.sql.SQLException | RuntimeException e) {
                warnings.add("pg_stat_statements could not be created on the embedded PostgreSQL (" + e.getMessage()
                        + "); top statements stay empty: run CREATE EXTENSION pg_stat_statements in its postgres database");
            }
        }
        Clock clock = Clock.systemUTC();
        Guard guard = new Guard(resolved.resilience(), meters, memory.events(), clock);
        DatabaseService service = new DatabaseService(endpoints, guard, meters, clock, resolved.routing());
        List<AlertNotifier> notifiers = new ArrayList<>(List.of(new LogNotifier()));
        var monitoring = resolved.monitoring();
        WebhookNotifier webhook = monitoring.webhook().map(url -> new WebhookNotifier(url, monitoring.webhookTimeout()))
                .orElse(null);
        if (webhook != null) {
            notifiers.add(webhook);
        }
        Silences silences = options.silencesFile() == null ? Silences.inMemory(clock)
                : Silences.load(options.silencesFile(), clock);
        warnings.addAll(silences.warnings());
        AlertEngine alerts = new AlertEngine(500, notifiers, options.repeatInterval(), silences);
        alerts.seedHistory(memory.alerts());
        RuleBook ruleBook = new RuleBook(options.alertRulesFile() == null ? null : new AlertRuleStore(options.alertRulesFile()),
                alerts, rules);
        HealthMonitor monitor = new HealthMonitor(service, HealthMonitor.DEFAULT_QUERY_TIMEOUT, clock);
        if (server != null) {
            // a killed server shows only as an unreachable endpoint: look at its process on every sample
            EmbeddedServer watched = server;
            monitor.subscribe(h -> watched.checkAlive());
        }
        // the read rotation follows each round: a lagging replica leaves it before the next read goes there
        monitor.subscribe(new dev.pgpulse.health.RotationFeed(service.rotation()));
        // one sample of the metric keys per health sample: what the history keeps is what the engine evaluated
        MetricHistory history = memory.history();
        MetricSampler sampler = new MetricSampler();
        monitor.subscribe(h -> {
            Map<String, Double> metrics = sampler.sample(h, service.snapshot());
            history.record(h.at(), metrics);
            ruleBook.checkFile(); // a hand edit of the rules file applies from this sample on
            alerts.evaluate(h.at(), metrics);
        });
        StateMeters.register(meters, monitor, service, alerts,
                endpoints.all().stream().map(dev.pgpulse.pool.Endpoint::name).toList());
        meters.getPrometheusRegistry().register(new ServerMetrics(monitor, options.cluster()));
        boolean ownScheduler = options.scheduler() == null;
        ScheduledExecutorService scheduler = ownScheduler ? Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("pgpulse-scheduler").daemon().factory()) : options.scheduler();
        Orchestrator o = new Orchestrator(resolved, meters, server, service, monitor, alerts, ruleBook, silences, webhook,
                history, scheduler, warnings, memory,
                options.shutdownHook(), options.alertRulesFile() == null ? null
                        : options.alertRulesFile().resolveSibling(dev.pgpulse.query.QueryHistory.FILE_NAME));
        warnings.forEach(w -> LOG.warn("{}", w));
        if (o.hook != null) {
            Runtime.getRuntime().addShutdownHook(o.hook);
        }
        o.ownsScheduler = ownScheduler;
        monitor.start(scheduler, options.healthInterval());
        service.summariseSlowQueries(scheduler, SLOW_QUERY_SUMMARY);
        o.lifecycle = Status.State.RUNNING;
        LOG.info("PgPulse running on {} ({} endpoint(s), {})", o.target(), endpoints.all().size(),
                resolved.environment().label());
        return o;
    }

    /** Where it is: STARTING, RUNNING or DEGRADED (from the latest health sample), STOPPING, STOPPED. */
    public Status status() {
        return status(health.latest());
    }

    private Status status(HealthSnapshot h) {
        Status.State state = lifecycle;
        if (state != Status.State.RUNNING) {
            return new Status(state, List.of(), clock.instant());
        }
        if (h == null) {
            return new Status(Status.State.STARTING, List.of("waiting for the first health sample"), clock.instant());
        }
        Optional<String> exited = embeddedExit();
        if (h.status() == HealthStatus.UP && exited.isEmpty()) {
            return new Status(Status.State.RUNNING, List.of(), clock.instant());
        }
        List<String> reasons = new ArrayList<>();
        exited.ifPresent(reasons::add);
        reasons.addAll(h.reasons());
        return new Status(Status.State.DEGRADED, reasons, clock.instant());
    }

    /** "the embedded PostgreSQL exited at HH:MM:SS", when it did. */
    private Optional<String> embeddedExit() {
        if (embedded == null || embedded.state().phase() != EmbeddedState.Phase.EXITED) {
            return Optional.empty();
        }
        return Optional.of("the embedded PostgreSQL exited at " + java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")
                .withZone(java.time.ZoneId.systemDefault()).format(embedded.state().since()));
    }

    public Snapshot snapshot() {
        // one read of the latest sample: a sample landing in between would grade the lifecycle from another one
        HealthSnapshot h = health.latest();
        return new Snapshot(clock.instant(), status(h), target(), embedded != null, config.environment(),
                service.snapshot(), h, alerts.active(), alerts.history(), history.view(),
                embedded == null ? null : embedded.state(), alerting());
    }

    private AlertBoard alerting() {
        return new AlertBoard(ruleBook.state(), alerts.current(), alerts.acknowledged(), silences.active(clock.instant()),
                config.monitoring().webhook().map(u -> dev.pgpulse.config.Redact.webhook(u)));
    }

    /**
     * Acknowledges a FIRING alert: it stays listed, marked, and gets no reminders until it resolves.
     *
     * @return false when that rule and subject are not FIRING (any more); nothing changed then
     */
    public boolean acknowledge(AlertKey alert) {
        return alerts.acknowledge(alert);
    }

    /**
     * Silences a rule on one subject, or on all ({@link Silence#ANY_SUBJECT}), for {@code length} from now; kept in
     * the silences file, so it holds across restarts.
     *
     * @throws IllegalArgumentException for an unknown rule, a subject the rule does not watch, a length out of
     *                                  {@link Silences#MIN_LENGTH}..{@link Silences#MAX_LENGTH} or a comment too long
     * @throws java.io.IOException      when the silences file cannot be written; nothing changed
     */
    public Silence silence(String ruleId, String subject, Duration length, String comment) throws java.io.IOException {
        RuleBook.State rules = ruleBook.state();
        AlertRule rule = rules.rule(ruleId).orElseThrow(() -> new IllegalArgumentException("no alert rule has the id "
                + Silences.shown(ruleId) + "; silence one of " + rules.rules().stream().map(AlertRule::id).toList()));
        return silences.add(rule, subject, length, comment);
    }

    /**
     * Ends a silence now.
     *
     * @return false when no silence in force has that id (it had already ended, or never was)
     * @throws java.io.IOException when the silences file cannot be written; the silence still holds
     */
    public boolean expireSilence(String id) throws java.io.IOException {
        return silences.expire(id);
    }

    /** The silences in force and in the file. */
    public Silences silences() {
        return silences;
    }

    /**
     * Posts a test alert to the configured webhook and waits for its answer (at most about twice
     * {@code alerts.webhook_timeout}); {@link WebhookNotifier.TestSend#notConfigured()} when there is none.
     */
    public WebhookNotifier.TestSend sendTestAlert() {
        return webhook == null ? WebhookNotifier.TestSend.notConfigured() : webhook.sendTest(clock.instant());
    }

    /**
     * Starts the embedded server again on its folder and port after its postmaster exited (the console's Restart);
     * the pools and breakers recover by themselves once it answers.
     *
     * @throws IllegalStateException on a configured target, while stopping, or while the server still runs
     */
    public void restartEmbedded() throws EmbeddedStartException {
        if (embedded == null || lifecycle != Status.State.RUNNING) {
            throw new IllegalStateException(embedded == null ? "no embedded server: PgPulse runs on a configured target"
                    : "PgPulse is " + lifecycle.name().toLowerCase(java.util.Locale.ROOT));
        }
        embedded.restart();
    }

    /** The primary as a user would name it, without password. */
    public String target() {
        return config.primary().map(p -> embedded != null ? embedded.url() : "postgresql://" + p.displayTarget())
                .orElse("(not started)");
    }

    /** Drills an endpoint's breaker (the console's drill menu): the faces drill here, not through the service. */
    public void drill(String endpoint, Guard.Drill drill) {
        service.guard().drill(endpoint, drill);
    }

    /** A demo workload over this orchestrator's service (not started), for a face that offers one. */
    public dev.pgpulse.demo.DemoWorkload demoWorkload() {
        return new dev.pgpulse.demo.DemoWorkload(service, new dev.pgpulse.demo.BillRepository(service),
                config.resilience().slowQueryThreshold());
    }

    /** Flyway against the primary with the configured locations; empty when none are configured. */
    public Optional<MigrationRunner> migrations() {
        return config.operations().migrationsConfigured()
                ? Optional.of(new MigrationRunner(config.primary().orElseThrow(), config.operations()))
                : Optional.empty();
    }

    /** Backups of the primary's database into the configured folder, with the client tools given. */
    public BackupManager backups(PgTools tools) {
        return new BackupManager(config.primary().orElseThrow(), config.operations().backupDir(), tools);
    }

    public MeterRegistry meters() {
        return meters;
    }

    /** The Prometheus text exposition of every meter (HikariCP, Resilience4j and PgPulse's own). */
    public String scrape() {
        return meters.scrape();
    }

    public DatabaseService service() {
        return service;
    }

    /** The runner of the console's queries (operation {@code console.query}): read-only on production unless switched. */
    public dev.pgpulse.query.QueryRunner queries() {
        return queries;
    }

    /**
     * The console's query history, read from its file on the first call (bounded, so this may wait on a slow disk:
     * call it off the FX thread).
     */
    public synchronized dev.pgpulse.query.QueryHistory queryHistory() {
        if (queryHistory == null) {
            queryHistory = queryHistoryFile == null ? dev.pgpulse.query.QueryHistory.inMemory(
                    dev.pgpulse.query.QueryHistory.DEFAULT_MAX_ENTRIES)
                    : dev.pgpulse.query.QueryHistory.load(queryHistoryFile);
        }
        return queryHistory;
    }

    public HealthMonitor health() {
        return health;
    }

    public AlertEngine alerts() {
        return alerts;
    }

    /** The rules in force and the one way to change them (file first, then engine). */
    public RuleBook rules() {
        return ruleBook;
    }

    /** The metric history, one sample per health sample (also in every {@link #snapshot()}). */
    public MetricHistory history() {
        return history;
    }

    public PgPulseConfig config() {
        return config;
    }

    public Optional<EmbeddedServer> embedded() {
        return Optional.ofNullable(embedded);
    }

    public List<String> startupWarnings() {
        return startupWarnings;
    }

    /** Reverse order of starting: sampler, scheduler, alerts, service (drains, closes pools), embedded server. */
    @Override
    public void close() {
        synchronized (this) {
            if (lifecycle == Status.State.STOPPING || lifecycle == Status.State.STOPPED) {
                return;
            }
            lifecycle = Status.State.STOPPING;
        }
        LOG.info("PgPulse stopping");
        health.close();
        if (ownsScheduler) {
            stop(scheduler);
        }
        alerts.close();
        memory.keepAlerts(alerts.history());
        service.shutdown(config.resilience().shutdownGrace());
        if (embedded != null) {
            embedded.close();
        }
        meters.close();
        lifecycle = Status.State.STOPPED;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The JVM is exiting and the hook runs (or ran) this already.
            }
        }
        LOG.info("PgPulse stopped");
    }

    /** Shuts a scheduler down: a task under way gets 5 s to finish, then it is interrupted. */
    static void stop(ScheduledExecutorService scheduler) {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
