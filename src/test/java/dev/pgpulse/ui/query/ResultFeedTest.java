package dev.pgpulse.ui.query;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The hand-over between the runner and the FX thread, without either: a queue stands in for Platform.runLater. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResultFeedTest {
    private final ConcurrentLinkedQueue<Runnable> posted = new ConcurrentLinkedQueue<>();
    private static final List<String[]> BATCH = List.of(new String[]{"1"}, new String[]{"2"});

    @Test
    void theRunnerWaitsOnceItHandedOnWhatWasAskedForAndGoesOnWhenMoreIsAsked() throws Exception {
        ResultFeed feed = new ResultFeed(4, Duration.ofMinutes(1), posted::add, () -> { });
        assertThat(feed.offer(BATCH)).isTrue();
        assertThat(feed.offer(BATCH)).isTrue();
        // two batches, one posted drain: a fast stream does not flood the FX queue
        assertThat(posted).hasSize(1);
        assertThat(feed.drain()).hasSize(2);
        var exec = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> third = exec.submit(() -> feed.offer(BATCH));
            await().atMost(Duration.ofSeconds(10)).until(feed::waiting);
            assertThat(third).isNotDone();
            feed.demand(6);
            assertThat(third.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(feed.drain()).hasSize(1);
        } finally {
            exec.shutdownNow();
        }
    }

    @Test
    void anInterruptEndsTheWaitAndStopMakesTheRunnerLetTheResultGo() throws Exception {
        ResultFeed feed = new ResultFeed(1, Duration.ofMinutes(1), posted::add, () -> { });
        feed.offer(BATCH);
        var exec = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> waiting = exec.submit(() -> feed.offer(BATCH));
            await().atMost(Duration.ofSeconds(10)).until(feed::waiting);
            waiting.cancel(true); // what QueryRun.cancel() does to the runner's thread
            await().atMost(Duration.ofSeconds(10)).until(() -> !feed.waiting());
            Future<Boolean> again = exec.submit(() -> feed.offer(BATCH));
            await().atMost(Duration.ofSeconds(10)).until(feed::waiting);
            feed.stop();
            assertThat(again.get(10, TimeUnit.SECONDS)).isFalse();
        } finally {
            exec.shutdownNow();
        }
        Thread.currentThread().interrupt(); // interrupted before it waits: it does not wait at all
        assertThatThrownBy(() -> new ResultFeed(1, Duration.ofMinutes(1), posted::add, () -> { }).offer(BATCH))
                .isInstanceOf(InterruptedException.class);
    }

    @Test
    void aCursorNobodyScrollsIsLetGoAfterTheHoldLimit() throws Exception {
        ResultFeed feed = new ResultFeed(1, Duration.ofMillis(200), posted::add, () -> { });
        feed.offer(BATCH);
        assertThat(feed.offer(BATCH)).isFalse();
        assertThat(feed.heldTooLong()).isTrue();
    }
}
