package dev.pgpulse.ui.query;

import dev.pgpulse.query.ExplainPlan;
import dev.pgpulse.ui.fx.StatePseudoClass;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableValue;
import javafx.css.PseudoClass;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableCell;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableRow;
import javafx.scene.control.TreeTableView;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An EXPLAIN plan as a tree table: a node per row, all expanded, with its relation, estimated and actual rows, how
 * far the estimate was off ({@code :notable} from 10×, {@code :severe} from 100×), cost, its own and its total
 * time, loops, buffers and conditions; the slowest node's row is {@code :slowest} and carries a "slowest" badge.
 * Above it, one summary line. Colours are console.css's ({@code .plan-view}).
 * <p>
 * Use: {@code PlanView v = new PlanView(); v.show(plan);} on the FX thread, with a plan parsed off it
 * ({@link ExplainPlan#parse} of the one value {@code QueryRunner} returns in an EXPLAIN mode); or share a
 * {@link PlanViewModel} ({@code new PlanView(vm)}, {@code vm.show(plan)}, {@code vm.showError(message)}).
 */
public final class PlanView extends VBox {
    static final PseudoClass SLOWEST = PseudoClass.getPseudoClass("slowest");
    private final PlanViewModel viewModel;
    private final TreeTableView<PlanRow> tree = new TreeTableView<>();
    private final Label summary = new Label();

    public PlanView() {
        this(new PlanViewModel());
    }

    public PlanView(PlanViewModel viewModel) {
        this.viewModel = viewModel;
        getStyleClass().add("plan-view");
        summary.getStyleClass().add("plan-summary");
        summary.setId("plan-summary");
        summary.setWrapText(true);
        summary.textProperty().bind(viewModel.summaryProperty());
        StatePseudoClass.follow(summary, viewModel.errorProperty(), e -> e ? "error" : "");
        tree.setId("plan-tree");
        tree.setShowRoot(true);
        tree.setPlaceholder(new Label("No plan: EXPLAIN a statement"));
        tree.setColumnResizePolicy(TreeTableView.UNCONSTRAINED_RESIZE_POLICY);
        tree.getColumns().add(nodeColumn());
        tree.getColumns().add(column("Relation", "plan-relation", 140, PlanRow::relation, false));
        tree.getColumns().add(column("Est. rows", "plan-est-rows", 80, PlanRow::estimatedRows, true));
        tree.getColumns().add(column("Actual rows", "plan-actual-rows", 95, PlanRow::actualRows, true));
        tree.getColumns().add(misestimateColumn());
        tree.getColumns().add(column("Cost", "plan-cost", 120, PlanRow::cost, true));
        tree.getColumns().add(column("Own time", "plan-own-time", 105, PlanRow::ownTime, true));
        tree.getColumns().add(column("Total time", "plan-total-time", 80, PlanRow::totalTime, true));
        tree.getColumns().add(column("Loops", "plan-loops", 55, PlanRow::loops, true));
        tree.getColumns().add(column("Buffers (shared)", "plan-buffers", 150, PlanRow::buffers, false));
        tree.getColumns().add(column("Conditions", "plan-details", 420, PlanRow::details, false));
        tree.setRowFactory(t -> new TreeTableRow<>() {
            private final Tooltip tip = new Tooltip();

            {
                tip.setWrapText(true);
                tip.setMaxWidth(700);
            }

            @Override
            protected void updateItem(PlanRow item, boolean empty) {
                super.updateItem(item, empty);
                pseudoClassStateChanged(SLOWEST, !empty && item != null && item.slowest());
                // the conditions column is cut at the window's edge: the whole of it on hover
                boolean details = !empty && item != null && !item.details().isEmpty();
                tip.setText(details ? item.node() + "\n" + item.details().replace(" · ", "\n") : "");
                setTooltip(details ? tip : null);
            }
        });
        VBox.setVgrow(tree, Priority.ALWAYS);
        getChildren().addAll(summary, tree);
        viewModel.rootProperty().addListener((o, a, b) -> rebuild(b));
        rebuild(viewModel.rootProperty().get());
    }

    public PlanViewModel viewModel() {
        return viewModel;
    }

    /** Shows the plan (FX thread). */
    public void show(ExplainPlan plan) {
        viewModel.show(plan);
    }

    TreeTableView<PlanRow> tree() {
        return tree;
    }

    /**
     * Tree items made without recursion, children before their parents: a plan may be a thousand levels deep, and
     * an item added under an attached parent notifies every ancestor.
     */
    private void rebuild(PlanRow root) {
        if (root == null) {
            tree.setRoot(null);
            return;
        }
        List<PlanRow> preOrder = new ArrayList<>();
        Deque<PlanRow> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            PlanRow r = todo.pop();
            preOrder.add(r);
            for (int i = r.children().size() - 1; i >= 0; i--) {
                todo.push(r.children().get(i));
            }
        }
        Map<Integer, TreeItem<PlanRow>> made = new HashMap<>();
        for (int i = preOrder.size() - 1; i >= 0; i--) {
            PlanRow r = preOrder.get(i);
            TreeItem<PlanRow> item = new TreeItem<>(r);
            for (PlanRow c : r.children()) {
                item.getChildren().add(made.remove(c.id()));
            }
            item.setExpanded(true);
            made.put(r.id(), item);
        }
        tree.setRoot(made.get(root.id()));
    }

    private static ObservableValue<String> text(TreeTableColumn.CellDataFeatures<PlanRow, String> f,
                                                Function<PlanRow, String> get) {
        PlanRow r = f.getValue() == null ? null : f.getValue().getValue();
        return new ReadOnlyStringWrapper(r == null ? "" : get.apply(r));
    }

    private static TreeTableColumn<PlanRow, String> column(String title, String id, double width,
                                                           Function<PlanRow, String> get, boolean number) {
        TreeTableColumn<PlanRow, String> c = new TreeTableColumn<>(title);
        c.setId(id);
        c.setPrefWidth(width);
        c.setSortable(false);
        c.setCellValueFactory(f -> text(f, get));
        if (number) {
            c.getStyleClass().add("plan-number");
        }
        return c;
    }

    private static TreeTableColumn<PlanRow, String> nodeColumn() {
        TreeTableColumn<PlanRow, String> c = column("Node", "plan-node", 300, PlanRow::node, false);
        c.setCellFactory(col -> new TreeTableCell<>() {
            private final Label badge = new Label("slowest");

            {
                badge.getStyleClass().add("plan-slowest-badge");
                setContentDisplay(ContentDisplay.RIGHT);
                setGraphicTextGap(8);
            }

            @Override
            protected void updateItem(String text, boolean empty) {
                super.updateItem(text, empty);
                PlanRow row = getTableRow() == null ? null : getTableRow().getItem();
                setText(empty ? null : text);
                setGraphic(!empty && row != null && row.slowest() ? badge : null);
            }
        });
        return c;
    }

    private static TreeTableColumn<PlanRow, String> misestimateColumn() {
        TreeTableColumn<PlanRow, String> c = column("Misestimate", "plan-misestimate", 95, PlanRow::misestimate, true);
        PseudoClass notable = PseudoClass.getPseudoClass("notable");
        PseudoClass severe = PseudoClass.getPseudoClass("severe");
        c.setCellFactory(col -> new TreeTableCell<>() {
            {
                getStyleClass().add("plan-misestimate-cell");
            }

            @Override
            protected void updateItem(String text, boolean empty) {
                super.updateItem(text, empty);
                PlanRow row = empty || getTableRow() == null ? null : getTableRow().getItem();
                setText(empty ? null : text);
                pseudoClassStateChanged(notable, row != null && row.estimate() == PlanRow.Estimate.NOTABLE);
                pseudoClassStateChanged(severe, row != null && row.estimate() == PlanRow.Estimate.SEVERE);
            }
        });
        return c;
    }
}
