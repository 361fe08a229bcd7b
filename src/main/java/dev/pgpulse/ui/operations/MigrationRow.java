package dev.pgpulse.ui.operations;

/** One line of the migrations table, ready to show; {@code pending}/{@code failed} set its pseudo-class. */
public record MigrationRow(String version, String description, String type, String installedOn, String state,
                           String checksum, boolean pending, boolean failed) {
}
