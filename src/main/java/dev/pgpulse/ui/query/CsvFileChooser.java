package dev.pgpulse.ui.query;

import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;

/** Where "Export CSV…" writes: the save dialog for people; a test answers with a file of its own. */
@FunctionalInterface
public interface CsvFileChooser {
    /** The file to write, empty when cancelled. On the FX thread; may block in a modal dialog. */
    Optional<Path> choose(Window owner);

    static CsvFileChooser dialog() {
        return owner -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Export the result to CSV");
            chooser.setInitialFileName("result.csv");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV", "*.csv"));
            return Optional.ofNullable(chooser.showSaveDialog(owner)).map(File::toPath);
        };
    }
}
