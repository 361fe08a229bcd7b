package dev.pgpulse.orchestration;

import java.io.Serial;

/** A backup, verify or restore that could not run or failed; the message is one line a DBA can act on. */
public final class BackupException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    public BackupException(String message) {
        super(message);
    }

    public BackupException(String message, Throwable cause) {
        super(message, cause);
    }
}
