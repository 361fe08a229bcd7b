package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.orchestration.Orchestrator;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import dev.pgpulse.ui.shell.Dialogs;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.DialogPane;
import javafx.scene.input.KeyCode;
import javafx.scene.paint.Color;
import javafx.stage.PopupWindow;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Confirmations and notifications as the DBA meets them, on a real orchestrator and PostgreSQL: on a production
 * target Enter and Escape cancel a drill (Cancel is the default button), only the button naming the action goes
 * ahead, and the dialog is dark like the console; a burst of drills makes at most two notification popups.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class ConsoleDialogsTest extends WindowTest {

    private Orchestrator orchestrator(TestDatabase db, String env) throws Exception {
        var config = new ConfigLoader(Map.of("DATABASE_URL", db.url(), "PGPULSE_ENV", env), home, "tester", 2)
                .load(new Overrides(null, null, null, List.of(), null, Map.of("pool.max_size", "3")));
        Orchestrator o = Orchestrator.start(config, new Orchestrator.Options(Duration.ofMillis(250),
                home.resolve("alert-rules.json"), false));
        closeLast.add(o);
        return o;
    }

    private ConsoleWindow show(Orchestrator o, boolean popups) throws Exception {
        ConsoleWindow w = fx(() -> {
            ConsoleWindow cw = new ConsoleWindow(o, null, ConsolePrefs.defaults().withPollInterval(Duration.ofMillis(500)),
                    p -> { });
            cw.setNotifications(popups);
            stage.setScene(new Scene(cw.root(), 1280, 800));
            stage.show();
            cw.start();
            return cw;
        });
        closeLast.add(0, w);
        return w;
    }

    /** A shorter FX wait than WindowTest's, as this test always had. */
    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(20, TimeUnit.SECONDS);
    }

    private boolean dialogShowing() throws Exception {
        return fx(() -> robot.lookup(".dialog-pane").tryQuery().isPresent());
    }

    private String state(Orchestrator o) {
        return o.service().guard().breaker("primary").getState().name();
    }

    private void askToForceOpen() throws Exception {
        robot.clickOn("#drill-primary").clickOn("Force open (fail every call)");
        await().atMost(Duration.ofSeconds(5)).until(this::dialogShowing);
    }

    @Test
    void onProductionEnterAndEscapeCancelAndOnlyTheNamedButtonDrills(TestDatabase db) throws Exception {
        Orchestrator o = orchestrator(db, "production");
        show(o, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> robot.lookup("#drill-primary").tryQuery().isPresent()));

        askToForceOpen();
        DialogPane pane = fx(() -> robot.lookup(".dialog-pane").queryAs(DialogPane.class));
        assertThat(fx(pane::getHeaderText)).isEqualTo("Force the primary circuit breaker open?");
        assertThat(fx(() -> ((Button) pane.lookupButton(javafx.scene.control.ButtonType.CANCEL)).isDefaultButton()))
                .as("Cancel is the default button").isTrue();
        assertThat(fx(() -> pane.getButtonTypes().stream().map(javafx.scene.control.ButtonType::getText).toList()))
                .containsExactlyInAnyOrder("Cancel", "Force open");
        // dark, like the console: the pane's background is the console's, its text light
        Color background = fx(() -> (Color) pane.getBackground().getFills().getFirst().getFill());
        assertThat(background.getBrightness()).as("dialog background brightness").isLessThan(0.3);
        Screenshots.save(pane.getScene(), "confirmation-production-drill");

        robot.type(KeyCode.ENTER);
        await().atMost(Duration.ofSeconds(5)).until(() -> !dialogShowing());
        Thread.sleep(500);
        assertThat(state(o)).as("Enter cancels").isEqualTo("CLOSED");

        askToForceOpen();
        robot.type(KeyCode.ESCAPE);
        await().atMost(Duration.ofSeconds(5)).until(() -> !dialogShowing());
        Thread.sleep(500);
        assertThat(state(o)).as("Escape cancels").isEqualTo("CLOSED");

        askToForceOpen();
        robot.clickOn("Force open");
        await().atMost(Duration.ofSeconds(5)).until(() -> state(o).equals("FORCED_OPEN"));
        o.drill("primary", Guard.Drill.NORMAL);
    }

    @Test
    void tenQuickDrillsMakeAtMostTwoPopups(TestDatabase db) throws Exception {
        Orchestrator o = orchestrator(db, "development");
        ConsoleWindow w = show(o, true);
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> robot.lookup("#drill-primary").tryQuery().isPresent()));
        Thread.sleep(1000); // the first snapshot's event log is history, not news
        for (int i = 0; i < 5; i++) {
            o.drill("primary", Guard.Drill.FORCE_OPEN);
            o.drill("primary", Guard.Drill.NORMAL);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fx(() -> w.dialogs().shown().size()) >= 1);
        Thread.sleep(2000);
        assertThat(fx(() -> w.dialogs().shown())).as("one popup at once, the rest held").hasSize(1);
        assertThat(showingPopups()).isLessThanOrEqualTo(1);
        Screenshots.save(stage.getScene(), "notifications-burst-first");
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> w.dialogs().shown().size()) >= 2);
        List<Dialogs.Notice> shown = fx(() -> w.dialogs().shown());
        assertThat(shown).hasSize(2);
        assertThat(shown.get(1).title()).matches("primary circuit breaker .+ \\(and \\d+ more\\)");
        assertThat(showingPopups()).as("popups showing at once").isLessThanOrEqualTo(2);
    }

    /** ControlsFX notifications showing now (popup windows whose scene has a .notification-bar). */
    private long showingPopups() throws Exception {
        return fx(() -> Window.getWindows().stream()
                .filter(win -> win instanceof PopupWindow && win.isShowing() && win.getScene() != null)
                .filter(win -> !win.getScene().getRoot().lookupAll(".notification-bar").isEmpty())
                .count());
    }
}
