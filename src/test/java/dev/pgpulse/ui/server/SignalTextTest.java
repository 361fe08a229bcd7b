package dev.pgpulse.ui.server;

import dev.pgpulse.server.ActivityReader;
import dev.pgpulse.server.Session;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The words of a signal's confirmation and outcome. */
class SignalTextTest {

    private static Session s(int pid, boolean own) {
        return new Session(pid, "alice", "shop", own ? "pgpulse" : "billing", null, "client backend", null, "active", null,
                null, null, null, null, null, null, null, "select\n  pg_sleep(60)", List.of(), null, null, null, null,
                own);
    }

    @Test
    void aConfirmationNamesTheSessionsAndSaysProduction() {
        var c = SignalText.confirmation(ActivityReader.Signal.TERMINATE, List.of(s(10, false), s(11, true)), true);
        assertThat(c.header()).isEqualTo("Terminate 2 sessions?");
        assertThat(c.confirmLabel()).isEqualTo("Terminate backend");
        assertThat(c.text()).startsWith("This is a PRODUCTION target. Each backend ends")
                .contains("10  alice@shop  billing  active  select pg_sleep(60)")
                .contains("11  alice@shop  pgpulse (PgPulse)  active");
        var many = SignalText.confirmation(ActivityReader.Signal.CANCEL,
                IntStream.range(1, 12).mapToObj(i -> s(i, false)).toList(), false);
        assertThat(many.header()).isEqualTo("Cancel the query of 11 sessions?");
        assertThat(many.text()).startsWith("The running statement").endsWith("… and 3 more");
    }

    @Test
    void anOutcomeSaysWhatWasSentAndWhyNot() {
        assertThat(SignalText.outcome(List.of(
                new ActivityReader.Outcome(1, ActivityReader.Signal.CANCEL, true, null),
                new ActivityReader.Outcome(2, ActivityReader.Signal.CANCEL, false, "no such backend"),
                new ActivityReader.Outcome(3, ActivityReader.Signal.CANCEL, true, null))))
                .isEqualTo("Cancel sent to pid 1, pid 3; pid 2 not signalled: no such backend");
    }
}
