package dev.pgpulse.ui.alerts;

import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where "Export to Prometheus…" writes: the DBA picks a file in the save dialog; a test, which cannot drive a native
 * dialog headless, answers with a file of its own, and the button then runs the real export.
 */
@FunctionalInterface
public interface ExportFileChooser {
    /** The file to write, empty when the DBA cancelled. On the FX thread; may block in a modal dialog. */
    Optional<Path> choose(Window owner);

    /** The save dialog, starting on pgpulse-alerts.rules.yml. */
    static ExportFileChooser dialog() {
        return owner -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Export the alert rules for Prometheus");
            chooser.setInitialFileName("pgpulse-alerts.rules.yml");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Prometheus rules (YAML)", "*.yml",
                    "*.yaml"));
            return Optional.ofNullable(chooser.showSaveDialog(owner)).map(File::toPath);
        };
    }
}
