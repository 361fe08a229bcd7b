package dev.pgpulse.ui.fx;

import ch.qos.logback.classic.Level;
import dev.pgpulse.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The background-task contract without a stage: callbacks go to a single "UI" thread standing in for the FX
 * thread, work runs on another; exactly one outcome, then finished; a cancel interrupts blocked work and wins
 * over a late result; progress is coalesced to the latest.
 */
@Timeout(30)
class BackgroundTaskTest {
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> new Thread(r, "work"));
    private final ExecutorService ui = Executors.newSingleThreadExecutor(r -> new Thread(r, "ui"));
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        background.shutdownNow();
        ui.shutdownNow();
    }

    private BackgroundTask<String> recorded(BackgroundTask<String> t) {
        return t.onRunning(() -> seen.add("running@" + Thread.currentThread().getName()))
                .onSuccess(v -> seen.add("success:" + v + "@" + Thread.currentThread().getName()))
                .onFailure(e -> seen.add("failure:" + e.getMessage()))
                .onCancelled(() -> seen.add("cancelled"))
                .onFinished(() -> seen.add("finished"));
    }

    @Test
    void successRunsOffTheUiThreadAndIsDeliveredOnIt() {
        List<String> workThread = new CopyOnWriteArrayList<>();
        recorded(BackgroundTask.of("t", p -> {
            workThread.add(Thread.currentThread().getName());
            return "42";
        })).start(background, ui);
        await().until(() -> seen.contains("finished"));
        assertThat(workThread).containsExactly("work");
        assertThat(seen).containsExactly("running@ui", "success:42@ui", "finished");
    }

    @Test
    void aFailureIsDeliveredOnceWithItsCause() {
        recorded(BackgroundTask.of("t", p -> {
            throw new IllegalStateException("server said no");
        })).start(background, ui);
        await().until(() -> seen.contains("finished"));
        assertThat(seen).containsExactly("running@ui", "failure:server said no", "finished");
    }

    @Test
    void cancelInterruptsBlockedWorkAndDropsItsLateResult() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        BackgroundTask.Handle h = recorded(BackgroundTask.of("t", p -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return "too late";
        })).start(background, ui);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        h.cancel();
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the work was interrupted").isTrue();
        await().until(() -> seen.contains("finished"));
        Thread.sleep(200);
        assertThat(seen).containsExactly("running@ui", "cancelled", "finished");
        assertThat(h.isCancelled()).isTrue();
        assertThat(h.isDone()).isTrue();
        h.cancel(); // a second cancel changes nothing
        Thread.sleep(100);
        assertThat(seen).hasSize(3);
    }

    @Test
    void workCancelledWhileQueuedNeverRuns() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        background.execute(() -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<String> ran = new CopyOnWriteArrayList<>();
        BackgroundTask.Handle h = recorded(BackgroundTask.of("t", p -> {
            ran.add("ran");
            return "x";
        })).start(background, ui);
        h.cancel();
        hold.countDown();
        await().until(() -> seen.contains("finished"));
        Thread.sleep(200);
        assertThat(ran).isEmpty();
        assertThat(seen).containsExactly("running@ui", "cancelled", "finished");
    }

    @Test
    void progressIsCoalescedToTheLatestAndStopsAtTheOutcome() throws Exception {
        CountDownLatch uiBusy = new CountDownLatch(1);
        ui.execute(() -> {
            try {
                uiBusy.await(); // the UI thread is busy while the work reports 1000 times
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<BackgroundTask.Update> updates = new CopyOnWriteArrayList<>();
        CountDownLatch reported = new CountDownLatch(1);
        recorded(BackgroundTask.of("t", p -> {
            for (int i = 1; i <= 1000; i++) {
                p.update(i, 1000, "row " + i);
            }
            reported.countDown();
            return "done";
        }).onProgress(updates::add)).start(background, ui);
        assertThat(reported.await(5, TimeUnit.SECONDS)).isTrue();
        uiBusy.countDown();
        await().until(() -> seen.contains("finished"));
        assertThat(updates).hasSizeLessThanOrEqualTo(2);
        assertThat(updates.getLast().message()).isEqualTo("row 1000");
        assertThat(updates.getLast().fraction()).isEqualTo(1.0);
        assertThat(new BackgroundTask.Update(3, -1, "").fraction()).isEqualTo(-1);
    }

    @Test
    void aShutDownExecutorIsAFailureNotASilentDrop() {
        background.shutdown();
        recorded(BackgroundTask.of("t", p -> "never")).start(background, ui);
        await().until(() -> seen.contains("finished"));
        assertThat(seen.get(1)).isEqualTo("failure:t was not started: the background executor refused it (it is "
                + "shutting down)");
    }

    @Test
    void aCallbackThatThrowsIsLoggedWithTheTaskAndFinishedStillRuns() {
        try (LogCapture logs = new LogCapture(BackgroundTask.class)) {
            BackgroundTask.of("save preferences", p -> "x")
                    .onSuccess(v -> {
                        throw new IllegalStateException("view gone");
                    })
                    .onFinished(() -> {
                        seen.add("finished");
                        throw new IllegalStateException("also gone");
                    })
                    .start(background, ui);
            await().until(() -> logs.events(Level.ERROR, "save preferences").size() == 2);
            assertThat(logs.events(Level.ERROR, "save preferences")).extracting(e -> e.getThrowableProxy().getMessage())
                    .containsExactly("view gone", "also gone");
            assertThat(seen).containsExactly("finished");
        }
    }

    /** cancel(true)'s interrupt stays with the cancelled work, even on an executor that does not clear it. */
    @Test
    void theCancelInterruptDoesNotLeakIntoTheNextTaskOnTheSameThread() throws Exception {
        List<Runnable> queued = new CopyOnWriteArrayList<>();
        Executor plain = queued::add; // run later, in order, on one thread, as a hand-written executor would
        CountDownLatch started = new CountDownLatch(1);
        BackgroundTask.Handle first = BackgroundTask.of("spins until cancelled", p -> {
            started.countDown();
            while (!p.cancelled()) {
                Thread.onSpinWait();
            }
            return "stopped";
        }).start(plain, ui);
        List<Boolean> interruptedAtStart = new CopyOnWriteArrayList<>();
        BackgroundTask.of("next", p -> interruptedAtStart.add(Thread.currentThread().isInterrupted()))
                .onFinished(() -> seen.add("finished"))
                .start(plain, ui);
        Thread worker = new Thread(() -> queued.forEach(Runnable::run), "plain");
        worker.start();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        first.cancel();
        await().until(() -> seen.contains("finished"));
        assertThat(interruptedAtStart).containsExactly(false);
    }
}
