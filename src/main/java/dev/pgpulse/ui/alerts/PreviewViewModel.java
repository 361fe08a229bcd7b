package dev.pgpulse.ui.alerts;

import dev.pgpulse.health.alert.AlertRule;
import dev.pgpulse.orchestration.Snapshot;

/**
 * The preview of the rule being edited: its metric's current value per subject, the last 15 minutes with the
 * threshold and the stretches it would have been FIRING, and how often it would have fired.
 * (Skeleton: i12-preview builds it.)
 */
public final class PreviewViewModel {

    /** The rule to preview, or null for none (the editor holds an invalid rule). */
    public void show(AlertRule rule) {
    }

    public void apply(Snapshot s) {
    }
}
