package dev.pgpulse.ui.operations;

/** One item of the checklist, ready to show: a mark, its name, and why. */
public record CheckRow(String mark, String name, String reason, boolean ok) {
}
