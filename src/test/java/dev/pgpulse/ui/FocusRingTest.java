package dev.pgpulse.ui;

import javafx.geometry.Bounds;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Control;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.ToggleButton;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of focusable control the console has shows a focus ring in its dark theme: drawn focused and not, the
 * pixels around the control differ clearly, all the way round (a ring, not a faint tint).
 */
class FocusRingTest {
    private static Stage stage;

    @BeforeAll
    static void registerStage() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }

    @Test
    void everyFocusableControlShowsAFocusRing() throws Exception {
        Map<String, Control> controls = new LinkedHashMap<>();
        fx(() -> {
            ChoiceBox<String> choice = new ChoiceBox<>();
            choice.getItems().setAll("every 1 s", "every 2 s");
            choice.setValue("every 1 s");
            controls.put("button", new Button("Close"));
            controls.put("toggle", new ToggleButton("Demo workload: off"));
            controls.put("choice box", choice);
            MenuButton drill = new MenuButton("Drill", null, new MenuItem("Force open"));
            controls.put("menu button", drill);
            TableView<String> table = new TableView<>();
            table.getColumns().add(new TableColumn<String, String>("Time"));
            table.setPrefSize(300, 120);
            controls.put("table", table);
            TabPane tabs = new TabPane(new Tab("Dashboard"), new Tab("Alerts"));
            tabs.setPrefSize(300, 80);
            controls.put("tab pane", tabs);
            VBox root = new VBox(24);
            root.setPadding(new Insets(24));
            root.getChildren().addAll(controls.values());
            root.getStyleClass().add("console");
            root.getStylesheets().add(ConsoleWindow.class.getResource("console.css").toExternalForm());
            Button elsewhere = new Button("elsewhere");
            root.getChildren().add(elsewhere);
            stage.setScene(new Scene(root, 600, 700));
            stage.show();
            stage.toFront();
            return null;
        });
        Control elsewhere = fx(() -> (Control) stage.getScene().getRoot().getChildrenUnmodifiable().getLast());
        Map<String, Integer> ringPixels = new LinkedHashMap<>();
        Map<String, Integer> needed = new LinkedHashMap<>();
        for (Map.Entry<String, Control> e : controls.entrySet()) {
            Control c = e.getValue();
            WritableImage unfocused = focusAndDraw(elsewhere);
            WritableImage focused = focusAndDraw(c);
            assertThat(fx(c::isFocused)).as("%s took the focus", e.getKey()).isTrue();
            Bounds b = fx(() -> ringed(c));
            ringPixels.put(e.getKey(), ringDifference(unfocused, focused, b));
            // a ring of at least about 1.5 px of clearly different colour on every side
            needed.put(e.getKey(), (int) (1.5 * 2 * (b.getWidth() + b.getHeight())));
        }
        Screenshots.save(stage.getScene(), "focus-ring-tab-pane");
        for (String name : controls.keySet()) {
            assertThat(ringPixels.get(name)).as("clearly changed pixels on the edge band of the %s (%s, needed %s)",
                    name, ringPixels, needed).isGreaterThanOrEqualTo(needed.get(name));
        }
    }

    /** Where the ring is drawn, in the scene: around the control, for a tab pane around its selected tab. */
    private static Bounds ringed(Control c) {
        Node around = c instanceof TabPane ? c.lookup(".tab:selected") : c;
        return around.localToScene(around.getLayoutBounds());
    }

    private static WritableImage focusAndDraw(Control c) throws Exception {
        fx(() -> {
            c.requestFocus();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        return fx(() -> stage.getScene().snapshot(null));
    }

    /** Pixels within 3 px of the control's edge (inside or out) whose colour changed by more than 0.25 in a channel. */
    private static int ringDifference(WritableImage a, WritableImage b, Bounds edge) {
        PixelReader pa = a.getPixelReader();
        PixelReader pb = b.getPixelReader();
        int n = 0;
        int x0 = (int) Math.floor(edge.getMinX()) - 3;
        int y0 = (int) Math.floor(edge.getMinY()) - 3;
        int x1 = (int) Math.ceil(edge.getMaxX()) + 3;
        int y1 = (int) Math.ceil(edge.getMaxY()) + 3;
        for (int y = Math.max(0, y0); y < Math.min(a.getHeight(), y1); y++) {
            for (int x = Math.max(0, x0); x < Math.min(a.getWidth(), x1); x++) {
                boolean band = x < x0 + 6 || x >= x1 - 6 || y < y0 + 6 || y >= y1 - 6;
                if (band && differs(pa.getColor(x, y), pb.getColor(x, y))) {
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean differs(Color a, Color b) {
        return List.of(Math.abs(a.getRed() - b.getRed()), Math.abs(a.getGreen() - b.getGreen()),
                Math.abs(a.getBlue() - b.getBlue())).stream().anyMatch(d -> d > 0.25);
    }
}
