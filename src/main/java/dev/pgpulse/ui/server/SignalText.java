package dev.pgpulse.ui.server;

import dev.pgpulse.server.ActivityReader;
import dev.pgpulse.server.Session;
import dev.pgpulse.ui.shell.Dialogs;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** What the Server tab says before and after a signal: the confirmation listing the sessions, the outcome. */
final class SignalText {
    /** Sessions listed by name in a confirmation; the rest are counted. */
    static final int LISTED = 8;

    private SignalText() {
    }

    static Dialogs.Confirmation confirmation(ActivityReader.Signal signal, List<Session> go, boolean production) {
        boolean cancel = signal == ActivityReader.Signal.CANCEL;
        String header = (cancel ? "Cancel the query of " : "Terminate ")
                + (go.size() == 1 ? "pid " + go.getFirst().pid() : go.size() + " sessions") + "?";
        StringBuilder text = new StringBuilder(production ? "This is a PRODUCTION target. " : "");
        text.append(cancel ? "The running statement of each session is cancelled; the sessions stay connected, "
                + "their transactions roll back.\n"
                : "Each backend ends: its connection is closed and its open transaction rolls back.\n");
        for (Session s : go.subList(0, Math.min(go.size(), LISTED))) {
            String query = nz(s.query()).replaceAll("\\s+", " ").strip();
            text.append("\n").append(s.pid()).append("  ").append(nz(s.user())).append("@").append(nz(s.database()))
                    .append("  ").append(nz(s.application())).append(s.own() ? " (PgPulse)" : "").append("  ")
                    .append(nz(s.state())).append("  ").append(query, 0, Math.min(80, query.length()));
        }
        if (go.size() > LISTED) {
            text.append("\n… and ").append(go.size() - LISTED).append(" more");
        }
        return new Dialogs.Confirmation(header, text.toString(), cancel ? "Cancel query" : "Terminate backend");
    }

    /** "Cancel sent to pid 1, pid 2; pid 3 not signalled: why". */
    static String outcome(List<ActivityReader.Outcome> out) {
        List<String> parts = new ArrayList<>();
        List<ActivityReader.Outcome> sent = out.stream().filter(ActivityReader.Outcome::sent).toList();
        if (!sent.isEmpty()) {
            boolean cancel = sent.getFirst().signal() == ActivityReader.Signal.CANCEL;
            parts.add((cancel ? "Cancel sent to " : "Terminated ") + sent.stream().map(o -> "pid " + o.pid())
                    .collect(Collectors.joining(", ")));
        }
        for (ActivityReader.Outcome o : out) {
            if (!o.sent()) {
                parts.add("pid " + o.pid() + " not signalled: " + o.message());
            }
        }
        return String.join("; ", parts);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
