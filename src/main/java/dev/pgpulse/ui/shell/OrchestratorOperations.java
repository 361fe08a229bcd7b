package dev.pgpulse.ui.shell;

import dev.pgpulse.config.Environment;
import dev.pgpulse.orchestration.BackupException;
import dev.pgpulse.orchestration.BackupManager;
import dev.pgpulse.orchestration.Checks;
import dev.pgpulse.orchestration.MigrationException;
import dev.pgpulse.orchestration.MigrationRunner;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.orchestration.PgTools;
import dev.pgpulse.ui.fx.BackgroundTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@link OperationsActions} over the orchestrator's {@link MigrationRunner} and {@link BackupManager}. Every call is
 * a {@link BackgroundTask} on {@code work} (a thread per task: a backup or a migration may run for minutes and must
 * hold up nothing else); a failure is logged and handed back as its message.
 */
final class OrchestratorOperations implements OperationsActions {
    private static final Logger LOG = LoggerFactory.getLogger(OrchestratorOperations.class);

    private final Orchestrator orchestrator;
    private final Executor work;
    private final Executor ui;
    private volatile PgTools tools;

    OrchestratorOperations(Orchestrator orchestrator, Executor work, Executor ui) {
        this.orchestrator = orchestrator;
        this.work = work;
        this.ui = ui;
    }

    @Override
    public boolean production() {
        return orchestrator.config().environment() == Environment.PRODUCTION;
    }

    @Override
    public String database() {
        return orchestrator.config().primary().orElseThrow().database();
    }

    @Override
    public Path backupDir() {
        return orchestrator.config().operations().backupDir();
    }

    @Override
    public Optional<String> migrationsUnset() {
        if (orchestrator.config().operations().migrationsConfigured()) {
            return Optional.empty();
        }
        return Optional.of("No migrations are configured for " + orchestrator.config().primary().orElseThrow()
                .displayTarget() + ": set migrations.locations (PGPULSE_MIGRATIONS_LOCATIONS, e.g. "
                + "filesystem:/srv/app/sql) to list and apply them here");
    }

    private MigrationRunner runner() throws MigrationException {
        return orchestrator.migrations().orElseThrow(() -> new MigrationException(migrationsUnset().orElse(
                "no migrations configured"), null));
    }

    /** The tools, found once (off the FX thread, where every caller is). */
    private PgTools tools() throws BackupException {
        PgTools t = tools;
        if (t == null) {
            t = PgTools.locate();
            tools = t;
        }
        return t;
    }

    private BackupManager manager() throws BackupException {
        return orchestrator.backups(tools());
    }

    private <T> void submit(String name, BackgroundTask.Work<T> job, Consumer<? super T> ok, Consumer<String> failed) {
        BackgroundTask.of(name, job)
                .onSuccess(ok)
                .onFailure(e -> {
                    LOG.warn("{} failed: {}", name, e.getMessage());
                    failed.accept(OrchestratorActions.why(e));
                })
                .start(work, ui);
    }

    @Override
    public void migrationInfo(Consumer<MigrationRunner.Info> ok, Consumer<String> failed) {
        submit("flyway info", p -> runner().info(), ok, failed);
    }

    @Override
    public void migrate(Consumer<MigrationRunner.Migrated> ok, Consumer<String> failed) {
        submit("flyway migrate", p -> runner().migrate(), ok, failed);
    }

    @Override
    public void validate(Consumer<MigrationRunner.Validation> ok, Consumer<String> failed) {
        submit("flyway validate", p -> runner().validate(), ok, failed);
    }

    @Override
    public void repair(Consumer<List<String>> ok, Consumer<String> failed) {
        submit("flyway repair", p -> runner().repair(), ok, failed);
    }

    @Override
    public void backups(Consumer<List<BackupManager.Backup>> ok, Consumer<String> failed) {
        submit("list backups", p -> manager().list(), ok, failed);
    }

