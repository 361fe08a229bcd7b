package dev.pgpulse.ui.operations;

import java.nio.file.Path;

/**
 * One backup of the list, ready to show. {@code problem} marks an unreadable, truncated or unfinished file
 * (it cannot be verified or restored; it can be deleted).
 */
public record BackupRow(Path file, String name, String time, String database, String size, String serverVersion,
                        String verified, boolean problem) {
}
