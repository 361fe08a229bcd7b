package dev.pgpulse.ui.fx;

import dev.pgpulse.ui.shell.Dialogs.Notice;
import dev.pgpulse.ui.shell.Dialogs.Severity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class NoticeCoalescerTest {
    private static final long S = 1_000_000_000L;

    private static Notice n(int i) {
        return new Notice(i % 2 == 0 ? Severity.INFO : Severity.WARNING, "primary circuit breaker #" + i, "was X");
    }

    @Test
    void tenQuickNoticesMakeTwoPopups() {
        NoticeCoalescer c = new NoticeCoalescer(Duration.ofSeconds(6));
        List<Notice> shown = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            c.offer(n(i), 100 * S + i * S / 10).ifPresent(shown::add);
        }
        assertThat(shown).extracting(Notice::title).containsExactly("primary circuit breaker #0");
        assertThat(c.holding()).isTrue();
        assertThat(c.flushAt()).isEqualTo(106 * S);
        Optional<Notice> summary = c.flush(106 * S);
        assertThat(summary).isPresent();
        assertThat(summary.get().title()).isEqualTo("primary circuit breaker #9 (and 8 more)");
        assertThat(summary.get().severity()).isEqualTo(Severity.WARNING);
        assertThat(summary.get().text().lines().toList()).hasSize(NoticeCoalescer.LISTED + 1)
                .first().asString().startsWith("primary circuit breaker #9");
        assertThat(summary.get().text()).endsWith("… and 5 earlier; all are in the event log");
        assertThat(c.holding()).isFalse();
        assertThat(c.flush(107 * S)).isEmpty();
    }

    @Test
    void afterAQuietSpellTheNextShowsAtOnce() {
        NoticeCoalescer c = new NoticeCoalescer(Duration.ofSeconds(6));
        assertThat(c.offer(n(1), 0)).isPresent();
        assertThat(c.offer(n(2), 7 * S)).isPresent();
        assertThat(c.offer(n(3), 8 * S)).isEmpty();
        Notice one = c.flush(13 * S).orElseThrow();
        assertThat(one).isEqualTo(n(3)); // a single held notice shows as itself
    }

    @Test
    void theSummaryTakesTheWorstSeverity() {
        Notice s = NoticeCoalescer.summarise(List.of(new Notice(Severity.ERROR, "a", ""),
                new Notice(Severity.INFO, "b", "")));
        assertThat(s.severity()).isEqualTo(Severity.ERROR);
        assertThat(s.text()).isEqualTo("b\na");
    }
}
