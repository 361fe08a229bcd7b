package dev.pgpulse.ui.dashboard;

import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.util.Callback;

import java.util.List;

/**
 * A table's column widths as a function of its width alone: every column gets its preferred width and the last one
 * the rest; where the preferred widths do not fit, every column shrinks in proportion. So the columns come back to
 * their widths when the window grows again after a shrink (JavaFX's constrained policies keep what a shrink took
 * from the other columns and give the growth to the last one only). A column the DBA drags keeps its new width as
 * its preferred width.
 */
final class FitColumns implements Callback<TableView.ResizeFeatures, Boolean> {
    @Override
    public Boolean call(TableView.ResizeFeatures f) {
        TableColumn<?, ?> dragged = f.getColumn();
        if (dragged != null) {
            dragged.setPrefWidth(Math.max(dragged.getMinWidth(), dragged.getWidth() + f.getDelta()));
        }
        List<? extends TableColumn<?, ?>> columns = f.getTable().getVisibleLeafColumns();
        if (columns.isEmpty()) {
            return false;
        }
        double available = Math.floor(f.getContentWidth());
        double preferred = columns.stream().mapToDouble(TableColumn::getPrefWidth).sum();
        double scale = available >= preferred || preferred <= 0 ? 1 : available / preferred;
        double used = 0;
        for (int i = 0; i < columns.size() - 1; i++) {
            TableColumn<?, ?> c = columns.get(i);
            double w = Math.max(c.getMinWidth(), Math.floor(c.getPrefWidth() * scale));
            f.setColumnWidth(c, w);
            used += w;
        }
        TableColumn<?, ?> last = columns.getLast();
        f.setColumnWidth(last, Math.max(last.getMinWidth(), available - used));
        return true;
    }
}
