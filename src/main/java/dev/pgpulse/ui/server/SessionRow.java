package dev.pgpulse.ui.server;

/**
 * One session as the Server tab shows it: every text ready to show (the view model formats), and what the row's
 * emphasis depends on.
 *
 * @param longRunning  past the long-transaction alert threshold while active
 * @param idleTooLong  idle in a transaction past the idle-in-transaction alert threshold
 * @param root         in the blocking tree: a root blocker
 */
public record SessionRow(int pid, String pidText, String user, String database, String application, String client,
                         String backendType, String state, String waitEvent, Shown xactStart, Shown queryStart,
                         Shown duration, String blockedBy, String lock, Shown lockWait, String query, boolean own,
                         boolean longRunning, boolean idleTooLong, boolean blocked, boolean root) {
}
