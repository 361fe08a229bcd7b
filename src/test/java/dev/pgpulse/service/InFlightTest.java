package dev.pgpulse.service;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** The oldest call in flight across threads, nested calls counted once, and threads that ended forgotten. */
class InFlightTest {

    @Test
    void theOldestIsTheEarliestStartStillRunningOnAnyThread() throws Exception {
        InFlight f = new InFlight();
        assertThat(f.oldest()).isZero();
        long now = System.nanoTime();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread other = Thread.ofPlatform().start(() -> {
            f.started(now - Duration.ofSeconds(30).toNanos());
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            f.finished();
        });
        started.await();
        f.started(now - Duration.ofSeconds(5).toNanos());
        f.started(now); // a call made from a call's work: the outer one is the older
        assertThat(f.count()).isEqualTo(3);
        assertThat(f.oldest()).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(40));
        release.countDown();
        other.join();
        assertThat(f.oldest()).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(15));
        f.finished();
        assertThat(f.oldest()).as("the outer call still runs").isBetween(Duration.ofSeconds(5), Duration.ofSeconds(15));
        f.finished();
        assertThat(f.oldest()).isZero();
        assertThat(f.count()).isZero();
    }

    @Test
    void slotsOfThreadsThatEndedAreDropped() throws Exception {
        InFlight f = new InFlight();
        for (int i = 0; i < 50; i++) {
            Thread t = Thread.ofVirtual().start(() -> {
                f.started(System.nanoTime());
                f.finished();
            });
            t.join();
        }
        assertThat(f.oldest()).isZero();
        var slots = InFlight.class.getDeclaredField("slots");
        slots.setAccessible(true);
        assertThat((java.util.Set<?>) slots.get(f)).isEmpty();
    }
}