    @Override
    public BackgroundTask.Handle backup(Consumer<BackupProgress> progress, Consumer<BackupManager.Backup> ok,
                                        Consumer<String> failed, Runnable cancelled) {
        // BackgroundTask delivers only the latest progress; the lines are queued here so none is lost
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        AtomicLong bytes = new AtomicLong();
        return interruptible("backup of " + database(), p -> manager().backup(backupDir(), new BackupManager.Progress() {
            @Override
            public void written(long b) {
                bytes.set(b);
                p.update(b, -1, null);
            }

            @Override
            public void line(String line) {
                lines.add(line);
                p.update(bytes.get(), -1, null);
            }
        }), u -> {
            List<String> drained = new ArrayList<>();
            for (String l; (l = lines.poll()) != null; ) {
                drained.add(l);
            }
            progress.accept(new BackupProgress(bytes.get(), drained));
        }, ok, failed, why -> cancelled.run());
    }

    /**
     * A task whose cancel interrupts its own thread and whose outcome waits for the work to end: {@code cancelled}
     * (with the work's last word, e.g. what a restore undid) is told once the child process is stopped and its
     * leftovers removed, not before (BackgroundTask's own cancel is decided at once). A result that arrives despite
     * the cancel (the work had finished) is still told as success.
     */
    private <T> BackgroundTask.Handle interruptible(String name, BackgroundTask.Work<T> job,
                                                    Consumer<BackgroundTask.Update> progress, Consumer<? super T> ok,
                                                    Consumer<String> failed, Consumer<String> cancelled) {
        AtomicReference<Thread> worker = new AtomicReference<>();
        AtomicBoolean cancel = new AtomicBoolean();
        BackgroundTask.Handle task = BackgroundTask.of(name, p -> {
                    worker.set(Thread.currentThread());
                    try {
                        if (cancel.get()) {
                            throw new InterruptedException("cancelled before it started");
                        }
                        return job.run(p);
                    } finally {
                        worker.set(null);
                        Thread.interrupted(); // the cancel's interrupt ends with the work
                    }
                })
                .onProgress(progress)
                .onSuccess(ok)
                .onFailure(e -> {
                    if (cancel.get()) {
                        LOG.info("{} cancelled: {}", name, e.getMessage());
                        cancelled.accept(OrchestratorActions.why(e));
                        return;
                    }
                    LOG.warn("{} failed: {}", name, e.getMessage());
                    failed.accept(OrchestratorActions.why(e));
                })
                .start(work, ui);
        return new BackgroundTask.Handle() {
            @Override
            public void cancel() {
                if (task.isDone() || !cancel.compareAndSet(false, true)) {
                    return;
                }
                Thread t = worker.get();
                if (t != null) {
                    t.interrupt();
                }
            }

            @Override
            public boolean isCancelled() {
                return cancel.get();
            }

            @Override
            public boolean isDone() {
                return task.isDone();
            }
        };
    }

    @Override
    public void verify(Path file, Consumer<BackupManager.Verification> ok, Consumer<String> failed) {
        submit("verify " + file.getFileName(), p -> manager().verify(file), ok, failed);
    }

    @Override
    public BackgroundTask.Handle restore(Path file, String target, boolean overSource,
                                         Consumer<BackupManager.Restore> ok, Consumer<String> failed,
                                         Consumer<String> cancelled) {
        return interruptible("restore " + file.getFileName() + " into " + target,
                p -> manager().restore(file, target, overSource), u -> { }, ok, failed, cancelled);
    }

    @Override
    public void delete(Path file, Runnable ok, Consumer<String> failed) {
        submit("delete " + file.getFileName(), p -> {
            manager().delete(file);
            return Boolean.TRUE;
        }, v -> ok.run(), failed);
    }

    @Override
    public void checks(Consumer<List<Checks.Check>> ok, Consumer<String> failed) {
        submit("validate checks", p -> Checks.all(orchestrator, orchestrator.rules().state().file().orElse(null),
                this::tools), ok, failed);
    }
}
